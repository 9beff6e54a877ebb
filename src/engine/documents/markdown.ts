// Markdown solution documents (`*.solution.md`, or any Markdown file the user points at).
//
// Layout, in order: optional YAML front matter; a problem; steps; a final answer.
//
// Blocks (one pass over the lines, so time is linear in the size of the text):
//   - a paragraph (lines up to a blank line), a list item (with its indented continuation, nested
//     lists included), a line that starts `Step N` (it starts a new step even inside a paragraph),
//     a fenced code block — each of these is a step candidate;
//   - display math (`$$…$$`, `\[…\]`, `\begin{align}…\end{align}`) is read as one unit even across
//     blank lines; it belongs to the paragraph it is written in, and display math standing alone after
//     a blank line belongs to the paragraph (or item) just before it;
//   - headings are never steps; they name sections;
//   - `Answer: …`, `#### 72` and the content of an `## Answer` section give the final answer (not a step);
//     otherwise the last `\boxed{…}` in the steps does.
//
// Where the problem is (first rule that applies):
//   1. a `# Problem` / `## Question` (Task, Exercise) section: its blocks are the problem; the steps are
//      the `Solution` section's blocks if there is one, else every later block outside an Answer section;
//   2. a `Solution` heading (or a line that is just `Solution:`): everything before it is the problem;
//   3. a paragraph labelled `Problem:` / `Question:` / `Q:`;
//   4. `problem:` in the front matter;
//   5. the first paragraph, when it reads like a problem (contains `?` or opens with Find, Compute,
//      What, How, If, …) and more blocks follow;
//   otherwise there is no problem statement (a warning says how to add one) and every block is a step.
import type { SolutionDocument } from '../types';
import type { Span, StepSpan } from './build';
import { buildDocument } from './build';
import { ANSWER_LINE, HASH_ANSWER, answerSpan, lastBoxedIn } from './final-answer';
import { knownFrontMatter, readFrontMatter } from './front-matter';
import type { Line } from './lines';
import { LineIndex, skipBlank, trimBlankEnd } from './lines';

export interface ParseOptions {
  maxSteps?: number;
  /** The problem given apart from the text (a dataset record's field): it is the problem, whatever the text holds. */
  problem?: string;
  /** The expected answer given apart from the text, used when the front matter names none. */
  expectedAnswer?: string;
  /** Every line is a step of its own (a model's response with no blank line: GSM8K style), not one paragraph. */
  linePerStep?: boolean;
}

type Section = 'none' | 'problem' | 'solution' | 'answer' | 'other';
type BlockKind = 'paragraph' | 'item' | 'step' | 'math' | 'code' | 'heading' | 'answer';

interface Block {
  kind: BlockKind;
  start: number;
  end: number;
  section: Section;
  /** For list items: the column where the item's content starts (continuation lines are indented this far). */
  contentIndent?: number;
  /** Lines in the block (for setext headings, which only turn a one-line paragraph into a heading). */
  lineCount: number;
  label?: string;
  headingLevel?: number;
  /** For answer blocks: the answer itself. */
  answer?: Span;
  /** A `Problem:`-labelled paragraph is the problem whatever section it stands in. */
  problemLabel?: boolean;
  /** A heading `## Step 3: text` whose text says the step (Llama 3's layout), not a title over one. */
  stepTitle?: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** `A: 18` as the last line of a solution (GSM8K-style model outputs): anywhere else `A:` is too common to be the answer. */
const SHORT_ANSWER_LINE = /^ {0,3}A[ \t]*:[ \t]*(?=\S)/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+|$)/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const LIST_MARKER = /^( {0,3})([-*+]|\d{1,9}[.)])(?:([ \t]{1,4})(?=\S)|[ \t]*$)/;
const STEP_LINE = /^ {0,3}(?:[*_]{1,2})?(?:#{1,6}[ \t]*)?step[ \t]*(\d{1,6})\b/i;
const STEP_LABEL_ONLY = /^ {0,3}(?:[*_]{1,2})?step[ \t]*\d{1,6}[ \t]*[:.)]?[ \t]*(?:[*_]{1,2})?[ \t]*[:.]?[ \t]*$/i;
const PROBLEM_LABEL = /^ {0,3}(?:[*_]{1,2})?(?:problem|question|task|exercise|q)(?:[ \t]*\d{1,4})?[ \t]*(?:[*_]{1,2})?[ \t]*[:.](?:[*_]{1,2})?/i;
const PSEUDO_HEADING =
  /^ {0,3}(?:[*_]{1,2})?(problem|question|solution|steps|working|reasoning|answer|final answer)(?:[*_]{1,2})?[ \t]*[:.]?[ \t]*(?:[*_]{1,2})?[ \t]*$/i;
const SOLUTION_PREFIX = /^ {0,3}(?:[*_]{1,2})?solution(?:[*_]{1,2})?[ \t]*:(?:[*_]{1,2})?[ \t]*\S/i;
const HTML_COMMENT = /^ {0,3}<!--/;
const MATH_ENV = /^\\begin\{(equation|align|gather|multline|eqnarray|displaymath|math|split|flalign|alignat)(\*?)\}/;

/** Lines to look ahead for the end of an unclosed `\begin{…}` or HTML comment before giving up. */
const MAX_ENVIRONMENT_LINES = 500;

function sectionOf(title: string): Section {
  const t = title
    .toLowerCase()
    .replace(/[*_`:.#]/g, '')
    .trim();
  if (/^(?:the )?(?:problem|question|task|exercise|problem statement)(?: \d+)?$/.test(t)) return 'problem';
  if (/^(?:my |the )?(?:solution|solutions|working|work|steps|reasoning|proof|attempt)\b/.test(t)) return 'solution';
  if (/^step \d+\b/.test(t)) return 'solution';
  if (/^(?:the )?(?:final )?answers?$/.test(t)) return 'answer';
  return 'other';
}

// (A function, not an inline comparison: the section changes inside closures TypeScript cannot follow.)
function isProblem(section: Section): boolean {
  return section === 'problem';
}

function indentOf(text: string, start: number, end: number): number {
  let column = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) column++;
    else if (c === 9) column += 4 - (column % 4);
    else break;
  }
  return column;
}

export function parseMarkdownSolution(uri: string, text: string, options: ParseOptions = {}): SolutionDocument {
  const index = new LineIndex(text);
  const lines = index.lines;
  const warnings: string[] = [];
  if (text.includes('\u0000')) warnings.push('The text contains NUL characters; it may not be a text file.');

  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const front = readFrontMatter(text, lines, 0, bom);
  warnings.push(...front.warnings);
  const known = knownFrontMatter(front.data, warnings);

  const blocks = scanBlocks(
    text,
    lines,
    front.bodyLine,
    front.bodyLine === 0 ? bom : (lines[front.bodyLine]?.start ?? text.length),
    options.linePerStep === true,
  );
  const givenProblem = options.problem?.trim() || known.problem?.trim();
  const { problem, steps } = assignSections(blocks, givenProblem !== undefined, (b) => text.slice(b.start, b.end));

  let finalAnswer: { text: string; span?: Span } | undefined;
  const answerBlock = [...blocks].reverse().find((b) => b.kind === 'answer' && b.answer);
  const answerSection = blocks.find((b) => b.section === 'answer' && b.kind !== 'heading' && b.kind !== 'answer');
  let answer = answerBlock?.answer;
  if (!answer && answerSection) answer = answerSpan(text, answerSection.start, answerSection.end);
  if (!answer) {
    answer = lastBoxedIn(text, steps);
  }
  if (answer) finalAnswer = { text: text.slice(answer.start, answer.end), span: answer };

  let problemPart: Span | string | undefined = options.problem?.trim() || problem;
  if (!problemPart && givenProblem !== undefined) problemPart = givenProblem;
  if (!problemPart && steps.length > 0) {
    warnings.push('No problem statement found: put it under a "# Problem" heading (or "problem:" in the front matter) so the steps can be judged against it.');
  }

  return buildDocument({
    uri,
    format: 'markdown',
    text,
    index,
    problem: problemPart,
    steps,
    finalAnswer,
    expectedAnswer: known.expected ?? known.answer ?? options.expectedAnswer,
    frontMatter: front.data,
    warnings,
    maxSteps: options.maxSteps,
  });
}

/**
 * "Which line, from here on, is the next one that contains X?" answered from tables built once per
 * needle (one backward pass over the lines), so that many unclosed `\\[`, `\\begin{…}` or `<!--` cost
 * linear time rather than one scan of the rest of the file each.
 */
class LineFinder {
  private readonly tables = new Map<string, Int32Array>();

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  private table(key: string, has: (line: Line) => boolean): Int32Array {
    let table = this.tables.get(key);
    if (!table) {
      table = new Int32Array(this.lines.length + 1);
      table[this.lines.length] = -1;
      for (let l = this.lines.length - 1; l >= 0; l--) table[l] = has(this.lines[l]!) ? l : table[l + 1]!;
      this.tables.set(key, table);
    }
    return table;
  }

  /** The first line at or after `from` that contains `needle`, or -1. */
  next(needle: string, from: number): number {
    if (from >= this.lines.length) return -1;
    return this.table(needle, (l) => this.text.slice(l.start, l.end).includes(needle))[from]!;
  }

  /** The first ATX heading line at or after `from`, or -1. */
  nextHeading(from: number): number {
    if (from >= this.lines.length) return -1;
    return this.table('\u0000heading', (l) => ATX_HEADING.test(this.text.slice(l.start, Math.min(l.end, l.start + 8))))[from]!;
  }
}

/** Finds the line that closes display math opened on line `i` (at `contentStart`), or -1. */
function displayMathEnd(text: string, lines: Line[], finder: LineFinder, i: number, contentStart: number): number {
  const line = lines[i]!;
  const head = text.slice(contentStart, Math.min(line.end, contentStart + 40));
  let closer: string;
  let from: number;
  if (head.startsWith('$$')) {
    closer = '$$';
    from = contentStart + 2;
  } else if (head.startsWith('\\[')) {
    closer = '\\]';
    from = contentStart + 2;
  } else {
    const env = MATH_ENV.exec(head);
    if (!env) return -1;
    closer = `\\end{${env[1]}${env[2]}}`;
    from = contentStart + env[0].length;
  }
  if (text.slice(from, line.end).includes(closer)) return i;
  const j = finder.next(closer, i + 1);
  if (j < 0 || j - i >= MAX_ENVIRONMENT_LINES) return -1;
  // `$$` and `\\[` that never close would swallow the rest of the file: stop at a heading.
  const heading = finder.nextHeading(i + 1);
  return heading >= 0 && heading < j ? -1 : j;
}

/**
 * The line that closes display math opened at the end of line `i` after text (`Given: $$`, `we get \\[`), or -1:
 * the display goes on with the block of that text. Without it the closing `$$` on a later line would be read
 * as an opener, and every `$$` after it the wrong way round.
 */
function trailingDisplayEnd(text: string, lines: Line[], finder: LineFinder, i: number, contentStart: number): number {
  const line = text.slice(contentStart, lines[i]!.end);
  const dollars = line.split('$$').length - 1;
  const closer = dollars % 2 === 1 ? '$$' : line.lastIndexOf('\\[') > line.lastIndexOf('\\]') ? '\\]' : undefined;
  if (!closer) return -1;
  const j = finder.next(closer, i + 1);
  if (j < 0 || j - i >= MAX_ENVIRONMENT_LINES) return -1;
  const heading = finder.nextHeading(i + 1);
  return heading >= 0 && heading < j ? -1 : j;
}

function scanBlocks(text: string, lines: Line[], firstLine: number, firstOffset: number, linePerStep: boolean): Block[] {
  const finder = new LineFinder(text, lines);
  const blocks: Block[] = [];
  let section: Section = 'none';
  let sectionLevel = 0;
  let current: Block | undefined;
  let previousBlank = false;
  let pendingLabel: string | undefined;
  let lastLine = lines.length - 1;
  while (lastLine > firstLine && text.slice(lines[lastLine]!.start, lines[lastLine]!.end).trim() === '') lastLine--;
  /** A `Problem:` line standing alone labels the next block only. */
  let pendingProblem = false;

  const close = () => {
    if (!current) return;
    if (current.kind !== 'heading' && current.kind !== 'answer') {
      if (pendingLabel && !current.label) current.label = pendingLabel;
      pendingLabel = undefined;
      if (pendingProblem) {
        current.problemLabel = true;
        pendingProblem = false;
      }
    }
    blocks.push(current);
    current = undefined;
  };
  const open = (kind: BlockKind, start: number, end: number, extra: Partial<Block> = {}) => {
    close();
    current = { kind, start, end, section, lineCount: 1, ...extra };
  };
  const extend = (end: number, lineCount = 1) => {
    if (current) {
      current.end = Math.max(current.end, end);
      current.lineCount += lineCount;
    }
  };
  /** The open block goes on through display math opened at the end of line `i`; the line to go on after. */
  const throughTrailingDisplay = (i: number, contentStart: number): number => {
    const j = trailingDisplayEnd(text, lines, finder, i, contentStart);
    if (j <= i) return i;
    extend(trimBlankEnd(text, lines[j]!.start, lines[j]!.end), j - i);
    return j;
  };
  const heading = (start: number, end: number, title: string, level: number) => {
    close();
    const named = sectionOf(title);
    if (named !== 'other' || level <= sectionLevel || section === 'problem') {
      section = named === 'other' && section !== 'problem' && level > sectionLevel ? section : named;
      sectionLevel = level;
    }
    const step = /^\W*step\s*(\d{1,6})\b[\s*_]*[:.)]?[\s*_]*(\S?)/i.exec(title);
    if (step) pendingLabel = `Step ${step[1]}`;
    const stepTitle = step?.[2] ? `Step ${step[1]}` : undefined;
    blocks.push({ kind: 'heading', start, end, section, lineCount: 1, headingLevel: level, ...(stepTitle ? { stepTitle } : {}) });
  };

  for (let i = firstLine; i < lines.length; i++) {
    const line = lines[i]!;
    const lineStart = i === firstLine ? firstOffset : line.start;
    const contentStart = skipBlank(text, lineStart, line.end);
    if (contentStart >= line.end) {
      previousBlank = true;
      if (current && current.kind !== 'item') close();
      continue;
    }
    const contentEnd = trimBlankEnd(text, contentStart, line.end);
    const indent = indentOf(text, lineStart, contentStart);
    // Only the head of a line is ever matched, so a 10 MB line costs no more than a short one.
    const head = text.slice(lineStart, Math.min(line.end, lineStart + 200));
    const wasBlank = previousBlank;
    previousBlank = false;

    // Continuation of an open list item: indented to its content, even after a blank line.
    if (current?.kind === 'item' && indent >= (current.contentIndent ?? 2)) {
      const mathEnd = displayMathEnd(text, lines, finder, i, contentStart);
      if (mathEnd > i) {
        extend(trimBlankEnd(text, lines[mathEnd]!.start, lines[mathEnd]!.end), mathEnd - i + 1);
        i = mathEnd;
      } else {
        extend(contentEnd);
        i = throughTrailingDisplay(i, contentStart);
      }
      continue;
    }
    if (current?.kind === 'item' && wasBlank) close();

    const fence = FENCE.exec(head);
    if (fence) {
      const marker = fence[1]!;
      let j = i + 1;
      for (; j < lines.length; j++) {
        const l = lines[j]!;
        const t = text.slice(l.start, Math.min(l.end, l.start + 200)).trim();
        if (t.startsWith(marker) && /^[`~]+$/.test(t)) break;
      }
      const last = Math.min(j, lines.length - 1);
      open('code', contentStart, trimBlankEnd(text, contentStart, lines[last]!.end), { lineCount: last - i + 1 });
      close();
      i = last;
      continue;
    }

    const mathEnd = displayMathEnd(text, lines, finder, i, contentStart);
    if (mathEnd >= i) {
      const end = trimBlankEnd(text, lines[mathEnd]!.start, lines[mathEnd]!.end);
      const lastBlock = blocks[blocks.length - 1];
      // (An open block here always continues on this line: a blank line would have closed it.)
      if (current) extend(end, mathEnd - i + 1);
      else if (lastBlock && ['paragraph', 'item', 'step', 'math', 'code'].includes(lastBlock.kind)) {
        // Display math standing alone belongs to the paragraph before it.
        current = blocks.pop();
        extend(end, mathEnd - i + 1);
      } else open('math', contentStart, end, { lineCount: mathEnd - i + 1 });
      i = mathEnd;
      continue;
    }

    if (HTML_COMMENT.test(head)) {
      close();
      const j = finder.next('-->', i);
      if (j >= 0 && j - i < MAX_ENVIRONMENT_LINES) i = j;
      continue;
    }

    if (HASH_ANSWER.test(head)) {
      close();
      const after = contentStart + 4;
      const span = answerSpan(text, after, contentEnd);
      blocks.push({ kind: 'answer', start: contentStart, end: contentEnd, section, lineCount: 1, answer: span });
      continue;
    }

    const atx = ATX_HEADING.exec(head);
    if (atx) {
      const title = text.slice(contentStart + atx[1]!.length, contentEnd).replace(/[ \t]#+$/, '');
      heading(contentStart, contentEnd, title, atx[1]!.length);
      continue;
    }

    if (current?.kind === 'paragraph' && !wasBlank && current.lineCount === 1 && SETEXT_UNDERLINE.test(head)) {
      const title = text.slice(current.start, current.end);
      const level = head.trim().startsWith('=') ? 1 : 2;
      const start = current.start;
      current = undefined;
      heading(start, contentEnd, title, level);
      continue;
    }

    if (THEMATIC_BREAK.test(head)) {
      close();
      continue;
    }

    const pseudo = PSEUDO_HEADING.exec(head);
    if (pseudo && contentEnd - contentStart < 40) {
      const named = sectionOf(pseudo[1]!);
      close();
      if (named === 'problem') pendingProblem = true;
      else {
        section = named;
        sectionLevel = 1;
      }
      blocks.push({ kind: 'heading', start: contentStart, end: contentEnd, section, lineCount: 1, headingLevel: 1 });
      continue;
    }

    const answerLine = ANSWER_LINE.exec(head) ?? (i === lastLine && contentEnd - contentStart <= 80 ? SHORT_ANSWER_LINE.exec(head) : null);
    if (answerLine) {
      close();
      const span = answerSpan(text, contentStart + answerLine[0].length, contentEnd);
      blocks.push({ kind: 'answer', start: contentStart, end: contentEnd, section, lineCount: 1, answer: span });
      continue;
    }

    const marker = LIST_MARKER.exec(head);
    if (marker && !(current && current.kind === 'paragraph' && !wasBlank && /^\d/.test(marker[2]!) && marker[2] !== '1.' && marker[2] !== '1)')) {
      const markerColumn = indentOf(text, lineStart, contentStart);
      const spacing = marker[3] ? marker[3].length : 1;
      const step = STEP_LINE.exec(text.slice(contentStart + marker[2]!.length, Math.min(line.end, contentStart + 200)).trimStart());
      open('item', contentStart, contentEnd, {
        contentIndent: markerColumn + marker[2]!.length + spacing,
        label: step ? `Step ${step[1]}` : undefined,
      });
      i = throughTrailingDisplay(i, contentStart);
      continue;
    }

    const stepLine = STEP_LINE.exec(head);
    if (stepLine) {
      if (STEP_LABEL_ONLY.test(head)) {
        // "Step 2:" on a line of its own labels what follows it.
        close();
        pendingLabel = `Step ${stepLine[1]}`;
        if (isProblem(section)) section = 'other';
        continue;
      }
      open('step', contentStart, contentEnd, { label: `Step ${stepLine[1]}` });
      // A step ends the problem section that has no Solution heading after it.
      if (isProblem(section)) current!.section = section = 'other';
      i = throughTrailingDisplay(i, contentStart);
      continue;
    }

    if (
      current &&
      !wasBlank &&
      (!linePerStep || wrapsOnto(text, current.end, contentStart)) &&
      (current.kind === 'paragraph' || current.kind === 'step' || current.kind === 'item')
    ) {
      extend(contentEnd);
      i = throughTrailingDisplay(i, contentStart);
      continue;
    }

    if (SOLUTION_PREFIX.test(head)) {
      close();
      section = 'solution';
      sectionLevel = 1;
    }
    open('paragraph', contentStart, contentEnd, { problemLabel: PROBLEM_LABEL.test(head) || undefined });
    i = throughTrailingDisplay(i, contentStart);
  }
  close();
  return stepHeadingsAsSteps(blocks, text);
}

/**
 * Whether a line goes on with the one before it although a step is written per line: the response was
 * hard-wrapped at a fixed width, so the line before stops mid-sentence (after a comma, an operator, or a
 * word followed by a lower-case one).
 */
function wrapsOnto(text: string, previousEnd: number, start: number): boolean {
  const last = text[previousEnd - 1] ?? '';
  const first = text[start] ?? '';
  if (/[,;=+\-−×*/([{]/.test(last)) return true;
  return /\p{L}/u.test(last) && /\p{Ll}/u.test(first);
}

/**
 * `## Step 1: To convert 101010 in base 5 …` is the step itself, not a title over one (Llama 3 writes
 * its solutions so), when its text reads as a step — a sentence, or math — or when nothing stands under
 * it before the next heading, the answer or the end.
 */
function stepHeadingsAsSteps(blocks: Block[], text: string): Block[] {
  const out = blocks.map((block) => ({ ...block }));
  out.forEach((block, i) => {
    if (block.kind !== 'heading' || block.stepTitle === undefined) return;
    const next = out[i + 1];
    const alone = !next || next.kind === 'heading' || next.kind === 'answer';
    if (!alone && !readsAsStep(text.slice(block.start, Math.min(block.end, block.start + 2000)))) return;
    block.kind = 'step';
    block.label = block.stepTitle;
    if (isProblem(block.section)) block.section = 'other';
    if (next?.label === block.stepTitle) delete next.label;
  });
  return out;
}

/** A heading's text that is a step's content: math, or a sentence of several words ending in a full stop. */
function readsAsStep(heading: string): boolean {
  return /[$=\\]/.test(heading) || (/[.!?][*_)\]]*\s*$/.test(heading) && heading.trim().split(/\s+/).length >= 8);
}

function isContent(block: Block): boolean {
  return block.kind !== 'heading' && block.kind !== 'answer';
}

function spanOf(blocks: Block[]): Span | undefined {
  if (blocks.length === 0) return undefined;
  return { start: blocks[0]!.start, end: blocks[blocks.length - 1]!.end };
}

function toStep(block: Block): StepSpan {
  return block.label ? { start: block.start, end: block.end, label: block.label } : { start: block.start, end: block.end };
}

const QUESTION_START = /^\W{0,4}(?:find|compute|calculate|solve|determine|evaluate|simplify|show|prove|what|how|which|who|when|where|why|if|given)\b/i;

/** Whether an unlabelled first paragraph reads like a problem statement rather than a first step. */
function asksSomething(paragraph: string): boolean {
  return paragraph.includes('?') || QUESTION_START.test(paragraph.slice(0, 40));
}

function assignSections(blocks: Block[], frontMatterProblem: boolean, text: (b: Block) => string): { problem?: Span; steps: StepSpan[] } {
  const content = blocks.filter(isContent);
  const inProblem = content.filter((b) => b.section === 'problem');
  const inSolution = content.filter((b) => b.section === 'solution');

  if (inProblem.length > 0) {
    const lastProblem = inProblem[inProblem.length - 1]!;
    const steps = inSolution.length > 0 ? inSolution : content.filter((b) => b.start > lastProblem.start && b.section !== 'problem' && b.section !== 'answer');
    return { problem: spanOf(inProblem), steps: steps.map(toStep) };
  }

  const labelled = content.find((b) => b.problemLabel);
  if (inSolution.length > 0) {
    const firstSolution = inSolution[0]!;
    const before = content.filter((b) => b.start < firstSolution.start && b.section !== 'answer');
    const problemBlocks = labelled && labelled.start < firstSolution.start ? [labelled] : before;
    return { problem: spanOf(problemBlocks), steps: inSolution.map(toStep) };
  }

  const candidates = content.filter((b) => b.section !== 'answer');
  if (labelled) {
    return { problem: { start: labelled.start, end: labelled.end }, steps: candidates.filter((b) => b !== labelled).map(toStep) };
  }
  if (frontMatterProblem) return { steps: candidates.map(toStep) };
  const first = candidates[0];
  if (first && first.kind === 'paragraph' && !first.label && candidates.length > 1 && asksSomething(text(first))) {
    return { problem: { start: first.start, end: first.end }, steps: candidates.slice(1).map(toStep) };
  }
  return { steps: candidates.map(toStep) };
}
