// The calibration engine (src/engine/calibration): maps, their fits, cross-validation by solution,
// the samples a run yields, the file, and the one place a map applies (combineVerdicts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultThresholds } from '../../src/engine/checks';
import type { CriticResult } from '../../src/engine/checks';
import { combineVerdicts } from '../../src/engine/combine';
import { assignFolds, crossValidate } from '../../src/engine/calibration/cross-validate';
import { probabilityScores } from '../../src/engine/eval/metrics';
import type { Calibration, CalibrationFile } from '../../src/engine/calibration/file';
import { calibrationMismatch, parseCalibrationFile } from '../../src/engine/calibration/file';
import { fitIsotonic, fitTemperature } from '../../src/engine/calibration/fit';
import { fitCalibrationFile } from '../../src/engine/calibration/fit-file';
import { evalReportInput, mergeInputs } from '../../src/engine/calibration/inputs';
import { applyMap, logit, sigmoid } from '../../src/engine/calibration/map';
import { recalibrateEntry } from '../../src/engine/calibration/recalibrate-entry';
import type { CalibrationSample } from '../../src/engine/calibration/samples';
import { calibrationSamples } from '../../src/engine/calibration/samples';
import { judgedFileReport } from '../../src/engine/report/build';
import type { ClaimEvidence, SolutionDocument } from '../../src/engine/types';

/** A seeded generator, so the synthetic data are the same on every run. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
}

/**
 * `n` steps of `n / 4` solutions whose true P(correct) is q, drawn uniformly, and whose outcome is
 * drawn from q; the critic states σ(3 · logit q): over-confident by a known map.
 */
function overconfident(n: number, seed = 7): CalibrationSample[] {
  const next = generator(seed);
  return Array.from({ length: n }, (_, i) => {
    const q = 0.02 + 0.96 * next();
    return { solution: `s${i >> 2}`, step: i & 3, p: sigmoid(3 * logit(q)), y: next() < q ? 1 : 0, source: 'logprobs', dataset: 'synthetic' } as const;
  });
}

const identity = { critic: 'llm' as const, model: 'scripted-critic', protocolVersion: 'stepcritic-critic/1' };

function doc(texts: string[], label?: number): SolutionDocument {
  const steps = texts.map((text, index) => ({
    index,
    text,
    range: { start: { line: index, character: 0 }, end: { line: index, character: text.length } },
    hash: `h${index}`,
  }));
  return {
    uri: 'data/gsm8k.json#3',
    format: 'processbench',
    kind: 'math',
    text: texts.join('\n'),
    problem: 'p',
    problemHash: 'ph',
    steps,
    warnings: [],
    ...(label !== undefined ? { labels: { firstErrorStep: label, dataset: 'processbench' } } : {}),
  };
}

function critic(pTrues: number[]): CriticResult {
  return {
    model: 'scripted-critic',
    steps: pTrues.map((p, index) => ({
      index,
      verdict: p >= 0.5 ? 'correct' : 'incorrect',
      pTrue: p,
      source: 'logprobs',
      explanation: `why ${index}`,
      cached: false,
    })),
    finalAnswerPTrue: null,
    usage: { requests: 1, promptTokens: 10, completionTokens: 5, cachedSteps: 0 },
  };
}

const refuted: ClaimEvidence = {
  kind: 'arithmetic',
  status: 'refuted',
  claim: '48 / 2 = 25',
  expected: '24',
  range: { start: { line: 1, character: 0 }, end: { line: 1, character: 11 } },
};

/** σ(logit p / 3): undoes the over-confidence above. */
const soften: Calibration = { map: { method: 'temperature', slope: 1 / 3, bias: 0 }, note: { method: 'temperature', steps: 1000, dataset: 'synthetic' } };

describe('calibration maps', () => {
  it('temperature scaling is σ(slope · logit p + bias), kept off 0 and 1', () => {
    assert.ok(Math.abs(applyMap({ method: 'temperature', slope: 1, bias: 0 }, 0.73) - 0.73) < 1e-12);
    assert.ok(Math.abs(applyMap({ method: 'temperature', slope: 1 / 3, bias: 0 }, sigmoid(3 * logit(0.8))) - 0.8) < 1e-9);
    assert.equal(applyMap({ method: 'temperature', slope: 1, bias: 0 }, 1), 0.999);
    assert.equal(applyMap({ method: 'temperature', slope: 1, bias: 0 }, 0), 0.001);
  });

  it('isotonic is linear between its points and flat beyond them', () => {
    const map = {
      method: 'isotonic' as const,
      points: [
        [0.2, 0.1],
        [0.6, 0.5],
        [0.8, 0.9],
      ] as [number, number][],
    };
    assert.equal(applyMap(map, 0.1), 0.1);
    assert.ok(Math.abs(applyMap(map, 0.4) - 0.3) < 1e-12);
    assert.ok(Math.abs(applyMap(map, 0.7) - 0.7) < 1e-12);
    assert.equal(applyMap(map, 0.95), 0.9);
  });
});

describe('fitting', () => {
  it('temperature scaling recovers the map that undoes a known over-confidence (slope 1/3, bias 0)', () => {
    const map = fitTemperature(overconfident(4000));
    assert.ok(Math.abs(map.slope - 1 / 3) < 0.03, `slope ${map.slope}`);
    assert.ok(Math.abs(map.bias) < 0.1, `bias ${map.bias}`);
  });

  it('stays finite when every wrong step is below every right one (separable data)', () => {
    const pairs = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9].map((p) => ({ p, y: p > 0.5 ? (1 as const) : (0 as const) }));
    const map = fitTemperature(pairs);
    assert.ok(Number.isFinite(map.slope) && map.slope > 1 && map.slope < 200, `slope ${map.slope}`);
  });

  it('isotonic pools blocks of equal share: separable data is two flat pieces, not a point per step', () => {
    const pairs = [0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9].map((p) => ({ p, y: p > 0.5 ? (1 as const) : (0 as const) }));
    assert.deepEqual(fitIsotonic(pairs).points, [
      [0.1, 0],
      [0.3, 0],
      [0.6, 1],
      [0.9, 1],
    ]);
  });

  it('isotonic pools adjacent violators', () => {
    const map = fitIsotonic([
      { p: 0.1, y: 0 },
      { p: 0.2, y: 1 },
      { p: 0.3, y: 0 },
      { p: 0.4, y: 1 },
      { p: 0.4, y: 1 },
    ]);
    assert.deepEqual(map.points, [
      [0.1, 0],
      [0.2, 0.5],
      [0.3, 0.5],
      [0.4, 1],
    ]);
  });
});

describe('cross-validation', () => {
  it('draws folds by solution: every step of a solution in the same fold, every fold used, the same seed the same folds', () => {
    const solutions = Array.from({ length: 23 }, (_, i) => `s${i}`);
    const folds = assignFolds([...solutions, ...solutions], 5, 3);
    assert.equal(folds.size, 23);
    assert.deepEqual(new Set(folds.values()), new Set([0, 1, 2, 3, 4]));
    assert.deepEqual(assignFolds(solutions, 5, 3), folds);
    assert.notDeepEqual([...assignFolds(solutions, 5, 4)], [...folds]);
  });

  it('never scores a map on what it was fitted on: on pure noise isotonic looks perfect in-sample, not cross-validated', () => {
    const next = generator(11);
    const noise: CalibrationSample[] = Array.from({ length: 600 }, (_, i) => ({
      solution: `s${i}`,
      step: 0,
      p: next(),
      y: next() < 0.5 ? 1 : 0,
      source: 'logprobs',
      dataset: 'noise',
    }));
    const inSample = fitIsotonic(noise);
    const fitted = probabilityScores(noise.map((s) => ({ p: applyMap(inSample, s.p), y: s.y })));
    const cv = crossValidate(noise, { method: 'isotonic', folds: 5, seed: 1 });
    assert.ok(fitted.ece! < 1e-6, `in-sample ECE ${fitted.ece}`);
    assert.ok(cv.calibrated.ece! > 0.02, `cross-validated ECE ${cv.calibrated.ece}`);
    // No better than saying 0.5 for every step (Brier 0.25), as it must be on noise.
    assert.ok(cv.calibrated.brier! > 0.25 && cv.calibrated.brier! > fitted.brier!, `Brier ${fitted.brier} in-sample, ${cv.calibrated.brier} cross-validated`);
    assert.equal(cv.steps, 600);
  });

  it('on an over-confident critic the cross-validated ECE falls to under a third', () => {
    const cv = crossValidate(overconfident(2000), { method: 'temperature', folds: 5, seed: 1 });
    assert.ok(cv.calibrated.ece! <= cv.raw.ece! / 3, `ECE ${cv.raw.ece} → ${cv.calibrated.ece}`);
    assert.ok(cv.calibrated.brier! < cv.raw.brier!);
  });
});

describe('calibration samples', () => {
  it("are the labelled steps the critic decided, with the critic's own P(True)", () => {
    const document = doc(['a', 'b = 25', 'c', 'd'], 2);
    const judgement = combineVerdicts({
      document,
      verifier: new Map([[1, [refuted]]]),
      critic: critic([0.9, 0.8, 0.3, 0.6]),
      accepted: new Set(),
      thresholds: defaultThresholds,
      calibration: soften,
    });
    const entry = judgedFileReport({ uri: 'data/gsm8k.json#3', path: 'data/gsm8k.json' }, document, judgement);
    // Step 2 (index 1) was refuted by the verifier; step 3 (downstream, but judged on its own by the
    // critic) is the labelled error; step 4 comes after it, unlabelled. The raw 0.9 and 0.3 count, not their calibrated values.
    assert.deepEqual(calibrationSamples(entry), [
      { solution: 'data/gsm8k.json#3', step: 0, p: 0.9, y: 1, source: 'logprobs', dataset: 'processbench/gsm8k' },
      { solution: 'data/gsm8k.json#3', step: 2, p: 0.3, y: 0, source: 'logprobs', dataset: 'processbench/gsm8k' },
    ]);
    const accepted = combineVerdicts({
      document,
      verifier: new Map(),
      critic: critic([0.9, 0.8, 0.3, 0.6]),
      accepted: new Set([0]),
      thresholds: defaultThresholds,
    });
    const samples = calibrationSamples(judgedFileReport({ uri: 'x#1', path: 'x.json' }, document, accepted));
    assert.deepEqual(
      samples.map((s) => [s.step, s.p, s.y]),
      [
        [1, 0.8, 1],
        [2, 0.3, 0],
      ],
    );
  });
});

describe('the calibration in combineVerdicts', () => {
  it('maps the critic P(True) before the thresholds, keeps the raw value, and leaves verifier and user verdicts alone', () => {
    const document = doc(['a', 'b = 25', 'c', 'd']);
    const judgement = combineVerdicts({
      document,
      verifier: new Map([[1, [refuted]]]),
      critic: critic([0.99, 0.99, 0.9, 0.9]),
      accepted: new Set([3]),
      thresholds: defaultThresholds,
      calibration: soften,
    });
    const [first, second, third, fourth] = judgement.steps;
    // 0.99 stated is 0.82 calibrated: still correct, but no longer 0.99.
    assert.equal(first!.verdict, 'correct');
    assert.ok(Math.abs(first!.pTrue! - sigmoid(logit(0.99) / 3)) < 1e-12);
    assert.equal(first!.rawPTrue, 0.99);
    assert.match(first!.message, /P\(True\) 0\.82 \(logprobs, calibrated from 0\.99\)/);
    // The refuted computation stays P(True) 0, whatever the critic and the map say.
    assert.equal(second!.verdict, 'incorrect');
    assert.equal(second!.pTrue, 0);
    assert.equal(second!.rawPTrue, undefined);
    // Downstream of it, the own finding is calibrated too.
    assert.equal(third!.verdict, 'downstream');
    assert.ok(Math.abs(third!.pTrue! - sigmoid(logit(0.9) / 3)) < 1e-12);
    // The user's acceptance stands.
    assert.deepEqual([fourth!.verdict, fourth!.pTrue, fourth!.source, fourth!.rawPTrue], ['correct', 1, 'user', undefined]);
    assert.deepEqual(judgement.calibration, soften.note);
  });

  it('changes verdicts: a stated 0.9 is 0.68 once calibrated, which the thresholds call uncertain', () => {
    const plain = combineVerdicts({ document: doc(['a']), verifier: new Map(), critic: critic([0.9]), accepted: new Set(), thresholds: defaultThresholds });
    const calibrated = combineVerdicts({
      document: doc(['a']),
      verifier: new Map(),
      critic: critic([0.9]),
      accepted: new Set(),
      thresholds: defaultThresholds,
      calibration: soften,
    });
    assert.equal(plain.steps[0]!.verdict, 'correct');
    assert.equal(calibrated.steps[0]!.verdict, 'uncertain');
    assert.equal(calibrated.verdict, 'uncertain');
  });
});

describe('a run-log entry recalibrated', () => {
  it('is judged again from its evidence with the map; a code entry is kept as judged', () => {
    const document = doc(['a', 'b', 'c'], -1);
    const judgement = combineVerdicts({ document, verifier: new Map(), critic: critic([0.99, 0.9, 0.9]), accepted: new Set(), thresholds: defaultThresholds });
    const entry = judgedFileReport({ uri: 'data/gsm8k.json#3', path: 'data/gsm8k.json' }, document, judgement);
    assert.equal(entry.verdict, 'correct');
    const result = recalibrateEntry(entry, soften);
    assert.equal(result.recalibrated, true);
    assert.deepEqual(
      result.entry.steps.map((s) => [s.verdict, s.rawPTrue]),
      [
        ['correct', 0.99],
        ['uncertain', 0.9],
        ['uncertain', 0.9],
      ],
    );
    assert.equal(result.entry.verdict, 'uncertain');
    assert.deepEqual(result.entry.calibration, soften.note);
    // The same map again gives the same entry: the raw value comes from the critic's evidence.
    assert.deepEqual(recalibrateEntry(result.entry, soften).entry, result.entry);

    const code = recalibrateEntry({ ...entry, kind: 'code', format: 'python' }, soften);
    assert.equal(code.recalibrated, false);
    assert.match(code.kept ?? '', /test results are not in the run log/);
  });
});

describe('the calibration file', () => {
  const file = (): CalibrationFile =>
    fitCalibrationFile(overconfident(400), { method: 'temperature', folds: 5, seed: 1, key: identity, inputs: ['run.jsonl'], toolVersion: '0.1.0' });

  it('round-trips through its parser', () => {
    const written = file();
    assert.deepEqual(parseCalibrationFile(JSON.stringify(written), 'cal.json'), written);
    assert.equal(written.fittedOn.steps, 400);
    assert.equal(written.fittedOn.solutions, 100);
  });

  it('refuses what is not one, another version, and a broken map, each with a clear message', () => {
    assert.throws(() => parseCalibrationFile('{"steps": [', 'cal.json'), /cal\.json is not JSON: not a calibration file/);
    assert.throws(() => parseCalibrationFile('{"schemaVersion": 1}', 'cal.json'), /not a Step Critic calibration file/);
    // What a user may mistake for one: never a hint to write a calibration over it.
    assert.throws(
      () => parseCalibrationFile(' \n', 'cal.json'),
      /^CalibrationError: cal\.json is empty: not a calibration file \(make one with 'stepcritic calibrate RUNLOG --out calibration\.json'\)$/,
    );
    const runLog = '{"type":"header","version":1}\n{"type":"item","id":"a"}\n';
    assert.throws(
      () => parseCalibrationFile(runLog, 'run.jsonl'),
      /run\.jsonl is a run log, not a calibration file: fit one on it with 'stepcritic calibrate run\.jsonl --out calibration\.json'/,
    );
    assert.throws(() => parseCalibrationFile('{"version":1,"criticSteps":[]}', 'eval.json'), /eval\.json is an eval report, not a calibration file/);
    assert.throws(() => parseCalibrationFile(JSON.stringify({ ...file(), version: 2 }), 'cal.json'), /version 2; this stepcritic reads version 1/);
    const broken = { ...file(), map: { method: 'temperature', slope: -1, bias: 0 } };
    assert.throws(() => parseCalibrationFile(JSON.stringify(broken), 'cal.json'), /not a valid calibration file: map\.slope/);
  });

  it('is refused for another critic, naming both', () => {
    const message = calibrationMismatch(file(), { critic: 'prm', model: 'Qwen/Qwen2.5-Math-PRM-7B', protocolVersion: 'prm-1:qwen:abc' }, 'cal.json');
    assert.match(
      message ?? '',
      /cal\.json was fitted for the LLM critic scripted-critic, protocol stepcritic-critic\/1, but this run's critic is the PRM critic Qwen\/Qwen2\.5-Math-PRM-7B, protocol prm-1:qwen:abc/,
    );
    assert.equal(calibrationMismatch(file(), identity, 'cal.json'), undefined);
  });

  it('is not fitted on data that cannot support it', () => {
    const options = { method: 'temperature' as const, folds: 5, seed: 1, key: identity, inputs: [], toolVersion: '0.1.0' };
    assert.throws(() => fitCalibrationFile([], options), /no labelled step has a P\(True\) from the critic/);
    const allRight = overconfident(40).map((s) => ({ ...s, y: 1 as const }));
    assert.throws(() => fitCalibrationFile(allRight, options), /all 40 labelled steps are correct/);
    assert.throws(() => fitCalibrationFile(overconfident(12), options), /3 labelled solutions are too few for 5-fold/);
    const inverted = overconfident(400).map((s) => ({ ...s, y: (1 - s.y) as 0 | 1 }));
    assert.throws(() => fitCalibrationFile(inverted, options), /does not rise with correctness/);
  });

  it('inputs from two critics are not merged', () => {
    const samples = overconfident(8);
    const a = evalReportInput('a.json', { version: 1, model: 'm1', protocolVersion: 'v1', splits: [], criticSteps: samples });
    const b = evalReportInput('b.json', { version: 1, model: 'm2', protocolVersion: 'v1', splits: [], criticSteps: samples });
    assert.throws(() => mergeInputs([a, b]), /a\.json comes from the LLM critic m1, protocol v1 and b\.json from the LLM critic m2, protocol v1/);
    assert.equal(mergeInputs([a, a]).samples.length, 8, 'a step read twice counts once');
    assert.throws(() => evalReportInput('c.json', { version: 1 }), /c\.json is neither a run log .* nor an eval report/);
    // A PRM's scores key the calibration to the PRM, and cannot be mixed with an LLM's.
    const prm = samples.map((s) => ({ ...s, source: 'prm' as const }));
    assert.equal(
      evalReportInput('p.json', { version: 1, model: 'Qwen/Qwen2.5-Math-PRM-7B', protocolVersion: 'prm-1', splits: [], criticSteps: prm }).critic.critic,
      'prm',
    );
    assert.throws(
      () => evalReportInput('m.json', { version: 1, model: 'm', protocolVersion: 'v', splits: [], criticSteps: [...samples, ...prm] }),
      /both an LLM critic and a PRM/,
    );
  });
});
