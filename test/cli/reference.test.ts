// `stepcritic check` with a reference solution, as a user gives one: a `reference:` block in the front
// matter, `name.reference.md` beside `name.solution.md`, a `reference` field in a dataset record. With
// no model, a final answer against the reference's; with the scripted critic, the prompt that carries
// the reference (one request per solution still); a reference that cannot be used, said so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseReport } from '../../src/engine/report/schema';
import { DEFAULT_MODEL, ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { makeTree, runCli } from './run-cli';

const PROBLEM = '# Problem\nTom buys 4 apples at $3 each and a book at $24. How much does he pay?\n\n# Solution\n';
const REFERENCE = 'The apples cost 4 * 3 = 12 dollars.\n\nTotal cost = 12 + 24 = 36 dollars.\n\nAnswer: 36\n';
const RIGHT = `${PROBLEM}Step 1: The apples cost 4 * 3 = 12 dollars.\n\nStep 2: He pays 12 + 24 = 36 dollars.\n\nAnswer: 36\n`;
/** Every computation checks out; only the reference tells that the book was misread. */
const WRONG = `${PROBLEM}Step 1: The apples cost 4 * 3 = 12 dollars.\n\nStep 2: Total cost = 12 + 18 = 30 dollars.\n\nAnswer: 30\n`;

const withFrontMatter = (body: string) => `---\nreference: |\n${REFERENCE.replace(/^(?=.)/gm, '  ')}---\n${body}`;
const record = (steps: string[]) =>
  JSON.stringify({ problem: 'Tom buys 4 apples at $3 each and a book at $24. How much does he pay?', steps, label: -1, reference: REFERENCE });

describe('stepcritic check with a reference solution', () => {
  let tree: ReturnType<typeof makeTree>;
  let server: ScriptedLlmServer;
  before(async () => {
    server = await startScriptedLlmServer({ handler: ruleBasedCriticHandler() });
    tree = makeTree({
      'front.solution.md': withFrontMatter(WRONG),
      'beside.solution.md': WRONG,
      'beside.reference.md': REFERENCE,
      'data.jsonl': `${record(['The apples cost 4 * 3 = 12 dollars.', 'Total cost = 12 + 18 = 30 dollars. \\boxed{30}'])}\n`,
      'right/front.solution.md': withFrontMatter(RIGHT),
      'right/beside.solution.md': RIGHT,
      'right/beside.reference.md': REFERENCE,
      'right/data.jsonl': `${record(['The apples cost 4 * 3 = 12 dollars.', 'He pays 12 + 24 = 36 dollars. \\boxed{36}'])}\n`,
      'bad/mapping.solution.md': `---\nreference:\n  answer: 36\n---\n${RIGHT}`,
      'bad/binary.solution.md': RIGHT,
      'bad/binary.reference.md': new Uint8Array([0x41, 0x00, 0x42]),
      'bad/empty.solution.md': RIGHT,
      'bad/empty.reference.md': '',
      'bad/data.jsonl': `${JSON.stringify({ problem: 'p?', steps: ['a = 1'], label: -1, reference: { answer: 36 } })}\n`,
    });
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  it('flags the wrong final answer and the contradicted result from each of the three sources, with no model', async () => {
    const r = await runCli(['check', 'front.solution.md', 'beside.solution.md', 'data.jsonl', '-f', 'json'], { cwd: tree.dir });
    assert.equal(r.status, 1, r.stderr);
    const report = parseReport(JSON.parse(r.stdout));
    assert.deepEqual(report.files.map((f) => [f.uri, f.reference?.origin, f.verdict, f.firstErrorIndex]).sort(), [
      ['beside.solution.md', 'file', 'incorrect', 1],
      ['data.jsonl#0', 'record', 'incorrect', 1],
      ['front.solution.md', 'front-matter', 'incorrect', 1],
    ]);
    for (const file of report.files) {
      assert.ok(file.warnings.includes("The final answer 30 differs from the reference's 36."), `${file.uri}: ${file.warnings.join(' | ')}`);
      const refuted = file.steps[1]!.evidence.find((e) => e.kind === 'reference');
      assert.equal(refuted?.kind === 'reference' ? refuted.expected : undefined, '36 dollars', file.uri);
    }
    // a glob takes the solution and leaves its reference file alone
    const text = await runCli(['check', 'beside*.md'], { cwd: tree.dir });
    assert.doesNotMatch(text.stdout, /beside\.reference\.md/);
    assert.match(text.stdout, /step 2 {2}incorrect {2}Total cost = 12 \+ 18 = 30 dollars \(the reference has 36 dollars\)/);
    assert.match(text.stdout, /The final answer 30 differs from the reference's 36\./);
  });

  it('sends the reference to the critic, marked and with the instruction, in one request per solution', async () => {
    const env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: DEFAULT_MODEL };
    const before = server.chatRequests().length;
    const r = await runCli(['check', 'right', 'right/data.jsonl', '--no-cache', '-f', 'json'], { cwd: tree.dir, env });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = parseReport(JSON.parse(r.stdout));
    assert.deepEqual(report.files.map((f) => [f.verdict, f.reference?.origin]).sort(), [
      ['correct', 'file'],
      ['correct', 'front-matter'],
      ['correct', 'record'],
    ]);
    const requests = server.chatRequests().slice(before);
    assert.equal(requests.length, 3);
    for (const request of requests) {
      const system = request.chat.messages.find((m) => m.role === 'system')?.content;
      assert.match(String(system), /Do not require the same method/);
      assert.match(request.userText, /<reference>\nThe apples cost 4 \* 3 = 12 dollars\.\n\nTotal cost = 12 \+ 24 = 36 dollars\.\n\nAnswer: 36\n<\/reference>/);
    }
  });

  it('says why a reference could not be used, and judges the solution all the same', async () => {
    const r = await runCli(['check', 'bad', 'bad/data.jsonl', '-f', 'json'], { cwd: tree.dir });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = parseReport(JSON.parse(r.stdout));
    const warnings = Object.fromEntries(report.files.map((f) => [f.uri.replace(/^bad\//, ''), f.warnings.join(' | ')]));
    assert.match(warnings['mapping.solution.md']!, /"reference" should be a text block/);
    assert.match(warnings['binary.solution.md']!, /The reference binary\.reference\.md was not read \(binary file\)/);
    assert.match(warnings['empty.solution.md']!, /The reference empty\.reference\.md was not read \(empty file\)/);
    assert.match(warnings['data.jsonl#0']!, /"reference" field should be a text/);
    assert.ok(report.files.every((f) => f.status === 'judged' && f.reference === undefined));
  });
});
