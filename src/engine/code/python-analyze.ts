// Runs Python's own parser over a solution (see python-analyze-script.ts) and validates what it says.
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { findPython, pythonCommand } from './interpreters';
import { PYTHON_ANALYZE_SCRIPT } from './python-analyze-script';
import { runProcess } from './run-process';

const Pos = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);

export const SourcePieceSchema = z.object({
  start: Pos,
  end: Pos,
  /** Nesting depth: 0 for top-level statements. */
  depth: z.number().int().nonnegative(),
  /** `header` is a compound statement's head (`for …:`), `simple` a whole statement. */
  kind: z.enum(['simple', 'header']),
});
export type SourcePiece = z.infer<typeof SourcePieceSchema>;

export const StepMarkerSchema = z.object({ label: z.string(), line: z.number().int().nonnegative(), col: z.number().int().nonnegative() });
export type StepMarker = z.infer<typeof StepMarkerSchema>;

export const FoundTestSchema = z.object({
  origin: z.string(),
  name: z.string(),
  code: z.string(),
  start: Pos,
  end: Pos,
});
export type FoundTest = z.infer<typeof FoundTestSchema>;

export const SourceAnalysisSchema = z.object({
  pieces: z.array(SourcePieceSchema),
  markers: z.array(StepMarkerSchema),
  tests: z.array(FoundTestSchema),
  problem: z.object({ text: z.string(), start: Pos, end: Pos }).nullable(),
  syntaxError: z.object({ message: z.string(), line: z.number().int(), start: Pos, end: Pos }).nullable(),
});
export type SourceAnalysis = z.infer<typeof SourceAnalysisSchema>;

export type PythonAnalysisResult = { ok: true; analysis: SourceAnalysis; python: string } | { ok: false; reason: 'no-python' | 'failed'; message: string };

// The language server re-parses on every edit; the checker asks again for the syntax error. Parsing
// the same text twice costs a process start, so the last few results are kept.
const recent = new Map<string, Promise<PythonAnalysisResult>>();
const RECENT_LIMIT = 32;

export function analyzePython(text: string): Promise<PythonAnalysisResult> {
  const cached = recent.get(text);
  if (cached) return cached;
  const pending = runAnalysis(text);
  recent.set(text, pending);
  if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  // A failure may be transient (the machine was busy): don't keep it.
  void pending.then((result) => {
    if (!result.ok) recent.delete(text);
  });
  return pending;
}

function readAnalysis(stdout: string): PythonAnalysisResult {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { ok: false, reason: 'failed', message: "Python's parser printed something that is not JSON." };
  }
  const parsed = SourceAnalysisSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'failed', message: `Python's parser gave an unexpected shape: ${parsed.error.message}` };
  return { ok: true, analysis: parsed.data, python: '' };
}

const ANALYZE_ARGS = ['-I', '-S', '-X', 'utf8', '-c', PYTHON_ANALYZE_SCRIPT];
const analyzeEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONIOENCODING: 'utf-8' });

/**
 * The same, synchronously: for dataset records, which are turned into documents by a synchronous
 * function (records.ts). Blocks for one Python start (~30 ms).
 */
export function analyzePythonSync(text: string): PythonAnalysisResult {
  const outcome = spawnSync(pythonCommand(), ANALYZE_ARGS, { input: text, encoding: 'utf8', timeout: 20_000, env: analyzeEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (outcome.error && (outcome.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return { ok: false, reason: 'no-python', message: 'python3 not found' };
  }
  if (outcome.error || outcome.status !== 0) {
    const why = outcome.error?.message ?? outcome.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${outcome.status}`;
    return { ok: false, reason: 'failed', message: `Python's parser failed: ${why}` };
  }
  return readAnalysis(outcome.stdout);
}

async function runAnalysis(text: string): Promise<PythonAnalysisResult> {
  const python = await findPython();
  if (!python) return { ok: false, reason: 'no-python', message: 'python3 not found' };
  // -I: isolated (no PYTHON* variables, no user site); -S: no site import, faster; the script only
  // reads stdin, so nothing of the solution is executed here.
  const outcome = await runProcess(python.path, ANALYZE_ARGS, { input: text, timeoutMs: 20_000, env: analyzeEnv() });
  if (outcome.spawnError || outcome.timedOut || outcome.code !== 0) {
    const why = outcome.spawnError ?? (outcome.timedOut ? 'timed out' : (outcome.stderr.trim().split('\n').slice(-1)[0] ?? `exit ${outcome.code}`));
    return { ok: false, reason: 'failed', message: `Python's parser failed: ${why}` };
  }
  const result = readAnalysis(outcome.stdout);
  return result.ok ? { ...result, python: python.version } : result;
}
