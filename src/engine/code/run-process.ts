// A small promise wrapper around one child process with input, a time limit and capped output. Used for
// trusted helpers (the parse script); untrusted solution code goes through sandbox.ts instead.
import { spawn } from 'node:child_process';

export interface ProcessOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the process could not be started at all (ENOENT and the like). */
  spawnError?: string;
}

export function runProcess(
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number; maxOutputBytes?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessOutcome> {
  const limit = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env, cwd: options.cwd });
    } catch (error) {
      resolve({ code: null, stdout: '', stderr: '', timedOut: false, spawnError: String(error) });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let spawnError: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (outBytes < limit) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errBytes < limit) err.push(chunk);
      errBytes += chunk.length;
    });
    child.on('error', (error) => {
      spawnError = error.message;
    });
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        spawnError,
      });
    });
    child.stdin.end(options.input ?? '');
  });
}
