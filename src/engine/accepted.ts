// Steps the user marked as correct, stored per workspace folder in `.stepcritic/accepted.json`.
// Keyed by the hash of the problem and the hash of the step (not by line number), so a mark follows
// its step through edits elsewhere and is lost only when the step's own text changes.
// The file is meant to be committed and reviewed: pretty-printed, keys in sorted order, a short
// excerpt of the problem and of each step beside its hash, no timestamps (git has them).
// A file that does not parse (a merge conflict, a hand edit gone wrong) is never overwritten.
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from './error-message';

export const ACCEPTED_FILE = join('.stepcritic', 'accepted.json');
export const ACCEPTED_FILE_VERSION = 1;

const ProblemEntrySchema = z.object({
  /** The first words of the problem, so that a reviewer knows what the hash stands for. */
  problem: z.string().default(''),
  /** step hash → the first words of the step. */
  steps: z.record(z.string(), z.string()),
});

export const AcceptedFileSchema = z.object({
  version: z.literal(ACCEPTED_FILE_VERSION),
  /** problem hash → its accepted steps. */
  problems: z.record(z.string(), ProblemEntrySchema),
});
export type AcceptedFile = z.infer<typeof AcceptedFileSchema>;

const EXCERPT_LENGTH = 80;

export function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH - 1)}…` : flat;
}

/** The accepted steps of one workspace folder, in memory. */
export class AcceptedSteps {
  private readonly problems = new Map<string, { problem: string; steps: Map<string, string> }>();

  static fromFile(file: AcceptedFile): AcceptedSteps {
    const accepted = new AcceptedSteps();
    for (const [problemHash, entry] of Object.entries(file.problems)) {
      for (const [stepHash, stepExcerpt] of Object.entries(entry.steps)) {
        accepted.add(problemHash, stepHash, { problem: entry.problem, step: stepExcerpt });
      }
    }
    return accepted;
  }

  has(problemHash: string, stepHash: string): boolean {
    return this.problems.get(problemHash)?.steps.has(stepHash) ?? false;
  }

  /** Returns false when the step was already accepted. */
  add(problemHash: string, stepHash: string, texts: { problem: string; step: string }): boolean {
    let entry = this.problems.get(problemHash);
    if (!entry) {
      entry = { problem: excerpt(texts.problem), steps: new Map() };
      this.problems.set(problemHash, entry);
    }
    if (entry.steps.has(stepHash)) return false;
    entry.steps.set(stepHash, excerpt(texts.step));
    return true;
  }

  /** Returns false when the step was not accepted. */
  remove(problemHash: string, stepHash: string): boolean {
    const entry = this.problems.get(problemHash);
    if (!entry || !entry.steps.delete(stepHash)) return false;
    if (entry.steps.size === 0) this.problems.delete(problemHash);
    return true;
  }

  get size(): number {
    let n = 0;
    for (const entry of this.problems.values()) n += entry.steps.size;
    return n;
  }

  toFile(): AcceptedFile {
    const problems: AcceptedFile['problems'] = {};
    for (const problemHash of [...this.problems.keys()].sort()) {
      const entry = this.problems.get(problemHash)!;
      const steps: Record<string, string> = {};
      for (const stepHash of [...entry.steps.keys()].sort()) steps[stepHash] = entry.steps.get(stepHash)!;
      problems[problemHash] = { problem: entry.problem, steps };
    }
    return { version: ACCEPTED_FILE_VERSION, problems };
  }

  /** Stable text: the same set of marks always gives the same bytes. */
  serialize(): string {
    return `${JSON.stringify(this.toFile(), null, 2)}\n`;
  }
}

export type ParsedAcceptedFile = { ok: true; accepted: AcceptedSteps } | { ok: false; error: string };

export function parseAcceptedFile(text: string): ParsedAcceptedFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON (${errorMessage(error)})` };
  }
  const result = AcceptedFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, error: `unexpected content at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, accepted: AcceptedSteps.fromFile(result.data) };
}

export function acceptedFilePath(folderPath: string): string {
  return join(folderPath, ACCEPTED_FILE);
}

/** Reads a folder's accepted steps; a missing file is an empty set, a broken one an error. */
export async function loadAcceptedSteps(folderPath: string): Promise<ParsedAcceptedFile> {
  let text: string;
  try {
    text = await readFile(acceptedFilePath(folderPath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, accepted: new AcceptedSteps() };
    return { ok: false, error: `cannot read ${ACCEPTED_FILE}: ${errorMessage(error)}` };
  }
  return parseAcceptedFile(text);
}

/** What an update did to the file on disk: `created` the first mark of the folder, `removed` its last one. */
export type AcceptedFileChange = 'created' | 'updated' | 'removed' | 'unchanged';

/**
 * Changes the folder's file: reads it fresh (someone may have edited it or pulled a change), applies
 * `change`, and writes it atomically. Refuses (and leaves the file alone) when it does not parse.
 * The last mark removed takes the file with it (and `.stepcritic/` when nothing else is in it): no
 * empty file is left behind to review or commit.
 */
export async function updateAcceptedSteps(
  folderPath: string,
  change: (accepted: AcceptedSteps) => boolean,
): Promise<{ ok: true; accepted: AcceptedSteps; changed: boolean; file: AcceptedFileChange } | { ok: false; error: string }> {
  const path = acceptedFilePath(folderPath);
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  const loaded = await loadAcceptedSteps(folderPath);
  if (!loaded.ok) return { ok: false, error: `${ACCEPTED_FILE} was left as it is: ${loaded.error}` };
  const changed = change(loaded.accepted);
  if (!changed) return { ok: true, accepted: loaded.accepted, changed, file: 'unchanged' };
  if (loaded.accepted.size === 0) {
    await rm(path, { force: true });
    // Only an empty folder goes; anything else someone put there stays.
    await rmdir(dirname(path)).catch(() => undefined);
    return { ok: true, accepted: loaded.accepted, changed, file: existed ? 'removed' : 'unchanged' };
  }
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, loaded.accepted.serialize(), 'utf8');
  await rename(temp, path);
  return { ok: true, accepted: loaded.accepted, changed, file: existed ? 'updated' : 'created' };
}
