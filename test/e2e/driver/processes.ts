// Child processes of an e2e run (code-server, the scripted LLM servers). Each starts in its own
// process group and is stopped by its own PID (the whole group, so code-server's extension host
// and language server go too) — on success, on failure and on Ctrl-C. Every PID is also written to
// a file, so run.sh can stop whatever is left if this process itself is killed.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { appendFileSync, createWriteStream } from 'node:fs';

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the first line the process printed on stdout. */
  firstLine: Promise<string>;
  stop(): Promise<void>;
}

const running = new Set<Started>();
const pidFile = process.env.STEPCRITIC_E2E_PIDFILE;

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions & { logFile: string }): Started {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const pid = child.pid;
  if (pidFile) appendFileSync(pidFile, `${pid}\n`);
  child.stderr?.pipe(log);
  const firstLine = new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      buffer += chunk.toString('utf8');
      const newline = buffer.indexOf('\n');
      if (newline >= 0) resolve(buffer.slice(0, newline).trim());
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (code ${code}) before it printed anything; see ${options.logFile}`)));
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started: Started = {
    name,
    pid,
    child,
    firstLine,
    async stop() {
      running.delete(started);
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      // The group may outlive its leader (the extension host, the language server).
      signalGroup(pid, 'SIGKILL');
    },
  };
  running.add(started);
  return started;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const p of running) signalGroup(p.pid, 'SIGKILL');
});
