// The report renderers on hand-built judgements (made by the real combination rule from chosen
// evidence), so each format is checked against what a reader of that format needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CriticResult } from '../../src/engine/checks';
import { defaultThresholds } from '../../src/engine/checks';
import { combineVerdicts } from '../../src/engine/combine';
import { buildReport, judgedFileReport, reachesFailOn, unjudgedFileReport } from '../../src/engine/report/build';
import { renderJson } from '../../src/engine/report/json';
import { renderMarkdown } from '../../src/engine/report/markdown';
import { artifactLocation, renderSarif } from '../../src/engine/report/sarif';
import { parseReport, REPORT_SCHEMA_VERSION, type FileReport, type Report } from '../../src/engine/report/schema';
import { renderText, renderTextFile } from '../../src/engine/report/text';
import type { Evidence, SolutionDocument } from '../../src/engine/types';
import { sarifErrors } from '../cli/sarif-validator';

// "Natalia sold clips" with a slip in step 2 (0-based index 1): 48 / 2 = 25.
const TEXT = [
  '# Problem',
  'Natalia sold clips to 48 friends in April, and half as many in May. How many in all?',
  '',
  'Step 1: In April she sold 48 clips.',
  'Step 2: In May she sold 48 / 2 = 25 clips.',
  'Step 3: In all 48 + 25 = 73 clips.',
  '',
  'Answer: 73',
].join('\n');

function document(uri = 'examples/clips.solution.md'): SolutionDocument {
  const lines = TEXT.split('\n');
  const steps = [3, 4, 5].map((line, index) => ({
    index,
    text: lines[line]!,
    range: { start: { line, character: 0 }, end: { line, character: lines[line]!.length } },
    hash: `hash-${index}`,
    label: `Step ${index + 1}`,
  }));
  return {
    uri,
    format: 'markdown',
    kind: 'math',
    text: TEXT,
    problem: lines[1]!,
    problemHash: 'problem-hash',
    steps,
    finalAnswer: { text: '73', range: { start: { line: 7, character: 8 }, end: { line: 7, character: 10 } } },
    warnings: [],
  };
}

// `48 / 2 = 25` stands at characters 25..36 of line 4; the wrong value `25` at 34..36.
const refutedSlip: Evidence = {
  kind: 'arithmetic',
  status: 'refuted',
  claim: '48 / 2 = 25',
  expected: '24',
  range: { start: { line: 4, character: 25 }, end: { line: 4, character: 36 } },
  fix: { range: { start: { line: 4, character: 34 }, end: { line: 4, character: 36 } }, newText: '24' },
};

function critic(pTrues: number[]): CriticResult {
  return {
    model: 'test-model',
    steps: pTrues.map((p, index) => ({
      index,
      verdict: p >= 0.5 ? 'correct' : 'incorrect',
      pTrue: p,
      source: 'logprobs',
      explanation: `reason ${index}`,
      cached: false,
    })),
    finalAnswerPTrue: 0.2,
    usage: { requests: 1, promptTokens: 120, completionTokens: 30, cachedSteps: 0 },
  };
}

function judged(evidence: Map<number, Evidence[]>, criticResult?: CriticResult, uri?: string): FileReport {
  const doc = document(uri);
  const judgement = combineVerdicts({
    document: doc,
    verifier: evidence,
    ...(criticResult ? { critic: criticResult } : { criticNote: 'LLM critic off: no endpoint configured' }),
    accepted: new Set(),
    thresholds: defaultThresholds,
  });
  return judgedFileReport({ uri: doc.uri, path: doc.uri.split('#')[0]! }, doc, judgement, 12.34);
}

const slipFile = () => judged(new Map([[1, [refutedSlip]]]));
const cleanFile = () => judged(new Map(), critic([0.95, 0.9, 0.92]), 'examples/clean.solution.md');
const uncertainFile = () => judged(new Map(), critic([0.95, 0.5, 0.9]), 'examples/unsure.solution.md');

function sampleReport() {
  const record = judged(new Map([[1, [refutedSlip]]]), undefined, 'data/gsm8k.jsonl#4');
  record.path = 'data/gsm8k.jsonl';
  record.record = { index: 4, line: 5 };
  return buildReport(
    [
      slipFile(),
      cleanFile(),
      uncertainFile(),
      record,
      unjudgedFileReport({ uri: 'examples/blob.solution.md', path: 'examples/blob.solution.md' }, 'skipped', 'binary file'),
      unjudgedFileReport({ uri: 'examples/latin1.solution.md', path: 'examples/latin1.solution.md' }, 'failed', 'not valid UTF-8 (first bad byte on line 2)'),
    ],
    {
      toolVersion: '0.1.0',
      critic: { enabled: true, model: 'test-model' },
      promptVersion: 'critic-v1',
      failOn: 'incorrect',
      durationMs: 40,
      createdAt: new Date('2025-01-02T03:04:05Z'),
    },
  );
}

describe('report: JSON', () => {
  it('round-trips through the zod schema with its version, 0-based steps and evidence', () => {
    const json = JSON.parse(renderJson(sampleReport())) as unknown;
    const report = parseReport(json);
    assert.equal(report.schemaVersion, REPORT_SCHEMA_VERSION);
    const slip = report.files[0]!;
    assert.equal(slip.status, 'judged');
    assert.equal(slip.firstErrorIndex, 1);
    assert.deepEqual(
      slip.steps.map((s) => s.index),
      [0, 1, 2],
    );
    assert.deepEqual(
      slip.steps.map((s) => s.verdict),
      ['unchecked', 'incorrect', 'downstream'],
    );
    assert.equal(slip.steps[1]!.pTrue, 0);
    assert.equal(slip.steps[1]!.source, 'verifier');
    assert.deepEqual(slip.steps[1]!.range.start, { line: 4, character: 0 });
    assert.equal(slip.steps[1]!.evidence[0]!.kind, 'arithmetic');
    assert.deepEqual(slip.steps[1]!.fixes, [refutedSlip.kind === 'arithmetic' ? refutedSlip.fix : undefined]);
    assert.equal(slip.finalAnswer?.text, '73');
    assert.equal(slip.critic?.enabled, false);
  });

  it('counts solutions, steps, skipped and failed entries, and LLM usage in the summary', () => {
    const { summary } = sampleReport();
    assert.equal(summary.entries, 6);
    assert.equal(summary.judged, 4);
    assert.equal(summary.skipped, 1);
    assert.equal(summary.failed, 1);
    assert.equal(summary.solutions.incorrect, 2);
    assert.equal(summary.solutions.correct, 1);
    assert.equal(summary.solutions.uncertain, 1);
    assert.equal(summary.steps.incorrect, 2);
    assert.equal(summary.steps.downstream, 2);
    assert.equal(summary.usage.requests, 2);
    assert.equal(summary.usage.promptTokens, 240);
  });

  it('refuses a report whose shape drifted from the schema', () => {
    const broken = JSON.parse(renderJson(sampleReport())) as { files: { steps: { verdict: string }[] }[] };
    broken.files[0]!.steps[0]!.verdict = 'probably-fine';
    assert.throws(() => parseReport(broken), /verdict/);
    assert.throws(() => parseReport({ ...(JSON.parse(renderJson(sampleReport())) as object), schemaVersion: 99 }));
  });
});

describe('report: text', () => {
  it('points at the refuted claim compiler-style, 1-based, with the right value', () => {
    const lines = renderTextFile(slipFile());
    assert.equal(lines[0], 'examples/clips.solution.md:5:26  step 2  incorrect  48 / 2 = 25 (should be 24)');
    assert.match(lines.at(-1)!, /^examples\/clips\.solution\.md {2}incorrect {2}3 steps: 1 incorrect, 1 downstream, 1 unchecked · first wrong step 2$/);
  });

  it('lists only findings by default, every step with verbose, and no summaries when quiet', () => {
    assert.equal(renderTextFile(cleanFile()).length, 1, 'a clean file gives just its summary line');
    const verbose = renderTextFile(cleanFile(), { verbose: true });
    assert.equal(verbose.filter((l) => / step \d {2}correct /.test(l)).length, 3);
    const unsure = renderTextFile(uncertainFile(), { quiet: true });
    assert.equal(unsure.length, 1);
    assert.match(unsure[0]!, /:5:1 {2}step 2 {2}uncertain {2}Uncertain, P\(True\) 0\.50/);
  });

  it('gives records without a line number, and skipped and failed files with their reason', () => {
    const text = renderText(sampleReport());
    assert.match(text, /^data\/gsm8k\.jsonl#4 {2}step 2 {2}incorrect {2}48 \/ 2 = 25/m);
    assert.match(text, /^examples\/blob\.solution\.md {2}skipped {2}binary file$/m);
    assert.match(text, /^examples\/latin1\.solution\.md {2}failed {2}not valid UTF-8/m);
    assert.match(text, /4 solutions checked \(1 correct, 2 incorrect, 1 uncertain\) · 1 skipped · 1 failed · 12 steps, 3 findings · 40 ms/);
    assert.match(text, /LLM critic: 2 requests, 300 tokens/);
  });

  it('colours only through the painter it is given', () => {
    const painted = renderTextFile(slipFile(), { paint: (style, t) => `<${style}>${t}</${style}>` });
    assert.match(painted[0]!, /<red>incorrect<\/red>/);
    assert.doesNotMatch(renderTextFile(slipFile()).join('\n'), /\x1b\[/);
  });

  it("shows the input's control characters escaped: a hostile dataset cannot drive the terminal", () => {
    // A file name with an escape sequence, and a record whose bytes a JSON parse error quotes back.
    const hostile = unjudgedFileReport(
      { uri: 'data/\x1b]0;owned\x07.jsonl#0', path: 'data/x.jsonl' },
      'failed',
      'line 1 is not valid JSON (Unexpected token \u0000\x1b[2J\r)',
    );
    const lines = renderTextFile(hostile);
    assert.deepEqual(lines, ['data/\\u001b]0;owned\\u0007.jsonl#0  failed  line 1 is not valid JSON (Unexpected token \\u0000\\u001b[2J\\u000d)']);
    const slip = slipFile();
    const withEscape = { ...slip, steps: slip.steps.map((s) => ({ ...s, message: `${s.message}\x1b[8m` })) };
    assert.doesNotMatch(renderTextFile(withEscape).join('\n'), /\x1b/);
  });
});

interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}
interface SarifRun {
  tool: { driver: { rules: { id: string }[] } };
  invocations: { toolExecutionNotifications: { level: string; descriptor: { id: string } }[] }[];
  results: {
    ruleId: string;
    ruleIndex: number;
    kind: string;
    level?: string;
    rank?: number;
    locations: { physicalLocation: { artifactLocation: { uri: string }; region?: SarifRegion }; logicalLocations?: { fullyQualifiedName?: string }[] }[];
    fixes?: { artifactChanges: { replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[] }[] }[];
    properties: Record<string, unknown>;
  }[];
}

/** The SARIF as a reader parses it. */
function sarifRun(report: Report, options: Parameters<typeof renderSarif>[1] = {}): SarifRun {
  return (JSON.parse(renderSarif(report, options)) as { runs: SarifRun[] }).runs[0]!;
}

describe('report: SARIF', () => {
  it('is valid SARIF 2.1.0 against the official schema', () => {
    const log = JSON.parse(renderSarif(sampleReport(), { baseUri: 'file:///work/project/' })) as unknown;
    assert.deepEqual(sarifErrors(log), []);
    const verbose = JSON.parse(renderSarif(sampleReport(), { verbose: true })) as unknown;
    assert.deepEqual(sarifErrors(verbose), []);
  });

  it('maps verdicts to kind/level, ranks by 1 − P(True), and carries the fix 1-based', () => {
    const run = sarifRun(sampleReport(), { baseUri: 'file:///work/project/' });
    const slip = run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'examples/clips.solution.md')!;
    assert.equal(slip.ruleId, 'arithmetic');
    assert.equal(run.tool.driver.rules[slip.ruleIndex]!.id, 'arithmetic');
    assert.equal(slip.kind, 'fail');
    assert.equal(slip.level, 'error');
    assert.equal(slip.rank, 100);
    assert.deepEqual(slip.locations[0]!.physicalLocation.region, {
      startLine: 5,
      startColumn: 26,
      endLine: 5,
      endColumn: 37,
      snippet: { text: 'Step 2: In May she sold 48 / 2 = 25 clips.' },
    });
    const replacement = slip.fixes![0]!.artifactChanges[0]!.replacements[0]!;
    assert.deepEqual(replacement.deletedRegion, { startLine: 5, startColumn: 35, endLine: 5, endColumn: 37 });
    assert.equal(replacement.insertedContent.text, '24');
    assert.equal(slip.properties.pTrue, 0);
    assert.equal(slip.properties.source, 'verifier');
    assert.equal(slip.properties.promptVersion, 'critic-v1');

    const unsure = run.results.find((r) => r.ruleId === 'low-confidence')!;
    assert.equal(unsure.kind, 'fail');
    assert.equal(unsure.level, 'warning');
    assert.equal(unsure.rank, 50);
    assert.equal(unsure.properties.model, 'test-model');
    assert.equal(
      run.results.some((r) => r.ruleId === 'downstream'),
      false,
      'downstream steps only with verbose',
    );
  });

  it('places a record at its JSONL line without fixes, and reports skipped and failed files as notifications', () => {
    const run = sarifRun(sampleReport());
    const record = run.results.find((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === 'data/gsm8k.jsonl')!;
    assert.deepEqual(record.locations[0]!.physicalLocation.region, { startLine: 5 });
    assert.equal(record.fixes, undefined);
    assert.equal(record.locations[0]!.logicalLocations![0]!.fullyQualifiedName, 'data/gsm8k.jsonl#4/step 2');
    const notes = run.invocations[0]!.toolExecutionNotifications;
    assert.deepEqual(
      notes.map((n) => [n.descriptor.id, n.level]),
      [
        ['skipped', 'warning'],
        ['failed', 'error'],
      ],
    );
  });

  it('makes URIs that SARIF readers resolve: relative to %SRCROOT%, absolute as file URLs, escaped', () => {
    assert.deepEqual(artifactLocation('a b/c#1.md', 'file:///x/'), { uri: 'a%20b/c%231.md', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('/tmp/x y.md'), { uri: 'file:///tmp/x%20y.md' });
  });
});

describe('report: Markdown', () => {
  it('has a summary, a file table, the steps of files with findings, and the skipped ones', () => {
    const md = renderMarkdown(sampleReport());
    assert.match(md, /^# Step Critic report$/m);
    assert.match(md, /^\| `examples\/clips\.solution\.md` \| \*\*incorrect\*\* \| 1 incorrect, 1 downstream, 1 unchecked \| 2 \| `73` \|$/m);
    assert.match(md, /^### `examples\/clips\.solution\.md` — incorrect$/m);
    assert.match(md, /^\| 2 \| 5 \| \*\*incorrect\*\* \| 0\.00 \| verifier \| 48 \/ 2 = 25 \(should be 24\) \|$/m);
    assert.doesNotMatch(md, /### `examples\/clean\.solution\.md`/, 'clean files are in the table only');
    assert.match(md, /^\| `examples\/blob\.solution\.md` \| skipped \| binary file \|$/m);
  });

  it('keeps table cells intact when messages contain pipes or markup', () => {
    const file = slipFile();
    file.steps[1]!.message = 'a | b <script>';
    const md = renderMarkdown(buildReport([file], { toolVersion: '0', critic: { enabled: false } }));
    assert.match(md, /a \\\| b &lt;script&gt;/);
  });
});

describe('report: --fail-on', () => {
  it('fails on wrong steps at "incorrect", also on uncertain at "uncertain", never at "never"', () => {
    assert.equal(reachesFailOn(slipFile(), 'incorrect'), true);
    assert.equal(reachesFailOn(uncertainFile(), 'incorrect'), false);
    assert.equal(reachesFailOn(uncertainFile(), 'uncertain'), true);
    assert.equal(reachesFailOn(cleanFile(), 'uncertain'), false);
    assert.equal(reachesFailOn(slipFile(), 'never'), false);
  });
});

describe('report: Markdown critic line', () => {
  it('says once, in one sentence, that the critic was off and why', () => {
    const md = (note?: string) => renderMarkdown(buildReport([], { toolVersion: '0', critic: { enabled: false, ...(note ? { note } : {}) } }));
    assert.match(
      md('LLM critic off: no endpoint configured (set --base-url).'),
      /^LLM critic off: no endpoint configured \(set --base-url\)\. Only the deterministic verifiers ran\.$/m,
    );
    assert.match(md('--no-llm'), /^LLM critic off: --no-llm\. Only/m);
    assert.match(md(), /^LLM critic off\. Only/m);
  });
});
