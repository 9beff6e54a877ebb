// Refine Step at Cursor, Regenerate From First Error and Refine Whole Solution: the server proposes
// (each proposal already re-judged), the person sees the diff and decides. Nothing is auto-applied.
import * as vscode from 'vscode';
import type { RefineParamsSchema } from '../../protocol/messages';
import {
  RefineProposalSchema,
  RefineSolutionRequest,
  RefineStepRequest,
  RegenerateFromFirstErrorRequest,
  type RefineParams,
  type RefineProposal,
  type RequestDescriptor,
} from '../../protocol';
import { reviewProposal, type ReviewOutcome } from '../proposal-review';
import type { Services } from '../services';
import { targetDocument } from './active-document';

type RefineKind = 'step' | 'regenerate' | 'solution';

const requests: Record<RefineKind, RequestDescriptor<typeof RefineParamsSchema, RefineProposal>> = {
  step: RefineStepRequest,
  regenerate: RegenerateFromFirstErrorRequest,
  solution: RefineSolutionRequest,
};

function progressTitle(kind: RefineKind, stepIndex: number | undefined): string {
  switch (kind) {
    case 'step':
      return stepIndex === undefined ? 'Step Critic: refining the first wrong step…' : `Step Critic: refining step ${stepIndex + 1}…`;
    case 'regenerate':
      return 'Step Critic: regenerating from the first wrong step…';
    case 'solution':
      return 'Step Critic: refining the solution (each round re-checked)…';
  }
}

export interface RefineCommandResult {
  proposal: RefineProposal;
  outcome: ReviewOutcome;
}

export async function refine(services: Services, kind: RefineKind, arg?: unknown): Promise<RefineCommandResult | undefined> {
  const document = targetDocument(arg);
  if (!document) return undefined;
  const uri = document.uri.toString();
  let stepIndex: number | undefined;
  if (kind === 'step') {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const position = editor?.selection.active;
    stepIndex = position ? services.store.stepAt(uri, position)?.index : undefined;
  }
  const params: RefineParams = { uri, version: document.version, ...(stepIndex === undefined ? {} : { stepIndex }) };
  const proposal = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: progressTitle(kind, stepIndex), cancellable: true },
    (_progress, cancel) => services.connection.request(requests[kind], params, RefineProposalSchema, cancel),
  );
  const outcome = await reviewProposal(services, proposal);
  if (outcome.applied) vscode.window.setStatusBarMessage(`Step Critic: ${outcome.message}`, 6000);
  return { proposal, outcome };
}
