// A small Report with what the HTML and JUnit renderers must handle: labelled ProcessBench-style
// records (right and wrong against the label), a refuted computation, an uncertain step, a step the
// critic could not judge, a skipped and a failed entry, and text that needs escaping.
import { buildReport } from '../../../src/engine/report/build';
import type { FileReport, Report, StepReport } from '../../../src/engine/report/schema';
import type { Verdict, VerdictSource } from '../../../src/engine/types';

function step(index: number, text: string, verdict: Verdict, pTrue: number | null, source: VerdictSource = 'logprobs', message = ''): StepReport {
  return {
    index,
    range: { start: { line: index * 2, character: 0 }, end: { line: index * 2, character: text.length } },
    text,
    hash: `h${index}-${text.length}`,
    verdict,
    pTrue,
    source,
    message: message || `${verdict}, P(True) ${pTrue === null ? 'n/a' : pTrue.toFixed(2)}`,
    evidence: [],
    fixes: [],
    accepted: false,
  };
}

function record(
  i: number,
  steps: StepReport[],
  label: number,
  firstErrorIndex: number,
  verdict: FileReport['verdict'],
  dataset = 'processbench-gsm8k',
): FileReport {
  return {
    uri: `data/gsm8k.json#${i}`,
    path: '/tmp/data/gsm8k.json',
    record: { index: i },
    format: 'processbench',
    kind: 'math',
    status: 'judged',
    problem: `Problem ${i}: Natalia sold clips to 48 of her friends in April, and half as many in May. How many in all?`,
    problemHash: `p${i}`,
    steps,
    firstErrorIndex,
    finalAnswer: { text: '72' },
    verdict,
    finalAnswerPTrue: null,
    critic: { enabled: true, model: 'scripted-critic' },
    usage: { requests: 1, promptTokens: 400 + i, completionTokens: 90, cachedSteps: 0 },
    labels: { firstErrorStep: label, dataset },
    warnings: [],
    durationMs: 120 + i,
  };
}

export function fixtureReport(): Report {
  const files: FileReport[] = [
    record(0, [step(0, 'In May she sold 48 / 2 = 24 clips.', 'correct', 0.95), step(1, 'In all 48 + 24 = 72 clips.', 'correct', 0.92)], -1, -1, 'correct'),
    record(
      1,
      [
        step(0, 'In May she sold 48 / 2 = 25 clips.', 'incorrect', 0, 'verifier', '48 / 2 = 25 (should be 24)'),
        step(1, 'In all 48 + 25 = 73 clips.', 'downstream', 0.9, 'logprobs', 'Follows the wrong step 1.'),
      ],
      0,
      0,
      'incorrect',
    ),
    record(2, [step(0, 'She sold twice as many in May: 96.', 'uncertain', 0.55), step(1, 'Total 48 + 96 = 144.', 'correct', 0.8)], 0, -1, 'uncertain'),
    record(
      3,
      [
        step(0, 'Half of 48 is 24.', 'correct', 0.88),
        step(
          1,
          'So the answer is 24 + 24 = 48 <script>alert(1)</script> & "more".',
          'incorrect',
          0.1,
          'logprobs',
          'The critic disagrees: <script>alert(1)</script> & "more"',
        ),
      ],
      1,
      1,
      'incorrect',
    ),
    record(
      4,
      [step(0, 'Half of 48 is 24.', 'correct', 0.7), step(1, 'So 72.', 'error', null, 'none', 'Could not judge: the reply had no verdict for step 2')],
      -1,
      -1,
      'error',
      'processbench-math',
    ),
    {
      uri: 'solutions/odd\u0001name.solution.md',
      path: '/tmp/solutions/odd.solution.md',
      status: 'skipped',
      reason: 'binary file',
      steps: [],
      firstErrorIndex: null,
      verdict: null,
      finalAnswerPTrue: null,
      warnings: [],
    },
    {
      uri: 'data/gsm8k.json#5',
      path: '/tmp/data/gsm8k.json',
      record: { index: 5 },
      status: 'failed',
      reason: 'cannot be read as a solution: the record has no steps',
      steps: [],
      firstErrorIndex: null,
      verdict: null,
      finalAnswerPTrue: null,
      labels: { firstErrorStep: 2, dataset: 'processbench-gsm8k' },
      warnings: [],
    },
    {
      uri: 'notes/plain.solution.md',
      path: '/tmp/notes/plain.solution.md',
      format: 'markdown',
      kind: 'math',
      status: 'judged',
      problem: 'What is 2 + 2?',
      problemHash: 'pp',
      steps: [step(0, '2 + 2 = 4', 'unchecked', null, 'verifier', '1 computation checks out; the reasoning was not judged.')],
      firstErrorIndex: -1,
      verdict: 'unchecked',
      finalAnswerPTrue: null,
      critic: { enabled: false, note: 'LLM critic off: no endpoint configured' },
      warnings: [],
    },
  ];
  return buildReport(files, {
    toolVersion: '0.1.0',
    critic: { enabled: true, model: 'scripted-critic' },
    promptVersion: 'stepcritic-critic/1',
    durationMs: 1234,
    createdAt: new Date('2025-01-02T03:04:05Z'),
  });
}
