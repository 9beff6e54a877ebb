// `--out FILE`: the report is written next to its target and renamed over it, so a reader never sees
// half a report and an interrupted run leaves the previous one intact. Nothing the user wrote is
// overwritten: not a file being checked, and not an existing file that is not a Step Critic report
// (unless --force says so).
import { open, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './command';

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

/** A previous report of ours carries its marker near the top (JSON/SARIF tool name, Markdown title, text summary). */
async function looksLikeReport(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const start = head.toString('utf8', 0, bytesRead);
    if (/"name":\s*"stepcritic"/.test(start) || start.startsWith('# Step Critic report')) return true;
    const size = (await handle.stat()).size;
    const tailLength = Math.min(size, 4096);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    return /solutions? checked/.test(tail.toString('utf8'));
  } finally {
    await handle.close();
  }
}

/** Text to a stream (stdout), waiting when the reader is slower than the report. */
export function streamSink(stream: NodeJS.WritableStream): { write(text: string): Promise<void> } {
  return {
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stream.write(text, (error) => (error ? reject(error) : undefined))) resolve();
        else stream.once('drain', () => resolve());
      }),
  };
}
