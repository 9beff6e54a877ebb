// createCodeChecker: the CodeChecker the judge runs on code documents.
//   - Always (no code runs): the first syntax error, from Python's own parser or the TypeScript
//     parser, as `syntax` evidence on the step where it is.
//   - With allowRun: the document's tests run in the sandbox; every test is `test` evidence (a failing
//     or timing-out one makes the solution incorrect), and when some fail, spectrum-based fault
//     localization (localize.ts) ranks the steps by the lines the failing and passing tests executed.
import type { CodeChecker, CodeCheckResult } from '../checks';
import type { CodeTest, Evidence, SolutionDocument, Step, TestEvidence } from '../types';
import { announceMissing, findNode, findPython, type CodeLanguage } from './interpreters';
import { runNodeTests } from './node-runner';
import { findSyntaxError } from './parse';
import { SourceText } from './source-text';
import { localizeFaults, type TestSpectrum } from './localize';
import { moduleNameFor, runPythonTests, type HarnessRun, type RunLimits } from './python-runner';
import type { HarnessTestResult } from './test-results';

export interface CodeCheckerOptions {
  /** Run the solution's tests. Off by default everywhere: running code is the user's explicit choice. */
  allowRun: boolean;
  /** Wall-clock limit for one solution's whole test run (default 10 s). */
  timeoutMs?: number;
  /** Limit for one test (default: a fifth of timeoutMs, so one hanging test leaves time for the others). */
  perTestTimeoutMs?: number;
  /** Memory limit in MiB (default 512). */
  memoryMb?: number;
  /** Cap on what the solution may print (default 1 MiB); past it the run is stopped. */
  outputCapBytes?: number;
}

export function languageOfDocument(document: SolutionDocument): CodeLanguage | undefined {
  switch (document.format) {
    case 'python':
    case 'humaneval':
    case 'humanevalfix':
    case 'quixbugs':
      return 'python';
    case 'javascript':
      return 'javascript';
    case 'typescript':
      return 'typescript';
    default:
      return undefined;
  }
}

/** The step a source line belongs to: the one whose range holds it, else the last one before it. */
export function stepAtLine(steps: readonly Step[], line: number): Step | undefined {
  let before: Step | undefined;
  for (const step of steps) {
    if (step.range.start.line <= line && line <= step.range.end.line) return step;
    if (step.range.start.line <= line) before = step;
  }
  return before ?? steps[0];
}

function push(map: Map<number, Evidence[]>, index: number, evidence: Evidence): void {
  const list = map.get(index) ?? [];
  list.push(evidence);
  map.set(index, list);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function createCodeChecker(options: CodeCheckerOptions): CodeChecker {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const limits: RunLimits = {
    timeoutMs,
    perTestTimeoutMs: options.perTestTimeoutMs ?? Math.max(500, Math.floor(timeoutMs / 5)),
    memoryMb: options.memoryMb ?? 512,
    outputCapBytes: options.outputCapBytes ?? 1024 * 1024,
  };

  return {
    async check(document: SolutionDocument, signal?: AbortSignal): Promise<CodeCheckResult> {
      const stepEvidence = new Map<number, Evidence[]>();
      const language = languageOfDocument(document);
      if (!language) return { stepEvidence, tests: [], ran: false, note: `Not a code document (${document.format}).` };

      const syntax = await findSyntaxError(document.text, language);
      if (syntax) {
        const step = stepAtLine(document.steps, syntax.range.start.line);
        if (step) push(stepEvidence, step.index, { kind: 'syntax', message: syntax.message, range: syntax.range });
      }

      const tests = document.tests ?? [];
      if (!options.allowRun) {
        const found = tests.length > 0 ? ` (${plural(tests.length, 'test')} found)` : '';
        return {
          stepEvidence,
          tests: [],
          ran: false,
          note: `Tests not run${found}: running code is off (stepcritic check --run-code; in the editor, a trusted workspace and stepcritic.runCodeTests).`,
        };
      }
      if (syntax) return { stepEvidence, tests: [], ran: false, note: 'Tests not run: the solution does not parse.' };
      if (tests.length === 0) {
        const where =
          language === 'python'
            ? 'doctests, assert lines, an if __name__ == "__main__" block, a test_<name>.py file'
            : 'assert calls, a require.main === module block, a <name>.test.ts/.js file';
        return { stepEvidence, tests: [], ran: false, note: `No tests found (looked for ${where}, and the dataset record).` };
      }

      const interpreter = language === 'python' ? await findPython() : await findNode();
      if (!interpreter) {
        const said = announceMissing(language);
        return { stepEvidence, tests: [], ran: false, ...(said ? { note: said } : {}) };
      }

      // The in-file tests run as tests, not while the solution loads: their text is blanked out of
      // the program (spaces, so that every line and column stays where it was).
      const program = { ...document, text: blankInFileTests(document.text, tests) };
      const run: HarnessRun =
        language === 'python'
          ? await runPythonTests(interpreter, { text: program.text, moduleName: moduleNameFor(document.uri) }, tests, limits, signal)
          : await runNodeTests(interpreter, program, tests, language, limits, signal);
      if (run.sandbox.aborted) throw signal?.reason ?? new Error('aborted');
      return interpret(document, tests, run, limits, stepEvidence);
    },
  };
}

function interpret(
  document: SolutionDocument,
  tests: readonly CodeTest[],
  run: HarnessRun,
  limits: RunLimits,
  stepEvidence: Map<number, Evidence[]>,
): CodeCheckResult {
  const { report, sandbox } = run;
  const results: TestEvidence[] = [];
  const notes: string[] = [];

  if (sandbox.spawnError) {
    return { stepEvidence, tests: [], ran: false, note: `Could not start the tests: ${sandbox.spawnError}` };
  }
  const ended = sandbox.timedOut
    ? `the run was stopped at the ${limits.timeoutMs / 1000} s time limit`
    : sandbox.outputLimited
      ? `the run was stopped: it printed more than ${Math.round(limits.outputCapBytes / 1024)} KiB`
      : sandbox.exitSignal
        ? `the interpreter was killed (${sandbox.exitSignal})`
        : sandbox.exitCode !== 0
          ? `the interpreter exited with code ${sandbox.exitCode}`
          : '';
  const stderr = sandbox.stderr.trim().slice(-2000);

  if (report.load && !report.load.ok) {
    const error = report.load.error ?? 'unknown error';
    results.push({ kind: 'test', status: 'error', name: 'loading the solution', output: error });
    // The traceback names the solution line that failed: that step is where the error is.
    const line = lastSolutionLine(error, document);
    const step = line !== undefined ? stepAtLine(document.steps, line - 1) : undefined;
    if (step) push(stepEvidence, step.index, { kind: 'fault-localization', score: 1, rank: 1, failedTests: 1, passedTests: 0, clear: true });
    return { stepEvidence, tests: results, ran: true, note: 'The solution fails while loading, before any test.' };
  }

  const byIndex = new Map<number, number>();
  for (const r of report.tests) byIndex.set(r.index, (byIndex.get(r.index) ?? 0) + 1);
  const disputed = disputedExamples(report.tests, tests);
  for (const r of report.tests) {
    if (r.status === 'skipped' || r.status === 'unjudged' || disputed.has(r)) continue;
    const test = tests[r.index];
    results.push({
      kind: 'test',
      status: r.status,
      name: r.name,
      ...(r.status !== 'passed' && r.output ? { output: r.output } : {}),
      ...(test?.range ? { range: test.range } : {}),
    });
  }
  const skipped = report.tests.filter((r) => r.status === 'skipped').length;
  if (skipped > 0) notes.push(`${plural(skipped, 'test')} not run: the ${limits.timeoutMs / 1000} s limit was used up.`);
  // Tests that never reported: the process died or was stopped before them.
  const unreported = tests.map((t, i) => ({ t, i })).filter(({ i }) => !byIndex.has(i));
  if (!report.done && ended) {
    if (unreported.length > 0 || report.tests.length === 0) {
      results.push({
        kind: 'test',
        status: sandbox.timedOut ? 'timeout' : 'error',
        name:
          unreported.length > 0
            ? unreported
                .map(({ t }) => t.name)
                .slice(0, 3)
                .join(', ') + (unreported.length > 3 ? ', …' : '')
            : 'test run',
        output: [ended, stderr].filter(Boolean).join('\n'),
      });
    }
    notes.push(`Tests incomplete: ${ended}.`);
  } else if (!report.done && !report.load) {
    notes.push(`The test harness did not report${stderr ? `: ${stderr.split('\n').slice(-1)[0]}` : '.'}`);
  }

  const unjudged = report.tests.filter((r) => r.status === 'unjudged');
  for (const r of unjudged) notes.push(`Could not judge ${r.name} (timed out): ${r.output.split('\n').at(-1) ?? ''}.`);
  for (const r of disputed) notes.push(exampleDisagrees(r, tests[r.index], tests));
  const spectra: TestSpectrum[] = report.tests
    .filter((r) => r.status !== 'skipped' && r.status !== 'unjudged' && !disputed.has(r))
    .map((r) => ({ failed: r.status !== 'passed', lines: r.lines }));
  const failed = spectra.filter((s) => s.failed).length;
  if (failed > 0) {
    for (const [index, evidence] of localizeFaults(document.steps, spectra, {
      ...(report.mutation ? { mutation: report.mutation } : {}),
      inert: report.load?.inert ?? [],
    }))
      push(stepEvidence, index, evidence);
  } else if (spectra.length > 0) {
    // All pass: say on each step how many tests run it (a step no test reaches is visibly untested).
    for (const step of document.steps) {
      const lines = new Set<number>();
      for (let l = step.range.start.line; l <= step.range.end.line; l++) lines.add(l + 1);
      const reaching = spectra.filter((s) => s.lines.some((l) => lines.has(l))).length;
      if (reaching > 0)
        push(stepEvidence, step.index, {
          kind: 'test',
          status: 'passed',
          name: `${plural(reaching, 'test')} run${reaching === 1 ? 's' : ''} this step and pass${reaching === 1 ? 'es' : ''}`,
        });
    }
  }
  const passed = spectra.length - failed;
  const others = [
    disputed.size > 0 ? `${disputed.size} docstring example${disputed.size === 1 ? '' : 's'} disagree${disputed.size === 1 ? 's' : ''} with the tests` : '',
    unjudged.length > 0 ? `${unjudged.length} could not be judged (timed out)` : '',
  ]
    .filter(Boolean)
    .map((t) => `, ${t}`)
    .join('');
  notes.unshift(`${plural(spectra.length + disputed.size + unjudged.length, 'test')} ran: ${passed} passed, ${failed} failed${others}.`);
  return { stepEvidence, tests: results, ran: spectra.length > 0 || results.length > 0, unjudged: unjudged.length, note: notes.join(' ') };
}

const AUTHORITATIVE: ReadonlySet<CodeTest['origin']> = new Set(['sibling', 'dataset']);

/**
 * Docstring examples that give another value while the authoritative tests (a sibling test file, the
 * dataset's tests) all ran and pass, and nothing else fails: the example is what disagrees (HumanEval's
 * `median` docstring says 15.0, the right value is 8.0), not the solution. An example that hangs is
 * no disagreement, and tests that could not be judged do not vouch for the solution.
 */
function disputedExamples(results: readonly HarnessTestResult[], tests: readonly CodeTest[]): Set<HarnessTestResult> {
  const failing = results.filter((r) => r.status !== 'passed' && r.status !== 'skipped' && r.status !== 'unjudged');
  const authoritative = results.filter((r) => AUTHORITATIVE.has(tests[r.index]?.origin ?? 'assert'));
  const onlyExamples = failing.every((r) => tests[r.index]?.origin === 'doctest' && r.status !== 'timeout');
  return new Set(onlyExamples && authoritative.length > 0 && authoritative.every((r) => r.status === 'passed') ? failing : []);
}

function exampleDisagrees(result: HarnessTestResult, test: CodeTest | undefined, tests: readonly CodeTest[]): string {
  const line = test?.range ? ` on line ${test.range.start.line + 1}` : '';
  const by = [...new Set(tests.filter((t) => AUTHORITATIVE.has(t.origin)).map((t) => (t.origin === 'sibling' ? t.name : "the dataset's tests")))].join(', ');
  const got = /\nGot:\n\s*(.+)/.exec(result.output)?.[1]?.trim();
  const expected = /\nExpected:\n\s*(.+)/.exec(result.output)?.[1]?.trim();
  const detail = expected !== undefined && got !== undefined ? ` expects ${expected}, the function returns ${got}` : '';
  return `The docstring example${line} (${result.name})${detail}; the tests (${by}) pass, so the example disagrees with the tests, not the solution.`;
}

export function blankInFileTests(text: string, tests: readonly CodeTest[]): string {
  const source = new SourceText(text);
  let out = text;
  for (const test of tests) {
    if (!test.range || (test.origin !== 'assert' && test.origin !== 'main')) continue;
    const start = source.offsetAt(test.range.start);
    const end = source.offsetAt(test.range.end);
    out = out.slice(0, start) + out.slice(start, end).replace(/[^\r\n]/g, ' ') + out.slice(end);
  }
  return out;
}

/** The last line of the solution file named in a Python or Node traceback. */
function lastSolutionLine(traceback: string, document: SolutionDocument): number | undefined {
  const name = moduleNameFor(document.uri);
  let line: number | undefined;
  const python = new RegExp(`File "[^"]*${name}\\.py", line (\\d+)`, 'g');
  for (let m = python.exec(traceback); m; m = python.exec(traceback)) line = Number(m[1]);
  return line;
}
