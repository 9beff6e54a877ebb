// The heart of the server: for every critiqued document, the instant preview (verifiers + the
// critic's verdicts of unchanged steps) on each change, the scheduled critique (the LLM critic, code
// tests) on the trigger, and publication — diagnostics and step states — only ever for the version
// that is current at the moment of sending.
import { errorMessage } from '../engine/error-message';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { CriticStepResult } from '../engine/checks';
import { couldNotJudge } from '../engine/checks';
import { CheckPool, defaultCheckWorkers, type CheckedText } from '../engine/deadline/check-pool';
import { checkText } from '../engine/pipeline/document';
import { itemFromText } from '../engine/pipeline/items';
import { judgeSolution } from '../engine/judge';
import type { SolutionDocument, SolutionJudgement } from '../engine/types';
import { ClearStepStatesNotification, StepStatesNotification, type FileCritique } from '../protocol/messages';
import { uriToPath, type AcceptedStore } from './accepted-store';
import type { CritiqueSetup } from './critique-setup';
import { buildDiagnostics } from './diagnostics';
import type { DocumentView } from './document-view';
import { firstChangedStep, previewJudgement, stepsAwaitingCritic } from './recombine';
import { CritiqueScheduler, type RunOutcome, type ScheduledRun } from './scheduler';
import { buildStepStates, summarize } from './step-states';

/** A run due within this time publishes the preview itself (no separate preview first). */
const IMMEDIATE_RUN_MS = 20;

/** A run shows its steps as "judging" once it has taken this long. */
const JUDGING_SHOWN_AFTER_MS = 25;

/** Live step states during a run are sent at most this often. */
const LIVE_STATES_INTERVAL_MS = 50;

export interface Judged {
  version: number;
  document: SolutionDocument;
  judgement: SolutionJudgement;
}

/**
 * One version of one opening of a document. Versions restart at 1 when a document is closed and
 * opened again, so "is this still current?" compares the opening too, never the version alone.
 */
export interface Revision {
  uri: string;
  opening: number;
  version: number;
}

/** A revision read and verified (in the check worker, under its deadline). */
interface Parsed extends CheckedText {
  revision: Revision;
}

/** A read of a revision in flight: the preview and the run of the same revision share it. */
interface Parsing {
  revision: Revision;
  result: Promise<Parsed>;
  controller: AbortController;
}

interface DocumentState {
  /** A judged text that an applied edit is about to produce (a refinement): adopted, not judged again. */
  expected?: { text: string; document: SolutionDocument; judgement: SolutionJudgement };
  /** The last complete critique (its critic verdicts carry over to later versions). */
  judged?: Judged;
  /** What is shown now, and for which revision. */
  view?: DocumentView;
  shown?: Revision;
  parsed?: Parsed;
  parsing?: Parsing;
  previewQueued: boolean;
  liveTimer?: NodeJS.Timeout;
  limitNoticeShown: boolean;
  slowNoticeShown?: boolean;
}

export interface DocumentSource {
  get(uri: string): TextDocument | undefined;
  isCritiqued(document: TextDocument): boolean;
}

/** How many change-to-publish timings are kept for serverStats. */
const TIMINGS_KEPT = 500;

export class CritiqueService {
  private readonly states = new Map<string, DocumentState>();
  /** When each version's change arrived (performance.now()), until its final critique is published. */
  private readonly changedAt = new Map<string, number>();
  /** The server's own change → final publication times, in ms. */
  readonly timings: number[] = [];
  readonly scheduler: CritiqueScheduler;
  /** Reads and verifies texts off this thread, each under a deadline. */
  readonly checks: CheckPool;
  private readonly openings = new WeakMap<TextDocument, number>();
  private nextOpening = 1;
  /** Called after each publication (code lens refresh). */
  onPublished: (uri: string) => void = () => {};

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentSource,
    private readonly setup: CritiqueSetup,
    private readonly accepted: AcceptedStore,
    checkDeadlineMs?: number,
  ) {
    // A hostile document may hold a worker until its deadline: a second one keeps the others' checks going.
    this.checks = new CheckPool({ maxWorkers: Math.max(2, defaultCheckWorkers()), ...(checkDeadlineMs !== undefined ? { deadlineMs: checkDeadlineMs } : {}) });
    this.checks.warm();
    this.scheduler = new CritiqueScheduler(
      (run) => this.run(run),
      (key, error) => this.connection.console.error(`critique of ${key} failed: ${errorMessage(error)}`),
    );
  }

  view(uri: string): DocumentView | undefined {
    const state = this.states.get(uri);
    const document = this.documents.get(uri);
    const view = state?.view;
    return view && document && state.shown && this.isCurrent(state.shown) && view.version === document.version ? view : undefined;
  }

  judged(uri: string): Judged | undefined {
    return this.states.get(uri)?.judged;
  }

  private stateFor(uri: string): DocumentState {
    let state = this.states.get(uri);
    if (!state) {
      state = { previewQueued: false, limitNoticeShown: false };
      this.states.set(uri, state);
    }
    return state;
  }

  /** The revision a document is at: a document opened again is a new opening (a new TextDocument). */
  private revisionOf(document: TextDocument): Revision {
    let opening = this.openings.get(document);
    if (opening === undefined) {
      opening = this.nextOpening++;
      this.openings.set(document, opening);
    }
    return { uri: document.uri, opening, version: document.version };
  }

  private isCurrent(revision: Revision): boolean {
    const document = this.documents.get(revision.uri);
    if (!document || !this.documents.isCritiqued(document)) return false;
    const now = this.revisionOf(document);
    return now.opening === revision.opening && now.version === revision.version;
  }

  // ---- triggers ---------------------------------------------------------------------------------

  /** A document was opened or changed: preview now; critique per the trigger. */
  changed(document: TextDocument, reason: 'open' | 'change'): void {
    const { trigger, debounceMs } = this.setup.settings;
    for (const key of this.changedAt.keys()) if (key.startsWith(`${document.uri}@`)) this.changedAt.delete(key);
    this.changedAt.set(`${document.uri}@${document.version}`, performance.now());
    const delay = trigger === 'onIdle' ? (reason === 'open' ? 0 : debounceMs) : reason === 'open' && trigger === 'onSave' ? 0 : undefined;
    if (delay === undefined) this.scheduler.supersede(document.uri, document.version);
    else void this.scheduler.schedule(document.uri, document.version, delay);
    // A run that starts at once shows the same carried-over view when it starts; otherwise show it now.
    if (delay === undefined || delay > IMMEDIATE_RUN_MS || this.scheduler.isRunning(document.uri)) this.queuePreview(document.uri);
  }

  /** A file read with the solution (its reference, a sibling test) changed on disk: nothing judged before still holds. */
  companionChanged(uri: string): void {
    const state = this.states.get(uri);
    const document = this.documents.get(uri);
    if (!state || !document) return;
    this.scheduler.cancel(uri);
    state.parsing?.controller.abort();
    state.parsing = undefined;
    state.parsed = undefined;
    state.judged = undefined;
    this.changed(document, 'open');
  }

  saved(document: TextDocument): void {
    if (this.setup.settings.trigger === 'onSave') void this.scheduler.schedule(document.uri, document.version, 0);
  }

  closed(uri: string): void {
    this.scheduler.cancel(uri);
    for (const key of this.changedAt.keys()) if (key.startsWith(`${uri}@`)) this.changedAt.delete(key);
    const state = this.states.get(uri);
    if (state?.liveTimer) clearTimeout(state.liveTimer);
    state?.parsing?.controller.abort();
    this.states.delete(uri);
    this.clearPublished(uri);
  }

  /** Stops critiquing a document that is still open (disabled, no longer matched by the glob). */
  stop(uri: string): void {
    this.closed(uri);
  }

  clearPublished(uri: string): void {
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    void this.connection.sendNotification(ClearStepStatesNotification.method, { uri });
  }

  /** Critiques the current version now, whatever the trigger; resolves when it is published. */
  async critiqueNow(uri: string): Promise<RunOutcome> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const document = this.documents.get(uri);
      if (!document || !this.documents.isCritiqued(document)) return 'cancelled';
      const outcome = await this.scheduler.schedule(uri, document.version, 0);
      if (outcome !== 'superseded') return outcome;
    }
    return 'superseded';
  }

  /** The next version whose text is exactly `text` takes this judgement as its own (it was judged already). */
  expect(uri: string, text: string, judged: { document: SolutionDocument; judgement: SolutionJudgement }): void {
    this.stateFor(uri).expected = { text, ...judged };
  }

  /** Forget carried-over verdicts (the critic changed, the cache was cleared) and show the rest. */
  forgetVerdicts(): void {
    for (const [uri, state] of this.states) {
      state.judged = undefined;
      state.parsed = undefined;
      this.queuePreview(uri);
    }
  }

  /** Re-present every document from what is known (thresholds or accepted steps changed). */
  represent(uri?: string): void {
    for (const key of uri ? [uri] : [...this.states.keys()]) this.queuePreview(key);
  }

  openUris(): string[] {
    return [...this.states.keys()];
  }

  // ---- parsing ----------------------------------------------------------------------------------

  /**
   * The revision read and verified, from the cache or the check worker. A read of an older revision
   * still in flight is cancelled (its worker stopped): nobody will look at that text again.
   */
  private parse(document: TextDocument): Promise<Parsed> {
    const revision = this.revisionOf(document);
    const state = this.stateFor(document.uri);
    const same = (r: Revision | undefined) => r !== undefined && r.opening === revision.opening && r.version === revision.version;
    if (same(state.parsed?.revision)) return Promise.resolve(state.parsed!);
    if (state.parsing && same(state.parsing.revision)) return state.parsing.result;
    state.parsing?.controller.abort();
    const controller = new AbortController();
    // Through the pipeline's reader: the same document as `check` makes of the file (a code file's sibling tests too).
    const { uri, languageId } = document;
    const read = itemFromText({ id: uri, path: uriToPath(uri) ?? '', text: document.getText(), languageId });
    const options = { maxSteps: this.setup.settings.maxSteps, signal: controller.signal };
    const result = read
      .then((item) => checkText(item, this.checks, options))
      .then((checked): Parsed => {
        const parsed: Parsed = { ...checked, revision };
        if (state.parsing?.controller === controller) state.parsing = undefined;
        if (this.isCurrent(revision)) {
          state.parsed = parsed;
          this.noticeLimits(document.uri, state, parsed);
        }
        return parsed;
      });
    // A cancelled read rejects; its callers check the revision and stop.
    result.catch(() => undefined);
    state.parsing = { revision, result, controller };
    return result;
  }

  private noticeLimits(uri: string, state: DocumentState, parsed: Parsed): void {
    const name = uri.split('/').pop();
    if (parsed.notCheckable && !state.slowNoticeShown) {
      state.slowNoticeShown = true;
      void this.connection.window.showWarningMessage(`Step Critic: ${name} is ${parsed.notCheckable}; the rest of the workspace is checked as usual.`);
    }
    if (parsed.stepsOverLimit > 0 && !state.limitNoticeShown) {
      state.limitNoticeShown = true;
      void this.connection.window.showWarningMessage(
        `Step Critic: ${name} has ${parsed.document.steps.length + parsed.stepsOverLimit} steps; only the first ${parsed.document.steps.length} are critiqued (stepcritic.maxSteps).`,
      );
    }
  }

  // ---- preview ----------------------------------------------------------------------------------

  private queuePreview(uri: string): void {
    const state = this.stateFor(uri);
    if (state.previewQueued) return;
    state.previewQueued = true;
    setImmediate(() => {
      state.previewQueued = false;
      this.preview(uri).catch((error: unknown) => this.connection.console.error(`preview of ${uri} failed: ${errorMessage(error)}`));
    });
  }

  private async preview(uri: string): Promise<void> {
    const document = this.documents.get(uri);
    if (!document || !this.documents.isCritiqued(document)) return;
    const revision = this.revisionOf(document);
    await this.accepted.refresh(uri);
    const parsed = await this.parse(document).catch(() => undefined);
    if (!parsed || !this.isCurrent(revision)) return;
    const { version } = revision;
    const state = this.stateFor(uri);
    const expected = state.expected;
    if (expected && expected.text === parsed.document.text && !this.scheduler.isRunning(uri)) {
      state.expected = undefined;
      state.judged = { version, document: parsed.document, judgement: expected.judgement };
    } else if (expected && expected.text !== parsed.document.text && !this.scheduler.isQueued(uri)) {
      state.expected = undefined;
    }
    // A run for this version already published something newer than a preview could.
    if (state.view && state.view.version === version && state.view.done && state.judged?.version === version && !this.scheduler.isQueued(uri)) {
      this.publish(this.viewFrom(parsed, state.judged, state.judged.document.steps.length, [], false, true), revision);
      return;
    }
    const running = this.scheduler.isRunning(uri) && state.view?.version === version && state.view.judging;
    this.publish(this.viewFrom(parsed, state.judged, this.carryFrom(state.judged, parsed.document), [], running, false), revision);
  }

  /** From which step the critic must judge: the first changed one, or the first it could not judge. */
  private carryFrom(judged: Judged | undefined, document: SolutionDocument): number {
    if (!judged) return 0;
    let from = firstChangedStep(judged.document, document);
    const failed = judged.judgement.steps.find((s) => s.evidence.some((e) => e.kind === 'judge-error'));
    if (failed) from = Math.min(from, failed.stepIndex);
    return from;
  }

  private viewFrom(
    parsed: Parsed,
    judged: Judged | undefined,
    carryUpTo: number,
    live: readonly CriticStepResult[],
    judging: boolean,
    done: boolean,
  ): DocumentView {
    const critic = this.setup.criticStatus();
    const { uri, version } = parsed.revision;
    const judgement = previewJudgement({
      document: parsed.document,
      checked: parsed,
      previous: judged,
      carryUpTo,
      live,
      isAccepted: (p, s) => this.accepted.has(uri, p, s),
      thresholds: this.setup.thresholds,
      ...(this.setup.calibration ? { calibration: this.setup.calibration } : {}),
      critic,
    });
    const pending = done || !critic.enabled ? new Set<number>() : stepsAwaitingCritic(judgement, carryUpTo);
    for (const result of live) pending.delete(result.index);
    return {
      uri,
      version,
      document: parsed.document,
      judgement,
      pending,
      judging,
      stepsOverLimit: parsed.stepsOverLimit,
      done: done || pending.size === 0,
    };
  }

  // ---- the critique run -------------------------------------------------------------------------

  private async run(run: ScheduledRun): Promise<void> {
    const document = this.documents.get(run.key);
    if (!document || document.version !== run.version || !this.documents.isCritiqued(document)) return;
    const revision = this.revisionOf(document);
    try {
      await this.runChecks(revision, document, run.signal);
    } catch (error) {
      if (run.signal.aborted) return;
      // Whatever broke, the user sees the steps as "could not judge" with the reason, never a hang.
      this.connection.console.error(`critique of ${run.key} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      await this.publishFailure(revision, errorMessage(error));
    }
  }

  private async publishFailure(revision: Revision, message: string): Promise<void> {
    const document = this.documents.get(revision.uri);
    if (!document || !this.isCurrent(revision)) return;
    const parsed = await this.parse(document).catch(() => undefined);
    if (!parsed || !this.isCurrent(revision)) return;
    const failed = parsed.document.steps.map((step) => couldNotJudge(step.index, message));
    this.publish({ ...this.viewFrom(parsed, undefined, 0, failed, false, true), done: true, pending: new Set() }, revision);
  }

  private async runChecks(revision: Revision, document: TextDocument, signal: AbortSignal): Promise<void> {
    const { uri, version } = revision;
    await this.accepted.refresh(uri);
    const parsed = await this.parse(document).catch(() => undefined);
    if (!parsed || signal.aborted || !this.isCurrent(revision)) return;
    const state = this.stateFor(uri);
    const judged = state.judged;
    const fromStep = this.carryFrom(judged, parsed.document);
    const live: CriticStepResult[] = [];
    let view: DocumentView | undefined;
    // Shown only if the critique takes a moment: when every verdict comes from the cache, the final
    // result is the first thing published (no flicker through "judging", half the work).
    const startTimer = setTimeout(() => {
      if (signal.aborted || !this.isCurrent(revision)) return;
      view = this.viewFrom(parsed, judged, fromStep, live, true, false);
      this.publish(view, revision);
    }, JUDGING_SHOWN_AFTER_MS);

    const publishLive = () => {
      state.liveTimer = undefined;
      if (signal.aborted || !this.isCurrent(revision)) return;
      view = this.viewFrom(parsed, judged, fromStep, live, true, false);
      this.publish(view, revision);
    };

    let judgement: SolutionJudgement;
    try {
      judgement = await judgeSolution(
        parsed.document,
        this.setup.dependencies((p, s) => this.accepted.has(uri, p, s)),
        {
          thresholds: this.setup.thresholds,
          fromStep: Math.min(fromStep, Math.max(0, parsed.document.steps.length - 1)),
          signal,
          checked: parsed,
          onCriticStep: (result) => {
            if (signal.aborted) return;
            live.push(result);
            state.liveTimer ??= setTimeout(publishLive, LIVE_STATES_INTERVAL_MS);
          },
        },
      );
    } catch (error) {
      clearTimeout(startTimer);
      if (state.liveTimer) clearTimeout(state.liveTimer);
      state.liveTimer = undefined;
      if (signal.aborted) return;
      // Anything else that failed (a check crashed): the waiting steps could not be judged; say why.
      const message = errorMessage(error);
      this.connection.console.error(`critique of ${uri} failed: ${message}`);
      if (!this.isCurrent(revision)) return;
      const waiting = (view ?? this.viewFrom(parsed, judged, fromStep, live, true, false)).pending;
      const failed = [...waiting].map((index) => couldNotJudge(index, message));
      this.publish(this.viewFrom(parsed, judged, fromStep, [...live, ...failed], false, true), revision);
      return;
    }
    clearTimeout(startTimer);
    if (state.liveTimer) clearTimeout(state.liveTimer);
    state.liveTimer = undefined;
    // Never publish for a revision that is gone: the user is looking at another text.
    if (signal.aborted || !this.isCurrent(revision)) return;
    state.judged = { version, document: parsed.document, judgement };
    this.publish(
      {
        uri,
        version,
        document: parsed.document,
        judgement,
        pending: new Set(),
        judging: false,
        stepsOverLimit: parsed.stepsOverLimit,
        done: true,
      },
      revision,
    );
  }

  // ---- publication ------------------------------------------------------------------------------

  /** Publishes a view of the document's current revision; a view of any other revision is dropped. */
  private publish(view: DocumentView, revision: Revision): void {
    if (revision.version !== view.version || !this.isCurrent(revision)) return;
    if (view.done) {
      const key = `${view.uri}@${view.version}`;
      const started = this.changedAt.get(key);
      this.changedAt.delete(key);
      if (started !== undefined) {
        // Measured after sending below; recorded here so that a throw in sending cannot skip it.
        queueMicrotask(() => {
          this.timings.push(performance.now() - started);
          if (this.timings.length > TIMINGS_KEPT) this.timings.shift();
        });
      }
    }
    const state = this.stateFor(view.uri);
    state.view = view;
    state.shown = revision;
    void this.connection.sendDiagnostics({ uri: view.uri, version: view.version, diagnostics: buildDiagnostics(view) });
    void this.connection.sendNotification(StepStatesNotification.method, buildStepStates(view));
    this.onPublished(view.uri);
  }

  fileCritique(uri: string): FileCritique | undefined {
    const view = this.view(uri);
    if (!view) return undefined;
    return {
      uri,
      version: view.version,
      summary: summarize(view),
      critic: view.judgement.critic,
      usage: view.judgement.usage,
      warnings: view.judgement.warnings,
    };
  }
}
