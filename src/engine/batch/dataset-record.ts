// One record of a dataset as the readers of every container (JSON Lines, JSON, Parquet, CSV) hand it
// on, and the size limit they all apply to it.
import { formatBytes } from '../files/read';

export interface DatasetStreamOptions {
  /** A record larger than this (its JSON text) is skipped unread, as a solution file over the limit is. */
  maxRecordBytes?: number;
}

/** A record over the limit, as a skipped record: parsing and judging megabytes of one "solution" is not worth the time. */
export function oversized(raw: string, maxBytes: number): string | undefined {
  if (raw.length <= maxBytes / 4) return undefined; // at most 4 bytes a character: surely under
  const bytes = Buffer.byteLength(raw, 'utf8');
  return bytes > maxBytes ? `too large (${formatBytes(bytes)}; a record may be at most ${formatBytes(maxBytes)})` : undefined;
}

/** One record of a dataset, or the reason a part of the file could not be read as one (`skipped`: too large to be a solution). */
export type DatasetRecord =
  | { ok: true; index: number; line?: number; value: unknown; raw: string }
  | { ok: false; index: number; line?: number; error: string; raw: string; skipped?: true };

/** A record read as a value (a JSON array's element, a Parquet or CSV row): kept, or skipped when over the limit. */
export function recordOfValue(index: number, value: unknown, maxBytes: number): DatasetRecord {
  const raw = JSON.stringify(value);
  const tooLarge = oversized(raw, maxBytes);
  return tooLarge ? { ok: false, index, error: tooLarge, raw: raw.slice(0, 4096), skipped: true } : { ok: true, index, value, raw };
}
