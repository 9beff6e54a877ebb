// The text report: reads like a compiler's, one finding per line
//   examples/slip.solution.md:7:12  step 3  incorrect  48 / 2 = 25 (should be 24)
// then one summary line per file and one for the run. Lines and columns are 1-based here (editors and
// terminals jump to them); the JSON keeps the 0-based LSP positions.
import type { FileReport, Report, ReportShards, ReportSummary, StepReport } from './schema';
import {
  countPhrase,
  describeShards,
  findingPosition,
  formatDuration,
  isFinding,
  plural,
  SOLUTION_VERDICT_ORDER,
  STEP_VERDICT_ORDER,
  stepCounts,
} from './findings';
import type { StreamRenderer } from './stream';
import { rubricItemLine, rubricScoreText } from '../rubric/format';
import { renderToString } from './stream';

export type TextStyle = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'magenta' | 'cyan' | 'gray';

export interface TextOptions {
  /** Applies terminal styles; the default leaves text plain (no colour when not on a terminal). */
  paint?: (style: TextStyle, text: string) => string;
  /** Also list correct, unchecked and downstream steps. */
  verbose?: boolean;
  /** Only findings and failures: no per-file or run summaries. */
  quiet?: boolean;
}

const plain = (_style: TextStyle, text: string) => text;

const VERDICT_STYLE: Record<string, TextStyle> = {
  incorrect: 'red',
  uncertain: 'yellow',
  error: 'magenta',
  downstream: 'gray',
  unchecked: 'dim',
  correct: 'green',
  skipped: 'yellow',
  failed: 'red',
};

/**
 * Text from the input (a file name, a record's unreadable bytes quoted in a parse error, a claim) with
 * its control characters shown as `\u001b`: written raw, an escape sequence in a hostile dataset would
 * drive the user's terminal (set its title, move the cursor, hide what follows).
 */
function shown(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The lines one file (or record) contributes, in order: its findings, warnings, then its summary. */
export function renderTextFile(file: FileReport, options: TextOptions = {}): string[] {
  const paint = options.paint ?? plain;
  const uri = shown(file.uri);
  const verdictText = (v: string) => paint(VERDICT_STYLE[v] ?? 'bold', v);
  const lines: string[] = [];

  if (file.status !== 'judged') {
    if (options.quiet && file.status === 'skipped') return lines;
    lines.push(`${paint('bold', uri)}  ${verdictText(file.status)}  ${shown(file.reason ?? '')}`.trimEnd());
    return lines;
  }

  for (const step of file.steps) {
    if (!isFinding(step) && !options.verbose) continue;
    lines.push(stepLine(file, step, paint, verdictText));
  }
  if (options.quiet) return lines;

  for (const warning of file.warnings) {
    lines.push(`${paint('bold', uri)}  ${paint('yellow', 'warning')}  ${shown(warning)}`);
  }
  lines.push(`${paint('bold', uri)}  ${verdictText(file.verdict ?? 'unchecked')}  ${fileDetails(file)}`);
  if (file.rubric) {
    const note = file.rubric.note ? `  ${shown(file.rubric.note)}` : '';
    lines.push(`${paint('bold', uri)}  ${paint('cyan', 'rubric')}  ${rubricScoreText(file.rubric)}${note}`);
    for (const item of file.rubric.items) lines.push(`${paint('bold', uri)}  ${paint('cyan', 'rubric')}  ${shown(rubricItemLine(item))}`);
  }
  return lines;
}

function stepLine(file: FileReport, step: StepReport, paint: (style: TextStyle, text: string) => string, verdictText: (v: string) => string): string {
  const where = shown(file.record === undefined ? `${file.uri}:${lineCol(findingPosition(step))}` : file.uri);
  const label = `step ${step.index + 1}`;
  return `${paint('bold', where)}  ${label}  ${verdictText(step.verdict)}  ${shown(step.message)}`;
}

function lineCol(p: { line: number; character: number }): string {
  return `${p.line + 1}:${p.character + 1}`;
}

function fileDetails(file: FileReport): string {
  const n = file.steps.length;
  if (n === 0) return 'no steps found';
  const parts = [`${plural(n, 'step')}: ${countPhrase(stepCounts(file), STEP_VERDICT_ORDER)}`];
  if (file.firstErrorIndex !== null && file.firstErrorIndex >= 0) parts.push(`first wrong step ${file.firstErrorIndex + 1}`);
  if (file.finalAnswerPTrue !== null) parts.push(`final answer P(True) ${file.finalAnswerPTrue.toFixed(2)}`);
  return parts.join(' · ');
}

/** Steps of an entry that are findings (what the text summary counts). */
export function findingsIn(file: FileReport): number {
  return file.steps.filter(isFinding).length;
}

/** The run's closing lines: what was checked, what was found, what it cost. */
export function renderTextSummary(summary: ReportSummary, findings: number, options: TextOptions = {}, shards?: ReportShards): string[] {
  const paint = options.paint ?? plain;
  const s = summary;
  const judged = `${plural(s.judged, 'solution')} checked`;
  const verdicts = countPhrase(s.solutions, SOLUTION_VERDICT_ORDER);
  const totalSteps = Object.values(s.steps).reduce((a, b) => a + b, 0);
  const parts = [verdicts ? `${judged} (${verdicts})` : judged];
  if (s.skipped > 0) parts.push(paint('yellow', `${s.skipped} skipped`));
  if (s.failed > 0) parts.push(paint('red', `${s.failed} failed`));
  parts.push(`${plural(totalSteps, 'step')}, ${plural(findings, 'finding')}`);
  if (s.durationMs !== undefined) parts.push(formatDuration(s.durationMs));
  if (shards) parts.push(describeShards(shards));
  const lines = [parts.join(' · ')];
  if (s.usage.requests > 0 || s.usage.cachedSteps > 0) {
    const tokens = s.usage.promptTokens + s.usage.completionTokens;
    lines.push(
      `LLM critic: ${plural(s.usage.requests, 'request')}, ${tokens.toLocaleString('en-US')} tokens` +
        ` (${s.usage.promptTokens.toLocaleString('en-US')} prompt + ${s.usage.completionTokens.toLocaleString('en-US')} completion)` +
        (s.usage.cachedSteps > 0 ? `, ${plural(s.usage.cachedSteps, 'step')} from cache` : ''),
    );
  }
  return lines;
}

/** The text report written entry by entry: findings per entry, then the run's summary (not with --quiet). */
export function textRenderer(options: TextOptions = {}): StreamRenderer {
  let findings = 0;
  return {
    add(file, sections) {
      findings += findingsIn(file);
      const lines = renderTextFile(file, options);
      if (lines.length > 0) sections.write('body', `${lines.join('\n')}\n`);
    },
    finish(head) {
      return options.quiet ? [{ section: 'body' }] : [{ section: 'body' }, `${renderTextSummary(head.summary, findings, options, head.shards).join('\n')}\n`];
    },
  };
}

/** The whole report as text (for `--out FILE` and `stepcritic report`): no colour unless painted. */
export function renderText(report: Report, options: TextOptions = {}): string {
  return renderToString(textRenderer(options), report);
}
