// Turns the spans a parser found (offsets into the text) into a SolutionDocument: ranges, hashes,
// the step limit. Every parser (Markdown, plain text, dataset records) ends here, so the document
// invariants hold for all of them: a step's `text` is exactly the slice its `range` covers.
import type { DocumentFormat, Labels, SolutionDocument, Step, Truncation } from '../types';
import { hashStep, hashText } from './hash';
import { LineIndex } from './lines';

export const DEFAULT_MAX_STEPS = 200;

export interface Span {
  start: number;
  end: number;
}

export interface StepSpan extends Span {
  label?: string;
}

export interface DocumentParts {
  uri: string;
  format: DocumentFormat;
  text: string;
  index?: LineIndex;
  /** The problem as a span of the text, or as a string that is not in it (front matter, a record field). */
  problem?: Span | string;
  steps: StepSpan[];
  finalAnswer?: { text: string; span?: Span };
  expectedAnswer?: string;
  frontMatter?: Record<string, unknown>;
  labels?: Labels;
  warnings: string[];
  maxSteps?: number;
}

export function buildDocument(parts: DocumentParts): SolutionDocument {
  const index = parts.index ?? new LineIndex(parts.text);
  const warnings = [...parts.warnings];
  const maxSteps = Math.max(1, Math.floor(parts.maxSteps ?? DEFAULT_MAX_STEPS));
  let spans = parts.steps;
  const truncated = spans.length > maxSteps ? { kept: maxSteps, total: spans.length } : undefined;
  if (truncated) {
    warnings.push(stepLimitWarning(truncated));
    spans = spans.slice(0, maxSteps);
  }
  const steps: Step[] = spans.map((span, i) => {
    const text = parts.text.slice(span.start, span.end);
    const step: Step = { index: i, text, range: index.rangeOf(span.start, span.end), hash: hashStep(text) };
    if (span.label) step.label = span.label;
    return step;
  });

  let problem = '';
  let problemRange;
  if (typeof parts.problem === 'string') problem = parts.problem;
  else if (parts.problem) {
    problem = parts.text.slice(parts.problem.start, parts.problem.end);
    problemRange = index.rangeOf(parts.problem.start, parts.problem.end);
  }

  const document: SolutionDocument = {
    uri: parts.uri,
    format: parts.format,
    kind: 'math',
    text: parts.text,
    problem,
    problemHash: hashText(problem),
    steps,
    warnings,
  };
  if (problemRange) document.problemRange = problemRange;
  if (parts.finalAnswer) {
    const span = parts.finalAnswer.span;
    document.finalAnswer = span ? { text: parts.finalAnswer.text, range: index.rangeOf(span.start, span.end) } : { text: parts.finalAnswer.text };
  }
  if (parts.expectedAnswer !== undefined && parts.expectedAnswer !== '') document.expectedAnswer = parts.expectedAnswer;
  if (parts.frontMatter) document.frontMatter = parts.frontMatter;
  if (parts.labels) document.labels = parts.labels;
  if (truncated) document.truncated = truncated;
  return document;
}

/** The one wording of the step-limit notice; surfaces read `document.truncated`, never this text. */
export function stepLimitWarning(truncated: Truncation): string {
  return `Only the first ${truncated.kept} of ${truncated.total} steps are checked (the step limit).`;
}
