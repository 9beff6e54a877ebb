// What a batch run works through: solution files and the records of JSON/JSONL datasets, one item per
// solution, produced lazily (an async generator) so that a run over a million records holds only the
// few items in flight. Every item carries a stable id and a content hash: together they are the key
// under which the run log remembers it, so `--resume` skips exactly the items judged before and
// re-judges an item whose content changed.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { displayPath } from '../files/discover';
import { classifyPath } from '../files/kinds';
import { readTextFile, systemMessage } from '../files/read';
import type { DocumentFormat } from '../types';
import { datasetKindOf, streamDataset } from './dataset-stream';

export type BatchItemSource =
  /** A solution file, read (text decoded as UTF-8). */
  | { kind: 'file'; text: string }
  /** One record of a dataset, parsed JSON. */
  | { kind: 'record'; value: unknown }
  /** Something that cannot be judged; it is reported with its reason, never dropped. */
  | { kind: 'unreadable'; status: 'skipped' | 'failed'; reason: string };

export interface BatchItem {
  /** As shown to the user: the path relative to the working directory, `data.jsonl#N` for record N. */
  id: string;
  /** The file on disk (for a record, its dataset). */
  path: string;
  record?: { index: number; line?: number };
  /** Hash of the exact bytes judged (file text, or the record's JSON). */
  contentHash: string;
  source: BatchItemSource;
  /** The dataset format the user named, if any (otherwise it is detected per record). */
  format?: DocumentFormat;
}

/** The key of an item in a run log. */
export function itemKey(item: Pick<BatchItem, 'id' | 'contentHash'>): string {
  return `${item.id}\u0000${item.contentHash}`;
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

export interface ReadItemsOptions {
  /** Paths are shown relative to this (default: process.cwd()). */
  cwd?: string;
  /** The dataset format of every record (otherwise detected per record). */
  format?: DocumentFormat;
  /**
   * Expands the user's paths (files, folders, globs) into files, in a stable order. Default: each path
   * as given. The CLI passes its own discovery (folders, globs, .gitignore).
   */
  discover?: (paths: readonly string[]) => AsyncIterable<string> | Iterable<string> | Promise<Iterable<string>>;
  /** Solution files larger than this are skipped (default: the CLI reader's limit). */
  maxFileBytes?: number;
  /** Stop producing items (the consumer stops pulling anyway; this also ends a long file scan early). */
  signal?: AbortSignal;
}

/** Reads one solution file (the CLI's safe reader: size limit, binary, UTF-8), or says why it cannot be judged. */
export async function readSolutionFile(
  path: string,
  maxBytes?: number,
): Promise<{ text: string; hash: string } | { status: 'skipped' | 'failed'; reason: string; hash: string }> {
  const read = await readTextFile(path, maxBytes);
  if (!read.ok) return { status: read.status, reason: read.reason, hash: 'unread' };
  return { text: read.text, hash: contentHash(read.text) };
}

/**
 * Every solution under `paths`, streamed: one item per solution file and one per dataset record.
 * A file or record that cannot be read becomes an `unreadable` item (reported, not dropped); a dataset
 * that cannot be opened at all becomes one such item for the file.
 */
export async function* readItems(paths: readonly string[], options: ReadItemsOptions = {}): AsyncGenerator<BatchItem> {
  const cwd = options.cwd ?? process.cwd();
  const files = options.discover ? await options.discover(paths) : paths;
  for await (const given of files as AsyncIterable<string>) {
    if (options.signal?.aborted) return;
    const path = resolve(cwd, given);
    const shown = displayPath(path, cwd);
    const kind = datasetKindOf(path);
    if (kind === undefined) {
      const classified = classifyPath(path);
      if (classified.kind === 'unsupported') {
        const what = classified.extension ? `'${classified.extension}' files` : 'files without an extension';
        yield {
          id: shown,
          path,
          contentHash: 'unread',
          source: { kind: 'unreadable', status: 'skipped', reason: `not a solution file (${what} are not read)` },
        };
        continue;
      }
      const read = await readSolutionFile(path, options.maxFileBytes);
      yield 'text' in read
        ? { id: shown, path, contentHash: read.hash, source: { kind: 'file', text: read.text } }
        : { id: shown, path, contentHash: read.hash, source: { kind: 'unreadable', status: read.status, reason: read.reason } };
      continue;
    }
    try {
      for await (const record of streamDataset(path, kind)) {
        if (options.signal?.aborted) return;
        const id = `${shown}#${record.index}`;
        const location = { index: record.index, ...(record.line !== undefined ? { line: record.line } : {}) };
        yield record.ok
          ? {
              id,
              path,
              record: location,
              contentHash: contentHash(record.raw),
              source: { kind: 'record', value: record.value },
              ...(options.format ? { format: options.format } : {}),
            }
          : { id, path, record: location, contentHash: contentHash(record.raw), source: { kind: 'unreadable', status: 'failed', reason: record.error } };
      }
    } catch (error) {
      yield {
        id: shown,
        path,
        contentHash: 'none',
        source: { kind: 'unreadable', status: 'failed', reason: `cannot read the dataset: ${systemMessage(error)}` },
      };
    }
  }
}
