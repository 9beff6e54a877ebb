// Seeded fuzz: a few hundred hostile documents (test/support/hostile-documents.ts) through the CLI and
// through the language server. Nothing may crash or hang, no file may be missing from the report.
// How fast they are (the goal: each under 5 s) is measured by bench/fuzz.ts, which runs a larger set
// with other seeds and prints the times: a test on a shared CI machine can only catch a hang.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { makeTree, runCli } from './cli/run-cli';
import { LspSession } from './server/support/lsp-session';
import { fileUri, tempFolder } from './server/support/fixtures';
import type { ServerStats } from '../src/protocol/messages';
import { hostileDocuments } from './support/hostile-documents';

/** A hang, not a slow file on a loaded machine: past the check worker's longest deadline (30 s for code). */
const HANG_MS = 40_000;
const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const step of cleanup) await step();
});

const ReportSchema = z.object({
  files: z.array(z.object({ uri: z.string(), status: z.string(), durationMs: z.number().optional(), reason: z.string().optional() })),
});

const languageOf = (name: string) => (name.endsWith('.py') ? 'python' : name.endsWith('.js') ? 'javascript' : 'stepcritic-solution');

describe('fuzz: hostile documents', () => {
  it('300 through the CLI: no crash, no hang, every file in the report', async () => {
    const documents = hostileDocuments(20261206, 300);
    const tree = makeTree(Object.fromEntries(documents.map((d) => [d.name, d.text])));
    cleanup.push(tree.remove);
    const names = documents.map((d) => d.name);
    // One file at a time (--jobs 1), so that each file's time in the report is its own, not time spent
    // waiting behind other files.
    const result = await runCli(['check', '--jobs', '1', '--format', 'json', '--out', 'report.json', '--fail-on', 'never', ...names], {
      cwd: tree.dir,
      timeoutMs: 400_000,
    });
    assert.ok(result.status === 0 || result.status === 2, `exit ${result.status}: ${result.stderr.slice(-2000)}`);
    assert.doesNotMatch(result.stderr, /uncaught|unhandled|\n\s+at .*\(/i);
    const report = ReportSchema.parse(JSON.parse(readFileSync(join(tree.dir, 'report.json'), 'utf8')));
    const reported = new Set(report.files.map((f) => f.uri.split('/').pop()));
    assert.deepEqual(
      names.filter((n) => !reported.has(n)),
      [],
      'every file is in the report',
    );
    const slow = report.files.filter((f) => (f.durationMs ?? 0) > HANG_MS).map((f) => `${f.uri} ${f.durationMs} ms`);
    assert.deepEqual(slow, [], 'no file hung');
  });

  it('200 through the language server: no crash, each one published (none hangs), the server still answers', async () => {
    const documents = hostileDocuments(15, 200);
    const folder = await tempFolder();
    // Python and JavaScript files too (stepcritic.files), in an untrusted workspace (no code runs).
    const session = await LspSession.start({ workspaceFolder: folder, initializationOptions: { trusted: false, settings: { files: '**/*.{md,py,js}' } } });
    cleanup.push(() => session.stop());
    // Timed from a warmed-up check worker: the server's own start is not a document's check.
    await session.checkWorkersReady();
    // The first JavaScript file loads the TypeScript compiler (9 MB) into the worker: start-up, not a check.
    const warmUri = fileUri(folder, 'warm-up.js');
    await session.open(warmUri, 'const x = 1;\n', 'javascript');
    await session.finalStates(warmUri, 1, 60_000);
    await session.close(warmUri);
    const late: string[] = [];
    for (const document of documents) {
      const uri = fileUri(folder, document.name);
      const opened = performance.now();
      await session.open(uri, document.text, languageOf(document.name));
      try {
        await session.finalStates(uri, 1, HANG_MS);
      } catch (error) {
        late.push(`${document.name} (${document.kind}): ${error instanceof Error ? error.message : String(error)}`);
      }
      const ms = performance.now() - opened;
      if (ms > HANG_MS) late.push(`${document.name} (${document.kind}): ${ms.toFixed(0)} ms`);
      await session.close(uri);
    }
    assert.equal(session.exited, undefined, `the server exited: ${session.stderr.slice(-2000)}`);
    assert.deepEqual(late, []);
    const stats = await session.request<ServerStats>('stepcritic/serverStats', {});
    assert.equal(stats.openDocuments, 0);
  });
});
