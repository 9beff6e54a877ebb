// The benches' command-line flags: `--runs 5` style numbers, with a default.

/** The number after `name` on the command line, or `fallback` when the flag is not given. */
export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
