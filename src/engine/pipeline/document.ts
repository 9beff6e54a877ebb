// The one place where an item becomes the SolutionDocument the judge reads, for every surface (the
// CLI's files and datasets, eval, the editor's open documents, the workspace critique):
//   - a text by its language id, else its file extension (Markdown with its front matter, plain text,
//     Python, JavaScript, TypeScript), with its sibling test files for code and its reference file;
//   - a dataset record by its format (named by the user, else detected per record), its side files
//     (QuixBugs test cases) read beside the dataset;
//   - the step limit, as a typed `document.truncated`.
// It never throws: what cannot be read as a solution comes back as a failure with a one-line reason.
//
// `checkItem` is the road to judging: the text read and verified in the check pool's workers under a
// deadline (deadline/check-pool.ts), so that one hostile file or record costs that item a "not
// checkable" and never stalls the run. `buildItemDocument` only reads (eval's sampling and admission,
// the cost estimate), which is quick; verifying is what a hostile text makes slow.
import { dirname } from 'node:path';
import { z } from 'zod';
import type { CheckedText, CheckPool } from '../deadline/check-pool';
import { recordToDocument } from '../datasets/records';
import { DEFAULT_MAX_STEPS } from '../documents/build';
import { parseSolution } from '../documents/parse';
import { errorMessage } from '../error-message';
import type { SolutionDocument } from '../types';
import type { PipelineItem } from './items';

export interface DocumentOptions {
  /** Steps judged per solution; the rest are cut off (`document.truncated`). Default 200. */
  maxSteps?: number;
}

export type BuiltDocument = { ok: true; document: SolutionDocument } | { ok: false; status: 'skipped' | 'failed'; reason: string };

export async function buildItemDocument(item: PipelineItem, options: DocumentOptions = {}): Promise<BuiltDocument> {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const uri = item.documentUri ?? item.id;
  const source = item.source;
  switch (source.kind) {
    case 'unreadable':
      return { ok: false, status: source.status, reason: source.reason };
    case 'text':
      try {
        const document = await parseSolution({
          uri,
          text: source.text,
          maxSteps,
          ...(source.languageId ? { languageId: source.languageId } : {}),
          ...(source.reference ? { reference: source.reference } : {}),
        });
        const tests = document.kind === 'code' ? (source.siblingTests ?? []) : [];
        return { ok: true, document: tests.length > 0 ? { ...document, tests: [...(document.tests ?? []), ...tests] } : document };
      } catch (error) {
        return { ok: false, status: 'failed', reason: `cannot parse: ${oneLine(error, uri)}` };
      }
    case 'record':
      try {
        return {
          ok: true,
          document: recordToDocument(source.value, { uri, maxSteps, dataDir: dirname(item.path), ...(item.format ? { format: item.format } : {}) }),
        };
      } catch (error) {
        return { ok: false, status: 'failed', reason: `not a solution record: ${oneLine(error, uri)}` };
      }
  }
}

export type CheckedItem = { ok: true; document: SolutionDocument; checked: CheckedText } | { ok: false; status: 'skipped' | 'failed'; reason: string };

/**
 * Reads and verifies an item in the check pool. `built` is its document when the caller read it
 * already (eval's admission): only the verifying is left.
 */
export async function checkItem(
  item: PipelineItem,
  checks: CheckPool,
  options: DocumentOptions & { signal?: AbortSignal },
  built?: SolutionDocument,
): Promise<CheckedItem> {
  const { signal } = options;
  let document = built;
  if (!document) {
    const source = item.source;
    if (source.kind === 'text') {
      const checked = await checkText(item, checks, options);
      if (checked.unreadable !== undefined) return { ok: false, status: 'failed', reason: `cannot parse: ${oneLine(checked.unreadable, item.id)}` };
      if (checked.notCheckable !== undefined && checked.document.steps.length === 0) return { ok: false, status: 'failed', reason: checked.notCheckable };
      return { ok: true, document: checked.document, checked };
    }
    const made = await buildItemDocument(item, options);
    if (!made.ok) return made;
    document = made.document;
  }
  const checked = await checks.check({ document }, signal ? { signal } : {});
  return { ok: true, document: checked.document, checked };
}

/**
 * A text item read and verified in the check pool, with its sibling tests (a code file's); never
 * fails: what cannot be read is a document with a warning (`unreadable`), as the editor shows it.
 */
export async function checkText(item: PipelineItem, checks: CheckPool, options: DocumentOptions & { signal?: AbortSignal }): Promise<CheckedText> {
  if (item.source.kind !== 'text') throw new Error(`checkText: ${item.id} is not a text`);
  const { text, languageId, siblingTests, reference } = item.source;
  const job = {
    uri: item.documentUri ?? item.id,
    text,
    maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    ...(languageId ? { languageId } : {}),
    ...(reference ? { reference } : {}),
  };
  const checked = await checks.check(job, options.signal ? { signal: options.signal } : {});
  const tests = checked.document.kind === 'code' ? (siblingTests ?? []) : [];
  if (tests.length === 0) return checked;
  return { ...checked, document: { ...checked.document, tests: [...(checked.document.tests ?? []), ...tests] } };
}

/** An error as one line: zod's first issue, or the first line of the message, without the entry's name. */
function oneLine(error: unknown, uri: string): string {
  let message: string;
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    message = issue ? `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}` : 'invalid';
  } else {
    message =
      errorMessage(error)
        .split('\n')
        .find((l) => l.trim() !== '') ?? 'unknown error';
  }
  message = message.trim().slice(0, 300);
  return message.startsWith(`${uri}: `) ? message.slice(uri.length + 2) : message;
}
