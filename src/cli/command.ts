// What every `stepcritic` command is: a name, its help, and a run function that returns the exit code.
import type { Writable } from 'node:stream';

export const EXIT_CLEAN = 0;
/** Something reached `--fail-on`. */
export const EXIT_FINDINGS = 1;
/** Usage or input errors. */
export const EXIT_USAGE = 2;
/** Interrupted (Ctrl-C), as shells count it: 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** The process's surroundings, passed in so that a command never reaches for globals it need not. */
export interface CliContext {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `stepcritic --help`. */
  summary: string;
  /** The full `stepcritic <name> --help` text. */
  help(): string;
  run(context: CliContext): Promise<number>;
}

/** A mistake in how the tool was called: printed as one line plus a hint, exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
