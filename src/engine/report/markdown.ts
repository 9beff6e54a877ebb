// The Markdown report: a summary, one table row per file, then every solution with a finding step by
// step, then what was skipped or failed. Made to be pasted into a pull request or an issue.
import type { FileReport, Report } from './schema';
import {
  countPhrase,
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

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const s = report.summary;
  const out: string[] = ['# Step Critic report', ''];
  const totalSteps = Object.values(s.steps).reduce((a, b) => a + b, 0);
  out.push(
    `${plural(s.judged, 'solution')} checked` +
      (s.judged > 0 ? ` (${countPhrase(s.solutions, SOLUTION_VERDICT_ORDER) || 'none judged'})` : '') +
      `, ${plural(totalSteps, 'step')}` +
      (s.skipped > 0 ? `, ${s.skipped} skipped` : '') +
      (s.failed > 0 ? `, ${s.failed} failed` : '') +
      (s.durationMs !== undefined ? ` in ${formatDuration(s.durationMs)}` : '') +
      '.',
    '',
  );
  out.push(
    report.critic.enabled
      ? `LLM critic: ${escapeInline(report.critic.model ?? 'on')}` +
          (s.usage.requests > 0 ? ` — ${plural(s.usage.requests, 'request')}, ${s.usage.promptTokens + s.usage.completionTokens} tokens.` : '.')
      : `${escapeInline(criticOffLine(report.critic.note))} Only the deterministic verifiers ran.`,
    '',
  );

  const judged = report.files.filter((f) => f.status === 'judged');
  if (judged.length > 0) {
    out.push('| File | Verdict | Steps | First wrong step | Final answer |', '|---|---|---|---:|---|');
    for (const f of judged) {
      out.push(
        row([
          code(f.uri),
          verdictCell(f.verdict ?? 'unchecked'),
          countPhrase(stepCounts(f), STEP_VERDICT_ORDER) || 'no steps',
          f.firstErrorIndex !== null && f.firstErrorIndex >= 0 ? String(f.firstErrorIndex + 1) : '—',
          f.finalAnswer ? code(f.finalAnswer.text) : '—',
        ]),
      );
    }
    out.push('');
  }

  const detailed = judged.filter((f) => options.verbose || f.steps.some(isFinding) || f.verdict === 'incorrect');
  if (detailed.length > 0) {
    out.push('## Findings', '');
    for (const f of detailed) out.push(...fileSection(f), '');
  }

  const unjudged = report.files.filter((f) => f.status !== 'judged');
  if (unjudged.length > 0) {
    out.push('## Skipped and failed', '', '| File | Status | Reason |', '|---|---|---|');
    for (const f of unjudged) out.push(row([code(f.uri), f.status, escapeCell(f.reason ?? '')]));
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
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
