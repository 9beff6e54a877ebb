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
  if (file.record) return file.uri.replace(/#\d+$/, '');
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

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const failOn = options.failOn ?? report.failOn ?? 'incorrect';
  const suites = new Map<string, { file: FileReport; outcome: Outcome }[]>();
  for (const file of report.files) {
    const name = suiteOf(file);
    const list = suites.get(name) ?? [];
    list.push({ file, outcome: outcomeOf(file, failOn) });
    suites.set(name, list);
  }

  const count = (list: { outcome: Outcome }[], kind: Outcome['kind']) => list.filter((x) => x.outcome.kind === kind).length;
  const all = [...suites.values()].flat();
  const totalMs = report.summary.durationMs ?? all.reduce((sum, x) => sum + (x.file.durationMs ?? 0), 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites name="${escapeXml(options.name ?? 'stepcritic')}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" skipped="${count(all, 'skipped')}" time="${seconds(totalMs)}" timestamp="${escapeXml(report.createdAt)}">`,
  );
  for (const [name, list] of suites) {
    const ms = list.reduce((sum, x) => sum + (x.file.durationMs ?? 0), 0);
    out.push(
      `  <testsuite name="${escapeXml(name)}" tests="${list.length}" failures="${count(list, 'failure')}" errors="${count(list, 'error')}" skipped="${count(list, 'skipped')}" time="${seconds(ms)}">`,
    );
    const classname = `stepcritic.${name.replace(/[/\\]+/g, '.').replace(/^\.+|\.+$/g, '') || 'root'}`;
    for (const { file, outcome } of list) {
      const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(file.uri)}" file="${escapeXml(file.path)}" time="${seconds(file.durationMs)}"`;
      if (outcome.kind === 'pass') {
        const steps = file.steps.map(stepLine).join('\n');
        out.push(steps ? `${open}>\n      <system-out>${escapeXml(steps)}</system-out>\n    </testcase>` : `${open}/>`);
        continue;
      }
      out.push(`${open}>`);
      const body = outcome.detail ? `>${escapeXml(outcome.detail)}</${outcome.kind}>` : '/>';
      // <skipped> takes only a message in the JUnit schema; <failure> and <error> also a type.
      const type = outcome.kind === 'skipped' ? '' : ` type="${escapeXml(outcome.type)}"`;
      out.push(`      <${outcome.kind}${type} message="${escapeXml(outcome.message)}"${body}`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
