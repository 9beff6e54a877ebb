// A small test harness for the extension host: register tests, run them one after another, report
// each result on the console and into a JSON file (`STEPCRITIC_E2E_RESULTS`) that the e2e driver
// reads, and reject `run()` when any failed — the contract @vscode/test-electron and the
// smoke-test driver both expect.
import { appendFileSync } from 'node:fs';

interface TestCase {
  name: string;
  fn: () => Promise<void>;
  timeoutMs: number;
}

export interface TestResult {
  suite: string;
  name: string;
  passed: boolean;
  durationMs: number;
  error?: string;
}

const cases: TestCase[] = [];

export function test(name: string, fn: () => Promise<void>, timeoutMs = 60_000): void {
  cases.push({ name, fn, timeoutMs });
}

function withTimeout(promise: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runAll(suite: string): Promise<void> {
  const resultsFile = process.env.STEPCRITIC_E2E_RESULTS;
  const results: TestResult[] = [];
  for (const c of cases) {
    const started = Date.now();
    let result: TestResult;
    try {
      await withTimeout(c.fn(), c.timeoutMs, c.name);
      result = { suite, name: c.name, passed: true, durationMs: Date.now() - started };
      console.log(`ok - ${suite}: ${c.name} (${result.durationMs} ms)`);
    } catch (error) {
      const message = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
      result = { suite, name: c.name, passed: false, durationMs: Date.now() - started, error: message };
      console.error(`not ok - ${suite}: ${c.name}\n${message}`);
    }
    results.push(result);
    if (resultsFile) appendFileSync(resultsFile, `${JSON.stringify(result)}\n`);
  }
  const failed = results.filter((r) => !r.passed).length;
  console.log(`${suite}: ${results.length - failed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} of ${results.length} extension-host tests failed`);
}
