// Shared by the bench/batch-*.ts scripts (not a bench itself): real ProcessBench records as a JSONL
// dataset of any size, the built CLI run as a child process with its wall time and peak memory, the
// scripted OpenAI-compatible server on 127.0.0.1, and medians. Everything is written to a temporary
// folder; nothing leaves this machine.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedLlmServer, type ScriptedLlmServer, type ScriptedServerOptions } from '../test/support/scripted-llm-server';
import { sharedData } from './shared-data';

export const REPO_ROOT = join(__dirname, '..');
export const CLI = join(REPO_ROOT, 'bin', 'stepcritic.js');
const SOURCES = ['gsm8k.json', 'math.json', 'olympiadbench.json', 'omnimath.json'];

export function build(): void {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the build failed');
}

/** Runs a bench: a failure is printed and the process exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * A scratch folder and a scripted server (127.0.0.1) for the body of a bench; both are gone after it,
 * whether it finished or threw.
 */
export async function withScriptedServer(
  prefix: string,
  options: ScriptedServerOptions,
  body: (work: { dir: string }, server: ScriptedLlmServer) => Promise<void>,
): Promise<void> {
  const work = scratch(prefix);
  const server = await startScriptedLlmServer(options);
  try {
    await body(work, server);
  } finally {
    await server.close();
    work.remove();
  }
}

export function scratch(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `stepcritic-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

interface ProcessBenchRecord {
  id: string;
  problem: string;
  steps: string[];
  label: number;
  final_answer_correct?: boolean;
}

let pool: ProcessBenchRecord[] | undefined;

/** The 3,400 real ProcessBench records (gsm8k, math, olympiadbench, omnimath). */
export function processBenchRecords(): ProcessBenchRecord[] {
  pool ??= SOURCES.flatMap((name) => JSON.parse(readFileSync(sharedData('processbench', name), 'utf8')) as ProcessBenchRecord[]);
  return pool;
}

/**
 * Writes `count` records as JSONL: the real records in order, and past 3,400 the same records again
 * with the problem marked as a copy, so every line is distinct content (no cache or resume key
 * collides).
 */
export async function writeDataset(path: string, count: number): Promise<void> {
  const records = processBenchRecords();
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const base = records[i % records.length]!;
    const round = Math.floor(i / records.length);
    const record = round === 0 ? base : { ...base, id: `${base.id}-copy${round}`, problem: `${base.problem} (copy ${round})` };
    if (!out.write(`${JSON.stringify(record)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** A preload that writes the process's peak resident memory (KB) and CPU time (µs) to a file when it exits. */
function peakRssPreload(dir: string): string {
  const path = join(dir, 'peak-rss-preload.cjs');
  if (!existsSync(path)) {
    writeFileSync(
      path,
      // Written at exit and every second, so that a process killed with SIGKILL leaves its peak so far.
      // The peak is the process's own (Linux: VmHWM): getrusage's maxRSS keeps the parent's resident
      // memory at the fork, and the bench (the scripted server, holding the uploads) is the parent.
      [
        "const { readFileSync, writeFileSync } = require('node:fs');",
        "const { join } = require('node:path');",
        'const peakKb = () => {',
        "  try { const m = /VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8')); if (m) return Number(m[1]); } catch {}",
        '  return process.resourceUsage().maxRSS;',
        '};',
        'const report = () => {',
        '  const out = process.env.STEPCRITIC_BENCH_RSS_DIR;',
        "  if (out) { const u = process.resourceUsage(); writeFileSync(join(out, 'rss-' + process.pid + '.txt'), peakKb() + ' ' + (u.userCPUTime + u.systemCPUTime)); }",
        '};',
        "process.on('exit', report);",
        'setInterval(report, 1000).unref();',
        '',
      ].join('\n'),
    );
  }
  return path;
}

export interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  wallMs: number;
  /** Largest peak RSS of any Node process the run started, in MB. */
  peakRssMb: number;
  /** CPU time (user + system) of every Node process the run started, in ms: steadier than wall time on a shared machine. */
  cpuMs: number;
  /** How many Node processes reported (the child and any it spawned). */
  processes: number;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  cwd: string;
  /** The Node binary (default: the one running the bench). */
  node?: string;
  env?: Record<string, string>;
  /** Called every 20 ms while the child runs; return true to kill it (SIGKILL). */
  killWhen?: () => boolean;
  timeoutMs?: number;
  /** The child's stdout goes to this file, as `> file` sends it (else it is read through a pipe). */
  stdoutFile?: string;
}

/** Runs `node <args>` with the peak-memory preload on every Node process it starts. */
export function runNode(args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  const rssDir = mkdtempSync(join(tmpdir(), 'stepcritic-bench-rss-'));
  const preload = peakRssPreload(rssDir);
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, STEPCRITIC_BENCH_RSS_DIR: rssDir, NODE_OPTIONS: `--require ${preload}` };
  for (const key of Object.keys(env)) if (/^(STEPCRITIC_(API_KEY|BASE_URL|MODEL)|OPENAI_)/.test(key)) delete env[key];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const stdoutFd = options.stdoutFile !== undefined ? openSync(options.stdoutFile, 'w') : undefined;
    const child = spawn(options.node ?? process.execPath, [...args], { cwd: options.cwd, env, stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-200_000)));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-200_000)));
    const poll = options.killWhen
      ? setInterval(() => {
          if (options.killWhen!()) child.kill('SIGKILL');
        }, 20)
      : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 900_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      clearTimeout(timer);
      const reports = readdirSync(rssDir).filter((f) => f.startsWith('rss-'));
      const usages = reports.map((f) => readFileSync(join(rssDir, f), 'utf8').split(' ').map(Number));
      const peaks = usages.map(([rss]) => rss!);
      const cpuMs = usages.reduce((sum, [, cpu]) => sum + (cpu ?? 0) / 1000, 0);
      rmSync(rssDir, { recursive: true, force: true });
      resolve({ status, signal, wallMs, peakRssMb: peaks.length > 0 ? Math.max(...peaks) / 1024 : Number.NaN, cpuMs, processes: peaks.length, stdout, stderr });
    });
  });
}

export function runStepcritic(args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  return runNode([CLI, ...args], options);
}

/** `--base-url … --model scripted-critic` and the flags every bench run shares. */
export function llmFlags(baseUrl: string): string[] {
  return ['--base-url', baseUrl, '--model', 'scripted-critic', '--quiet', '--fail-on', 'never', '--yes'];
}

export interface LogTimes {
  items: number;
  uniqueItems: number;
  /** From the header (written when judging starts) to the end line. */
  judgingMs: number | null;
}

/** Counts the item lines of a run log and times the judging phase from its header and end lines. */
export function readRunLogTimes(path: string): LogTimes {
  let started: number | undefined;
  let ended: number | undefined;
  const ids: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: { type?: string; id?: string; startedAt?: string; at?: string };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      continue;
    }
    if (parsed.type === 'header') started = Date.parse(parsed.startedAt!);
    else if (parsed.type === 'resume') started = Date.parse(parsed.at!);
    else if (parsed.type === 'end') ended = Date.parse(parsed.at!);
    else if (parsed.type === 'item') ids.push(parsed.id!);
  }
  return { items: ids.length, uniqueItems: new Set(ids).size, judgingMs: started !== undefined && ended !== undefined ? ended - started : null };
}

export function countItemLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('"type":"item"'); i >= 0; i = text.indexOf('"type":"item"', i + 1)) n++;
  return n;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function assertOk(run: ChildRun, what: string): void {
  if (run.status !== 0) throw new Error(`${what} failed (status ${run.status}, signal ${run.signal}):\n${run.stderr.slice(0, 3000)}`);
}
