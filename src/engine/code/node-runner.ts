// Runs a JavaScript/TypeScript solution's tests: one sandboxed `node` process per test (a synchronous
// infinite loop can only be stopped from outside), under Node's permission model (no child processes,
// no workers, no inspector, files readable only in the run's own directory, no writes), with a V8 heap
// limit. The program is the solution followed by the test, transpiled to CommonJS and instrumented for
// line coverage (instrument.ts); lines hit while the solution loads are not counted for the test.
import { z } from 'zod';
import type { CodeTest, SolutionDocument } from '../types';
import { HIT_FUNCTION, instrumentProgram } from './instrument';
import type { Interpreter } from './interpreters';
import type { HarnessRun, RunLimits } from './python-runner';
import { runInSandbox, type SandboxResult } from './sandbox';
import { SourceText } from './source-text';
import type { HarnessReport, HarnessTestResult } from './test-results';

const PHASE_FUNCTION = '__stepcritic_phase';

// Runs inside the sandbox. fd 3 gets one JSON line per newly hit line and one with the outcome.
const NODE_HARNESS = String.raw`'use strict';
const fs = require('node:fs');
const { AssertionError } = require('node:assert');
const send = (obj) => { try { fs.writeSync(3, JSON.stringify(obj) + '\n'); } catch {} };
const seen = new Set();
let phase = 'load';
globalThis.${HIT_FUNCTION} = (line) => {
  if (phase === 'test' && !seen.has(line)) { seen.add(line); send({ hit: line }); }
};
globalThis.${PHASE_FUNCTION} = () => { phase = 'test'; };
console.assert = (condition, ...message) => {
  if (!condition) throw new AssertionError({ message: message.length ? message.map(String).join(' ') : 'console.assert failed' });
};
let finished = false;
const finish = (error) => {
  if (finished) return;
  finished = true;
  if (!error) { send({ status: 'passed' }); return; }
  const failed = error && (error.code === 'ERR_ASSERTION' || error.name === 'AssertionError');
  const text = (error && error.stack) ? String(error.stack) : String(error);
  send({ status: phase === 'load' ? 'load-error' : failed ? 'failed' : 'error', output: text.slice(0, 4000) });
  process.exitCode = 1;
};
process.on('uncaughtException', finish);
process.on('unhandledRejection', finish);
process.on('exit', () => finish());
try { require('./' + process.argv[2]); } catch (error) { finish(error); }
`;

const NodeEventSchema = z.union([
  z.object({ hit: z.number().int().positive() }),
  z.object({ status: z.enum(['passed', 'failed', 'error', 'load-error']), output: z.string().optional() }),
]);

function parseNodeEvents(text: string): { lines: number[]; status?: string; output?: string } {
  const lines: number[] = [];
  let status: string | undefined;
  let output: string | undefined;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      continue;
    }
    const event = NodeEventSchema.safeParse(json);
    if (!event.success) continue;
    if ('hit' in event.data) lines.push(event.data.hit);
    else if (status === undefined) {
      status = event.data.status;
      output = event.data.output;
    }
  }
  return { lines, status, output };
}

function statusOf(sandbox: SandboxResult, reported: string | undefined): HarnessTestResult['status'] | 'load-error' {
  if (sandbox.timedOut) return 'timeout';
  if (reported === 'passed' && sandbox.exitCode === 0) return 'passed';
  if (reported === 'failed' || reported === 'error' || reported === 'load-error') return reported;
  return 'error';
}

export async function runNodeTests(
  node: Interpreter,
  document: SolutionDocument,
  tests: readonly CodeTest[],
  language: 'javascript' | 'typescript',
  limits: RunLimits,
  signal?: AbortSignal,
): Promise<HarnessRun> {
  const solutionLines = new SourceText(document.text).lineCount;
  const report: HarnessReport = { tests: [], done: true, garbage: 0 };
  const started = Date.now();
  let last: SandboxResult | undefined;
  const baseName =
    (document.uri.split('#')[0] ?? '')
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.[cm]?[jt]sx?$/i, '') || 'solution';
  const moduleName = /^[\w.-]+$/.test(baseName) ? baseName : 'solution';

  for (const [index, test] of tests.entries()) {
    const remaining = limits.timeoutMs - (Date.now() - started);
    if (remaining <= 50) {
      report.tests.push({ event: 'test', id: String(index), index, name: test.name, status: 'skipped', output: '', lines: [], ms: 0 });
      continue;
    }
    const files: Record<string, string> = { 'stepcritic_harness.cjs': NODE_HARNESS };
    let entry: string;
    if (test.origin === 'sibling') {
      // The test file imports the solution by its own name ('./gcd'): both become CommonJS files.
      files[`${moduleName}.js`] = instrumentProgram(`${document.text}\n;globalThis.${PHASE_FUNCTION}?.();\n`, language, solutionLines).code;
      files[`${moduleName}.test.js`] = instrumentProgram(test.code, language, 0).code;
      entry = `${moduleName}.test.js`;
    } else {
      const program = `${document.text}\n;globalThis.${PHASE_FUNCTION}();\n${test.code}\n`;
      files['program.js'] = instrumentProgram(program, language, solutionLines).code;
      entry = 'program.js';
    }
    const t0 = Date.now();
    const sandbox = await runInSandbox({
      command: node.path,
      args: [
        '--experimental-permission',
        '--allow-fs-read={dir}',
        '--no-warnings',
        `--max-old-space-size=${Math.max(16, limits.memoryMb)}`,
        '--stack-size=984',
        '{dir}/stepcritic_harness.cjs',
        entry,
      ],
      files,
      timeoutMs: Math.min(limits.perTestTimeoutMs, remaining),
      memoryMb: 0,
      outputCapBytes: limits.outputCapBytes,
      signal,
    });
    last = sandbox;
    if (sandbox.aborted) break;
    const events = parseNodeEvents(sandbox.results);
    const status = statusOf(sandbox, events.status);
    const output = [
      events.output,
      sandbox.timedOut ? `timed out after ${(Math.min(limits.perTestTimeoutMs, remaining) / 1000).toFixed(1)} s` : '',
      status === 'error' && !events.output ? sandbox.stderr.slice(-2000) : '',
    ]
      .filter(Boolean)
      .join('\n');
    if (status === 'load-error') {
      report.load = { event: 'load', ok: false, error: output, output: sandbox.stdout.slice(0, 4000), inert: [] };
      break;
    }
    report.tests.push({ event: 'test', id: String(index), index, name: test.name, status, output, lines: events.lines, ms: Date.now() - t0 });
  }
  const sandbox: SandboxResult = last ?? {
    exitCode: 0,
    exitSignal: null,
    timedOut: false,
    outputLimited: false,
    aborted: false,
    stdout: '',
    stderr: '',
    results: '',
    durationMs: 0,
  };
  // Per-test timeouts are test results, not a stopped run.
  return { report, sandbox: { ...sandbox, timedOut: false, exitCode: 0, exitSignal: null } };
}
