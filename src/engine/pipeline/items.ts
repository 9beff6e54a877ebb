// What the pipeline works through: one item per solution (a solution file, an open editor document,
// a dataset record), produced lazily (an async generator) so that a run over a million records holds
// only the items in flight. Every item carries a stable id and a content hash: together they are the
// key under which the run log and the result cache remember it, so `--resume` skips exactly the items
// judged before and re-judges an item whose content (or whose sibling test file) changed.
//
// A new input kind is added here: a function that yields PipelineItems (see `itemFromText` for the
// editor's documents), plus a case in `./document.ts` if its source is not text or a record.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { findSiblingTests, siblingTestPaths } from '../code/siblings';
import type { ReferenceFile } from '../documents/reference';
import { solutionsInRecord } from '../datasets/model-output';
import { findSiblingReference, siblingReferencePath } from '../files/sibling-reference';
import type { DiscoveredFile, MissingInput } from '../files/discover';
import { displayPath } from '../files/discover';
import { classifyPath, datasetKindOf, type DatasetKind } from '../files/kinds';
import { readTextFile, systemMessage } from '../files/read';
import type { CodeTest, DocumentFormat } from '../types';
import { streamDataset } from '../batch/dataset-stream';

export type ItemSource =
  /** A solution's text (a file read from disk, or an open editor document), the tests and the reference file beside it. */
  | { kind: 'text'; text: string; languageId?: string; siblingTests?: CodeTest[]; reference?: ReferenceFile }
  /** One record of a dataset, parsed JSON. */
  | { kind: 'record'; value: unknown }
  /** Something that cannot be judged; it is reported with its reason, never dropped. */
  | { kind: 'unreadable'; status: 'skipped' | 'failed'; reason: string };

export interface PipelineItem {
  /** As shown to the user: the path relative to the working directory, `data.jsonl#N` for record N. */
  id: string;
  /** The document's own URI when it differs from `id` (the editor's `file:///…`); diagnostics use it. */
  documentUri?: string;
  /** The file on disk (for a record, its dataset). */
  path: string;
  record?: { index: number; line?: number; solution?: string };
  /** Hash of the exact bytes judged (text, sibling tests and reference file, or the record's JSON). */
  contentHash: string;
  source: ItemSource;
  /** The dataset format the user named, if any (otherwise it is detected per record). */
  format?: DocumentFormat;
}

/** The key of an item in a run log and the result cache. */
export function itemKey(item: Pick<PipelineItem, 'id' | 'contentHash'>): string {
  return `${item.id}\u0000${item.contentHash}`;
}

export function contentHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 24);
}

export interface ReadItemsOptions {
  /** Paths are shown relative to this (default: process.cwd()). */
  cwd?: string;
  /** The dataset format of every record (otherwise detected per record). */
  format?: DocumentFormat;
  /** Solution files, and dataset records, larger than this are skipped (default: the CLI reader's limit). */
  maxFileBytes?: number;
  /** Stop producing items (the consumer stops pulling anyway; this also ends a long file scan early). */
  signal?: AbortSignal;
}

/** The files read with the solution at `path` (its reference, its sibling tests): when one changes, so does its item. */
export function companionPaths(path: string): string[] {
  const reference = siblingReferencePath(path);
  return [...(reference !== undefined ? [reference] : []), ...siblingTestPaths(path)];
}

/** Globs that match every companion file `companionPaths` can name (for a file watcher). */
export const COMPANION_GLOBS = ['**/*.reference.md', '**/test_*.py', '**/*_test.py', '**/*.{test,spec}.{ts,js,mts,mjs,cts,cjs,tsx,jsx}'];

/** A solution's text as an item: its sibling test files and reference file are read with it and are part of its hash. */
export async function itemFromText(input: { id: string; path: string; text: string; languageId?: string; documentUri?: string }): Promise<PipelineItem> {
  const [tests, reference] = await Promise.all([findSiblingTests(input.path), findSiblingReference(input.path)]);
  const referenceHash = reference ? [`reference\u0000${reference.name}\u0000${'text' in reference ? reference.text : reference.unreadable}`] : [];
  return {
    id: input.id,
    ...(input.documentUri !== undefined ? { documentUri: input.documentUri } : {}),
    path: input.path,
    contentHash: contentHash(input.text, ...tests.map((t) => t.code), ...referenceHash),
    source: {
      kind: 'text',
      text: input.text,
      ...(input.languageId ? { languageId: input.languageId } : {}),
      ...(tests.length > 0 ? { siblingTests: tests } : {}),
      ...(reference ? { reference } : {}),
    },
  };
}

/** The content hash of an input that could not be found or read at all (it has no content). */
export const UNREAD = 'unread';

/** An input that could not be found or read at all: reported as failed, the others still judged. */
export function unreadableItem(id: string, path: string, status: 'skipped' | 'failed', reason: string): PipelineItem {
  return { id, path, contentHash: UNREAD, source: { kind: 'unreadable', status, reason } };
}

/**
 * Every solution in `inputs` (files as discovery found them, or paths), in order, streamed: one item per
 * solution file and one per dataset record. A file or record that cannot be read becomes an
 * `unreadable` item (reported, not dropped): a path that does not exist, a dataset that cannot be
 * opened at all, a line that is not JSON.
 */
export async function* readItems(inputs: readonly (DiscoveredFile | MissingInput | string)[], options: ReadItemsOptions = {}): AsyncGenerator<PipelineItem> {
  const cwd = options.cwd ?? process.cwd();
  for (const input of inputs) {
    if (options.signal?.aborted) return;
    const path = typeof input === 'string' ? resolve(cwd, input) : input.path;
    const shown = typeof input === 'string' ? displayPath(path, cwd) : input.display;
    if (typeof input !== 'string' && 'missing' in input) {
      yield unreadableItem(shown, path, 'failed', input.missing);
      continue;
    }
    const kind = datasetKindOf(path);
    if (kind === undefined) {
      const classified = classifyPath(path);
      if (classified.kind === 'unsupported') {
        const what = classified.extension ? `'${classified.extension}' files` : 'files without an extension';
        yield unreadableItem(shown, path, 'skipped', `not a solution file (${what} are not read)`);
        continue;
      }
      const read = await readTextFile(path, options.maxFileBytes);
      yield read.ok ? await itemFromText({ id: shown, path, text: read.text }) : unreadableItem(shown, path, read.status, read.reason);
      continue;
    }
    yield* datasetItems(path, shown, kind, options);
  }
}

async function* datasetItems(path: string, shown: string, kind: DatasetKind, options: ReadItemsOptions): AsyncGenerator<PipelineItem> {
  try {
    const limit = options.maxFileBytes !== undefined ? { maxRecordBytes: options.maxFileBytes } : {};
    for await (const record of streamDataset(path, kind, limit)) {
      if (options.signal?.aborted) return;
      const id = `${shown}#${record.index}`;
      const location = { index: record.index, ...(record.line !== undefined ? { line: record.line } : {}) };
      if (!record.ok) {
        const status = record.skipped ? 'skipped' : 'failed';
        yield { id, path, record: location, contentHash: contentHash(record.raw), source: { kind: 'unreadable', status, reason: record.error } };
        continue;
      }
      const format = options.format ? { format: options.format } : {};
      const several = options.format === undefined || options.format === 'model-output' ? solutionsInRecord(record.value) : undefined;
      if (!several) {
        yield { id, path, record: location, contentHash: contentHash(record.raw), source: { kind: 'record', value: record.value }, ...format };
        continue;
      }
      for (const solution of several) {
        yield {
          id: `${id}/${solution.name}`,
          path,
          record: { ...location, solution: solution.name },
          contentHash: contentHash(record.raw, solution.name),
          source: { kind: 'record', value: solution.record },
          ...format,
        };
      }
    }
  } catch (error) {
    yield unreadableItem(shown, path, 'failed', `cannot read the dataset: ${systemMessage(error)}`);
  }
}
