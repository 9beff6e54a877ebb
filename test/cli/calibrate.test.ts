// `stepcritic calibrate` and `--calibration`, as a user runs them, against a scripted critic that is
// over-confident in a known way (test/support/overconfident-critic.ts: it states σ(3 · logit q) for a
// step that is right with probability q) on 80 labelled ProcessBench records.
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CalibrationFile } from '../../src/engine/calibration/file';
import { parseCalibrationFile } from '../../src/engine/calibration/file';
import { applyMap } from '../../src/engine/calibration/map';
import { PROTOCOL_VERSION } from '../../src/engine/llm/protocol';
import type { Report } from '../../src/engine/report/schema';
import { parseReport } from '../../src/engine/report/schema';
import { overconfidentCritic } from '../support/overconfident-critic';
import { DEFAULT_MODEL, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { PRM_MODEL, startScriptedPrmServer, type ScriptedPrmServer } from '../support/scripted-prm-server';
import { REPO_ROOT, makeTree, runCli } from './run-cli';

/** The critic protocol version as it stands in messages, for a RegExp. */
const PROTOCOL = PROTOCOL_VERSION.replace(/[/.]/g, '\\$&');

const DATASET = join(REPO_ROOT, 'test', 'fixtures', 'processbench', 'gsm8k-calibration.json');

describe('stepcritic calibrate', () => {
  const critic = overconfidentCritic(DATASET);
  let server: ScriptedLlmServer;
  let tree: ReturnType<typeof makeTree>;
  let env: Record<string, string>;
  let calibration: CalibrationFile;
  const run = (args: string[]) => runCli(args, { cwd: tree.dir, env, timeoutMs: 120_000 });
  const readReport = (name: string): Report => parseReport(JSON.parse(readFileSync(join(tree.dir, name), 'utf8')));

  before(async () => {
    server = await startScriptedLlmServer({ handler: critic.handler });
    tree = makeTree({});
    env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: DEFAULT_MODEL, STEPCRITIC_CACHE_DIR: join(tree.dir, '.cache') };
    const check = await run(['check', DATASET, '--run-log', 'run.jsonl', '--fail-on', 'never', '--quiet']);
    assert.equal(check.status, 0, check.stderr);
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  it('recovers the over-confidence from a run log, and the cross-validated ECE falls to a third or less', async () => {
    const r = await run(['calibrate', 'run.jsonl', '--out', 'calibration.json']);
    assert.equal(r.status, 0, r.stderr);
    calibration = parseCalibrationFile(readFileSync(join(tree.dir, 'calibration.json'), 'utf8'), 'calibration.json');
    assert.deepEqual(calibration.key, { critic: 'llm', model: DEFAULT_MODEL, protocolVersion: PROTOCOL_VERSION });
    // Every labelled step the critic decided: all but the wrong steps the verifiers refuted first.
    const refutedFirst = readFileSync(join(tree.dir, 'run.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"type":"item"'))
      .flatMap((line) => (JSON.parse(line) as { entry: { steps: { verdict: string; source: string }[] } }).entry.steps)
      .filter((step) => step.verdict === 'incorrect' && step.source === 'verifier').length;
    assert.ok(refutedFirst > 0);
    assert.equal(calibration.fittedOn.steps, critic.counts.correct + critic.counts.wrong - refutedFirst);
    assert.equal(calibration.fittedOn.solutions, 80);
    assert.equal(calibration.fittedOn.dataset, 'processbench/gsm8k-calibration');
    // The map that undoes σ(3 · logit q) is slope 1/3, bias 0; and a stated value maps back to its q.
    assert.equal(calibration.map.method, 'temperature');
    if (calibration.map.method === 'temperature') {
      assert.ok(Math.abs(calibration.map.slope - 1 / 3) < 0.08, `slope ${calibration.map.slope}`);
      assert.ok(Math.abs(calibration.map.bias) < 0.25, `bias ${calibration.map.bias}`);
    }
    for (const q of [0.6, 0.8, 0.95]) assert.ok(Math.abs(applyMap(calibration.map, critic.stated(q)) - q) < 0.05, `q ${q}`);

    const { raw, calibrated, folds, steps } = calibration.crossValidation;
    assert.equal(folds, 5);
    assert.equal(steps, calibration.fittedOn.steps);
    assert.ok(calibrated.ece! <= raw.ece! / 3, `ECE ${raw.ece} → ${calibrated.ece}`);
    assert.ok(calibrated.brier! < raw.brier!, `Brier ${raw.brier} → ${calibrated.brier}`);
    assert.match(r.stdout, new RegExp(`^Calibration of the LLM critic scripted-critic, protocol ${PROTOCOL}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^\\| raw {8}\\| ${raw.ece!.toFixed(3)} \\| ${raw.brier!.toFixed(3)} \\|`, 'm'));
    assert.match(r.stdout, new RegExp(`^\\| calibrated \\| ${calibrated.ece!.toFixed(3)} \\| ${calibrated.brier!.toFixed(3)} \\|`, 'm'));
    assert.match(r.stderr, /wrote calibration\.json \(apply it with --calibration calibration\.json\)/);
  });

  it('fits the same map from an eval report', async () => {
    const evaluated = await run(['eval', DATASET, '--format', 'json', '--out', 'eval.json']);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const r = await run(['calibrate', 'eval.json', '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const fromEval = parseCalibrationFile(r.stdout, 'stdout');
    assert.deepEqual(fromEval.key, calibration.key);
    assert.deepEqual(fromEval.fittedOn.steps, calibration.fittedOn.steps);
    assert.ok(fromEval.map.method === 'temperature' && calibration.map.method === 'temperature');
    assert.ok(Math.abs(fromEval.map.slope - calibration.map.slope) < 1e-6);
  });

  it('--calibration maps every critic P(True) before the thresholds, keeps the raw one, and changes verdicts; never a refuted step', async () => {
    const r = await run(['check', DATASET, '--calibration', 'calibration.json', '--format', 'json', '--out', 'calibrated.json', '--fail-on', 'never']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /P\(True\) calibrated \(fitted on \d+ steps of processbench\/gsm8k-calibration\)/);
    const raw = await run(['report', 'run.jsonl', '--format', 'json', '--out', 'raw.json']);
    assert.equal(raw.status, 0, raw.stderr);
    // A report from a run log lists entries as they finished: pair them by name.
    const before = new Map(readReport('raw.json').files.map((f) => [f.uri, f]));
    const after = readReport('calibrated.json');
    let changed = 0;
    let calibratedSteps = 0;
    for (const entry of after.files) {
      assert.deepEqual(entry.calibration, { method: 'temperature', steps: calibration.fittedOn.steps, dataset: 'processbench/gsm8k-calibration' });
      for (const [j, step] of entry.steps.entries()) {
        const previous = before.get(entry.uri)!.steps[j]!;
        if (step.source === 'verifier') {
          assert.deepEqual([step.pTrue, step.rawPTrue], [previous.pTrue, undefined], 'a refuted computation stays as the verifier said');
          continue;
        }
        if (step.rawPTrue === undefined) continue;
        calibratedSteps += 1;
        assert.equal(step.rawPTrue, previous.pTrue);
        assert.ok(Math.abs(step.pTrue! - applyMap(calibration.map, step.rawPTrue)) < 1e-12);
        if (step.verdict !== previous.verdict) changed += 1;
      }
    }
    assert.ok(
      after.files.some((f) => f.steps.some((s) => s.source === 'verifier' && s.pTrue === 0)),
      'the data have refuted steps',
    );
    assert.ok(calibratedSteps > 300, `${calibratedSteps} steps calibrated`);
    assert.ok(changed > 10, `${changed} verdicts changed`);
  });

  it('report --calibration re-renders a run log calibrated, with raw and calibrated reliability side by side', async () => {
    const r = await run(['report', 'run.jsonl', '--calibration', 'calibration.json', '--out', 'report.html']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /80 entries judged again with P\(True\) calibrated/);
    const html = readFileSync(join(tree.dir, 'report.html'), 'utf8');
    assert.match(html, /<figure class="figure" id="reliability-raw">.*Reliability of raw P\(True\) against the labels/s);
    assert.match(
      html,
      /<figure class="figure" id="reliability">.*Reliability of P\(True\) calibrated \(fitted on \d+ steps of processbench\/gsm8k-calibration\)/s,
    );
    const ece = (id: string) => Number(new RegExp(`id="${id}">.*?ECE (\\d\\.\\d+) \\(10 bins\\)`, 's').exec(html)?.[1]);
    assert.ok(ece('reliability') < ece('reliability-raw') / 3, `ECE ${ece('reliability-raw')} → ${ece('reliability')}`);

    const json = await run(['report', 'run.jsonl', '--calibration', 'calibration.json', '--format', 'json', '--out', 'recalibrated.json']);
    assert.equal(json.status, 0, json.stderr);
    // The same verdicts as judging with --calibration in the first place (the critic's evidence there came from its cache).
    const verdicts = (f: Report['files'][number]) => ({
      verdict: f.verdict,
      firstErrorIndex: f.firstErrorIndex,
      calibration: f.calibration,
      steps: f.steps.map(({ evidence: _evidence, ...step }) => step),
    });
    const judged = new Map(readReport('calibrated.json').files.map((f) => [f.uri, f]));
    const recalibrated = readReport('recalibrated.json').files;
    assert.equal(recalibrated.length, 80);
    for (const entry of recalibrated) assert.deepEqual(verdicts(entry), verdicts(judged.get(entry.uri)!), entry.uri);
  });

  it('refuses a calibration fitted for another critic, another version, and a resume with another calibration', async () => {
    const other = await run(['check', DATASET, '--model', 'another-model', '--calibration', 'calibration.json', '--no-cache']);
    assert.equal(other.status, 2);
    assert.match(
      other.stderr,
      new RegExp(
        `--calibration: calibration\\.json was fitted for the LLM critic scripted-critic, protocol ${PROTOCOL}, but this run's critic is the LLM critic another-model, protocol ${PROTOCOL}`,
      ),
    );
    assert.equal(server.chatRequests().filter((q) => q.chat.model === 'another-model').length, 0, 'refused before any request');

    writeFileSync(join(tree.dir, 'future.json'), JSON.stringify({ ...calibration, version: 2 }));
    const future = await run(['eval', DATASET, '--calibration', 'future.json']);
    assert.equal(future.status, 2);
    assert.match(future.stderr, /future\.json is a calibration file of version 2; this stepcritic reads version 1/);

    // What a user might give by mistake: each refused before any request, saying what it is.
    writeFileSync(join(tree.dir, 'empty.json'), '');
    writeFileSync(join(tree.dir, 'huge.json'), '');
    truncateSync(join(tree.dir, 'huge.json'), 17 * 1024 * 1024);
    const requests = server.chatRequests().length;
    for (const [file, message] of [
      [
        'run.jsonl',
        /--calibration: run\.jsonl is a run log, not a calibration file: fit one on it with 'stepcritic calibrate run\.jsonl --out calibration\.json'/,
      ],
      ['eval.json', /--calibration: eval\.json is an eval report, not a calibration file/],
      ['empty.json', /--calibration: empty\.json is empty: not a calibration file \(make one with 'stepcritic calibrate RUNLOG --out calibration\.json'\)/],
      ['huge.json', /--calibration: huge\.json is 17\.0 MB: far too large for a calibration file/],
      ['missing.json', /--calibration: missing\.json: no such file/],
      ['.', /--calibration: \. is a folder, not a calibration file/],
    ] as const) {
      const refused = await run(['check', DATASET, '--calibration', file, '--no-cache']);
      assert.equal(refused.status, 2, file);
      assert.match(refused.stderr, message);
    }
    assert.equal(server.chatRequests().length, requests, 'refused before any request');

    const off = await run(['check', DATASET, '--no-llm', '--calibration', 'calibration.json']);
    assert.equal(off.status, 2);
    assert.match(off.stderr, /calibrates a critic's P\(True\), and this run has none \(LLM critic off \(--no-llm\)\)/);

    const resumed = await run(['check', DATASET, '--run-log', 'run.jsonl', '--resume', '--calibration', 'calibration.json']);
    assert.equal(resumed.status, 2);
    assert.match(
      resumed.stderr,
      /made with another configuration \(calibration: unset → \{"method":"temperature","steps":\d+,"dataset":"processbench\/gsm8k-calibration"/,
    );
  });
});

describe('stepcritic calibrate with a process reward model', () => {
  // The same over-confidence, stated by a PRM through vLLM's pooling API.
  const critic = overconfidentCritic(DATASET);
  let server: ScriptedPrmServer;
  let tree: ReturnType<typeof makeTree>;
  const prm = () => ['--critic', 'prm', '--prm-base-url', server.baseUrl, '--prm-model', PRM_MODEL, '--cache-dir', join(tree.dir, '.cache')];
  const run = (args: string[]) => runCli(args, { cwd: tree.dir, env: {}, timeoutMs: 120_000 });

  before(async () => {
    server = await startScriptedPrmServer({ scorer: critic.prmScorer });
    tree = makeTree({});
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  it('fits a map keyed to the PRM, applies it to the PRM, and refuses it for the LLM critic', async () => {
    const check = await run(['check', DATASET, '--run-log', 'prm.jsonl', '--fail-on', 'never', '--quiet', ...prm()]);
    assert.equal(check.status, 0, check.stderr);
    const fitted = await run(['calibrate', 'prm.jsonl', '--out', 'prm-calibration.json']);
    assert.equal(fitted.status, 0, fitted.stderr);
    const file = parseCalibrationFile(readFileSync(join(tree.dir, 'prm-calibration.json'), 'utf8'), 'prm-calibration.json');
    assert.equal(file.key.critic, 'prm');
    assert.equal(file.key.model, PRM_MODEL);
    assert.match(file.key.protocolVersion, /^prm-\d+:qwen2\.5-math-prm-7b:/);
    assert.ok(file.map.method === 'temperature' && Math.abs(file.map.slope - 1 / 3) < 0.08, JSON.stringify(file.map));
    const { raw, calibrated } = file.crossValidation;
    assert.ok(calibrated.ece! <= raw.ece! / 3, `ECE ${raw.ece} → ${calibrated.ece}`);
    assert.match(fitted.stdout, /^Calibration of the PRM critic Qwen\/Qwen2\.5-Math-PRM-7B, protocol prm-/m);

    const applied = await run(['check', DATASET, '--calibration', 'prm-calibration.json', '--format', 'json', '--fail-on', 'never', ...prm()]);
    assert.equal(applied.status, 0, applied.stderr);
    let calibratedSteps = 0;
    for (const entry of parseReport(JSON.parse(applied.stdout)).files) {
      for (const step of entry.steps.filter((s) => s.source === 'prm' && s.rawPTrue !== undefined)) {
        assert.ok(Math.abs(step.pTrue! - applyMap(file.map, step.rawPTrue!)) < 1e-12);
        assert.match(step.message, /\(prm, calibrated from \d\.\d+\)/);
        calibratedSteps += 1;
      }
    }
    assert.ok(calibratedSteps > 300, `${calibratedSteps} PRM steps calibrated`);

    const llm = await run(['check', DATASET, '--base-url', server.baseUrl, '--model', DEFAULT_MODEL, '--calibration', 'prm-calibration.json', '--no-cache']);
    assert.equal(llm.status, 2);
    assert.match(
      llm.stderr,
      new RegExp(
        `prm-calibration\\.json was fitted for the PRM critic Qwen/Qwen2\\.5-Math-PRM-7B, protocol prm-[^,]+, but this run's critic is the LLM critic scripted-critic, protocol ${PROTOCOL}`,
      ),
    );
  });
});
