// The `stepcritic` command line: finds the command, handles --help and --version, turns usage errors
// into one line and exit status 2, and Ctrl-C into an orderly stop (a second Ctrl-C stops at once).
import { setFlagsFromString } from 'node:v8';
import type { CliContext, Command } from './command';
import { EXIT_CLEAN, EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from './command';
import { batchCommand } from './commands/batch';
import { cacheCommand } from './commands/cache';
import { calibrateCommand } from './commands/calibrate';
import { checkCommand } from './commands/check';
import { evalCommand } from './commands/eval';
import { probeCommand } from './commands/probe';
import { reportCommand } from './commands/report';
import { TOOL_VERSION } from '../engine/version';

// A batch run keeps ~45 MB live whatever the number of records, but V8's default heap growth lets
// the garbage of thousands of judged records pile up to several times that before collecting: a
// smaller growth step holds peak memory near the live size at no cost in speed (bench/batch-memory.ts).
setFlagsFromString('--heap-growing-percent=25');

// One line per command; each command lives in ./commands/<name>.ts.
const COMMANDS: readonly Command[] = [checkCommand, probeCommand, evalCommand, calibrateCommand, cacheCommand, reportCommand, batchCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: stepcritic <command> [options]',
    '',
    'Critiques math and code solutions step by step: a verdict, a reason and P(True) for every step.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show help (`stepcritic <command> --help` for a command)',
    '  -V, --version  Show the version',
    '',
  ].join('\n');
}

function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function runCli(argv: readonly string[], context: Omit<CliContext, 'argv'>): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const about = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    context.stdout.write(about ? about.help() : mainHelp());
    return EXIT_CLEAN;
  }
  if (first === '--version' || first === '-V') {
    context.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT_CLEAN;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    context.stderr.write(`stepcritic: ${what}\nCommands: ${COMMANDS.map((c) => c.name).join(', ')}. Run 'stepcritic --help' for usage.\n`);
    return EXIT_USAGE;
  }
  if (wantsHelp(rest)) {
    context.stdout.write(command.help());
    return EXIT_CLEAN;
  }
  try {
    return await command.run({ ...context, argv: rest });
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr.write(`stepcritic ${command.name}: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
      return EXIT_USAGE;
    }
    if (context.signal.aborted) return EXIT_INTERRUPTED;
    throw error;
  }
}

async function main(): Promise<void> {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  });
  // A closed pipe (`stepcritic check | head`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_CLEAN);
  });
  try {
    const status = await runCli(process.argv.slice(2), {
      cwd: process.cwd(),
      env: process.env,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: controller.signal,
    });
    process.exitCode = status;
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`stepcritic: internal error (please report it): ${detail}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

void main();
