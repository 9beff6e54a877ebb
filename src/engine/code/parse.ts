// parseCodeSolution: a code file becomes a SolutionDocument whose steps are its statements.
// Python is parsed by Python itself (python-analyze.ts); JavaScript and TypeScript by the TypeScript
// compiler API (js-analyze.ts). Both give the same shape: statement pieces, `Step` markers, the tests
// found in the file, the problem text and the first syntax error, which segments.ts turns into steps.
import { hashText } from '../documents/hash';
import { stepLimitWarning } from '../documents/build';
import type { CodeTest, Range, SolutionDocument } from '../types';
import { announceMissing, type CodeLanguage } from './interpreters';
import { analyzeJavaScript } from './js-analyze';
import { analyzePython, analyzePythonSync, type SourceAnalysis, type SourcePiece } from './python-analyze';
import { buildSteps } from './segments';
import { SourceText } from './source-text';

export interface CodeSolutionInput {
  uri: string;
  text: string;
  language: CodeLanguage;
  maxSteps?: number;
}

export interface CodeSyntaxError {
  message: string;
  range: Range;
}

const toRange = (x: { start: [number, number]; end: [number, number] }): Range => ({
  start: { line: x.start[0], character: x.start[1] },
  end: { line: x.end[0], character: x.end[1] },
});

/** The language of a code file by its name, or undefined when it is not one we parse. */
export function codeLanguageOf(path: string): CodeLanguage | undefined {
  if (/\.py$/i.test(path)) return 'python';
  if (/\.(?:[cm]?js|jsx)$/i.test(path)) return 'javascript';
  if (/\.(?:[cm]?ts|tsx)$/i.test(path) && !/\.d\.[cm]?ts$/i.test(path)) return 'typescript';
  return undefined;
}

/**
 * Parses the solution's own language. Returns undefined only when the parser itself is missing
 * (no Python), so that the caller can fall back to line steps and say why.
 */
export async function analyzeSource(text: string, language: CodeLanguage): Promise<{ analysis: SourceAnalysis } | { analysis: undefined; message: string }> {
  if (language !== 'python') return { analysis: analyzeJavaScript(text, language) };
  const result = await analyzePython(text);
  if (result.ok) return { analysis: result.analysis };
  return { analysis: undefined, message: result.reason === 'no-python' ? 'no-python' : result.message };
}

/** The first syntax error of a code document, with the interpreter's/compiler's message. */
export async function findSyntaxError(text: string, language: CodeLanguage): Promise<CodeSyntaxError | undefined> {
  const { analysis } = await analyzeSource(text, language);
  if (!analysis?.syntaxError) return undefined;
  return { message: analysis.syntaxError.message, range: toRange(analysis.syntaxError) };
}

/** One step per non-blank, non-comment line: the honest fallback when no parser is available. */
function linePieces(source: SourceText, language: CodeLanguage): SourcePiece[] {
  const comment = language === 'python' ? '#' : '//';
  const pieces: SourcePiece[] = [];
  for (let n = 0; n < source.lineCount; n++) {
    const trimmed = source.line(n).trim();
    if (!trimmed || trimmed.startsWith(comment)) continue;
    const range = source.lineRange(n);
    pieces.push({ start: [n, range.start.character], end: [n, range.end.character], depth: 0, kind: 'simple' });
  }
  return pieces;
}

/** Builds the document from what the parser found (or line steps when there is no parser). */
export function documentFromAnalysis(
  input: CodeSolutionInput,
  found: { analysis: SourceAnalysis } | { analysis: undefined; message: string },
): SolutionDocument {
  const source = new SourceText(input.text);
  const warnings: string[] = [];
  let analysis: SourceAnalysis;
  if (found.analysis) {
    analysis = found.analysis;
  } else {
    if (found.message === 'no-python') {
      const said = announceMissing('python');
      if (said) warnings.push(said);
    } else {
      warnings.push(`${found.message} The file is segmented line by line.`);
    }
    analysis = { pieces: linePieces(source, input.language), markers: [], tests: [], problem: null, syntaxError: null };
  }

  const { steps, truncated } = buildSteps(source, analysis.pieces, analysis.markers, input.maxSteps);
  if (truncated) warnings.push(stepLimitWarning(truncated));
  if (analysis.syntaxError) {
    warnings.push(`${analysis.syntaxError.message} (line ${analysis.syntaxError.start[0] + 1}).`);
  }

  const tests: CodeTest[] = analysis.tests.map((t) => ({ name: t.name, origin: t.origin, code: t.code, range: toRange(t) }));
  const problem = analysis.problem?.text.trim() ?? '';
  return {
    uri: input.uri,
    format: input.language,
    kind: 'code',
    text: input.text,
    problem,
    ...(analysis.problem ? { problemRange: toRange(analysis.problem) } : {}),
    problemHash: hashText(problem),
    steps,
    tests,
    warnings,
    ...(truncated ? { truncated } : {}),
  };
}

export async function parseCodeSolution(input: CodeSolutionInput): Promise<SolutionDocument> {
  return documentFromAnalysis(input, await analyzeSource(input.text, input.language));
}

/** The same, synchronously (Python through spawnSync): for dataset records. */
export function parseCodeSolutionSync(input: CodeSolutionInput): SolutionDocument {
  if (input.language !== 'python') return documentFromAnalysis(input, { analysis: analyzeJavaScript(input.text, input.language) });
  const result = analyzePythonSync(input.text);
  return documentFromAnalysis(
    input,
    result.ok ? { analysis: result.analysis } : { analysis: undefined, message: result.reason === 'no-python' ? 'no-python' : result.message },
  );
}
