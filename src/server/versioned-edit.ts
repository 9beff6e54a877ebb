// Applying an edit only to the text it was made for. The server checks the document's version
// first (it sees every change before any command), then asks the client with a versioned
// TextDocumentEdit, which a conforming client refuses in turn if the version moved meanwhile.
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ApplyEditResult, VersionedEdit } from '../protocol/messages';

export async function applyVersionedEdit(connection: Connection, current: TextDocument | undefined, edit: VersionedEdit): Promise<ApplyEditResult> {
  if (!current) {
    const message = `Step Critic: ${edit.label} was not applied: the document is not open any more.`;
    void connection.window.showWarningMessage(message);
    return { applied: false, message };
  }
  if (current.version !== edit.version) {
    const message = `Step Critic: ${edit.label} was not applied: the document changed since it was made (version ${edit.version}, now ${current.version}). Nothing was overwritten; run it again on the current text.`;
    void connection.window.showWarningMessage(message);
    return { applied: false, message };
  }
  if (edit.edits.length === 0) return { applied: false, message: 'Nothing to change.' };
  const result = await connection.workspace.applyEdit({
    label: edit.label,
    edit: { documentChanges: [{ textDocument: { uri: edit.uri, version: edit.version }, edits: edit.edits }] },
  });
  if (!result.applied) {
    const message = `Step Critic: ${edit.label} was not applied${result.failureReason ? `: ${result.failureReason}` : ' (the editor refused it; the text may have changed)'}.`;
    void connection.window.showWarningMessage(message);
    return { applied: false, message };
  }
  return { applied: true, message: `${edit.label}: applied.` };
}
