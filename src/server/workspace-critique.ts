// Critique of every matching file in the workspace folders, with work-done progress ("3/12 files")
// and cancellation. Open documents go through their own queue (so the editor and the batch never
// judge the same text twice at once); files on disk are read, judged and published without a version.
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { discoverFiles } from '../engine/files/discover';
import { readTextFile } from '../engine/files/read';
import { judgeSolution } from '../engine/judge';
import type { Usage } from '../engine/types';
import { emptyUsage } from '../engine/types';
import type { FileCritique, WorkspaceCritique } from '../protocol/messages';
import type { AcceptedStore } from './accepted-store';
import type { CritiqueService, DocumentSource } from './critique-service';
import type { CritiqueSetup } from './critique-setup';
import { buildDiagnostics } from './diagnostics';
import { summarize } from './step-states';
import { errorMessage } from '../engine/error-message';

/** Files judged at once (each may hold a request; the LLM client caps requests globally too). */
const PARALLEL_FILES = 2;

export interface WorkspaceProgress {
  begin(total: number): void;
  report(done: number, total: number, current: string): void;
  done(message: string): void;
  readonly cancelled: boolean;
}

/** Solution files matched by the glob in the folders, minus what .gitignore excludes (the CLI's discovery). */
export async function findWorkspaceFiles(folders: readonly string[], pattern: string): Promise<string[]> {
  const found = new Set<string>();
  const patterns = pattern.split(/\s*;\s*/).filter(Boolean);
  for (const folder of folders) {
    const discovery = await discoverFiles(patterns, folder);
    for (const file of discovery.files) if (file.kind.kind === 'solution') found.add(file.path);
  }
  return [...found].sort();
}

function addUsage(total: Usage, more: Usage): void {
  total.requests += more.requests;
  total.promptTokens += more.promptTokens;
  total.completionTokens += more.completionTokens;
  total.cachedSteps += more.cachedSteps;
}

export async function critiqueWorkspace(
  input: { folders: readonly string[]; pattern: string; signal: AbortSignal; progress: WorkspaceProgress },
  services: { connection: Connection; documents: DocumentSource; critique: CritiqueService; setup: CritiqueSetup; accepted: AcceptedStore },
): Promise<WorkspaceCritique> {
  const started = Date.now();
  const { signal, progress } = input;
  const files = await findWorkspaceFiles(input.folders, input.pattern);
  const results: FileCritique[] = [];
  const usage = emptyUsage();
  progress.begin(files.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < files.length && !signal.aborted && !progress.cancelled) {
      const path = files[next++]!;
      const uri = pathToFileURL(path).href;
      const result = await critiqueOne(path, uri, signal, services);
      if (signal.aborted || progress.cancelled) break;
      results.push(result);
      addUsage(usage, result.usage);
      done++;
      const shown = input.folders.map((f) => relative(f, path)).find((r) => !r.startsWith('..')) ?? path;
      progress.report(done, files.length, shown);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_FILES, Math.max(1, files.length)) }, worker));
  const cancelled = signal.aborted || progress.cancelled;
  const incorrect = results.filter((r) => r.summary.firstErrorIndex >= 0).length;
  progress.done(cancelled ? `Cancelled after ${done} of ${files.length} files.` : `${files.length} files critiqued; ${incorrect} with a wrong step.`);
  results.sort((a, b) => a.uri.localeCompare(b.uri));
  return { files: results, total: files.length, cancelled, durationMs: Date.now() - started, usage };
}

async function critiqueOne(
  path: string,
  uri: string,
  signal: AbortSignal,
  services: { connection: Connection; documents: DocumentSource; critique: CritiqueService; setup: CritiqueSetup; accepted: AcceptedStore },
): Promise<FileCritique> {
  const { connection, documents, critique, setup, accepted } = services;
  const open = documents.get(uri);
  if (open && documents.isCritiqued(open)) {
    await critique.critiqueNow(uri);
    const result = critique.fileCritique(uri);
    if (result) return result;
  }
  const failed = (error: string): FileCritique => ({
    uri,
    version: null,
    summary: {
      counts: { queued: 0, judging: 0, correct: 0, incorrect: 0, uncertain: 0, downstream: 0, accepted: 0, unchecked: 0, error: 0 },
      firstErrorIndex: -1,
      verdict: 'error',
      pTrue: null,
      finalAnswerPTrue: null,
      truncated: false,
      totalSteps: 0,
    },
    critic: setup.criticStatus(),
    usage: emptyUsage(),
    warnings: [],
    error,
  });
  const read = await readTextFile(path);
  if (!read.ok) return failed(read.reason);
  const parsed = await critique.checks.check({ uri, text: read.text, maxSteps: setup.settings.maxSteps }, { signal }).catch(() => undefined);
  if (!parsed) return failed('cancelled');
  await accepted.refresh(uri);
  try {
    const judgement = await judgeSolution(
      parsed.document,
      setup.dependencies((p, s) => accepted.has(uri, p, s)),
      {
        thresholds: setup.thresholds,
        signal,
        checked: parsed,
      },
    );
    if (signal.aborted) return failed('cancelled');
    const view = {
      uri,
      version: 0,
      document: parsed.document,
      judgement,
      pending: new Set<number>(),
      judging: false,
      stepsOverLimit: parsed.stepsOverLimit,
      done: true,
    };
    // Opened meanwhile: the editor's own critique owns its diagnostics now.
    if (!documents.get(uri)) void connection.sendDiagnostics({ uri, diagnostics: buildDiagnostics(view, null) });
    return { uri, version: null, summary: summarize(view), critic: judgement.critic, usage: judgement.usage, warnings: judgement.warnings };
  } catch (error) {
    return failed(errorMessage(error));
  }
}
