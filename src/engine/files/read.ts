// Reads a solution file as text, or says in one line why it can't be: the caller reports the file as
// skipped (not a solution: empty, binary, too large) or failed (should be text but is not readable
// as UTF-8), and goes on with the others. Time stays bounded: a file over the limit is never read.
import { open } from 'node:fs/promises';
import { errorMessage } from '../error-message';

export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

export type ReadOutcome = { ok: true; text: string } | { ok: false; status: 'skipped' | 'failed'; reason: string };

export async function readTextFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadOutcome> {
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size === 0) return { ok: false, status: 'skipped', reason: 'empty file' };
      if (size > maxBytes) {
        return { ok: false, status: 'skipped', reason: `too large (${formatBytes(size)}; the limit is ${formatBytes(maxBytes)})` };
      }
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { ok: false, status: 'failed', reason: `cannot read: ${systemMessage(error)}` };
  }
  return decodeText(bytes);
}

/** Bytes → text: UTF-8, or UTF-16 with its byte-order mark (Windows Notepad's "Unicode"); anything else is refused. */
export function decodeText(bytes: Uint8Array): ReadOutcome {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : undefined;
  if (!utf16 && bytes.includes(0)) return { ok: false, status: 'skipped', reason: 'binary file' };
  let text: string;
  try {
    text = new TextDecoder(utf16 ?? 'utf-8', { fatal: true }).decode(bytes);
  } catch {
    if (utf16) return { ok: false, status: 'failed', reason: 'not valid UTF-16 (it starts with a UTF-16 byte-order mark)' };
    return { ok: false, status: 'failed', reason: `not valid UTF-8 (first bad byte on line ${firstBadLine(bytes)})` };
  }
  if (utf16 && text.includes('\u0000')) return { ok: false, status: 'skipped', reason: 'binary file' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: false, status: 'skipped', reason: 'empty file (only whitespace)' };
  return { ok: true, text };
}

/** The 1-based line of the first byte sequence that is not UTF-8. */
function firstBadLine(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    try {
      decoder.decode(bytes.subarray(lineStart, i));
    } catch {
      return line;
    }
    line++;
    lineStart = i + 1;
  }
  return line;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function systemMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    const known: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      ENOENT: 'no such file',
      EISDIR: 'is a folder',
      EMFILE: 'too many open files',
      Z_DATA_ERROR: 'not valid gzip data',
      Z_BUF_ERROR: 'the gzip data ends too early',
    };
    return known[error.code] ?? error.code;
  }
  return errorMessage(error);
}
