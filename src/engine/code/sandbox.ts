// Runs untrusted solution code: a child process in a fresh temporary directory, with a wall-clock
// limit, a memory limit, a process-count and file-size limit (prlimit, where the system has it),
// capped output, a minimal environment (nothing of ours: no API keys, no tokens), and its own process
// group, which is killed as a whole on timeout and again when the run ends, so that nothing it started
// outlives it. The temporary directory is always removed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface SandboxRequest {
  /** The interpreter, an absolute path. */
  command: string;
  /** Arguments; `{dir}` is replaced by the temporary directory. */
  args: string[];
  /** Files to write into the temporary directory first (relative paths). */
  files: Record<string, string>;
  timeoutMs: number;
  /** Address-space limit in MiB; 0 = none (V8 reserves more address space than it uses: use a heap flag for node). */
  memoryMb: number;
  /** Stop reading (and kill the run) once stdout + stderr pass this many bytes. */
  outputCapBytes: number;
  /** Cap on the results channel (fd 3). */
  resultCapBytes?: number;
  /** Processes/threads the solution may add to what the user already runs (non-root only, see processLimit). */
  maxProcesses?: number;
  /** Extra environment variables (the environment is otherwise minimal). */
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SandboxResult {
  exitCode: number | null;
  /** The signal that ended the process, if one did (SIGKILL after a timeout, SIGSEGV, …). */
  exitSignal: string | null;
  timedOut: boolean;
  outputLimited: boolean;
  aborted: boolean;
  stdout: string;
  stderr: string;
  /** What the harness wrote to fd 3. */
  results: string;
  durationMs: number;
  /** Set when the interpreter could not be started. */
  spawnError?: string;
}

let prlimitPath: string | null | undefined;
function findPrlimit(): string | null {
  if (prlimitPath === undefined) {
    prlimitPath = null;
    if (process.platform === 'linux') {
      for (const candidate of ['/usr/bin/prlimit', '/bin/prlimit']) {
        if (existsSync(candidate) && spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) {
          prlimitPath = candidate;
          break;
        }
      }
    }
  }
  return prlimitPath;
}

let taskCount: { at: number; count: number } | undefined;
/**
 * RLIMIT_NPROC counts every task (thread) of the real user, not just ours, and the kernel ignores it
 * for root. So: none for root (the audit hook and the process group do the work there); for anyone
 * else, what the user runs now plus room for the solution, counted from /proc at most every 30 s.
 */
function processLimit(extra: number): number | undefined {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() === 0) return undefined;
  if (!taskCount || Date.now() - taskCount.at > 30_000) {
    const uid = String(process.getuid());
    let count = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const status = readFileSync(`/proc/${entry}/status`, 'utf8');
        const owner = /^Uid:\s+(\d+)/m.exec(status)?.[1];
        const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
        if (owner === uid) count += threads;
      } catch {
        // The process ended while we looked.
      }
    }
    taskCount = { at: Date.now(), count };
  }
  return taskCount.count + extra;
}

/** The environment a solution sees: enough to run an interpreter, nothing inherited from us. */
export function sandboxEnvironment(dir: string, command: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${dirname(command)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: dir,
    TMPDIR: dir,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    ...extra,
  };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function removeDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // A solution may have made a directory unreadable: open everything up and try again.
    const open = async (path: string) => {
      await chmod(path, 0o700).catch(() => undefined);
      for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
        if (entry.isDirectory()) await open(join(path, entry.name));
      }
    };
    await open(dir);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

// Directories of runs in progress: if the process exits mid-run (Ctrl-C in the CLI), they are removed
// on the way out; the run's process group is killed as well.
const active = new Map<string, { pid?: number }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [dir, run] of active) {
      killGroup(run.pid);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Best effort on the way out.
      }
    }
  });
}

export async function runInSandbox(request: SandboxRequest): Promise<SandboxResult> {
  const dir = await mkdtemp(join(tmpdir(), 'stepcritic-run-'));
  const run: { pid?: number } = {};
  active.set(dir, run);
  installExitHook();
  const started = Date.now();
  try {
    for (const [name, content] of Object.entries(request.files)) {
      await writeFile(join(dir, name), content, 'utf8');
    }
    const args = request.args.map((a) => a.split('{dir}').join(dir));
    let command = request.command;
    let finalArgs = args;
    const prlimit = findPrlimit();
    if (prlimit) {
      const limits = [`--core=0`, `--fsize=${64 * 1024 * 1024}`];
      const nproc = processLimit(request.maxProcesses ?? 64);
      if (nproc !== undefined) limits.push(`--nproc=${nproc}`);
      if (request.memoryMb > 0) limits.push(`--as=${request.memoryMb * 1024 * 1024}`);
      finalArgs = [...limits, '--', command, ...args];
      command = prlimit;
    }
    return await new Promise<SandboxResult>((resolve) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const res: Buffer[] = [];
      let outputBytes = 0;
      let resultBytes = 0;
      let timedOut = false;
      let outputLimited = false;
      let aborted = false;
      let spawnError: string | undefined;
      let settled = false;
      const resultCap = request.resultCapBytes ?? 32 * 1024 * 1024;

      const child = spawn(command, finalArgs, {
        cwd: dir,
        env: sandboxEnvironment(dir, request.command, request.env),
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const pid = child.pid;
      run.pid = pid;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(pid);
      }, request.timeoutMs);
      const onAbort = () => {
        aborted = true;
        killGroup(pid);
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.signal?.aborted) onAbort();

      const take = (into: Buffer[]) => (chunk: Buffer) => {
        if (outputBytes < request.outputCapBytes) into.push(chunk.subarray(0, request.outputCapBytes - outputBytes));
        outputBytes += chunk.length;
        if (outputBytes > request.outputCapBytes && !outputLimited) {
          outputLimited = true;
          killGroup(pid);
        }
      };
      child.stdout?.on('data', take(out));
      child.stderr?.on('data', take(err));
      const results = child.stdio[3];
      if (results && 'on' in results) {
        results.on('data', (chunk: Buffer) => {
          if (resultBytes < resultCap) res.push(chunk);
          resultBytes += chunk.length;
        });
        results.on('error', () => undefined);
      }

      const finish = (exitCode: number | null, exitSignal: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        resolve({
          exitCode,
          exitSignal,
          timedOut,
          outputLimited,
          aborted,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          results: Buffer.concat(res).toString('utf8'),
          durationMs: Date.now() - started,
          spawnError,
        });
      };
      child.on('error', (error) => {
        spawnError = error.message;
        finish(null, null);
      });
      child.on('exit', (code, signal) => {
        // Whatever the solution started in its group dies with it; then give the pipes a moment to drain.
        killGroup(pid);
        const grace = setTimeout(() => {
          for (const stream of [child.stdout, child.stderr, results]) stream?.destroy();
          finish(code, signal);
        }, 500);
        child.once('close', () => {
          clearTimeout(grace);
          finish(code, signal);
        });
      });
    });
  } finally {
    active.delete(dir);
    await removeDir(dir);
  }
}
