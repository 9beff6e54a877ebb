// The critic against each real server's personality (test/support/llm-personalities.ts): `probe`,
// `check` and `eval` give verdicts with the P(True) source that server allows, no judge errors, the
// number of requests that follows from what it refuses and ignores, and one line that says what the
// critic adapted. Servers run at their real pace sped up by a factor, with the client's timeout
// divided by the same factor.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkCommand } from '../../src/cli/commands/check';
import { evalCommand } from '../../src/cli/commands/eval';
import { probeCommand } from '../../src/cli/commands/probe';
import type { EvalReport } from '../../src/engine/eval/run';
import type { ProbeResult } from '../../src/engine/llm/probe';
import { PERSONALITIES, PERSONALITY_NAMES, startPersonality, type PersonalityName } from '../support/llm-personalities';
import type { ScriptedLlmServer } from '../support/scripted-llm-server';
import { runCommand } from './run-command';

/**
 * Servers are sped up to write about 1,500 tokens/s, the client's timeout scaled alike. For the probe,
 * every server is slowed to where its short requests (64 tokens) last 0.4 s or more: only then can
 * replies written side by side be told from replies written one after another (or from replies too
 * quick to tell) on a machine whose load delays this process by a tenth of a second at times.
 */
const tokensPerSecond = (name: PersonalityName) => PERSONALITIES[name].pace?.tokensPerSecond ?? 1500;
const timeFactor = (name: PersonalityName) => Math.max(1, Math.round(1500 / tokensPerSecond(name)));
const probeFactor = (name: PersonalityName) => Math.max(1, Math.floor(160 / tokensPerSecond(name)));
const WRONG = 'which leaves him with 8 apples';

function solution(name: string, bags: number, wrong: boolean): string {
  const total = bags * 4;
  return [
    '# Problem',
    '',
    `${name} has ${bags} bags with 4 apples each. He gives away 5 apples. How many apples does he have left?`,
    '',
    '# Solution',
    '',
    `Step 1: ${name} has ${bags} bags of 4 apples, so he has ${total} apples.`,
    '',
    `Step 2: He gives away 5 apples, ${wrong ? WRONG : `which leaves him with ${total - 5} apples`}.`,
    '',
    `Step 3: So ${name} has ${wrong ? 8 : total - 5} apples left.`,
    '',
  ].join('\n');
}

/** ProcessBench records: the first-error label is the step index, -1 when every step is right. */
const DATASET = [
  {
    id: 'a',
    problem: 'Ann has 2 boxes of 6 pens. How many pens?',
    steps: ['Two boxes of six pens make twelve pens.', 'So Ann has twelve pens.'],
    label: -1,
    final_answer_correct: true,
  },
  {
    id: 'b',
    problem: 'Ben reads 10 pages a day for 3 days. How many pages?',
    steps: ['He reads ten pages on each of three days.', `Thirty pages in all, ${WRONG}.`],
    label: 1,
    final_answer_correct: false,
  },
  {
    id: 'c',
    problem: 'Cy has 5 coins and finds 4 more. How many coins?',
    steps: ['Five and four more make nine coins.', 'So Cy has nine coins.'],
    label: -1,
    final_answer_correct: true,
  },
];

interface Expected {
  /** Chat requests of a first `check` of one file, before anything is known (refusals included). */
  fresh: number;
  /** Chat requests of `probe` (its critique, learning afresh, then 4 for the concurrency measurement). */
  probe: number;
  /** Chat requests per solution once the endpoint is known. */
  perSolution: number;
  /** Requests the probe finds the server works on at once. */
  sustained: number;
  /** The adaptation line of the first check, or null when nothing had to be adapted. */
  adapted: RegExp | null;
}

const EXPECTED: Record<PersonalityName, Expected> = {
  openai: { fresh: 1, probe: 5, perSolution: 1, sustained: 4, adapted: null },
  'openai-reasoning': {
    fresh: 5,
    probe: 9,
    perSolution: 1,
    sustained: 4,
    adapted:
      /`max_tokens` refused: sending `max_completion_tokens`, with room for reasoning; temperature refused: the model's default temperature; `logprobs` refused \(400\): P\(True\) from the vote of 5 samples$/,
  },
  vllm: { fresh: 1, probe: 5, perSolution: 1, sustained: 4, adapted: null },
  sglang: { fresh: 1, probe: 5, perSolution: 1, sustained: 4, adapted: null },
  llamacpp: { fresh: 1, probe: 5, perSolution: 1, sustained: 1, adapted: null },
  ollama: { fresh: 1, probe: 5, perSolution: 1, sustained: 1, adapted: null },
  lmstudio: { fresh: 5, probe: 9, perSolution: 5, sustained: 1, adapted: /no log-probabilities came back: .*; `n` ignored \(1 of 4 choices came back\)/ },
  groq: {
    fresh: 8,
    probe: 12,
    perSolution: 5,
    sustained: 4,
    adapted: /`logprobs` refused \(400\): .*; JSON schema refused: .*; `n` refused \(400\): samples as separate requests$/,
  },
  'deepseek-degenerate': {
    fresh: 6,
    probe: 10,
    perSolution: 5,
    sustained: 4,
    adapted: /JSON schema refused: .*; the log-probabilities carry no information \(0, −9999 or one value for every alternative\): .*; `n` ignored/,
  },
  'openrouter-missing': { fresh: 5, probe: 9, perSolution: 5, sustained: 4, adapted: /no log-probabilities came back: .*; `n` ignored/ },
};

interface ReportStep {
  verdict: string;
  source: string;
  pTrue: number | null;
}

describe('the critic against real servers (personalities)', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stepcritic-personalities-'));
    await Promise.all([
      writeFile(join(scratch, 'tom.solution.md'), solution('Tom', 3, true)),
      writeFile(join(scratch, 'sam.solution.md'), solution('Sam', 4, false)),
      writeFile(join(scratch, 'max.solution.md'), solution('Max', 5, false)),
      writeFile(join(scratch, 'first.solution.md'), solution('Kim', 6, true)),
      writeFile(join(scratch, 'processbench.json'), JSON.stringify(DATASET)),
    ]);
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  for (const name of PERSONALITY_NAMES) {
    const personality = PERSONALITIES[name];
    const expected = EXPECTED[name];
    describe(name, () => {
      let server: ScriptedLlmServer;
      let env: NodeJS.ProcessEnv;
      /** The default timeout, scaled like the server. */
      let timeoutMs: string;
      before(async () => {
        server = await startPersonality(name, { timeFactor: timeFactor(name), incorrectPatterns: [WRONG] });
        timeoutMs = String(Math.round(120_000 / timeFactor(name)));
        env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: personality.model, STEPCRITIC_CACHE_DIR: join(scratch, `cache-${name}`) };
      });
      after(() => server.close());
      const chats = () => server.chatRequests().length;

      it('a first check adapts to what the server refuses and ignores, and says so in one line', async () => {
        const fresh = { ...env, STEPCRITIC_CACHE_DIR: join(scratch, `fresh-${name}`) };
        const base = chats();
        const run = await runCommand(checkCommand, [join(scratch, 'first.solution.md'), '--format', 'json', '--timeout', timeoutMs], fresh);
        const steps = (JSON.parse(run.stdout) as { files: { steps: ReportStep[] }[] }).files[0]!.steps;
        const source = personality.expected.source;
        assert.deepEqual(
          steps.map((s) => [s.verdict, s.source]),
          [
            ['correct', source],
            ['incorrect', source],
            ['downstream', source],
          ],
          run.stderr,
        );
        assert.equal(chats() - base, expected.fresh, 'requests, refusals included');
        const lines = run.stderr.split('\n').filter((l) => l.startsWith('stepcritic: adapted to'));
        if (expected.adapted) {
          assert.equal(lines.length, 1, run.stderr);
          assert.match(lines[0]!, expected.adapted);
        } else assert.deepEqual(lines, [], run.stderr);
      });

      it('a first check of several solutions at once: a request refused for what another learned first is sent again, adapted', async () => {
        const fresh = { ...env, STEPCRITIC_CACHE_DIR: join(scratch, `fresh-many-${name}`) };
        const files = ['tom', 'sam', 'max'].map((f) => join(scratch, `${f}.solution.md`));
        const run = await runCommand(checkCommand, [...files, '--concurrency', '3', '--format', 'json', '--timeout', timeoutMs], fresh);
        const verdicts = (JSON.parse(run.stdout) as { files: { steps: ReportStep[] }[] }).files.map((f) => f.steps.map((s) => s.verdict));
        assert.deepEqual(
          verdicts,
          [
            ['correct', 'correct', 'correct'], // max
            ['correct', 'correct', 'correct'], // sam
            ['correct', 'incorrect', 'downstream'], // tom
          ],
          run.stderr,
        );
      });

      it('probe: a two-step critique read, the P(True) source and why, and how many requests the server takes at once', async () => {
        const base = chats();
        server.setTimeFactor(probeFactor(name));
        const run = await runCommand(probeCommand, ['--json', '--timeout', String(Math.round(120_000 / probeFactor(name)))], env);
        server.setTimeFactor(timeFactor(name));
        assert.equal(run.code, 0, run.stdout);
        const result = JSON.parse(run.stdout) as ProbeResult;
        assert.equal(result.pTrueSource, personality.expected.source);
        assert.deepEqual(
          result.critique?.map((s) => s.verdict),
          ['correct', 'correct'],
          'the personalities judge by pattern: the probe solution is not the wrong one here',
        );
        assert.equal(result.concurrency?.sustained, expected.sustained);
        assert.equal(chats() - base, expected.probe);
        if (personality.expected.samples === 'separate') assert.match(result.pTrueReason ?? '', /5 separate requests/);
        if (personality.expected.samples === 'n') assert.match(result.pTrueReason ?? '', /one request with n = 5/);
      });

      it('check after the probe: what it learned is used from the first request; the right source, no judge errors', async () => {
        const base = chats();
        const files = ['tom', 'sam', 'max'].map((f) => join(scratch, `${f}.solution.md`));
        const run = await runCommand(checkCommand, [...files, '--format', 'json', '--timeout', timeoutMs], env);
        const report = JSON.parse(run.stdout) as { files: { steps: ReportStep[] }[] };
        const steps = report.files.flatMap((f) => f.steps);
        assert.equal(steps.length, 9);
        assert.ok(
          steps.every((s) => s.verdict !== 'error' && s.source === personality.expected.source && s.pTrue !== null),
          JSON.stringify(steps),
        );
        // Files in name order: max, sam, tom (Tom's step 2 is the wrong one).
        assert.deepEqual(
          report.files.map((f) => f.steps[1]!.verdict),
          ['correct', 'correct', 'incorrect'],
        );
        assert.equal(chats() - base, 3 * expected.perSolution, 'no request is refused or repeated');
        assert.ok(!run.stderr.includes('adapted to'), run.stderr);
        if (personality.expected.source === 'samples') assert.match(run.stderr, /P\(True\) from the vote of 5 samples/);
        if (expected.sustained === 1) assert.match(run.stderr, /1 request at a time \(measured by stepcritic probe\)/);
      });

      it('eval: every step judged, no judge errors, the same number of requests per solution', async () => {
        const base = chats();
        const run = await runCommand(evalCommand, [join(scratch, 'processbench.json'), '--format', 'json', '--timeout', timeoutMs], env);
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as EvalReport;
        assert.equal(report.overall.solutions, 3);
        assert.equal(report.overall.judgeErrors, 0);
        assert.equal(report.overall.calibration.steps, 6, 'every step has a P(True)');
        assert.equal(report.overall.erroneous.right + report.overall.correct.right, 3, 'the wrong step found, the right solutions left alone');
        assert.equal(chats() - base, 3 * expected.perSolution);
        const sent = server.chatRequests().slice(base);
        if (personality.expected.source === 'logprobs') assert.ok(sent.every((r) => r.chat.logprobs === true && r.chat.top_logprobs === 20));
        if (personality.expected.samples === 'n') assert.ok(sent.every((r) => r.chat.n === 5 && !r.chat.logprobs));
      });
    });
  }

  describe('a slow one-slot server (llama.cpp at 15 tokens/s)', () => {
    const FACTOR = 20;
    const steps = (n: number, who: string) =>
      [
        '# Problem',
        '',
        `${who} walks 2 km every day for a week and then 3 km every day for another week. How far does ${who} walk?`,
        '',
        '# Solution',
        '',
        ...Array.from({ length: n }, (_, i) => [`Step ${i + 1}: ${who} adds the distance of day ${i + 1} to the running total and keeps going.`, '']).flat(),
      ].join('\n');

    it('finishes a 4-file check at the default settings with no timeout, although the last request waited longer than the timeout', async () => {
      const server = await startPersonality('llamacpp', { timeFactor: FACTOR });
      const dir = await mkdtemp(join(tmpdir(), 'stepcritic-one-slot-'));
      try {
        const files = await Promise.all(
          ['ann', 'bob', 'cat', 'dan'].map(async (who) => {
            const path = join(dir, `${who}.solution.md`);
            await writeFile(path, steps(8, who));
            return path;
          }),
        );
        const timeoutMs = 120_000 / FACTOR;
        const env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: PERSONALITIES.llamacpp.model, STEPCRITIC_CACHE_DIR: join(dir, 'cache') };
        const run = await runCommand(checkCommand, [...files, '--format', 'json', '--timeout', String(timeoutMs)], env);
        const report = JSON.parse(run.stdout) as { files: { steps: ReportStep[] }[] };
        const verdicts = report.files.flatMap((f) => f.steps.map((s) => s.verdict));
        assert.equal(verdicts.length, 32);
        assert.ok(
          verdicts.every((v) => v === 'correct'),
          `${verdicts.join(' ')}\n${run.stderr}`,
        );
        const sent = server.chatRequests();
        assert.equal(sent.length, 4, 'one request per file: none timed out, none was sent again');
        assert.ok(sent.every((r) => !r.aborted && r.status === 200));
        const longest = Math.max(...sent.map((r) => r.endedAt! - r.receivedAt));
        assert.ok(longest > timeoutMs, `the last reply came ${longest} ms after it was sent (timeout ${timeoutMs} ms): it waited its turn`);
      } finally {
        await server.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('a small model that writes malformed JSON 30% of the time when nothing constrains it', () => {
    it('a JSON schema takes its malformed-reply rate to zero; without it a third of the replies need a repair', async () => {
      const server = await startPersonality('llamacpp', { timeFactor: 400, malformedRate: 0.3, incorrectPatterns: [WRONG] });
      const dir = await mkdtemp(join(tmpdir(), 'stepcritic-malformed-'));
      try {
        const files = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const path = join(dir, `s${String(i).padStart(2, '0')}.solution.md`);
            await writeFile(path, solution(`Kid${i}`, 3 + i, i % 4 === 0));
            return path;
          }),
        );
        const env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: PERSONALITIES.llamacpp.model, STEPCRITIC_CACHE_DIR: join(dir, 'cache') };
        const rate = async (mode: 'off' | 'auto') => {
          const base = server.chatRequests().length;
          const run = await runCommand(checkCommand, [...files, '--format', 'json', '--no-cache', '--json-schema', mode, '--timeout', '10000'], env);
          const sent = server.chatRequests().slice(base);
          const repairs = sent.filter((r) => r.lastUserText.startsWith('Your reply could not be used')).length;
          const steps = (JSON.parse(run.stdout) as { files: { steps: ReportStep[] }[] }).files.flatMap((f) => f.steps);
          return {
            repairs,
            first: sent.length - repairs,
            schema: sent.every((r) => r.chat.response_format?.type === 'json_schema'),
            errors: steps.filter((s) => s.verdict === 'error').length,
          };
        };
        const off = await rate('off');
        assert.equal(off.first, 20);
        assert.ok(off.repairs / off.first >= 0.2 && off.repairs / off.first <= 0.4, `${off.repairs} of ${off.first} replies malformed without a schema`);
        const on = await rate('auto');
        assert.deepEqual(on, { repairs: 0, first: 20, schema: true, errors: 0 });
      } finally {
        await server.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
