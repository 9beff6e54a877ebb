// Fuzz bench: many seeded hostile documents (test/support/hostile-documents.ts) through the built CLI
// and through the language server; prints crashes, hangs over 5 s, files missing from the report and
// the per-document times. test/fuzz.test.ts is the small version in npm test.
//   node --import tsx bench/fuzz.ts [--cli 2000] [--server 600] [--seed 1]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LspSession } from '../test/server/support/lsp-session';
import { hostileDocuments } from '../test/support/hostile-documents';
import { CLI, build, runBench, scratch } from './batch-support';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const HANG_MS = 5000;
const seed = option('seed', 1);

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
const times = (values: number[]) =>
  `median ${quantile(values, 0.5).toFixed(0)} ms, p95 ${quantile(values, 0.95).toFixed(0)} ms, max ${Math.max(0, ...values).toFixed(0)} ms`;

async function viaCli(count: number): Promise<void> {
  const work = scratch('fuzz-cli');
  try {
    const documents = hostileDocuments(seed, count);
    const dir = join(work.dir, 'docs');
    mkdirSync(dir);
    for (const d of documents) writeFileSync(join(dir, d.name), d.text);
    const out = join(work.dir, 'report.json');
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      [CLI, 'check', '--jobs', '1', '--format', 'json', '--out', out, '--fail-on', 'never', ...documents.map((d) => join(dir, d.name))],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const wall = (performance.now() - started) / 1000;
    const crashed = run.status !== 0 && run.status !== 2 ? 1 : /uncaught|unhandled/i.test(run.stderr) ? 1 : 0;
    const report = z.object({ files: z.array(z.object({ uri: z.string(), durationMs: z.number().optional() })) }).parse(JSON.parse(readFileSync(out, 'utf8')));
    const reported = new Set(report.files.map((f) => f.uri.split('/').pop()));
    const missing = documents.filter((d) => !reported.has(d.name)).length;
    const durations = report.files.map((f) => f.durationMs ?? 0);
    const hangs = durations.filter((ms) => ms > HANG_MS).length;
    console.log(
      `CLI (stepcritic check --jobs 1, ${count} documents, seed ${seed}, ${wall.toFixed(0)} s wall): exit ${run.status}, crashes ${crashed}, hangs over 5 s ${hangs}, missing from the report ${missing}`,
    );
    console.log(`  per file: ${times(durations)}`);
  } finally {
    work.remove();
  }
}

async function viaServer(count: number): Promise<void> {
  const work = scratch('fuzz-server');
  const session = await LspSession.start({ workspaceFolder: work.dir, initializationOptions: { trusted: false, settings: { files: '**/*.{md,py,js}' } } });
  try {
    await session.checkWorkersReady();
    const documents = hostileDocuments(seed + 1, count);
    const durations: number[] = [];
    let hangs = 0;
    for (const d of documents) {
      const uri = `file://${join(work.dir, d.name)}`;
      const opened = performance.now();
      await session.open(uri, d.text, d.name.endsWith('.py') ? 'python' : d.name.endsWith('.js') ? 'javascript' : 'stepcritic-solution');
      try {
        await session.finalStates(uri, 1, 60_000);
      } catch {
        hangs++;
      }
      const ms = performance.now() - opened;
      durations.push(ms);
      if (ms > HANG_MS) hangs++;
      await session.close(uri);
    }
    const crashed = session.exited !== undefined ? 1 : 0;
    console.log(`server (${count} documents opened one after the other, seed ${seed + 1}): crashes ${crashed}, hangs over 5 s ${hangs}`);
    console.log(`  open → final diagnostics: ${times(durations)}`);
  } finally {
    await session.stop();
    work.remove();
  }
}

runBench(async () => {
  build();
  console.log('(the machine is shared: times are wall times under whatever load there was; counts are what matters)');
  await viaCli(option('cli', 2000));
  await viaServer(option('server', 600));
});
