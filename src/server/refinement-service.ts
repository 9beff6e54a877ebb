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
import { carryCorrections } from '../engine/refine/carry';
import type { Position } from '../engine/types';
import { plural } from '../protocol/wording';
import type { TextDocument } from 'vscode-languageserver-textdocument';

/** The refinements a model proposes (a carried value is proposed after a fix, see `proposeCarry`). */
export type ProposalKind = Exclude<RefineProposal['kind'], 'carry-value'>;

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

  /**
   * After a fix put `to` where `from` was (at `position`, in the text `document` has now): when later
   * steps or the final answer still use `from`, the edit that carries `to` on — re-checked by the
   * verifiers, no model — as a proposal for the user to review. Undefined when there is nothing to carry.
   */
  async proposeCarry(
    document: Pick<TextDocument, 'uri' | 'version' | 'languageId' | 'getText'>,
    corrections: readonly { from: string; to: string; position: Position }[],
  ): Promise<RefineProposal | undefined> {
    const { uri, version, languageId } = document;
    const parse = async (text: string) => (await this.critique.checks.check({ uri, text, languageId, maxSteps: this.setup.settings.maxSteps })).document;
    const parsed = await parse(document.getText());
    if (parsed.kind !== 'math') return undefined;
    const located = corrections.flatMap((c) => {
      const step = parsed.steps.find((st) => !isBefore(c.position, st.range.start) && !isBefore(st.range.end, c.position));
      return step ? [{ stepIndex: step.index, from: c.from, to: c.to }] : [];
    });
    const carried = await carryCorrections(parsed, located, parse);
    if (!carried) return undefined;
    const first = carried.corrections[0]!;
    const places = placesText(carried.steps, carried.answer);
    const title = `Carry ${first.to} into ${places}`;
    const knockOn = carried.corrections.slice(located.length).map((c) => `${c.from} → ${c.to} in step ${c.stepIndex + 1}`);
    const message = [
      `Step ${first.stepIndex + 1} now says ${first.to} (it said ${first.from}), but ${places} still used ${first.from}.`,
      ...(knockOn.length > 0 ? [`The new value changes what follows from it: ${knockOn.join(', ')}.`] : []),
      ...(carried.answerAfter === 'matches' ? ['The final answer then matches the expected one.'] : []),
      ...(carried.answerAfter === 'differs' ? ['The final answer would still differ from the expected one.'] : []),
      ...(carried.refutedAfter > 0 ? [`${plural(carried.refutedAfter, 'computation')} would still be wrong.`] : []),
    ].join(' ');
    return {
      uri,
      version,
      kind: 'carry-value',
      fromStep: carried.steps[0] ?? first.stepIndex,
      status: 'proposed',
      title,
      message,
      pTrueBefore: null,
      pTrueAfter: null,
      attempts: [],
      apply: { uri, version, edits: [carried.edit], label: title },
      usage: emptyUsage(),
    };
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

function isBefore(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** `step 4`, `steps 4 and 5`, `steps 4, 5 and 7`, with `the final answer` at the end. */
function placesText(steps: readonly number[], answer: boolean): string {
  const numbers = steps.map((i) => `${i + 1}`);
  const listed = numbers.length <= 1 ? numbers.join('') : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
  const places = numbers.length === 0 ? [] : [`step${numbers.length === 1 ? '' : 's'} ${listed}`];
  if (answer) places.push('the final answer');
  return places.join(' and ');
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
