// The latest step states the server sent, per document, kept on their text while the person edits
// (ranges are moved through each edit until the server judges the new version). The gutter, the
// status bar and "Refine Step at Cursor" read from here.
import * as vscode from 'vscode';
import type { StepStateEntry, StepStatesParams } from '../protocol';
import { shiftThrough } from './gutter/range-shift';

export interface StoredStepStates extends StepStatesParams {
  /** The document version the ranges are in now (≥ the version the server judged). */
  currentVersion: number;
}

export class StepStateStore implements vscode.Disposable {
  private readonly entries = new Map<string, StoredStepStates>();
  private readonly lastEdit = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<string>();
  private readonly subscriptions: vscode.Disposable[];

  /** Fires with the document URI whose states (or ranges) changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.clear(document.uri.toString())),
    ];
  }

  /** Takes a notification; ignored when the document has moved on since the version it describes. */
  update(params: StepStatesParams): boolean {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === params.uri);
    if (document && params.version < document.version) return false;
    const previous = this.entries.get(params.uri);
    if (previous && params.version < previous.version) return false;
    this.entries.set(params.uri, { ...params, currentVersion: params.version });
    this.changed.fire(params.uri);
    return true;
  }

  clear(uri: string): void {
    this.lastEdit.delete(uri);
    if (this.entries.delete(uri)) this.changed.fire(uri);
  }

  get(uri: string): StoredStepStates | undefined {
    return this.entries.get(uri);
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }

  /** When the document was last edited (ms since epoch), if it was edited since it was opened. */
  lastEditAt(uri: string): number | undefined {
    return this.lastEdit.get(uri);
  }

  /** The step whose lines hold `position` (or the nearest step above it). */
  stepAt(uri: string, position: vscode.Position): StepStateEntry | undefined {
    const steps = this.entries.get(uri)?.steps ?? [];
    const inside = steps.find((s) => s.range.start.line <= position.line && position.line <= s.range.end.line);
    if (inside) return inside;
    return [...steps].reverse().find((s) => s.range.end.line < position.line);
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const uri = event.document.uri.toString();
    this.lastEdit.set(uri, Date.now());
    const entry = this.entries.get(uri);
    if (!entry) return;
    const changes = event.contentChanges.map((c) => ({
      range: { start: { line: c.range.start.line, character: c.range.start.character }, end: { line: c.range.end.line, character: c.range.end.character } },
      text: c.text.replace(/\r\n/g, '\n'),
    }));
    const steps = entry.steps.map((step) => ({ ...step, range: shiftThrough(step.range, changes).range }));
    this.entries.set(uri, { ...entry, steps, currentVersion: event.document.version });
    this.changed.fire(uri);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.entries.clear();
  }
}
