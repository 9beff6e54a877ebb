// `--out FILE`: the report is written next to its target and renamed over it, so a reader never sees
// half a report and an interrupted run leaves the previous one intact. Nothing the user wrote is
// overwritten: not a file being checked, and not an existing file that is not a Step Critic report
// (unless --force says so).
import { open, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeAtomically } from '../engine/files/write';
import type { ReportMeta } from '../engine/report/build';
import type { ReportFormat } from '../engine/report/formats';
import { CSV_HEADER_START } from '../engine/report/csv';
import { formatOfFile, REPORT_FORMATS } from '../engine/report/formats';
import type { ReportWriter } from '../engine/report/stream';
import type { OptionSpec, ParsedArgs } from './args';
import { booleanValue, helpHint, stringValue } from './args';
import { UsageError } from './command';

/** `--format`, `--out`, `--force`: where a report goes, the same for `check` and `report`. */
export const REPORT_OUTPUT_OPTIONS: OptionSpec[] = [
  {
    name: 'format',
    short: 'f',
    type: 'string',
    valueName: 'FORMAT',
    choices: REPORT_FORMATS,
    defaultText: 'from the --out extension, else text',
    description: 'Report format',
  },
  { name: 'out', short: 'o', type: 'string', valueName: 'FILE', description: 'Write the report to FILE (atomically) instead of stdout' },
  { name: 'force', type: 'boolean', description: 'Let --out replace an existing file that is not a Step Critic report' },
];

export interface ReportOutput {
  format: ReportFormat;
  out?: string;
  force: boolean;
}

export function readReportOutput(command: string, args: ParsedArgs): ReportOutput {
  const out = stringValue(args, 'out');
  if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name', helpHint(command));
  const format = (stringValue(args, 'format') as ReportFormat | undefined) ?? (out !== undefined ? formatOfFile(out) : undefined) ?? 'text';
  return { format, ...(out !== undefined ? { out } : {}), force: booleanValue(args, 'force') ?? false };
}

/** Writes the report to `--out` (atomically), or to stdout. */
export async function writeReportOutput(writer: ReportWriter, meta: ReportMeta, out: string | undefined, stdout: NodeJS.WritableStream): Promise<void> {
  if (out === undefined) await writer.finish(meta, streamSink(stdout));
  else await writeAtomically(out, (sink) => writer.finish(meta, sink));
}

/** Checks, before any work is done, that writing the report to `target` is safe. */
export async function checkOutputTarget(target: string, inputs: readonly string[], force: boolean): Promise<void> {
  const absolute = resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) return;
  if (info.isDirectory()) throw new UsageError(`--out ${target}: is a folder; give a file name`);
  const real = await realpath(absolute);
  for (const input of inputs) {
    const inputReal = await realpath(input).catch(() => input);
    if (inputReal === real) throw new UsageError(`--out ${target}: is one of the files being checked; refusing to overwrite it`);
  }
  if (!force && info.size > 0 && !(await looksLikeReport(absolute))) {
    throw new UsageError(
      `--out ${target}: the file exists and is not a Step Critic report; refusing to overwrite it`,
      'Choose another name, remove the file, or pass --force.',
    );
  }
}

/**
 * A previous report of ours carries its marker near the top (JSON/SARIF tool name, Markdown title, the
 * HTML generator, the JUnit testsuites name, the CSV header) or, for text, its summary at the end.
 */
async function looksLikeReport(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const start = head.toString('utf8', 0, bytesRead);
    if (/"name":\s*"stepcritic"/.test(start) || start.startsWith('# Step Critic report')) return true;
    if (/<meta name="generator" content="stepcritic">/.test(start) || /<testsuites name="stepcritic"/.test(start)) return true;
    if (start.startsWith(CSV_HEADER_START)) return true;
    const size = (await handle.stat()).size;
    const tailLength = Math.min(size, 4096);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    return /solutions? checked/.test(tail.toString('utf8'));
  } finally {
    await handle.close();
  }
}

/**
 * Text to a stream (stdout): each write is done before the next (the reader sets the pace). Not on
 * `write()` returning true: stdout redirected to a file writes synchronously and calls back on the next
 * tick, which never comes while the report's writes follow one another as microtasks — every piece
 * written stayed in memory until the report ended (a 100 MB JSON report to `> out.json` took 165 MB).
 */
export function streamSink(stream: NodeJS.WritableStream): { write(text: string): Promise<void> } {
  return {
    write: (text) => new Promise<void>((resolve, reject) => void stream.write(text, (error) => (error ? reject(error) : resolve()))),
  };
}
