// Quick fixes on a step: Fix arithmetic (or any value a deterministic check knows: an identity's right
// side, a unit conversion, a percentage; no model), Refine step k and Regenerate from step k
// (computed lazily in codeAction/resolve, re-judged before they are offered), Mark as correct /
// Unmark, Explain; and `source.fixAll.stepcritic` for every arithmetic fix in the file.
// Every action that changes text goes through a server command that checks the document version:
// an action computed for one version never edits another.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import type { ClaimEvidence, StepVerdict, TextEdit } from '../engine/types';
import { isRefutedClaim } from '../engine/types';
import { claimNoun } from '../engine/verify/claim-words';
import { CodeActionKinds, DiagnosticDataSchema, ServerCommands, type CodeActionData, type StepCommandArgs, type VersionedEdit } from '../protocol/messages';
import type { DocumentView } from './document-view';
import { stepsIn } from './document-view';

function wants(only: readonly string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return kind.startsWith(CodeActionKind.QuickFix);
  return only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

function diagnosticsOf(context: readonly Diagnostic[], stepIndex: number): Diagnostic[] {
  return context.filter((d) => {
    const data = DiagnosticDataSchema.safeParse(d.data);
    return data.success && data.data.stepIndex === stepIndex;
  });
}

function nonOverlapping(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const kept: TextEdit[] = [];
  for (const edit of sorted) {
    const last = kept[kept.length - 1];
    const overlaps =
      last !== undefined &&
      (edit.range.start.line < last.range.end.line || (edit.range.start.line === last.range.end.line && edit.range.start.character < last.range.end.character));
    if (!overlaps) kept.push(edit);
  }
  return kept;
}

function applyCommand(title: string, edit: VersionedEdit) {
  return { title, command: ServerCommands.applyEdit, arguments: [edit] };
}

/** What a step's no-model fixes correct: `arithmetic`, `unit conversion`, … or `values` when they are of several kinds. */
export function fixedWhat(verdicts: readonly StepVerdict[]): string {
  const kinds = new Set(verdicts.flatMap((v) => v.evidence.filter((e) => isRefutedClaim(e) && e.fix !== undefined).map((e) => (e as ClaimEvidence).kind)));
  if (kinds.size !== 1) return 'values';
  const [kind] = [...kinds] as [ClaimEvidence['kind']];
  return kind === 'arithmetic' ? 'arithmetic' : claimNoun(kind);
}

const REFINABLE: ReadonlySet<StepVerdict['verdict']> = new Set(['incorrect', 'uncertain', 'error', 'downstream']);

export function buildCodeActions(view: DocumentView, params: CodeActionParams, criticEnabled: boolean): CodeAction[] {
  const actions: CodeAction[] = [];
  const only = params.context.only;
  const uri = view.uri;
  const version = view.version;

  if (wants(only, CodeActionKinds.fixAll) && only !== undefined) {
    const edits = nonOverlapping(view.judgement.steps.flatMap((s) => (s.accepted ? [] : s.fixes)));
    if (edits.length > 0) {
      const label = `Fix all ${fixedWhat(view.judgement.steps.filter((s) => !s.accepted))} (${edits.length} value${edits.length === 1 ? '' : 's'})`;
      actions.push({ title: label, kind: CodeActionKinds.fixAll, command: applyCommand(label, { uri, version, edits, label }) });
    }
  }

  for (const verdict of stepsIn(view, params.range)) {
    const n = verdict.stepIndex + 1;
    const diagnostics = diagnosticsOf(params.context.diagnostics, verdict.stepIndex);
    const stepArgs: StepCommandArgs = { uri, stepIndex: verdict.stepIndex, stepHash: verdict.stepHash };

    if (verdict.fixes.length > 0 && !verdict.accepted && wants(only, CodeActionKinds.fixArithmetic)) {
      const edits = nonOverlapping(verdict.fixes);
      const shown = edits.map((e) => e.newText).join(', ');
      const label = `Fix ${fixedWhat([verdict])} in step ${n}: ${shown}`;
      actions.push({
        title: label,
        kind: CodeActionKinds.fixArithmetic,
        diagnostics,
        isPreferred: true,
        command: applyCommand(label, { uri, version, edits, label }),
      });
    }

    if (criticEnabled && REFINABLE.has(verdict.verdict) && !verdict.accepted) {
      const lazy = (kind: CodeActionData['kind'], title: string, actionKind: string): CodeAction => {
        const data: CodeActionData = { kind, uri, version, stepIndex: verdict.stepIndex, stepHash: verdict.stepHash };
        return { title, kind: actionKind, diagnostics, data, command: { title, command: ServerCommands.applyRefinement, arguments: [data] } };
      };
      if (wants(only, CodeActionKinds.refine)) actions.push(lazy('refine', `Refine step ${n}`, CodeActionKinds.refine));
      if (wants(only, CodeActionKinds.regenerate)) actions.push(lazy('regenerate', `Regenerate from step ${n}`, CodeActionKinds.regenerate));
    }

    if (verdict.accepted && wants(only, CodeActionKinds.unaccept)) {
      actions.push({
        title: `Unmark step ${n} (stop treating it as correct)`,
        kind: CodeActionKinds.unaccept,
        diagnostics,
        command: { title: `Unmark step ${n}`, command: ServerCommands.unacceptStep, arguments: [stepArgs] },
      });
    } else if (!verdict.accepted && verdict.verdict !== 'correct' && wants(only, CodeActionKinds.accept)) {
      actions.push({
        title: `Mark step ${n} as correct`,
        kind: CodeActionKinds.accept,
        diagnostics,
        command: { title: `Mark step ${n} as correct`, command: ServerCommands.acceptStep, arguments: [stepArgs] },
      });
    }

    if (wants(only, CodeActionKinds.explain)) {
      actions.push({
        title: `Explain the critique of step ${n}`,
        kind: CodeActionKinds.explain,
        diagnostics,
        command: { title: `Explain step ${n}`, command: ServerCommands.explain, arguments: [{ uri, stepIndex: verdict.stepIndex }] },
      });
    }
  }
  return actions;
}
