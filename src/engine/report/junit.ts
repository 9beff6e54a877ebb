// JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters, Azure): one <testcase> per solution,
// grouped into one <testsuite> per dataset file (records) or per folder (solution files).
//   - a solution that reaches --fail-on (default: incorrect) → <failure>, with the first wrong step;
//   - a solution that could not be judged, or a file that failed to read → <error>;
//   - a skipped file, or a solution nothing judged (critic off and the verifiers found nothing) →
//     <skipped>: a check that did not happen is not shown as a pass;
//   - otherwise the testcase passes; its steps' verdicts are in <system-out>.
import type { FailOn } from './build';
import { reachesFailOn } from './build';
import type { FileReport, Report, StepReport } from './schema';
import type { ReportPart, StreamRenderer } from './stream';
import { renderToString } from './stream';
import { rubricItemLine, rubricScoreText } from '../rubric/format';
import { describeShards } from './findings';

/** XML 1.0 allows only these characters; anything else (control characters, lone surrogates) is replaced. */
const INVALID_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export interface JunitOptions {
  failOn?: FailOn;
  /** Name of the top-level <testsuites>. */
  name?: string;
}

type Outcome = { kind: 'pass' } | { kind: 'failure' | 'error' | 'skipped'; type: string; message: string; detail?: string };

function suiteOf(file: FileReport): string {
  if (file.record) return file.uri.replace(/#[^#]*$/, '');
  const slash = file.uri.lastIndexOf('/');
  return slash > 0 ? file.uri.slice(0, slash) : '.';
}

function stepLine(step: StepReport): string {
  const p = step.pTrue === null ? 'n/a' : step.pTrue.toFixed(2);
  return `step ${step.index + 1}  ${step.verdict}  P(True) ${p}  ${step.message}`;
}

function firstWrongStep(file: FileReport): StepReport | undefined {
  if (file.firstErrorIndex !== null && file.firstErrorIndex >= 0) return file.steps.find((s) => s.index === file.firstErrorIndex);
  return file.steps.find((s) => s.verdict === 'incorrect') ?? file.steps.find((s) => s.verdict === 'uncertain' || s.verdict === 'error');
}

function outcomeOf(file: FileReport, failOn: FailOn): Outcome {
  if (file.status === 'failed') return { kind: 'error', type: 'failed', message: file.reason ?? 'could not be read' };
  if (file.status === 'skipped') return { kind: 'skipped', type: 'skipped', message: file.reason ?? 'not a solution' };
  const steps = file.steps.map(stepLine).join('\n');
  if (reachesFailOn(file, failOn)) {
    const step = firstWrongStep(file);
    const message = step ? `step ${step.index + 1} ${step.verdict}: ${step.message}` : (file.warnings[0] ?? `the solution is ${file.verdict ?? 'not correct'}`);
    return { kind: 'failure', type: file.verdict ?? 'incorrect', message, detail: steps };
  }
  if (file.verdict === 'error') {
    const step = file.steps.find((s) => s.verdict === 'error');
    return { kind: 'error', type: 'could-not-judge', message: step ? `step ${step.index + 1}: ${step.message}` : 'could not judge', detail: steps };
  }
  if (file.verdict === 'unchecked') {
    return {
      kind: 'skipped',
      type: 'unchecked',
      message: file.critic?.enabled ? 'no step was judged' : `not judged: ${file.critic?.note ?? 'the LLM critic is off and the verifiers found nothing'}`,
    };
  }
  return { kind: 'pass' };
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

interface SuiteTotals {
  tests: number;
  failure: number;
  error: number;
  skipped: number;
  ms: number;
}

/** JUnit written entry by entry: each testsuite's testcases are a section; the counts come at the end. */
export function junitRenderer(options: JunitOptions = {}): StreamRenderer {
  const suites = new Map<string, SuiteTotals>();
  const all: SuiteTotals = { tests: 0, failure: 0, error: 0, skipped: 0, ms: 0 };
  const failOn: FailOn = options.failOn ?? 'incorrect';
  return {
    add(file, sections) {
      const name = suiteOf(file);
      const outcome = outcomeOf(file, failOn);
      const totals = suites.get(name) ?? { tests: 0, failure: 0, error: 0, skipped: 0, ms: 0 };
      suites.set(name, totals);
      for (const t of [totals, all]) {
        t.tests++;
        if (outcome.kind !== 'pass') t[outcome.kind]++;
        t.ms += file.durationMs ?? 0;
      }
      sections.write(name, testcase(file, outcome, name));
    },
    finish(head) {
      const count = (t: SuiteTotals) => `tests="${t.tests}" failures="${t.failure}" errors="${t.error}" skipped="${t.skipped}"`;
      const parts: ReportPart[] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        `<testsuites name="${escapeXml(`${options.name ?? 'stepcritic'}${head.shards ? ` (${describeShards(head.shards)})` : ''}`)}" ${count(all)} time="${seconds(head.summary.durationMs ?? all.ms)}" timestamp="${escapeXml(head.createdAt)}">\n`,
      ];
      for (const [name, totals] of suites) {
        parts.push(`  <testsuite name="${escapeXml(name)}" ${count(totals)} time="${seconds(totals.ms)}">\n`, { section: name }, '  </testsuite>\n');
      }
      parts.push('</testsuites>\n');
      return parts;
    },
  };
}

function testcase(file: FileReport, outcome: Outcome, suite: string): string {
  const classname = `stepcritic.${suite.replace(/[/\\]+/g, '.').replace(/^\.+|\.+$/g, '') || 'root'}`;
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(file.uri)}" file="${escapeXml(file.path)}" time="${seconds(file.durationMs)}"`;
  const rubric = file.rubric ? [rubricScoreText(file.rubric), ...file.rubric.items.map(rubricItemLine)] : [];
  if (outcome.kind === 'pass') {
    const steps = [...file.steps.map(stepLine), ...rubric].join('\n');
    return steps ? `${open}>\n      <system-out>${escapeXml(steps)}</system-out>\n    </testcase>\n` : `${open}/>\n`;
  }
  const body = outcome.detail ? `>${escapeXml(outcome.detail)}</${outcome.kind}>` : '/>';
  // <skipped> takes only a message in the JUnit schema; <failure> and <error> also a type.
  const type = outcome.kind === 'skipped' ? '' : ` type="${escapeXml(outcome.type)}"`;
  const out = rubric.length > 0 ? `\n      <system-out>${escapeXml(rubric.join('\n'))}</system-out>` : '';
  return `${open}>\n      <${outcome.kind}${type} message="${escapeXml(outcome.message)}"${body}${out}\n    </testcase>\n`;
}

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  return renderToString(junitRenderer({ ...options, failOn: options.failOn ?? report.failOn ?? 'incorrect' }), report);
}
