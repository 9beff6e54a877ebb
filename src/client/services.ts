// What the commands share: the server connection, the step states, the gutter, the status items,
// the API key store and the log. Built once in `activate`.
import type * as vscode from 'vscode';
import type { ApiKeyStore } from './api-key-store';
import type { StepDecorator } from './gutter/step-decorator';
import type { ProposalReviewer } from './proposal-review';
import type { ServerConnection } from './server-connection';
import type { StatusItems } from './status/status-items';
import type { StepStateStore } from './step-state-store';
import type { TextViews } from './text-views';

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
