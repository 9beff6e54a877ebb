// Quick fixes on a step: Fix arithmetic (or any value a deterministic check knows: an identity's right
// side, a unit conversion, a percentage; no model), Refine step k and Regenerate from step k (computed
// when chosen, re-judged, and shown for review before anything changes), Mark as correct / Unmark,
// Explain; and `source.fixAll.stepcritic` for every arithmetic fix in the file.
// Every action that changes text goes through a server command that checks the document version:
// an action computed for one version never edits another.
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic } from 'vscode-languageserver/node';
import type { ClaimEvidence, StepVerdict, TextEdit } from '../engine/types';
import { isRefutedClaim } from '../engine/types';
import { claimNoun } from '../engine/verify/claim-words';
import {
  CodeActionKinds,
  DiagnosticDataSchema,
  ReviewCommands,
  ServerCommands,
  type RefineParams,
  type RefinementArgs,
  type StepCommandArgs,
  type VersionedEdit,
} from '../protocol/messages';
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

/**
 * A refinement is never applied unseen: a client that reviews proposals gets its own command (a diff,
 * then Accept or Discard); any other client gets the server's, which asks before it applies.
 */
export function refinementCommand(title: string, args: RefinementArgs, reviewsProposals: boolean): Command {
  if (!reviewsProposals) return { title, command: ServerCommands.applyRefinement, arguments: [args] };
  const params: RefineParams = { uri: args.uri, version: args.version, stepIndex: args.stepIndex };
  return { title, command: args.kind === 'refine' ? ReviewCommands.refineStep : ReviewCommands.regenerateFromFirstError, arguments: [params] };
}

export function buildCodeActions(view: DocumentView, params: CodeActionParams, options: { criticEnabled: boolean; reviewsProposals: boolean }): CodeAction[] {
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

    if (options.criticEnabled && REFINABLE.has(verdict.verdict) && !verdict.accepted) {
      const refinement = (kind: RefinementArgs['kind'], title: string, actionKind: string): CodeAction => ({
        title,
        kind: actionKind,
        diagnostics,
        command: refinementCommand(title, { kind, uri, version, stepIndex: verdict.stepIndex, stepHash: verdict.stepHash }, options.reviewsProposals),
      });
      if (wants(only, CodeActionKinds.refine)) actions.push(refinement('refine', `Refine step ${n}…`, CodeActionKinds.refine));
      if (wants(only, CodeActionKinds.regenerate)) actions.push(refinement('regenerate', `Regenerate from step ${n}…`, CodeActionKinds.regenerate));
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
