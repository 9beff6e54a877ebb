// Refine Step at Cursor, Regenerate From First Error and Refine Whole Solution: the server proposes
// (each proposal already re-judged), the person sees the diff and decides. Nothing is auto-applied.
// The light bulb's "Refine step 3…" and the code lens' "Refine…" run these same commands, with the
// step and the version they were offered for.
import * as vscode from 'vscode';
import {
  RefineParamsSchema,
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
      return stepIndex === undefined ? 'Step Critic: regenerating from the first wrong step…' : `Step Critic: regenerating from step ${stepIndex + 1}…`;
    case 'solution':
      return 'Step Critic: refining the solution (each round re-checked)…';
  }
}

export interface RefineCommandResult {
  proposal: RefineProposal;
  outcome: ReviewOutcome;
}

export async function refine(services: Services, kind: RefineKind, arg?: unknown): Promise<RefineCommandResult | undefined> {
  // From a code action or lens: `{ uri, version, stepIndex }`; from the palette or a menu: the document (or nothing).
  const given = RefineParamsSchema.safeParse(arg);
  const document = targetDocument(given.success ? given.data.uri : arg);
  if (!document) return undefined;
  const uri = document.uri.toString();
  let stepIndex = given.success ? given.data.stepIndex : undefined;
  if (kind === 'step' && stepIndex === undefined) {
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const position = editor?.selection.active;
    stepIndex = position ? services.store.stepAt(uri, position)?.index : undefined;
  }
  const version = given.success ? (given.data.version ?? document.version) : document.version;
  const params: RefineParams = { uri, version, ...(stepIndex === undefined ? {} : { stepIndex }) };
  const proposal = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: progressTitle(kind, stepIndex), cancellable: true },
    (_progress, cancel) => services.connection.request(requests[kind], params, RefineProposalSchema, cancel),
  );
  services.output.info(`${document.uri.path.split('/').pop() ?? uri}: ${proposal.title} — ${proposal.status}`);
  const outcome = await reviewProposal(services, proposal);
  if (outcome.applied) vscode.window.setStatusBarMessage(`Step Critic: ${outcome.message}`, 6000);
  return { proposal, outcome };
}
