// The CPU-bound part of judging a text: reading it as a solution and running the deterministic
// verifiers (every computation recomputed, the final answer compared). It is what runs in the check
// worker (check-worker.ts) under a deadline, so that one hostile text (`9^9^9 = 547`, a document of
// thousands of steps) costs that text a "not checkable" and never stalls the caller's thread.
// Progress is reported as it goes, so that a deadline keeps what was done before it.
import { parseSolution } from '../documents/parse';
import type { ReferenceFile } from '../documents/reference';
import { errorMessage } from '../error-message';
import type { AnswerEvidence, Evidence, SolutionDocument } from '../types';
import { checkFinalAnswer } from '../verify/answer';
import { verifyMathSteps, type StepCache } from '../verify/steps';

/** A text to read and verify, or a document already read (a dataset record) to verify. */
export type CheckJob = { uri: string; text: string; languageId?: string; maxSteps: number; reference?: ReferenceFile } | { document: SolutionDocument };

export type CheckEvent =
  | { type: 'parsed'; document: SolutionDocument; stepsOverLimit: number; unreadable?: string }
  /** Evidence of steps `from` … `upTo - 1` (only the steps that have some are listed). */
  | { type: 'verified'; upTo: number; evidence: [number, Evidence[]][] }
  | { type: 'answer'; answer: AnswerEvidence | undefined };

/** Steps' evidence is sent in batches of at most this many steps or this many ms. */
const BATCH_STEPS = 256;
const BATCH_MS = 20;

/** Reads a text as a solution; never throws (a parser failure becomes a document with a warning). */
export async function readSolution(
  uri: string,
  text: string,
  languageId: string | undefined,
  maxSteps: number,
  reference?: ReferenceFile,
): Promise<{ document: SolutionDocument; stepsOverLimit: number; unreadable?: string }> {
  try {
    const document = await parseSolution({ uri, text, languageId, maxSteps, ...(reference ? { reference } : {}) });
    return { document, stepsOverLimit: stepsOverLimit(document) };
  } catch (error) {
    const unreadable = errorMessage(error);
    return { document: unreadDocument(uri, text, `Could not read this document as a solution: ${unreadable}`), stepsOverLimit: 0, unreadable };
  }
}

/** Steps cut off by the step limit (the document's typed `truncated`). */
export function stepsOverLimit(document: SolutionDocument): number {
  return document.truncated ? document.truncated.total - document.truncated.kept : 0;
}

/** A document with no steps, only a warning saying why (unreadable, or not read in time). */
export function unreadDocument(uri: string, text: string, warning: string): SolutionDocument {
  return { uri, format: 'markdown', kind: 'math', text, problem: '', problemHash: '', steps: [], warnings: [warning] };
}

/** `memo`: the worker's step results of earlier jobs (an editor's texts repeat from one edit to the next). */
export async function runCheckJob(job: CheckJob, emit: (event: CheckEvent) => void, memo?: StepCache): Promise<void> {
  const read =
    'document' in job
      ? { document: job.document, stepsOverLimit: stepsOverLimit(job.document) }
      : await readSolution(job.uri, job.text, job.languageId, job.maxSteps, job.reference);
  emit({ type: 'parsed', ...read });
  const { document } = read;
  if (document.kind === 'math') {
    let batch: [number, Evidence[]][] = [];
    let batchStart = performance.now();
    let since = 0;
    let done = 0;
    // Each step in the context of the ones before it (functions they defined, their last equation).
    for (const [step, found] of verifyMathSteps(document, memo)) {
      done++;
      if (found.length > 0) batch.push([step.index, found]);
      if (done - since >= BATCH_STEPS || performance.now() - batchStart >= BATCH_MS) {
        emit({ type: 'verified', upTo: done, evidence: batch });
        batch = [];
        since = done;
        batchStart = performance.now();
      }
    }
    emit({ type: 'verified', upTo: document.steps.length, evidence: batch });
  } else {
    emit({ type: 'verified', upTo: document.steps.length, evidence: [] });
  }
  emit({ type: 'answer', answer: checkFinalAnswer(document) });
}
