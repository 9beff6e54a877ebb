// Where "Critique Workspace" keeps its runs, and their reports: each run writes a run log (the same
// file `stepcritic check --run-log` writes) and, when it ends, the HTML report of that log, beside it.
// "Show Report" opens the latest. The folder is the extension's storage (given at initialization) or
// the workspace's `.stepcritic/runs` (ignored by git), as `stepcritic.runLogLocation` says; only the
// latest few runs are kept.
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunLog, runLogMeta } from '../engine/batch/run-log-reader';
import { writeAtomically } from '../engine/files/write';
import { htmlRenderer } from '../engine/report/html';
import { ReportWriter } from '../engine/report/stream';

const RUN_PREFIX = 'workspace-';
const RUNS_KEPT = 5;

/** The folder of the runs: the workspace's, or the client's storage (a temporary folder per workspace for a client that gives none). */
export function runLogFolder(location: 'extensionStorage' | 'workspace', storage: string | undefined, workspaceFolder: string | undefined): string {
  if (location === 'workspace' && workspaceFolder) return join(workspaceFolder, '.stepcritic', 'runs');
  return (
    storage ??
    join(
      tmpdir(),
      `stepcritic-runs-${createHash('sha256')
        .update(workspaceFolder ?? '')
        .digest('hex')
        .slice(0, 12)}`,
    )
  );
}

/** A new run's log path in `folder` (made if needed), named by its start time; older runs beyond the latest few are removed. */
export async function newRunLogPath(folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  if (folder.endsWith(join('.stepcritic', 'runs'))) await writeFile(join(folder, '.gitignore'), '*\n', { flag: 'w' });
  const runs = await runLogs(folder);
  for (const old of runs.slice(RUNS_KEPT - 1)) {
    await unlink(old).catch(() => undefined);
    await unlink(reportPathOf(old)).catch(() => undefined);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(folder, `${RUN_PREFIX}${stamp}.jsonl`);
}

export function reportPathOf(runLog: string): string {
  return runLog.replace(/\.jsonl$/, '.html');
}

/** Run logs in `folder`, newest first. */
async function runLogs(folder: string): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(RUN_PREFIX) && n.endsWith('.jsonl'))
    .sort()
    .reverse()
    .map((n) => join(folder, n));
}

/** The HTML report of a run log, in input order, written beside it. */
export async function writeRunReport(runLog: string): Promise<string> {
  const log = await readRunLog(runLog);
  const writer = new ReportWriter(
    htmlRenderer({
      title: 'Step Critic: workspace critique',
      run: { ...log.run, logPath: runLog },
    }),
  );
  for await (const item of log.items()) writer.add(item.entry, item.triage ? { triage: item.triage } : undefined);
  const report = reportPathOf(runLog);
  await writeAtomically(report, (sink) => writer.finish(runLogMeta(log), sink));
  return report;
}

/** The latest run's report in `folder` (rendered from its log when the HTML is missing). */
export async function latestRunReport(folder: string): Promise<{ runLog: string; report: string } | undefined> {
  const [latest] = await runLogs(folder);
  if (!latest) return undefined;
  const report = reportPathOf(latest);
  const exists = await stat(report).then(
    () => true,
    () => false,
  );
  return { runLog: latest, report: exists ? report : await writeRunReport(latest) };
}
