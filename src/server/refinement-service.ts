// Refinement proposals for the current version of a document: computed once per (version, kind,
// step) and shared by the code action's resolve, its command and the custom requests, so that a
// proposal the user saw is exactly the one applied — and never applied to another version.
import { formatPTrue } from '../engine/combine';
import { judgeSolution } from '../engine/judge';
import { refineSolution, refineStep, regenerateFrom, type RefineOutcome } from '../engine/refine';
import { emptyUsage } from '../engine/types';
import type { RefineProposal } from '../protocol/messages';
import type { AcceptedStore } from './accepted-store';
import type { CritiqueService, Judged } from './critique-service';
import type { CheckedText } from '../engine/deadline/check-pool';
import type { CritiqueSetup } from './critique-setup';
import type { DocumentSource } from './critique-service';
import { errorMessage } from '../engine/error-message';

export type ProposalKind = RefineProposal['kind'];

const MAX_CACHED = 32;

export class RefinementService {
  private readonly proposals = new Map<string, Promise<RefineProposal>>();
  /** The re-judged text of each proposal, so that applying it costs no second critique. */
  private readonly judgedAfter = new WeakMap<RefineProposal, Judged>();

  constructor(
    private readonly documents: DocumentSource,
    private readonly critique: CritiqueService,
    private readonly setup: CritiqueSetup,
    private readonly accepted: AcceptedStore,
  ) {}

  /** The text changed: proposals for older versions are worthless. */
  forget(uri: string): void {
    for (const key of [...this.proposals.keys()]) if (key.startsWith(`${uri}|`)) this.proposals.delete(key);
  }

  /** What the proposed text was judged to be (document and judgement), for the critique to adopt once applied. */
  judgementAfter(proposal: RefineProposal): Omit<Judged, 'version'> | undefined {
    return this.judgedAfter.get(proposal);
  }

  propose(uri: string, kind: ProposalKind, options: { version?: number; stepIndex?: number; signal?: AbortSignal } = {}): Promise<RefineProposal> {
    const document = this.documents.get(uri);
    const version = options.version ?? document?.version ?? -1;
    const key = keyOf(uri, version, kind, options.stepIndex);
    let proposal = this.proposals.get(key);
    if (!proposal) {
      proposal = this.compute(uri, version, kind, options.stepIndex, options.signal).catch((error: unknown) =>
        base(uri, version, kind, options.stepIndex ?? 0, 'rejected', `Refinement failed: ${errorMessage(error)}`),
      );
      // A failed or cancelled computation is not kept: the next request tries again.
      void proposal.then((p) => {
        if (p.status === 'rejected' && p.attempts.length === 0) this.proposals.delete(key);
      });
      this.proposals.set(key, proposal);
      while (this.proposals.size > MAX_CACHED) this.proposals.delete(this.proposals.keys().next().value!);
    }
    return proposal;
  }

  private async compute(uri: string, version: number, kind: ProposalKind, stepIndex: number | undefined, signal?: AbortSignal): Promise<RefineProposal> {
    const document = this.documents.get(uri);
    if (!document || !this.documents.isCritiqued(document))
      return base(uri, version, kind, stepIndex ?? 0, 'unavailable', 'This document is not being critiqued.');
    if (document.version !== version)
      return base(uri, version, kind, stepIndex ?? 0, 'stale', `The document changed since (version ${version}, now ${document.version}); ask again.`);
    const model = this.setup.refineModel();
    if (!model) return base(uri, version, kind, stepIndex ?? 0, 'unavailable', this.setup.refineUnavailableReason());

    // A proposal is made against a complete critique of exactly this version.
    let judged = this.critique.judged(uri);
    if (!judged || judged.version !== version) {
      await this.critique.critiqueNow(uri);
      judged = this.critique.judged(uri);
    }
    if (!judged || judged.version !== version)
      return base(uri, version, kind, stepIndex ?? 0, 'stale', 'The document changed while it was being critiqued; ask again.');

    const { languageId } = document;
    const maxSteps = this.setup.settings.maxSteps;
    // A proposal is read and verified in the check worker too: a model's text is no safer than a user's.
    const checked = new WeakMap<typeof judged.document, CheckedText>();
    const deps = {
      model,
      parse: async (text: string) => {
        const result = await this.critique.checks.check({ uri, text, languageId, maxSteps });
        checked.set(result.document, result);
        return result.document;
      },
      judge: (doc: typeof judged.document, o: { fromStep: number; signal?: AbortSignal }) =>
        judgeSolution(
          doc,
          this.setup.dependencies((p, s) => this.accepted.has(uri, p, s)),
          {
            thresholds: this.setup.thresholds,
            fromStep: o.fromStep,
            signal: o.signal,
            checked: checked.get(doc),
          },
        ),
    };
    const request = { document: judged.document, judgement: judged.judgement, stepIndex, thresholds: this.setup.thresholds, signal };
    const outcome =
      kind === 'refine-step'
        ? await refineStep(request, deps)
        : kind === 'regenerate'
          ? await regenerateFrom(request, deps)
          : await refineSolution(request, deps);
    const proposal = toProposal(uri, version, outcome);
    if (outcome.after) this.judgedAfter.set(proposal, { version: -1, ...outcome.after });
    return proposal;
  }
}

function keyOf(uri: string, version: number, kind: ProposalKind, stepIndex: number | undefined): string {
  return `${uri}|${version}|${kind}|${stepIndex ?? 'auto'}`;
}

function base(uri: string, version: number, kind: ProposalKind, fromStep: number, status: RefineProposal['status'], message: string): RefineProposal {
  return {
    uri,
    version,
    kind,
    fromStep,
    status,
    title: titleFor(kind, fromStep, null, null, status),
    message,
    pTrueBefore: null,
    pTrueAfter: null,
    attempts: [],
    usage: emptyUsage(),
  };
}

export function titleFor(
  kind: ProposalKind,
  fromStep: number,
  before: number | null,
  after: number | null,
  status: RefineProposal['status'],
  attempts = 0,
): string {
  const what = kind === 'refine-step' ? `Refine step ${fromStep + 1}` : kind === 'regenerate' ? `Regenerate from step ${fromStep + 1}` : 'Refine solution';
  if (status === 'proposed') return `${what} (P(True) ${formatPTrue(before)} → ${formatPTrue(after)})`;
  if (status === 'rejected') return `${what}: no fix held up after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  return what;
}

function toProposal(uri: string, version: number, outcome: RefineOutcome): RefineProposal {
  const kind = outcome.kind;
  const label = titleFor(kind, outcome.fromStep, outcome.pTrueBefore, outcome.pTrueAfter, outcome.status, outcome.attempts.length);
  return {
    uri,
    version,
    kind,
    fromStep: outcome.fromStep,
    status: outcome.status,
    title: label,
    message: outcome.message,
    pTrueBefore: outcome.pTrueBefore,
    pTrueAfter: outcome.pTrueAfter,
    attempts: outcome.attempts.map((a) => ({ text: a.text, verdict: a.verdict, pTrue: a.pTrue, reason: a.reason })),
    apply: outcome.status === 'proposed' && outcome.edit ? { uri, version, edits: [outcome.edit], label } : undefined,
    usage: outcome.usage,
  };
}
