// The evaluation data the benches read: the full sets in ../shared/data, beside the repository (the
// tests read only the small fixtures in test/fixtures). Without it a bench says so and stops, rather
// than failing on a missing file.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SHARED_DATA = resolve(__dirname, '..', '..', 'shared', 'data');

/** A path under ../shared/data, or undefined when it is not there (for a bench that can do without it). */
export function sharedDataIfPresent(...parts: string[]): string | undefined {
  const path = join(SHARED_DATA, ...parts);
  return existsSync(path) ? path : undefined;
}

/** A path under ../shared/data; exits with a clear message when it is not there. */
export function sharedData(...parts: string[]): string {
  const path = join(SHARED_DATA, ...parts);
  if (!existsSync(path)) {
    console.error(
      `bench: ${path} is missing. The benches read the full evaluation data from ../shared/data, beside this repository ` +
        '(ProcessBench, GSM8K, HumanEvalFix, …; its README lists them); `npm test` needs none of it.',
    );
    process.exit(2);
  }
  return path;
}
