// `stepcritic check` as a process: formats, --out, exit codes, bad flags and paths, bad files among
// good ones, .gitignore and globs, datasets. No LLM endpoint: the verifiers alone judge.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseReport, type Report } from '../../src/engine/report/schema';
import { ANSI, CLEAN_SOLUTION, makeTree, runCli, SLIP_COLUMN, SLIP_LINE, SLIP_SOLUTION, writeTree } from './run-cli';
import { sarifErrors } from './sarif-validator';

const SLIP_FINDING = new RegExp(`^slip\\.solution\\.md:${SLIP_LINE + 1}:${SLIP_COLUMN + 1}  step 1  incorrect  48 / 2 = 25.*\\(should be 24\\)`, 'm');

describe('stepcritic --help / --version', () => {
  it('prints the version of the package', async () => {
    const packageVersion = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
    const r = await runCli(['--version'], { cwd: __dirname });
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), packageVersion);
  });

  it('lists the commands, and each command explains its flags and exit codes', async () => {
    const top = await runCli(['--help'], { cwd: __dirname });
    assert.equal(top.status, 0);
    assert.match(top.stdout, /^ {2}check {2}/m);
    const check = await runCli(['check', '--help'], { cwd: __dirname });
    assert.equal(check.status, 0);
    for (const flag of ['--format', '--out', '--fail-on', '--max-steps', '--quiet']) assert.match(check.stdout, new RegExp(flag));
    assert.match(check.stdout, /Exit status:[\s\S]*2 {2}usage error/);
  });

  it('refuses an unknown command with exit 2', async () => {
    const r = await runCli(['chekc'], { cwd: __dirname });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'chekc'/);
  });
});

describe('stepcritic check: formats and exit codes', () => {
  let tree: ReturnType<typeof makeTree>;
  before(() => {
    tree = makeTree({ 'slip.solution.md': SLIP_SOLUTION, 'clean.solution.md': CLEAN_SOLUTION });
  });
  after(() => tree.remove());

  it('text: a compiler-style finding, per-file and run summaries, exit 1, the critic-off note on stderr', async () => {
    const r = await runCli(['check'], { cwd: tree.dir });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, SLIP_FINDING);
    assert.match(r.stdout, /^slip\.solution\.md {2}incorrect {2}.*first wrong step 1/m);
    assert.match(r.stdout, /^clean\.solution\.md {2}\w+ {2}1 step/m);
    assert.match(r.stdout, /2 solutions checked \(.*1 incorrect.*\)/);
    assert.doesNotMatch(r.stdout, ANSI, 'no colour when stdout is not a terminal');
    assert.match(r.stderr, /LLM critic off/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line about the critic, nothing else');
  });

  it('text: colour with FORCE_COLOR, none with NO_COLOR or --no-color', async () => {
    assert.match((await runCli(['check'], { cwd: tree.dir, env: { FORCE_COLOR: '1' } })).stdout, ANSI);
    assert.doesNotMatch((await runCli(['check'], { cwd: tree.dir, env: { NO_COLOR: '1' } })).stdout, ANSI);
    assert.doesNotMatch((await runCli(['check', '--no-color'], { cwd: tree.dir, env: { FORCE_COLOR: '1' } })).stdout, ANSI);
  });

  it('exit 0 when nothing reaches --fail-on', async () => {
    assert.equal((await runCli(['check', 'clean.solution.md'], { cwd: tree.dir })).status, 0);
    assert.equal((await runCli(['check', '--fail-on', 'never'], { cwd: tree.dir })).status, 0);
    assert.equal((await runCli(['check', '--fail-on', 'uncertain'], { cwd: tree.dir })).status, 1);
  });

  it('--quiet prints only the findings; --verbose every step', async () => {
    const quiet = await runCli(['check', '--quiet'], { cwd: tree.dir });
    assert.equal(quiet.status, 1);
    assert.match(quiet.stdout, SLIP_FINDING);
    assert.equal(quiet.stdout.trim().split('\n').length, 1);
    assert.equal(quiet.stderr, '');
    const verbose = await runCli(['check', '--verbose', 'slip.solution.md'], { cwd: tree.dir });
    assert.match(verbose.stdout, /step 2 {2}downstream {2}Follows the wrong step 1/);
  });

  it('json: parses with the report schema; steps, verdicts and the first wrong step are there', async () => {
    const r = await runCli(['check', '--format', 'json'], { cwd: tree.dir });
    assert.equal(r.status, 1);
    const report = parseReport(JSON.parse(r.stdout));
    assert.deepEqual(
      report.files.map((f) => f.uri),
      ['clean.solution.md', 'slip.solution.md'],
    );
    const slip = report.files[1]!;
    assert.equal(slip.status, 'judged');
    assert.equal(slip.verdict, 'incorrect');
    assert.equal(slip.firstErrorIndex, 0);
    assert.equal(slip.steps[0]!.verdict, 'incorrect');
    assert.equal(slip.steps[0]!.pTrue, 0);
    assert.equal(slip.steps[0]!.range.start.line, SLIP_LINE);
    assert.ok(slip.steps[0]!.evidence.some((e) => e.kind === 'arithmetic' && e.status === 'refuted' && e.expected === '24'));
    assert.equal(slip.steps[1]!.verdict, 'downstream');
    assert.equal(report.critic.enabled, false);
    assert.equal(report.failOn, 'incorrect');
    assert.equal(report.summary.judged, 2);
  });

  it('sarif: valid against the SARIF 2.1.0 schema, the slip as an error with its fix', async () => {
    const r = await runCli(['check', '--format', 'sarif'], { cwd: tree.dir });
    assert.equal(r.status, 1);
    const log = JSON.parse(r.stdout) as {
      runs: {
        results: {
          ruleId: string;
          level?: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
          fixes?: unknown[];
        }[];
        originalUriBaseIds: Record<string, { uri: string }>;
      }[];
    };
    assert.deepEqual(sarifErrors(log), []);
    const results = log.runs[0]!.results;
    assert.equal(results.length, 1);
    assert.equal(results[0]!.ruleId, 'arithmetic');
    assert.equal(results[0]!.level, 'error');
    assert.equal(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'slip.solution.md');
    assert.equal(results[0]!.locations[0]!.physicalLocation.region.startLine, SLIP_LINE + 1);
    assert.equal(results[0]!.fixes?.length, 1);
    assert.match(log.runs[0]!.originalUriBaseIds['%SRCROOT%']!.uri, /^file:\/\/.*\/$/);
  });

  it('junit and html: written directly by check, no run log needed', async () => {
    const junit = await runCli(['check', '--format', 'junit'], { cwd: tree.dir });
    assert.equal(junit.status, 1);
    assert.match(junit.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="stepcritic" tests="2" failures="1"/);
    assert.match(
      junit.stdout,
      /<testcase classname="stepcritic\.root" name="slip\.solution\.md"[^>]*>\n {6}<failure type="incorrect" message="step 1 incorrect: 48 \/ 2 = 25/,
    );
    for (let run = 0; run < 2; run++) {
      const html = await runCli(['check', '--out', 'report.html'], { cwd: tree.dir });
      assert.equal(html.status, 1, `run ${run}: an earlier report of ours may be replaced: ${html.stderr}`);
      assert.match(html.stderr, /wrote report\.html \(2 solutions checked/);
    }
    const page = readFileSync(join(tree.dir, 'report.html'), 'utf8');
    assert.match(page, /<meta name="generator" content="stepcritic">/);
    assert.deepEqual(
      [...page.matchAll(/<tr data-index="(\d+)" data-verdict="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`),
      ['0:unchecked', '1:incorrect'],
      'one row per file, in path order',
    );
  });

  it('a path that does not exist among others is a failed entry; the others are still checked (exit 2)', async () => {
    const r = await runCli(['check', 'missing.solution.md', 'slip.solution.md', '--format', 'json'], { cwd: tree.dir });
    assert.equal(r.status, 2, r.stderr);
    const report = parseReport(JSON.parse(r.stdout));
    assert.deepEqual(
      report.files.map((f) => [f.uri, f.status, f.reason ?? f.verdict]),
      [
        ['missing.solution.md', 'failed', 'no such file or folder'],
        ['slip.solution.md', 'judged', 'incorrect'],
      ],
    );
    const text = await runCli(['check', 'slip.solution.md', 'nothing/**/*.md'], { cwd: tree.dir });
    assert.equal(text.status, 2);
    assert.match(text.stdout, /^nothing\/\*\*\/\*\.md {2}failed {2}no files match this pattern$/m);
    assert.match(text.stdout, SLIP_FINDING);
  });

  it('markdown: a report with the file table and the wrong step', async () => {
    const r = await runCli(['check', '-f', 'markdown'], { cwd: tree.dir });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^# Step Critic report/);
    assert.match(r.stdout, /^\| `slip\.solution\.md` \| \*\*incorrect\*\* \|/m);
    assert.match(r.stdout, /^\| 1 \| 5 \| \*\*incorrect\*\* \| 0\.00 \| verifier \| 48 \/ 2 = 25/m);
  });
});

describe('stepcritic check --out', () => {
  let tree: ReturnType<typeof makeTree>;
  before(() => {
    tree = makeTree({ 'slip.solution.md': SLIP_SOLUTION, 'notes.txt': 'my own notes\n' });
  });
  after(() => tree.remove());

  it('writes the report to the file (stdout stays empty), replaces an earlier report, leaves no temp file', async () => {
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['check', 'slip.solution.md', '--format', 'sarif', '--out', 'reports/out.sarif'], { cwd: tree.dir });
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /wrote reports\/out\.sarif/);
    }
    assert.deepEqual(sarifErrors(JSON.parse(readFileSync(join(tree.dir, 'reports', 'out.sarif'), 'utf8'))), []);
    assert.deepEqual(readdirSync(join(tree.dir, 'reports')), ['out.sarif']);
    for (const format of ['text', 'markdown', 'json']) {
      for (let run = 0; run < 2; run++) {
        const r = await runCli(['check', 'slip.solution.md', '--format', format, '--out', `report.${format}`], { cwd: tree.dir });
        assert.equal(r.status, 1, `${format} run ${run}: ${r.stderr}`);
      }
    }
    assert.match(readFileSync(join(tree.dir, 'report.text'), 'utf8'), /slip\.solution\.md:5:\d+ {2}step 1 {2}incorrect/);
  });

  it('never overwrites a file being checked, nor a file that is not a report (unless --force)', async () => {
    const checked = await runCli(['check', 'slip.solution.md', '--out', 'slip.solution.md'], { cwd: tree.dir });
    assert.equal(checked.status, 2);
    assert.match(checked.stderr, /one of the files being checked/);
    assert.equal(readFileSync(join(tree.dir, 'slip.solution.md'), 'utf8'), SLIP_SOLUTION);

    const notes = await runCli(['check', 'slip.solution.md', '--out', 'notes.txt'], { cwd: tree.dir });
    assert.equal(notes.status, 2);
    assert.match(notes.stderr, /not a Step Critic report/);
    assert.equal(readFileSync(join(tree.dir, 'notes.txt'), 'utf8'), 'my own notes\n');

    const forced = await runCli(['check', 'slip.solution.md', '--out', 'notes.txt', '--force'], { cwd: tree.dir });
    assert.equal(forced.status, 1);
    assert.match(readFileSync(join(tree.dir, 'notes.txt'), 'utf8'), /incorrect/);
  });
});

describe('stepcritic check: usage errors exit 2 with one line and a hint', () => {
  let tree: ReturnType<typeof makeTree>;
  before(() => {
    tree = makeTree({
      'slip.solution.md': SLIP_SOLUTION,
      'empty-folder/notes.txt': 'not a solution\n',
      'outputs/data/test-00000-of-00001.jsonl': '{"problem": "What is 1 + 1?", "response": "1 + 1 = 2."}\n',
    });
  });
  after(() => tree.remove());

  const cases: [string, string[], RegExp][] = [
    ['an unknown flag, with a suggestion', ['check', '--formt', 'json'], /unknown option '--formt'\ndid you mean --format\?/],
    ['a bad --format value', ['check', '--format', 'xml'], /--format must be one of text, json, sarif, markdown, junit, html, csv \(got 'xml'\)/],
    ['a bad --fail-on value', ['check', '--fail-on', 'sometimes'], /--fail-on must be one of incorrect, uncertain, never/],
    ['a flag without its value', ['check', '--out'], /option '--out' needs a value/],
    ['a non-number --max-steps', ['check', '--max-steps', 'many'], /--max-steps must be a whole number/],
    ['a missing path', ['check', 'missing.solution.md'], /missing\.solution\.md: no such file or folder/],
    ['a glob that matches nothing', ['check', 'nothing/**/*.md'], /nothing\/\*\*\/\*\.md: no files match this pattern/],
    [
      'a folder without solutions',
      ['check', 'empty-folder'],
      /no solution files found in empty-folder\nA folder walk picks \*\.solution\.md files; name other files/,
    ],
    [
      'a folder of datasets only, naming them',
      ['check', 'outputs'],
      /no solution files found in outputs\n.*There is a dataset file there; to check it: stepcritic check outputs\/data\/test-00000-of-00001\.jsonl\n$/,
    ],
  ];
  for (const [what, args, expected] of cases) {
    it(what, async () => {
      const r = await runCli(args, { cwd: tree.dir });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, expected);
      assert.ok(r.stderr.trim().split('\n').length <= 2, `at most a reason and a hint:\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

describe('stepcritic check: bad files among good ones', () => {
  let tree: ReturnType<typeof makeTree>;
  before(() => {
    const huge = Buffer.alloc(10.5 * 1024 * 1024, 'Step 1: 1 + 1 = 2\n');
    tree = makeTree({
      'a-slip.solution.md': SLIP_SOLUTION,
      'b-binary.solution.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]),
      'c-empty.solution.md': '',
      'd-huge.solution.md': huge,
      'e-latin1.solution.md': Buffer.concat([Buffer.from('# Problem\nWhat is 2 + 2?\n\nStep 1: caf'), Buffer.from([0xe9]), Buffer.from(' 2 + 2 = 4\n')]),
      'f-front-matter.solution.md': `---\nanswer: [unclosed\n---\n${CLEAN_SOLUTION}`,
      'g-clean.solution.md': CLEAN_SOLUTION,
      'h-blank.solution.md': '  \n\n\t\n',
    });
  });
  after(() => tree.remove());

  it('reports each bad file with its reason, still judges the good ones, and exits 2 for the unreadable one', async () => {
    const r = await runCli(['check', '--format', 'json'], { cwd: tree.dir, timeoutMs: 30_000 });
    assert.equal(r.status, 2, 'a file that could not be read is an input error');
    const report = parseReport(JSON.parse(r.stdout));
    const byUri = new Map(report.files.map((f) => [f.uri, f]));
    assert.equal(byUri.get('a-slip.solution.md')?.verdict, 'incorrect');
    assert.equal(byUri.get('g-clean.solution.md')?.status, 'judged');
    assert.deepEqual([byUri.get('b-binary.solution.md')?.status, byUri.get('b-binary.solution.md')?.reason], ['skipped', 'binary file']);
    assert.deepEqual([byUri.get('c-empty.solution.md')?.status, byUri.get('c-empty.solution.md')?.reason], ['skipped', 'empty file']);
    assert.equal(byUri.get('h-blank.solution.md')?.status, 'skipped');
    assert.equal(byUri.get('d-huge.solution.md')?.status, 'skipped');
    assert.match(byUri.get('d-huge.solution.md')?.reason ?? '', /too large \(10\.5 MB; the limit is 5\.0 MB\)/);
    assert.equal(byUri.get('e-latin1.solution.md')?.status, 'failed');
    assert.match(byUri.get('e-latin1.solution.md')?.reason ?? '', /not valid UTF-8 \(first bad byte on line 4\)/);
    const frontMatter = byUri.get('f-front-matter.solution.md');
    assert.equal(frontMatter?.status, 'judged', 'broken front matter is ignored with a warning; the steps are still judged');
    assert.ok(
      frontMatter?.warnings.some((w) => /front matter/i.test(w)),
      JSON.stringify(frontMatter?.warnings),
    );
    assert.equal(report.summary.skipped, 4);
    assert.equal(report.summary.failed, 1);
  });

  it('says the same in text, one line per bad file', async () => {
    const r = await runCli(['check'], { cwd: tree.dir, timeoutMs: 30_000 });
    assert.equal(r.status, 2);
    assert.match(r.stdout, /^b-binary\.solution\.md {2}skipped {2}binary file$/m);
    assert.match(r.stdout, /^d-huge\.solution\.md {2}skipped {2}too large/m);
    assert.match(r.stdout, /^e-latin1\.solution\.md {2}failed {2}not valid UTF-8/m);
    assert.match(r.stdout, /^f-front-matter\.solution\.md {2}warning {2}.*[Ff]ront matter/m);
    assert.match(r.stdout, /4 skipped · 1 failed/);
  });

  it('--max-file-size moves the limit both ways', async () => {
    const run = async (mb: string) => {
      const r = await runCli(['check', 'g-clean.solution.md', '--max-file-size', mb, '--format', 'json'], { cwd: tree.dir });
      return parseReport(JSON.parse(r.stdout)).files[0]!;
    };
    const lowered = await run('0.0001');
    assert.equal(lowered.status, 'skipped');
    assert.match(lowered.reason ?? '', /too large \(\d+ B; the limit is 105 B\)/);
    assert.equal((await run('0.01')).status, 'judged');
  });
});

describe('stepcritic check: which files a run picks', () => {
  let tree: ReturnType<typeof makeTree>;
  before(() => {
    tree = makeTree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'build/\n*.draft.solution.md\n',
      'top.solution.md': CLEAN_SOLUTION,
      'wip.draft.solution.md': SLIP_SOLUTION,
      'notes.md': SLIP_SOLUTION,
      'solve.py': 'print(1)\n',
      'build/generated.solution.md': SLIP_SOLUTION,
      'node_modules/pkg/readme.solution.md': SLIP_SOLUTION,
      'sub/.gitignore': 'local.solution.md\n!keep.draft.solution.md\n',
      'sub/local.solution.md': SLIP_SOLUTION,
      'sub/keep.draft.solution.md': CLEAN_SOLUTION,
      'sub/deep/inner.solution.md': CLEAN_SOLUTION,
      'sub/deep/inner.md': CLEAN_SOLUTION,
    });
  });
  after(() => tree.remove());

  const uris = async (args: string[], cwd = tree.dir) => {
    const r = await runCli([...args, '--format', 'json'], { cwd });
    assert.notEqual(r.status, 2, r.stderr);
    return (JSON.parse(r.stdout) as Report).files.map((f) => f.uri);
  };

  it('a folder walk takes *.solution.md, honouring nested .gitignore files, never node_modules', async () => {
    assert.deepEqual(await uris(['check']), ['sub/deep/inner.solution.md', 'sub/keep.draft.solution.md', 'top.solution.md']);
    assert.deepEqual(await uris(['check', 'sub']), ['sub/deep/inner.solution.md', 'sub/keep.draft.solution.md']);
    assert.deepEqual(await uris(['check', '.'], join(tree.dir, 'sub')), ['deep/inner.solution.md', 'keep.draft.solution.md']);
  });

  it('a file named explicitly is checked even when ignored or not *.solution.md', async () => {
    assert.deepEqual(await uris(['check', 'wip.draft.solution.md', 'notes.md']), ['notes.md', 'wip.draft.solution.md']);
  });

  it('a glob takes every supported file it matches, minus ignored ones', async () => {
    assert.deepEqual(await uris(['check', '**/*.md']), [
      'notes.md',
      'sub/deep/inner.md',
      'sub/deep/inner.solution.md',
      'sub/keep.draft.solution.md',
      'top.solution.md',
    ]);
    assert.deepEqual(await uris(['check', 'sub/**/inner*']), ['sub/deep/inner.md', 'sub/deep/inner.solution.md']);
  });

  it('the same file reached twice is checked once', async () => {
    assert.deepEqual(await uris(['check', 'top.solution.md', '.', '*.solution.md']), [
      'sub/deep/inner.solution.md',
      'sub/keep.draft.solution.md',
      'top.solution.md',
    ]);
  });

  it('output follows path order whatever the concurrency', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 30; i++) many[`many/s${String(i).padStart(2, '0')}.solution.md`] = i % 3 === 0 ? SLIP_SOLUTION : CLEAN_SOLUTION;
    writeTree(tree.dir, many);
    const one = await runCli(['check', 'many', '--jobs', '1'], { cwd: tree.dir });
    const eight = await runCli(['check', 'many', '--jobs', '8'], { cwd: tree.dir });
    const strip = (s: string) => s.replace(/ · \d+(\.\d+)? (ms|s)$/m, '');
    assert.equal(strip(one.stdout), strip(eight.stdout));
    const files = one.stdout
      .split('\n')
      .filter((l) => / {2}(incorrect|unchecked|correct) {2}\d+ step/.test(l))
      .map((l) => l.split(' ')[0]);
    assert.deepEqual(files, Object.keys(many));
  });
});

describe('stepcritic check: datasets', () => {
  let tree: ReturnType<typeof makeTree>;
  const processBench = (steps: string[], label: number) => ({
    problem: 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether?',
    steps,
    label,
  });
  before(() => {
    const lines = [
      JSON.stringify(processBench(['In May she sold 48 / 2 = 25 clips.', 'Altogether 48 + 25 = 73 clips. \\boxed{73}'], 0)),
      '',
      JSON.stringify({ question: 'What is 6 times 7?', answer: 'Six sevens are 6*7=<<6*7=42>>42.\n#### 42' }),
      '{"problem": "broken JSON',
      JSON.stringify({ title: 'not a solution', body: 'hello' }),
    ];
    tree = makeTree({
      'data.jsonl': `${lines.join('\n')}\n`,
      'bench.json': JSON.stringify([processBench(['Half of 48 is 48 / 2 = 24.', 'So 48 + 24 = 72. \\boxed{72}'], -1)]),
    });
  });
  after(() => tree.remove());

  it('judges one entry per record (uri file.jsonl#N, 0-based), keeps labels, reports bad records and goes on', async () => {
    const r = await runCli(['check', 'data.jsonl', 'bench.json', '--format', 'json'], { cwd: tree.dir });
    assert.equal(r.status, 2, 'a bad record is an input error');
    const report = parseReport(JSON.parse(r.stdout));
    assert.deepEqual(
      report.files.map((f) => [f.uri, f.status]),
      [
        ['bench.json#0', 'judged'],
        ['data.jsonl#0', 'judged'],
        ['data.jsonl#1', 'judged'],
        ['data.jsonl#2', 'failed'],
        ['data.jsonl#3', 'failed'],
      ],
    );
    const slip = report.files[1]!;
    assert.equal(slip.path, 'data.jsonl');
    assert.deepEqual(slip.record, { index: 0, line: 1 });
    assert.equal(slip.format, 'processbench');
    assert.equal(slip.firstErrorIndex, 0);
    assert.equal(slip.labels?.firstErrorStep, 0);
    assert.equal(report.files[2]!.format, 'gsm8k');
    assert.deepEqual(report.files[2]!.record, { index: 1, line: 3 });
    assert.match(report.files[3]!.reason ?? '', /line 4 is not valid JSON/);
    assert.match(report.files[4]!.reason ?? '', /^not a solution record: unknown record format \(fields: title, body\)/);
    assert.equal(report.files[0]!.labels?.firstErrorStep, -1);
    assert.notEqual(report.files[0]!.verdict, 'incorrect');
  });

  it('reads model outputs as researchers keep them: a prompt and a completion, a chat with an expected answer, samples of one problem', async () => {
    const outputs = makeTree({
      'outputs.jsonl': [
        { prompt: 'A baker makes 48 rolls and sells half. How many are left?', completion: 'Half are sold: 48 / 2 = 25.\n\nSo 25 are left. \\boxed{25}' },
        {
          messages: [
            { role: 'user', content: 'What is 6 times 7?' },
            { role: 'assistant', content: '6 * 7 = 42, so \\boxed{42}.' },
          ],
          answer: '41',
        },
        { problem: 'What is 2 + 2?', answer: '4', responses: ['2 + 2 = 4. \\boxed{4}', '2 + 2 = 5. \\boxed{5}'] },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    });
    try {
      const r = await runCli(['check', 'outputs.jsonl', '--format', 'json'], { cwd: outputs.dir });
      const report = parseReport(JSON.parse(r.stdout));
      assert.deepEqual(
        report.files.map((f) => [f.uri, f.status, f.format, f.verdict]),
        [
          ['outputs.jsonl#0', 'judged', 'model-output', 'incorrect'],
          ['outputs.jsonl#1', 'judged', 'model-output', 'incorrect'],
          ['outputs.jsonl#2/0', 'judged', 'model-output', 'unchecked'],
          ['outputs.jsonl#2/1', 'judged', 'model-output', 'incorrect'],
        ],
      );
      assert.deepEqual(report.files[3]!.record, { index: 2, line: 3, solution: '1' });
      assert.equal(report.files[0]!.firstErrorIndex, 0, 'the slip 48 / 2 = 25 is the first wrong step');
      const text = await runCli(['check', 'outputs.jsonl'], { cwd: outputs.dir });
      assert.match(text.stdout, /^outputs\.jsonl#1 {2}warning {2}The final answer 42 differs from the expected 41\./m);
    } finally {
      outputs.remove();
    }
  });

  it('text names the record, and SARIF places it at its JSONL line', async () => {
    const text = await runCli(['check', 'data.jsonl'], { cwd: tree.dir });
    assert.match(text.stdout, /^data\.jsonl#0 {2}step 1 {2}incorrect {2}48 \/ 2 = 25/m);
    assert.match(text.stdout, /^data\.jsonl#2 {2}failed {2}line 4 is not valid JSON/m);
    const sarif = await runCli(['check', 'data.jsonl', '--format', 'sarif'], { cwd: tree.dir });
    const log = JSON.parse(sarif.stdout) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[];
    };
    assert.deepEqual(sarifErrors(log), []);
    const location = log.runs[0]!.results[0]!.locations[0]!.physicalLocation;
    assert.equal(location.artifactLocation.uri, 'data.jsonl');
    assert.equal(location.region?.startLine, 1);
  });

  it('--dataset-format forces the reading of every record', async () => {
    const r = await runCli(['check', 'data.jsonl', '--dataset-format', 'gsm8k', '--format', 'json'], { cwd: tree.dir });
    const report = parseReport(JSON.parse(r.stdout));
    assert.equal(report.files[0]!.status, 'failed', 'a ProcessBench record is not a GSM8K one');
    assert.equal(report.files[1]!.format, 'gsm8k');
  });
});
