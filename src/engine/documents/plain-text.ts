// Plain text solutions (`.txt`): the lightest layout there is.
//   - Paragraphs are separated by blank lines. When the solution part has any paragraph of more than
//     one line, each paragraph is a step; otherwise each non-empty line is a step (GSM8K style).
//   - A line that starts `Step N` always starts a new step.
//   - `Answer: …` and `#### x` lines give the final answer and are not steps; failing those, the last
//     `\boxed{…}` in the steps does.
//   - The problem is a first paragraph labelled `Problem:` / `Question:` / `Q:`, or a first paragraph
//     followed by a line that is just `Solution:`; otherwise there is none.
import type { SolutionDocument } from '../types';
import type { Span, StepSpan } from './build';
import { buildDocument } from './build';
import { ANSWER_LINE, HASH_ANSWER, answerSpan, lastBoxedIn } from './final-answer';
import { LineIndex, skipBlank, trimBlankEnd } from './lines';
import type { ParseOptions } from './markdown';

const STEP_LINE = /^\s{0,3}step[ \t]*(\d{1,6})\b/i;
const PROBLEM_LABEL = /^\s{0,3}(?:problem|question|task|q)(?:[ \t]*\d{1,4})?[ \t]*[:.]/i;
const SOLUTION_LINE = /^\s{0,3}(?:solution|steps|answer and solution)[ \t]*[:.]?[ \t]*$/i;

interface TextLine extends Span {
  blank: boolean;
}

export function parsePlainTextSolution(uri: string, text: string, options: ParseOptions = {}): SolutionDocument {
  const index = new LineIndex(text);
  const warnings: string[] = [];
  if (text.includes('\u0000')) warnings.push('The text contains NUL characters; it may not be a text file.');
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const lines: TextLine[] = index.lines.map((l, i) => {
    const start = skipBlank(text, i === 0 ? l.start + bom : l.start, l.end);
    const end = trimBlankEnd(text, start, l.end);
    return { start, end, blank: start >= end };
  });

  let answer: Span | undefined;
  const body: TextLine[] = [];
  let solutionMarker = -1;
  for (const line of lines) {
    const head = text.slice(line.start, Math.min(line.end, line.start + 200));
    if (!line.blank && HASH_ANSWER.test(head)) {
      answer = answerSpan(text, line.start + 4, line.end) ?? answer;
      body.push({ ...line, blank: true });
    } else if (!line.blank && ANSWER_LINE.test(head)) {
      const match = ANSWER_LINE.exec(head)!;
      answer = answerSpan(text, line.start + match[0].length, line.end) ?? answer;
      body.push({ ...line, blank: true });
    } else if (!line.blank && SOLUTION_LINE.test(head)) {
      solutionMarker = body.length;
      body.push({ ...line, blank: true });
    } else body.push(line);
  }

  const paragraphs: { lines: TextLine[]; firstLine: number }[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i]!;
    if (line.blank) continue;
    const previous = paragraphs[paragraphs.length - 1];
    const startsStep = STEP_LINE.test(text.slice(line.start, Math.min(line.end, line.start + 40)));
    if (previous && previous.firstLine + previous.lines.length === i && !startsStep) previous.lines.push(line);
    else paragraphs.push({ lines: [line], firstLine: i });
  }

  let problem: Span | undefined;
  let solution = paragraphs;
  const first = paragraphs[0];
  if (first && paragraphs.length > 1) {
    const labelled = PROBLEM_LABEL.test(text.slice(first.lines[0]!.start, first.lines[0]!.start + 40));
    const beforeMarker = solutionMarker > first.firstLine && paragraphs[1]!.firstLine > solutionMarker;
    if (labelled || beforeMarker) {
      problem = { start: first.lines[0]!.start, end: first.lines[first.lines.length - 1]!.end };
      solution = paragraphs.slice(1);
    }
  }

  const byParagraph = solution.some((p) => p.lines.length > 1) && solution.length > 1;
  const steps: StepSpan[] = [];
  for (const paragraph of solution) {
    const units = byParagraph ? [paragraph.lines] : paragraph.lines.map((l) => [l]);
    for (const unit of units) {
      const start = unit[0]!.start;
      const end = unit[unit.length - 1]!.end;
      const label = STEP_LINE.exec(text.slice(start, Math.min(end, start + 40)));
      steps.push(label ? { start, end, label: `Step ${label[1]}` } : { start, end });
    }
  }
  if (!answer) {
    answer = lastBoxedIn(text, steps);
  }

  return buildDocument({
    uri,
    format: 'text',
    text,
    index,
    problem,
    steps,
    finalAnswer: answer ? { text: text.slice(answer.start, answer.end), span: answer } : undefined,
    warnings,
    maxSteps: options.maxSteps,
  });
}
