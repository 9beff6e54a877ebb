// Runs the built `stepcritic` as a user would (a child process of `node bin/stepcritic.js`), in a
// folder of files the test writes. `npm test` builds dist/ first.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'bin', 'stepcritic.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a plain terminal-less run: no colour switches, no LLM endpoint. */
function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(STEPCRITIC_|OPENAI_)/.test(key) || key === 'NO_COLOR' || key === 'FORCE_COLOR') delete env[key];
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the process has exited and its output is all read. */
  done: Promise<CliResult>;
  /** What it has written to stderr so far. */
  stderrSoFar(): string;
}

/** Starts the CLI and returns at once, for tests that signal it while it runs. */
export function startCli(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: cleanEnv(options.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stepcritic ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  return { child, done, stderrSoFar: () => stderr };
}

export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A fresh folder with the given files (path → text or bytes); removed by the returned function. */
export function makeTree(files: Record<string, string | Uint8Array>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stepcritic-cli-'));
  writeTree(dir, files);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

// A GSM8K problem with an arithmetic slip in step 1: 48 / 2 is 24, not 25.
export const SLIP_SOLUTION = [
  '# Problem',
  'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?',
  '',
  '# Solution',
  'Step 1: In May she sold 48 / 2 = 25 clips.',
  '',
  'Step 2: Altogether she sold 48 + 25 = 73 clips.',
  '',
  'Answer: 73',
  '',
].join('\n');
/** 0-based line of the slip in SLIP_SOLUTION, and the column of `48 / 2 = 25` on it. */
export const SLIP_LINE = 4;
export const SLIP_COLUMN = SLIP_SOLUTION.split('\n')[SLIP_LINE]!.indexOf('48 / 2');

export const CLEAN_SOLUTION = [
  '# Problem',
  'A shop sells pens at $3 each. How much do 4 pens cost?',
  '',
  '# Solution',
  'Step 1: Four pens cost 4 × 3 = 12 dollars.',
  '',
  'Answer: 12',
  '',
].join('\n');

export const ANSI = /\x1b\[[0-9;]*m/;
