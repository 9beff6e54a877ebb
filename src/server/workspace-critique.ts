// Critique of every matching file in the workspace folders: a thin caller of the judging pipeline
// (src/engine/pipeline), with work-done progress ("3/12 files") and cancellation. An open document is
// the editor's: its text is what is judged, through its own queue (so the editor and the workspace
// run never judge the same text twice at once), and its entry holds the verdicts the editor shows.
// A file on disk is read, judged, and its diagnostics published without a version. With a run-log
// folder, the run is logged as `check --run-log` logs it and its HTML report written beside the log:
// the verdicts in the report are the ones the editor shows.
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { hashConfig } from '../engine/batch/config-hash';
import { openRunLog } from '../engine/batch/run-log';
import type { DiscoveredFile } from '../engine/files/discover';
import { discoverFiles } from '../engine/files/discover';
import type { FinishedEntry } from '../engine/pipeline/judge-item';
import type { PipelineItem } from '../engine/pipeline/items';
import { itemFromText, readItems } from '../engine/pipeline/items';
import { describeStop, runPipeline } from '../engine/pipeline/run';
import { emptyUsage } from '../engine/types';
import { TOOL_VERSION } from '../engine/version';
import type { FileCritique, WorkspaceCritique } from '../protocol/messages';
import type { AcceptedStore } from './accepted-store';
import type { CritiqueService, DocumentSource } from './critique-service';
import type { CritiqueSetup } from './critique-setup';
import { buildDiagnostics } from './diagnostics';
import type { DocumentView } from './document-view';
import { newRunLogPath, writeRunReport } from './run-reports';
import { emptyStepCounts, summarize } from './step-states';

export interface WorkspaceProgress {
  begin(total: number): void;
  report(done: number, total: number, current: string): void;
  done(message: string): void;
}

export interface WorkspaceServices {
  connection: Connection;
  documents: DocumentSource;
  critique: CritiqueService;
  setup: CritiqueSetup;
  accepted: AcceptedStore;
}

/**
 * Files matched by the glob in the folders, minus what .gitignore excludes (the CLI's discovery), shown
 * relative to their folder: solution files, and datasets when the glob names them (one entry per record).
 */
export async function findWorkspaceFiles(folders: readonly string[], pattern: string): Promise<DiscoveredFile[]> {
  const found = new Map<string, DiscoveredFile>();
  const patterns = pattern.split(/\s*;\s*/).filter(Boolean);
  for (const folder of folders) {
    const discovery = await discoverFiles(patterns, folder);
    for (const file of discovery.files) {
      if (file.kind.kind !== 'unsupported' && !found.has(file.path))
        found.set(file.path, { ...file, display: relative(folder, file.path).split('\\').join('/') });
    }
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The workspace's files as pipeline items: an open document with the editor's text, any other file (or dataset) as read from disk. */
async function* workspaceItems(files: readonly DiscoveredFile[], documents: DocumentSource, accepted: AcceptedStore): AsyncGenerator<PipelineItem> {
  for (const file of files) {
    const documentUri = pathToFileURL(file.path).href;
    await accepted.refresh(documentUri);
    const open = documents.get(documentUri);
    if (open && documents.isCritiqued(open)) {
      yield await itemFromText({ id: file.display, documentUri, path: file.path, text: open.getText(), languageId: open.languageId });
      continue;
    }
    for await (const item of readItems([file]))
      yield {
        ...item,
        documentUri: item.record ? `${documentUri}#${item.record.index}${item.record.solution !== undefined ? `/${item.record.solution}` : ''}` : documentUri,
      };
  }
}

export async function critiqueWorkspace(
  input: { folders: readonly string[]; pattern: string; signal: AbortSignal; progress: WorkspaceProgress; runLogFolder?: string },
  services: WorkspaceServices,
): Promise<WorkspaceCritique> {
  const started = Date.now();
  const { signal, progress } = input;
  const { documents, critique, setup, accepted } = services;
  const files = await findWorkspaceFiles(input.folders, input.pattern);
  progress.begin(files.length);
  const config = {
    critic: setup.criticStatus(),
    runCode: setup.trusted && setup.settings.runCodeTests,
    maxSteps: setup.settings.maxSteps,
    thresholds: setup.settings.thresholds,
  };
  const runLogPath = input.runLogFolder !== undefined ? await newRunLogPath(input.runLogFolder) : undefined;
  const runLog = runLogPath
    ? await openRunLog({
        path: runLogPath,
        resume: false,
        configHash: hashConfig(config),
        config,
        tool: { version: TOOL_VERSION },
        critic: setup.criticStatus(),
        inputs: [...input.folders],
      })
    : undefined;

  const results: FileCritique[] = [];
  const result = await runPipeline(workspaceItems(files, documents, accepted), {
    // Accepted steps are kept per workspace folder: the judge asks with the document's own URI.
    deps: setup.dependencies((problem, step, uri) => accepted.has(uri, problem, step)),
    judgeOptions: { thresholds: setup.thresholds },
    document: { maxSteps: setup.settings.maxSteps },
    // The editor's check pool: a hostile file on disk is bounded by the same deadline as an open one.
    checks: critique.checks,
    concurrency: setup.settings.concurrency,
    ...(runLog ? { runLog } : {}),
    total: files.length,
    signal,
    held: async (item) => {
      const uri = item.documentUri!;
      const open = documents.get(uri);
      if (!open || !documents.isCritiqued(open)) return undefined;
      await critique.critiqueNow(uri);
      const judged = critique.judged(uri);
      return judged && judged.version === documents.get(uri)?.version ? judged : undefined;
    },
    onEntry: async (entry) => {
      if (entry.kind !== 'finished') return;
      results.push(await fileCritique(entry, services));
      progress.report(results.length, files.length, entry.item.id);
    },
  });
  const cancelled = result.stopped?.kind === 'cancelled';
  runLog?.close({
    interrupted: result.stopped !== undefined,
    ...(result.stopped ? { reason: describeStop(result.stopped) } : {}),
    durationMs: Date.now() - started,
    judgedThisRun: result.progress.finishedThisRun,
    usage: result.progress.usage,
  });
  const report = runLogPath ? await writeRunReport(runLogPath) : undefined;
  const incorrect = results.filter((r) => r.summary.firstErrorIndex >= 0).length;
  progress.done(cancelled ? `Cancelled after ${results.length} of ${files.length} files.` : `${files.length} files critiqued; ${incorrect} with a wrong step.`);
  return {
    files: results,
    total: files.length,
    cancelled,
    durationMs: Date.now() - started,
    usage: result.progress.usage,
    ...(runLogPath ? { runLog: runLogPath } : {}),
    ...(report ? { report } : {}),
  };
}

/** What the client hears about one file; a file that is not open gets its diagnostics published here. */
async function fileCritique(finished: FinishedEntry, services: WorkspaceServices): Promise<FileCritique> {
  const { connection, documents, critique, setup } = services;
  const uri = finished.item.documentUri!;
  if (finished.held) {
    const shown = critique.fileCritique(uri);
    if (shown) return shown;
  }
  if (!finished.document || !finished.judgement) {
    return {
      uri,
      version: null,
      summary: {
        counts: emptyStepCounts(),
        firstErrorIndex: -1,
        verdict: 'error',
        pTrue: null,
        finalAnswerPTrue: null,
        truncated: false,
        totalSteps: 0,
      },
      critic: setup.criticStatus(),
      usage: finished.entry.usage ?? emptyUsage(),
      warnings: [],
      error: finished.entry.reason ?? 'could not be critiqued',
    };
  }
  const truncated = finished.document.truncated;
  const view: DocumentView = {
    uri,
    version: 0,
    document: finished.document,
    judgement: finished.judgement,
    pending: new Set<number>(),
    judging: false,
    stepsOverLimit: truncated ? truncated.total - truncated.kept : 0,
    done: true,
  };
  // Opened meanwhile: the editor's own critique owns its diagnostics now. A dataset record has none.
  if (!documents.get(uri) && !finished.item.record) void connection.sendDiagnostics({ uri, diagnostics: buildDiagnostics(view, null) });
  return {
    uri,
    version: null,
    summary: summarize(view),
    critic: finished.judgement.critic,
    usage: finished.judgement.usage,
    warnings: finished.judgement.warnings,
  };
}
