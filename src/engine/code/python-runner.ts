// Runs a Python solution's tests in the sandbox through the harness (python-harness-script.ts).
import type { CodeTest } from '../types';
import type { Interpreter } from './interpreters';
import { PYTHON_HARNESS_SCRIPT } from './python-harness-script';
import { runInSandbox, type SandboxResult } from './sandbox';
import { parseHarnessOutput, type HarnessReport } from './test-results';

export interface RunLimits {
  timeoutMs: number;
  perTestTimeoutMs: number;
  memoryMb: number;
  outputCapBytes: number;
}

export interface HarnessRun {
  report: HarnessReport;
  sandbox: SandboxResult;
}

export function moduleNameFor(uri: string): string {
  const path = uri.split('#')[0] ?? uri;
  const base = (path.split(/[\\/]/).pop() ?? '').replace(/\.py$/i, '');
  return /^[A-Za-z_]\w*$/.test(base) ? base : 'solution';
}

export async function runPythonTests(
  python: Interpreter,
  solution: { text: string; moduleName: string },
  tests: readonly CodeTest[],
  limits: RunLimits,
  signal?: AbortSignal,
): Promise<HarnessRun> {
  const solutionFile = `${solution.moduleName}.py`;
  const request = {
    solutionFile,
    moduleName: solution.moduleName,
    tests: tests.map((t) => ({ name: t.name, origin: t.origin, code: t.code, entryPoint: t.entryPoint ?? null })),
    trace: true,
    // Mutation analysis only when a test fails, within the same time limit (see localize.ts).
    mutate: true,
    mutationSeconds: Math.min(4, limits.timeoutMs / 2500),
    mutantTestSeconds: 0.25,
    perTestSeconds: limits.perTestTimeoutMs / 1000,
    // The harness stops starting tests a little before the sandbox's hard limit, so that the
    // results of the tests that ran are written out rather than lost to the kill.
    totalSeconds: Math.max(0.2, (limits.timeoutMs - Math.min(1000, limits.timeoutMs / 5)) / 1000),
    memoryBytes: limits.memoryMb > 0 ? limits.memoryMb * 1024 * 1024 : null,
    fileSizeBytes: 64 * 1024 * 1024,
    maxProcesses: null,
    outputCap: 4000,
  };
  const sandbox = await runInSandbox({
    command: python.path,
    // -I: isolated mode (no PYTHON* variables, no user site-packages, the cwd not on sys.path).
    args: ['-I', '-X', 'utf8', '{dir}/stepcritic_harness.py', '{dir}/request.json'],
    files: {
      [solutionFile]: solution.text,
      'stepcritic_harness.py': PYTHON_HARNESS_SCRIPT,
      'request.json': JSON.stringify(request),
    },
    timeoutMs: limits.timeoutMs,
    // The harness sets the address-space limit on itself (RLIMIT_AS); prlimit sets it as well.
    memoryMb: limits.memoryMb,
    outputCapBytes: limits.outputCapBytes,
    env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0', PYTHONIOENCODING: 'utf-8' },
    signal,
  });
  return { report: parseHarnessOutput(sandbox.results), sandbox };
}
