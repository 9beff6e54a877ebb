// Draws the step states into every visible editor: a confidence icon per step in the gutter, a mark
// in the overview ruler, and optionally the confidence as text after the step. Kept apart from the
// diagnostics (those come from the server and VS Code draws them); this only decorates.
// While the person types, the steps under their cursors are held back (their verdict is about text
// that is changing) and come back once the typing stops.
import * as vscode from 'vscode';
import type { StepStateEntry } from '../../protocol';
import { clientSettings, SECTION } from '../configuration';
import type { StepStateStore } from '../step-state-store';
import { BANDS, bandOf, type Band } from './bands';
import { createBandDecorations, type BandDecorations } from './decoration-types';
import { inlineTextOf } from './inline-text';

/** How long after the last keystroke the steps being typed in stay hidden. */
export const HOLD_WHILE_TYPING_MS = 1200;

export interface DecoratedStep {
  index: number;
  band: Band;
  /** The line the icon is on (the step's first line). */
  line: number;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  inlineText?: string;
}

/** What was last drawn into an editor of a document: the e2e tests read this. */
export interface DecorationSnapshot {
  uri: string;
  /** The document version the drawing is for. */
  version: number;
  gutterIcons: boolean;
  inlineText: boolean;
  steps: DecoratedStep[];
  /** Steps held back because the person is typing in them. */
  held: number[];
}

export class StepDecorator implements vscode.Disposable {
  private types: BandDecorations;
  private readonly snapshots = new Map<string, DecorationSnapshot>();
  private restoreTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private readonly drawn = new vscode.EventEmitter<DecorationSnapshot>();
  readonly onDidDraw = this.drawn.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: StepStateStore,
  ) {
    this.types = this.createTypes();
    this.subscriptions = [
      this.drawn,
      store.onDidChange((uri) => this.refresh(uri)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
      vscode.window.onDidChangeActiveColorTheme(() => this.recreate()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.display.gutterIcons`)) this.recreate();
        else if (e.affectsConfiguration(`${SECTION}.display`) || e.affectsConfiguration(`${SECTION}.thresholds`)) this.refresh();
      }),
    ];
  }

  snapshot(uri: string): DecorationSnapshot | undefined {
    return this.snapshots.get(uri);
  }

  /** Redraws the editors of one document, or of all documents. */
  refresh(uri?: string): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const editorUri = editor.document.uri.toString();
      if (uri === undefined || editorUri === uri) this.draw(editor);
    }
    // A document with states but no visible editor keeps its snapshot in step with the store.
    if (uri !== undefined && !this.store.get(uri)) this.snapshots.delete(uri);
  }

  private createTypes(): BandDecorations {
    const gutterIcons = vscode.workspace.getConfiguration(SECTION).get<boolean>('display.gutterIcons', true);
    return createBandDecorations(this.extensionUri, { gutterIcons });
  }

  private recreate(): void {
    this.types.dispose();
    this.types = this.createTypes();
    this.refresh();
  }

  private draw(editor: vscode.TextEditor): void {
    const document = editor.document;
    const uri = document.uri.toString();
    const states = this.store.get(uri);
    const settings = clientSettings(document.uri);
    const lastEdit = this.store.lastEditAt(uri);
    const holding = lastEdit !== undefined && Date.now() - lastEdit < HOLD_WHILE_TYPING_MS;

    const byBand = new Map<Band, vscode.DecorationOptions[]>();
    const inline: vscode.DecorationOptions[] = [];
    const steps: DecoratedStep[] = [];
    const held: number[] = [];
    for (const step of states?.steps ?? []) {
      const band = bandOf(step, settings.thresholds);
      if (!band || step.range.start.line >= document.lineCount) continue;
      if (holding && underCursor(editor, step)) {
        held.push(step.index);
        continue;
      }
      const line = step.range.start.line;
      const options = byBand.get(band) ?? [];
      options.push({ range: new vscode.Range(line, 0, line, 0) });
      byBand.set(band, options);
      const text = settings.display.inlineText ? inlineTextOf(step) : undefined;
      if (text) {
        const endLine = document.lineAt(Math.min(step.range.end.line, document.lineCount - 1));
        inline.push({ range: new vscode.Range(endLine.range.end, endLine.range.end), renderOptions: { after: { contentText: text } } });
      }
      steps.push({ index: step.index, band, line, range: step.range, ...(text ? { inlineText: text } : {}) });
    }
    for (const band of BANDS) editor.setDecorations(this.types.byBand.get(band)!, byBand.get(band) ?? []);
    editor.setDecorations(this.types.inlineText, inline);

    if (held.length > 0) this.scheduleRestore();
    if (!states) {
      this.snapshots.delete(uri);
      return;
    }
    const snapshot: DecorationSnapshot = {
      uri,
      version: states.currentVersion,
      gutterIcons: this.types.gutterIcons,
      inlineText: settings.display.inlineText,
      steps,
      held,
    };
    this.snapshots.set(uri, snapshot);
    this.drawn.fire(snapshot);
  }

  private scheduleRestore(): void {
    if (this.restoreTimer) return;
    this.restoreTimer = setTimeout(() => {
      this.restoreTimer = undefined;
      this.refresh();
    }, HOLD_WHILE_TYPING_MS + 50);
  }

  dispose(): void {
    if (this.restoreTimer) clearTimeout(this.restoreTimer);
    for (const s of this.subscriptions) s.dispose();
    this.types.dispose();
  }
}

function underCursor(editor: vscode.TextEditor, step: StepStateEntry): boolean {
  return editor.selections.some((s) => s.start.line <= step.range.end.line && s.end.line >= step.range.start.line);
}
