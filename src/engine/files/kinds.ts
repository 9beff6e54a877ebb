// Which files Step Critic reads, and as what. A folder walk picks only `*.solution.md` (the
// extension's own language); any other supported file is read when it is named, or matched by a
// glob: `stepcritic check notes.md 'solutions/**/*.py' data.jsonl`.

export type InputKind =
  { kind: 'solution'; language: 'markdown' | 'text' | 'code' } | { kind: 'dataset'; container: DatasetKind } | { kind: 'unsupported'; extension: string };

/** How a dataset file holds its records (batch/dataset-stream.ts reads each). */
export type DatasetKind = 'jsonl' | 'json' | 'parquet' | 'csv' | 'tsv';

// Text datasets may be kept compressed (`.jsonl.gz`, `.csv.zst`): batch/decompress.ts reads them.
const DATASET_PATTERNS: readonly [RegExp, DatasetKind][] = [
  [/\.(jsonl|ndjson)(\.gz|\.zst)?$/i, 'jsonl'],
  [/\.json(\.gz|\.zst)?$/i, 'json'],
  [/\.parquet$/i, 'parquet'],
  [/\.csv(\.gz|\.zst)?$/i, 'csv'],
  [/\.tsv(\.gz|\.zst)?$/i, 'tsv'],
];

export type Compression = 'gzip' | 'zstd';

/** How a dataset file's bytes are compressed, by its last extension. */
export function compressionOf(path: string): Compression | undefined {
  if (/\.gz$/i.test(path)) return 'gzip';
  if (/\.zst$/i.test(path)) return 'zstd';
  return undefined;
}

export function datasetKindOf(path: string): DatasetKind | undefined {
  return DATASET_PATTERNS.find(([pattern]) => pattern.test(path))?.[1];
}

/**
 * The name of the dataset a file holds: without the extensions that made it a dataset file, nor the shard
 * number Hugging Face gives the files of one split (`gsm8k.jsonl.gz` → `gsm8k`,
 * `test-00000-of-00003.parquet` → `test`).
 */
export function datasetStem(name: string): string {
  const pattern = DATASET_PATTERNS.find(([p]) => p.test(name))?.[0];
  return (pattern ? name.replace(pattern, '') : name).replace(/-\d{5}-of-\d{5}$/, '');
}

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

/** The extensions of dataset files, as a user is told them (compressed ones add `.gz` or `.zst`). */
export const DATASET_EXTENSIONS = ['.jsonl', '.ndjson', '.json', '.parquet', '.csv', '.tsv'];

export const SUPPORTED_EXTENSIONS = [...Object.keys(SOLUTION_EXTENSIONS), ...DATASET_EXTENSIONS];

export function classifyPath(path: string): InputKind {
  const name = path.replace(/\\/g, '/').split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot).toLowerCase() : '';
  const language = SOLUTION_EXTENSIONS[extension];
  if (language) return { kind: 'solution', language };
  const container = datasetKindOf(name);
  if (container) return { kind: 'dataset', container };
  return { kind: 'unsupported', extension };
}

export function isFolderWalkSolution(name: string): boolean {
  return name.toLowerCase().endsWith(FOLDER_WALK_SUFFIX) && name.length > FOLDER_WALK_SUFFIX.length;
}
