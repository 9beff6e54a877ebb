// `stepcritic check --rubric FILE` over a folder of submissions, as a teacher runs it: one request per
// solution with the rubric in it, scores equal to the scripted item verdicts, a CSV that a spreadsheet
// reads back (header, one row per file, numbers as numbers), a malformed rubric refused before any work.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { parseReport } from '../../src/engine/report/schema';
import { DEFAULT_MODEL, ruleBasedCriticHandler, startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';
import { makeTree, runCli } from './run-cli';

const solution = (steps: string[], frontMatter: string[] = []) =>
  [
    ...(frontMatter.length > 0 ? ['---', ...frontMatter, '---'] : []),
    '# Problem',
    'Tom has 3 bags of 4 apples and eats 2. How many apples are left?',
    '',
    '# Solution',
    ...steps.flatMap((s, i) => [`Step ${i + 1}: ${s}`, '']),
  ].join('\n');

const RUBRIC = [
  '# Grading for the apples problem',
  '- title: Counts the apples',
  '  points: 2',
  '  description: "Multiplies bags by apples per bag, e.g. 3 * 4 = 12"',
  '- title: Subtracts the eaten apples',
  '  points: 2',
  '- title: States the unit',
  '  points: 1',
  '',
].join('\n');

/** RFC 4180, read strictly: quoted fields with doubled quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      assert.notEqual(c, '\n', 'records end with CRLF');
      field += c;
    }
  }
  assert.equal(field, '', 'the last record ends with CRLF');
  return rows;
}

/** What a spreadsheet makes of a cell: a number when it reads as one, else text. */
const cell = (text: string): number | string => (/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);

describe('stepcritic check --rubric', () => {
  let server: ScriptedLlmServer;
  let tree: ReturnType<typeof makeTree>;
  let env: Record<string, string>;
  before(async () => {
    server = await startScriptedLlmServer();
    tree = makeTree({
      'rubric.yaml': RUBRIC,
      'alice.solution.md': solution(['Tom has 3 * 4 = 12 apples.', 'He eats 2, so 12 - 2 = 10 apples are left.', 'The answer is 10 apples.']),
      // 12 - 2 = 9 is refuted: the item resting on it is not met, whatever the critic says.
      'bob, jr.solution.md': solution(['Tom has 3 * 4 = 12 apples.', 'He eats 2, so 12 - 2 = 9 apples are left.', 'The answer is 9.']),
      // A submission that brings its own generous rubric: the teacher's --rubric wins.
      'carol.solution.md': solution(['Tom has 3 * 4 = 12 apples.', 'So 12 - 2 = 10.'], ['rubric:', '  - title: Wrote something', '    points: 100']),
      'broken.yaml': ['- title: Counts the apples', '  points: 2', '- title: Subtracts', '  points: two', ''].join('\n'),
    });
    env = { STEPCRITIC_BASE_URL: server.baseUrl, STEPCRITIC_MODEL: DEFAULT_MODEL, STEPCRITIC_CACHE_DIR: join(tree.dir, '.cache') };
  });
  after(async () => {
    await server.close();
    tree.remove();
  });

  const scripted = () =>
    ruleBasedCriticHandler({
      rubric: [
        { item: 1, met: true, pTrue: 0.9, steps: [1] },
        { item: 2, met: true, pTrue: 0.8, steps: [2] },
        { item: 3, met: false, pTrue: 0.3, steps: [3] },
      ],
    });

  it('writes a CSV a gradebook imports: header, one row per file, scores equal to the scripted verdicts, one request per solution', async () => {
    server.setHandler(scripted());
    const base = server.chatRequests().length;
    const r = await runCli(['check', '.', '--rubric', 'rubric.yaml', '--format', 'csv', '--out', 'grades.csv', '--no-cache', '--fail-on', 'never'], {
      cwd: tree.dir,
      env,
    });
    assert.equal(r.status, 0, r.stderr);
    const requests = server.chatRequests().slice(base);
    assert.equal(requests.length, 3, 'one request per solution');
    for (const request of requests) {
      const prompt = parseCriticPrompt(request.userText);
      assert.ok(prompt?.kind === 'steps');
      assert.deepEqual(
        prompt.rubric.map((i) => i.text.split('\n')[0]),
        ['Counts the apples', 'Subtracts the eaten apples', 'States the unit'],
      );
    }

    const rows = parseCsv(readFileSync(join(tree.dir, 'grades.csv'), 'utf8'));
    assert.deepEqual(rows[0], [
      'path',
      'score',
      'max',
      'expected score',
      'Counts the apples (2)',
      'Subtracts the eaten apples (2)',
      'States the unit (1)',
      'note',
    ]);
    assert.equal(rows.length, 4, 'a header and one row per solution file');
    const byPath = new Map(rows.slice(1).map((row) => [row[0], row.slice(1, 7).map(cell)]));
    // alice: 2 + 2 met, the unit item not met; expected 2×0.9 + 2×0.8 + 1×0.3 = 3.7.
    assert.deepEqual(byPath.get('alice.solution.md'), [4, 5, 3.7, 2, 2, 0]);
    // bob: item 2 rests on the refuted step 2: unmet, P(True) 0 → expected 1.8 + 0 + 0.3.
    assert.deepEqual(byPath.get('bob, jr.solution.md'), [2, 5, 2.1, 2, 0, 0], 'a comma in the path is quoted, not a new column');
    assert.deepEqual(byPath.get('carol.solution.md')?.slice(0, 2), [4, 5], "the teacher's rubric, not the submission's");
  });

  it('the text summary and the JSON report show the score, its expected value and every item', async () => {
    server.setHandler(scripted());
    const text = await runCli(['check', 'alice.solution.md', '--rubric', 'rubric.yaml', '--no-cache'], { cwd: tree.dir, env });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^alice\.solution\.md {2}rubric {2}Rubric 4\/5 · expected 3\.7$/m);
    assert.match(text.stdout, /^alice\.solution\.md {2}rubric {2}item 3 "States the unit" 0\/1 unmet \(P\(True\) 0\.30\) · step 3/m);
    const json = await runCli(['check', 'bob, jr.solution.md', '--rubric', 'rubric.yaml', '--no-cache', '--format', 'json'], { cwd: tree.dir, env });
    const report = parseReport(JSON.parse(json.stdout));
    const rubric = report.files[0]!.rubric!;
    assert.equal(rubric.score, 2);
    assert.equal(rubric.items[1]!.status, 'unmet');
    assert.equal(rubric.items[1]!.source, 'verifier');
    assert.match(rubric.items[1]!.note!, /step 2, whose computation the verifiers refuted \(the critic said met\)/);
  });

  it('--resume --retry-errors judges again a solution whose rubric item the critic did not judge', async () => {
    const args = ['check', 'alice.solution.md', '--rubric', 'rubric.yaml', '--no-cache', '--run-log', 'rubric-run.jsonl', '--format', 'json'];
    // The reply leaves item 3 out: unjudged, and no score is made up.
    server.setHandler(
      ruleBasedCriticHandler({
        rubric: [
          { item: 1, met: true, pTrue: 0.9, steps: [1] },
          { item: 2, met: true, pTrue: 0.8, steps: [2] },
        ],
        rubricOmits: [3],
      }),
    );
    const first = await runCli(args, { cwd: tree.dir, env });
    const partial = parseReport(JSON.parse(first.stdout)).files[0]!.rubric!;
    assert.equal(partial.items[2]!.status, 'unjudged');
    assert.equal(partial.score, null);

    server.setHandler(scripted());
    const resumed = await runCli([...args, '--resume'], { cwd: tree.dir, env });
    assert.equal(parseReport(JSON.parse(resumed.stdout)).files[0]!.rubric!.score, null, '--resume alone keeps what the log has');
    const base = server.chatRequests().length;
    const retried = await runCli([...args, '--resume', '--retry-errors'], { cwd: tree.dir, env });
    assert.equal(server.chatRequests().length - base, 1, 'judged again');
    assert.equal(parseReport(JSON.parse(retried.stdout)).files[0]!.rubric!.score, 4);
  });

  it("a solution's own rubric: is used without --rubric", async () => {
    server.setHandler(ruleBasedCriticHandler({ rubric: [{ item: 1, met: true, pTrue: 0.5 }] }));
    const r = await runCli(['check', 'carol.solution.md', '--no-cache'], { cwd: tree.dir, env });
    assert.match(r.stdout, /Rubric 100\/100 · expected 50$/m);
  });

  it('a malformed rubric is refused before any work, naming the file and the item', async () => {
    const base = server.chatRequests().length;
    const r = await runCli(['check', '.', '--rubric', 'broken.yaml'], { cwd: tree.dir, env });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--rubric: broken\.yaml: rubric item 2 \("Subtracts"\): points: /);
    assert.equal(server.chatRequests().length, base, 'nothing was sent');
    const missing = await runCli(['check', '.', '--rubric', 'nowhere.yaml'], { cwd: tree.dir, env });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--rubric: cannot read nowhere\.yaml/);
  });

  it('without an LLM the rubric is not scored: empty cells and the reason, never a made-up score', async () => {
    writeFileSync(join(tree.dir, 'grades.csv'), '');
    const r = await runCli(['check', 'alice.solution.md', '--rubric', 'rubric.yaml', '--format', 'csv'], { cwd: tree.dir, env: {} });
    assert.equal(r.status, 0, r.stderr);
    const rows = parseCsv(r.stdout);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1]!.slice(0, 4), ['alice.solution.md', '', '5', '']);
    assert.match(rows[1]!.at(-1)!, /the rubric could not be judged: LLM critic off/);
  });
});
