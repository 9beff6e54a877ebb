// Hover on a step and the code lens above the solution, from the current view.
import { MarkupKind, type CodeLens, type Hover } from 'vscode-languageserver/node';
import { ServerCommands } from '../protocol/messages';
import type { DocumentView } from './document-view';
import { stepAt } from './document-view';
import { stepMarkdown, summaryLine } from './explain';

export function buildHover(view: DocumentView, line: number, character: number): Hover | null {
  const verdict = stepAt(view, line, character);
  if (!verdict) return null;
  const step = view.document.steps[verdict.stepIndex]!;
  return { contents: { kind: MarkupKind.Markdown, value: stepMarkdown(view, verdict, false) }, range: step.range };
}

export function buildCodeLenses(view: DocumentView, criticEnabled: boolean): CodeLens[] {
  const first = view.document.problemRange?.start ?? view.document.steps[0]?.range.start ?? { line: 0, character: 0 };
  const range = { start: { line: first.line, character: 0 }, end: { line: first.line, character: 0 } };
  const lenses: CodeLens[] = [
    { range, command: { title: `Step Critic: ${summaryLine(view)}`, command: ServerCommands.explain, arguments: [{ uri: view.uri }] } },
    { range, command: { title: 'Critique', command: ServerCommands.critique, arguments: [{ uri: view.uri }] } },
  ];
  const refinable = view.judgement.steps.some((s) => !s.accepted && (s.verdict === 'incorrect' || s.verdict === 'uncertain' || s.verdict === 'error'));
  if (criticEnabled && refinable) {
    lenses.push({ range, command: { title: 'Refine', command: ServerCommands.refineSolution, arguments: [{ uri: view.uri, version: view.version }] } });
  }
  return lenses;
}
