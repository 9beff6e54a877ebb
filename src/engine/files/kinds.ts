// Which files Step Critic reads, and as what. A folder walk picks only `*.solution.md` (the
// extension's own language); any other supported file is read when it is named, or matched by a
// glob: `stepcritic check notes.md 'solutions/**/*.py' data.jsonl`.

export type InputKind =
  { kind: 'solution'; language: 'markdown' | 'text' | 'code' } | { kind: 'dataset'; container: 'jsonl' | 'json' } | { kind: 'unsupported'; extension: string };

export const FOLDER_WALK_SUFFIX = '.solution.md';

const SOLUTION_EXTENSIONS: Record<string, 'markdown' | 'text' | 'code'> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.py': 'code',
  '.js': 'code',
  '.mjs': 'code',
  '.cjs': 'code',
  '.ts': 'code',
  '.mts': 'code',
  '.cts': 'code',
};

const DATASET_EXTENSIONS: Record<string, 'jsonl' | 'json'> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
};

export const SUPPORTED_EXTENSIONS = [...Object.keys(SOLUTION_EXTENSIONS), ...Object.keys(DATASET_EXTENSIONS)];

export function classifyPath(path: string): InputKind {
  const name = path.replace(/\\/g, '/').split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).toLowerCase() : '';
  const language = SOLUTION_EXTENSIONS[extension];
  if (language) return { kind: 'solution', language };
  const container = DATASET_EXTENSIONS[extension];
  if (container) return { kind: 'dataset', container };
  return { kind: 'unsupported', extension };
}

export function isFolderWalkSolution(name: string): boolean {
  return name.toLowerCase().endsWith(FOLDER_WALK_SUFFIX) && name.length > FOLDER_WALK_SUFFIX.length;
}
