// Every proposal is shown before anything changes — a refinement from any entry point (light bulb,
// code lens, commands) and a corrected value carried on after a fix: the proposed text as a diff
// against the document (in the solution's own language, long lines wrapped), then Accept or Discard.
// Accepting applies the edit only if the document is still at the version the proposal was made
// for, so nothing typed in the meantime is overwritten.
import * as vscode from 'vscode';
import type { RefineProposal } from '../protocol';
import { applyEdits } from '../protocol';
import type { Services } from './services';

export type ReviewDecision = 'accept' | 'discard';
/** Decides on a proposal whose diff is on screen. */
export type ProposalReviewer = (proposal: RefineProposal) => Promise<ReviewDecision>;

export interface ReviewOutcome {
  status: RefineProposal['status'];
  decision?: ReviewDecision;
  applied: boolean;
  message: string;
}

export const askInNotification: ProposalReviewer = async (proposal) => {
  const pick = await vscode.window.showInformationMessage(`Step Critic: ${proposal.title}`, { detail: proposal.message }, 'Accept', 'Discard');
  return pick === 'Accept' ? 'accept' : 'discard';
};

function attemptsMarkdown(proposal: RefineProposal): string {
  const lines = [`# ${proposal.title}`, '', proposal.message, ''];
  proposal.attempts.forEach((attempt, i) => {
    const p = attempt.pTrue === null ? 'n/a' : attempt.pTrue.toFixed(2);
    lines.push(`## Attempt ${i + 1}: ${attempt.verdict ?? 'not judged'} (P(True) ${p})`, '', attempt.reason, '', '```', attempt.text, '```', '');
  });
  return lines.join('\n');
}

async function closeTabsShowing(uri: vscode.Uri): Promise<void> {
  const key = uri.toString();
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((tab) => {
      const input = tab.input;
      if (input instanceof vscode.TabInputTextDiff) return input.modified.toString() === key || input.original.toString() === key;
      if (input instanceof vscode.TabInputText) return input.uri.toString() === key;
      return false;
    });
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

export async function reviewProposal(services: Services, proposal: RefineProposal): Promise<ReviewOutcome> {
  switch (proposal.status) {
    case 'nothing-to-do':
      void vscode.window.showInformationMessage(`Step Critic: ${proposal.message}`);
      return { status: proposal.status, applied: false, message: proposal.message };
    case 'stale':
      void vscode.window.showInformationMessage(`Step Critic: the document changed while the proposal was being made. ${proposal.message}`);
      return { status: proposal.status, applied: false, message: proposal.message };
    case 'unavailable':
      void vscode.window.showWarningMessage(`Step Critic: ${proposal.message}`, 'Choose Provider', 'Set API Key').then((pick) => {
        if (pick === 'Choose Provider') void vscode.commands.executeCommand('stepcritic.chooseProvider');
        if (pick === 'Set API Key') void vscode.commands.executeCommand('stepcritic.setApiKey');
      });
      return { status: proposal.status, applied: false, message: proposal.message };
    case 'rejected':
      void vscode.window.showWarningMessage(`Step Critic: ${proposal.title}. ${proposal.message}`, 'Show Attempts').then((pick) => {
        if (pick === 'Show Attempts') void services.views.showMarkdown('Rejected attempts', attemptsMarkdown(proposal));
      });
      return { status: proposal.status, applied: false, message: proposal.message };
    case 'proposed':
      break;
  }
  const edit = proposal.apply;
  if (!edit) return { status: proposal.status, applied: false, message: 'the server proposed no edit' };
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === edit.uri);
  if (!document) return { status: proposal.status, applied: false, message: 'the document is no longer open' };
  if (document.version !== edit.version) {
    const message = 'The document changed since the proposal was made; nothing was applied. Run the command again.';
    void vscode.window.showWarningMessage(`Step Critic: ${message}`);
    return { status: 'stale', applied: false, message };
  }

  const name = document.uri.path.split('/').pop() ?? 'solution';
  // The same file name (and language) as the original, so the proposed side is coloured like it.
  const proposedUri = services.views.create(name, applyEdits(document.getText(), edit.edits));
  const proposed = await vscode.workspace.openTextDocument(proposedUri);
  if (proposed.languageId !== document.languageId) await vscode.languages.setTextDocumentLanguage(proposed, document.languageId);
  await vscode.commands.executeCommand('vscode.diff', document.uri, proposedUri, `${name} ↔ proposed: ${proposal.title}`, { preview: true });
  let decision: ReviewDecision;
  try {
    decision = await services.reviewer(proposal);
  } finally {
    await closeTabsShowing(proposedUri);
    services.views.forget(proposedUri);
    // Back to the document itself, with the keyboard: a Ctrl+S now saves it, not the closed proposal.
    if (!document.isClosed) await vscode.window.showTextDocument(document, { preview: false });
  }
  services.output.info(`${name}: ${proposal.title} — ${decision === 'accept' ? 'accepted' : 'discarded'}`);
  if (decision === 'discard') return { status: proposal.status, decision, applied: false, message: 'discarded' };

  if (document.isClosed || document.version !== edit.version) {
    const message = 'The document changed while the diff was open; nothing was applied.';
    void vscode.window.showWarningMessage(`Step Critic: ${message}`);
    return { status: 'stale', decision, applied: false, message };
  }
  const workspaceEdit = new vscode.WorkspaceEdit();
  for (const e of edit.edits) {
    workspaceEdit.replace(document.uri, new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character), e.newText);
  }
  const applied = await vscode.workspace.applyEdit(workspaceEdit);
  const message = applied ? `Applied: ${edit.label}` : 'VS Code refused the edit';
  if (!applied) void vscode.window.showErrorMessage(`Step Critic: ${message}`);
  return { status: proposal.status, decision, applied, message };
}

/** A proposal the server offers unasked (a fixed value still used later): said in a notification, reviewed on request. */
export async function offerProposal(services: Services, proposal: RefineProposal): Promise<ReviewOutcome | undefined> {
  const pick = await vscode.window.showInformationMessage(`Step Critic: ${proposal.message}`, 'Review Change');
  return pick === 'Review Change' ? reviewProposal(services, proposal) : undefined;
}
