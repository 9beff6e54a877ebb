// Hover on a step and the code lens above the solution, from the current view.
import { MarkupKind, type CodeLens, type Hover } from 'vscode-languageserver/node';
import { ReviewCommands, ServerCommands } from '../protocol/messages';
import type { DocumentView } from './document-view';
import { stepAt } from './document-view';
import { stepMarkdown, summaryLine } from './explain';
import { rubricItemLine, rubricScoreText } from '../engine/rubric/format';

export function buildHover(view: DocumentView, line: number, character: number): Hover | null {
  const verdict = stepAt(view, line, character);
  if (!verdict) return null;
  const step = view.document.steps[verdict.stepIndex]!;
  return { contents: { kind: MarkupKind.Markdown, value: stepMarkdown(view, verdict, false) }, range: step.range };
}

/**
 * The line the summary stands above: the document's first line of content (its title or problem
 * heading), after the front matter — never between a heading and the text it introduces.
 */
function titleLine(text: string): number {
  const lines = text.split(/\r?\n/);
  let line = 0;
  if (/^---\s*$/.test(lines[0] ?? '')) {
    const end = lines.findIndex((l, i) => i > 0 && /^(?:---|\.\.\.)\s*$/.test(l));
    if (end > 0) line = end + 1;
  }
  while (line < lines.length - 1 && lines[line]!.trim() === '') line++;
  return line;
}

export function buildCodeLenses(view: DocumentView, options: { criticEnabled: boolean; reviewsProposals: boolean }): CodeLens[] {
  const line = titleLine(view.document.text);
  const range = { start: { line, character: 0 }, end: { line, character: 0 } };
  const lenses: CodeLens[] = [
    { range, command: { title: `Step Critic: ${summaryLine(view)}`, command: ServerCommands.explain, arguments: [{ uri: view.uri }] } },
    { range, command: { title: 'Critique', command: ServerCommands.critique, arguments: [{ uri: view.uri }] } },
  ];
  const rubric = view.judgement.rubric;
  if (rubric) {
    // The score, and each item with its evidence in the lens's hover (its tooltip).
    const tooltip = [...(rubric.note ? [rubric.note] : []), ...rubric.items.map(rubricItemLine)].join('\n');
    lenses.push({ range, command: { title: rubricScoreText(rubric), command: ServerCommands.explain, arguments: [{ uri: view.uri }], tooltip } });
  }
  const refinable = view.judgement.steps.some((s) => !s.accepted && (s.verdict === 'incorrect' || s.verdict === 'uncertain' || s.verdict === 'error'));
  if (options.criticEnabled && refinable) {
    const args = { uri: view.uri, version: view.version };
    const command = options.reviewsProposals ? ReviewCommands.refineSolution : ServerCommands.refineSolution;
    lenses.push({ range, command: { title: 'Refine…', command, arguments: [args] } });
  }
  return lenses;
}
