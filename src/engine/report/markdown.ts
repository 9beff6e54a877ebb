// The Markdown report: a summary, one table row per file, then every solution with a finding step by
// step, then what was skipped or failed. Made to be pasted into a pull request or an issue.
import type { ReportHead } from './build';
import type { FileReport, Report } from './schema';
import type { ReportPart, StreamRenderer } from './stream';
import { renderToString } from './stream';
import {
  countPhrase,
  describeShards,
  findingPosition,
  formatDuration,
  formatProbability,
  isFinding,
  plural,
  SOLUTION_VERDICT_ORDER,
  STEP_VERDICT_ORDER,
  stepCounts,
} from './findings';

export interface MarkdownOptions {
  /** Also give the step table of solutions without a finding. */
  verbose?: boolean;
}

/** Markdown written entry by entry: the file table, the findings and the unjudged entries are sections. */
export function markdownRenderer(options: MarkdownOptions = {}): StreamRenderer {
  let tableRows = 0;
  let detailed = 0;
  let unjudged = 0;
  return {
    add(f, sections) {
      if (f.status !== 'judged') {
        sections.write('unjudged', `${row([code(f.uri), f.status, escapeCell(f.reason ?? '')])}\n`);
        unjudged++;
        return;
      }
      sections.write(
        'table',
        `${row([
          code(f.uri),
          verdictCell(f.verdict ?? 'unchecked'),
          countPhrase(stepCounts(f), STEP_VERDICT_ORDER) || 'no steps',
          f.firstErrorIndex !== null && f.firstErrorIndex >= 0 ? String(f.firstErrorIndex + 1) : '—',
          f.finalAnswer ? code(f.finalAnswer.text) : '—',
        ])}\n`,
      );
      tableRows++;
      if (options.verbose || f.steps.some(isFinding) || f.verdict === 'incorrect') {
        sections.write('findings', `${detailed > 0 ? '\n' : ''}${fileSection(f).join('\n')}\n`);
        detailed++;
      }
    },
    finish(head) {
      const parts: ReportPart[] = [`${headLines(head).join('\n')}\n`];
      if (tableRows > 0) parts.push('| File | Verdict | Steps | First wrong step | Final answer |\n|---|---|---|---:|---|\n', { section: 'table' }, '\n');
      if (detailed > 0) parts.push('## Findings\n\n', { section: 'findings' }, '\n');
      if (unjudged > 0) parts.push('## Skipped and failed\n\n| File | Status | Reason |\n|---|---|---|\n', { section: 'unjudged' }, '\n');
      return trimEnd(parts);
    },
  };
}

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  return renderToString(markdownRenderer(options), report);
}

function headLines(head: ReportHead): string[] {
  const s = head.summary;
  const totalSteps = Object.values(s.steps).reduce((a, b) => a + b, 0);
  return [
    '# Step Critic report',
    '',
    `${plural(s.judged, 'solution')} checked` +
      (s.judged > 0 ? ` (${countPhrase(s.solutions, SOLUTION_VERDICT_ORDER) || 'none judged'})` : '') +
      `, ${plural(totalSteps, 'step')}` +
      (s.skipped > 0 ? `, ${s.skipped} skipped` : '') +
      (s.failed > 0 ? `, ${s.failed} failed` : '') +
      (s.durationMs !== undefined ? ` in ${formatDuration(s.durationMs)}` : '') +
      (head.shards ? `; ${describeShards(head.shards)} of the run` : '') +
      '.',
    '',
    head.critic.enabled
      ? `LLM critic: ${escapeInline(head.critic.model ?? 'on')}` +
        (s.usage.requests > 0 ? ` — ${plural(s.usage.requests, 'request')}, ${s.usage.promptTokens + s.usage.completionTokens} tokens.` : '.')
      : `${escapeInline(criticOffLine(head.critic.note))} Only the deterministic verifiers ran.`,
    '',
  ];
}

/** The document ends with exactly one newline: blank lines after the last section are dropped. */
function trimEnd(parts: ReportPart[]): ReportPart[] {
  while (parts.length > 0 && typeof parts[parts.length - 1] === 'string') {
    const last = (parts[parts.length - 1] as string).trimEnd();
    if (last !== '') {
      parts[parts.length - 1] = `${last}\n`;
      return parts;
    }
    parts.pop();
  }
  return parts;
}

/** The critic's own note usually says "LLM critic off: why" already; say it once, as one sentence. */
function criticOffLine(note: string | undefined): string {
  const text = (note ?? '').trim().replace(/[.;:,\s]+$/, '');
  if (text === '') return 'LLM critic off.';
  return /critic off/i.test(text) ? `${text}.` : `LLM critic off: ${text}.`;
}

function fileSection(f: FileReport): string[] {
  const out = [`### ${code(f.uri)} — ${f.verdict ?? 'unchecked'}`, ''];
  if (f.firstErrorIndex !== null && f.firstErrorIndex >= 0) {
    out.push(`First wrong step: **${f.firstErrorIndex + 1}** of ${f.steps.length}.`, '');
  }
  for (const w of f.warnings) out.push(`> ${escapeInline(w)}`, '');
  out.push('| Step | Line | Verdict | P(True) | Source | Message |', '|---:|---:|---|---:|---|---|');
  for (const step of f.steps) {
    out.push(
      row([
        String(step.index + 1),
        f.record === undefined ? String(findingPosition(step).line + 1) : '—',
        verdictCell(step.verdict),
        formatProbability(step.pTrue),
        step.source,
        escapeCell(step.message),
      ]),
    );
  }
  return out;
}

function verdictCell(v: string): string {
  return v === 'incorrect' ? '**incorrect**' : v;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Inline code that survives backticks inside and pipes in a table. */
function code(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  const fence = oneLine.includes('`') ? '``' : '`';
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine.replace(/\|/g, '\\|')}${pad}${fence}`;
}

function escapeCell(text: string): string {
  return escapeInline(text).replace(/\|/g, '\\|');
}

function escapeInline(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
