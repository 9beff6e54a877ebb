// What the commands share: the server connection, the step states, the gutter, the status items,
// the API key store and the log. Built once in `activate`.
import type * as vscode from 'vscode';
import type { ApiKeyStore } from './apiKeyStore';
import type { StepDecorator } from './gutter/stepDecorator';
import type { ProposalReviewer } from './proposalReview';
import type { ServerConnection } from './serverConnection';
import type { StatusItems } from './status/statusItems';
import type { StepStateStore } from './stepStateStore';
import type { TextViews } from './textViews';

export interface Services {
  readonly extensionUri: vscode.Uri;
  readonly connection: ServerConnection;
  readonly store: StepStateStore;
  readonly decorator: StepDecorator;
  readonly status: StatusItems;
  readonly apiKeys: ApiKeyStore;
  readonly output: vscode.LogOutputChannel;
  readonly views: TextViews;
  /** Asks the person to accept or discard a proposal; the e2e tests replace it. */
  reviewer: ProposalReviewer;
}
