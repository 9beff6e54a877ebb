// A reference solution given with a solution (front matter `reference:`, a dataset record's `reference`
// field, `name.reference.md` beside `name.solution.md`): read as a Markdown solution for its final
// answer, kept whole for the critic's prompt and the named results it computes (verify/reference-values.ts).
// A reference that cannot be used is never an error: the solution is judged without it, and a warning
// says why.
import type { Reference, SolutionDocument } from '../types';
import { compareAnswers } from '../verify/answer';
import { parseMarkdownSolution } from './markdown';

/** A longer reference is not read (it would be most of every prompt); the warning says so. */
export const MAX_REFERENCE_CHARACTERS = 50_000;

const ORIGIN_NAME: Record<Reference['origin'], string> = {
  'front-matter': 'The front matter\'s "reference:"',
  record: 'The record\'s "reference" field',
  file: 'The reference file beside the solution',
};

/** A reference file beside a solution, read (or why it could not be). */
export type ReferenceFile = { name: string; text: string } | { name: string; unreadable: string };

/** The document with its reference file attached, or a warning saying why it could not be read. */
export function withReferenceFile(document: SolutionDocument, file: ReferenceFile): SolutionDocument {
  if ('text' in file) return withReference(document, file.text, 'file', file.name);
  return { ...document, warnings: [...document.warnings, `The reference ${file.name} was not read (${file.unreadable}); the solution is judged without it.`] };
}

/** The document with its reference attached; `where` names the reference in warnings (a file's name). */
export function withReference(document: SolutionDocument, text: string, origin: Reference['origin'], where?: string): SolutionDocument {
  const named = where ? `The reference ${where}` : ORIGIN_NAME[origin];
  const warn = (warning: string): SolutionDocument => ({ ...document, warnings: [...document.warnings, warning] });
  if (document.reference) return warn(`${named} was not used: ${ORIGIN_NAME[document.reference.origin].replace(/^The/, 'the')} comes first.`);
  if (text.trim() === '') return warn(`${named} is empty; the solution is judged without a reference.`);
  if (text.length > MAX_REFERENCE_CHARACTERS) {
    return warn(
      `${named} is too long (${text.length.toLocaleString('en-US')} characters; the limit is ${MAX_REFERENCE_CHARACTERS.toLocaleString('en-US')}); the solution is judged without it.`,
    );
  }
  const read = parseMarkdownSolution('reference', text);
  const finalAnswer = read.expectedAnswer ?? read.finalAnswer?.text;
  const reference: Reference = { text: text.trim(), origin, ...(finalAnswer !== undefined ? { finalAnswer } : {}) };
  const warnings = [...document.warnings];
  if (finalAnswer === undefined) {
    warnings.push(`${named} states no final answer (an "Answer:" line, "#### 72" or \\boxed{…}): the final answer is not compared with it.`);
  } else if (document.expectedAnswer !== undefined && compareAnswers(finalAnswer, document.expectedAnswer) === 'differs') {
    warnings.push(
      `${named} ends with ${finalAnswer}, but the expected answer is ${document.expectedAnswer}; the final answer is compared with ${document.expectedAnswer}.`,
    );
  }
  return { ...document, reference, warnings };
}
