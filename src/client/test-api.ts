// What `activate` returns: read-only views of what the extension drew and knows, and one seam (the
// proposal reviewer) so the end-to-end tests can accept or discard a diff without clicking.
import type * as vscode from 'vscode';
import type { DecorationSnapshot } from './gutter/step-decorator';
import type { ProposalReviewer } from './proposal-review';
import type { StoredStepStates } from './step-state-store';

export interface StepCriticApi {
  /** Resolves once the language server answered `initialize`. */
  ready(): Promise<void>;
  /** What the gutter drew for a document (bands per step, inline text, steps held back). */
  decorationState(uri: string): DecorationSnapshot | undefined;
  readonly onDidDraw: vscode.Event<DecorationSnapshot>;
  /** The step states the server last sent for a document, ranges moved through later edits. */
  stepStates(uri: string): StoredStepStates | undefined;
  /** The status bar's text and tooltip. */
  status(): { text: string; tooltip: string; lastError: string | undefined };
  /** Whether SecretStorage holds an API key (never the key itself). */
  hasApiKey(): Promise<boolean>;
  /** Replaces the Accept/Discard prompt of proposals; undefined restores it. */
  setProposalReviewer(reviewer: ProposalReviewer | undefined): void;
}
