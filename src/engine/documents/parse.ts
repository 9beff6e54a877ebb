// One entry point for every surface: picks the parser by language id, else by file extension.
import { parseCodeSolution } from '../code/parse';
import type { SolutionDocument } from '../types';
import { parseMarkdownSolution } from './markdown';
import { parsePlainTextSolution } from './plain-text';
import type { ReferenceFile } from './reference';
import { withReference, withReferenceFile } from './reference';

export { parseMarkdownSolution } from './markdown';
export { parsePlainTextSolution } from './plain-text';

export interface ParseInput {
  uri: string;
  text: string;
  /** VS Code language id (`stepcritic-solution`, `markdown`, `plaintext`, `python`, …) when known. */
  languageId?: string;
  maxSteps?: number;
  /** A reference solution from outside the text (`name.reference.md`); the front matter's `reference:` comes first. */
  reference?: ReferenceFile;
}

export type SourceFormat = 'markdown' | 'text' | 'python' | 'javascript' | 'typescript';

const BY_LANGUAGE: Record<string, SourceFormat> = {
  'stepcritic-solution': 'markdown',
  markdown: 'markdown',
  plaintext: 'text',
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'typescript',
};

const BY_EXTENSION: [RegExp, SourceFormat][] = [
  [/\.(?:md|markdown|mdown|mkd)$/i, 'markdown'],
  [/\.txt$/i, 'text'],
  [/\.pyw?$/i, 'python'],
  [/\.(?:js|mjs|cjs|jsx)$/i, 'javascript'],
  [/\.(?:ts|mts|cts|tsx)$/i, 'typescript'],
];

/** The format a file is read as; Markdown when nothing says otherwise (it reads plain prose fine too). */
export function sourceFormatOf(uri: string, languageId?: string): SourceFormat {
  if (languageId && BY_LANGUAGE[languageId]) return BY_LANGUAGE[languageId]!;
  const path = uri.replace(/[?#].*$/, '');
  for (const [pattern, format] of BY_EXTENSION) if (pattern.test(path)) return format;
  return 'markdown';
}

export async function parseSolution(input: ParseInput): Promise<SolutionDocument> {
  let document = await parseByFormat(input);
  const fromFrontMatter = document.frontMatter?.reference;
  if (typeof fromFrontMatter === 'string') document = withReference(document, fromFrontMatter, 'front-matter');
  if (input.reference) document = withReferenceFile(document, input.reference);
  return document;
}

async function parseByFormat(input: ParseInput): Promise<SolutionDocument> {
  const format = sourceFormatOf(input.uri, input.languageId);
  const options = { maxSteps: input.maxSteps };
  switch (format) {
    case 'markdown':
      return parseMarkdownSolution(input.uri, input.text, options);
    case 'text':
      return parsePlainTextSolution(input.uri, input.text, options);
    default:
      return parseCodeSolution({ uri: input.uri, text: input.text, language: format, maxSteps: input.maxSteps });
  }
}
