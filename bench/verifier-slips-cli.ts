// The seeded slips of bench/verifier.ts (e) on the road a user takes: every slipped solution written as a
// `*.solution.md` file into a temporary folder and checked by the built CLI, `stepcritic check <folder>
// --no-llm --format json`. Prints the share caught at exactly the changed step, next to the in-process
// figure, and each solution where the two roads disagree (a step the Markdown reader cut otherwise,
// a step judged otherwise).
// Run from the repository root after `npm run build`:
//   node --import tsx bench/verifier-slips-cli.ts [--quiet]
//
// Each step is written as an item of a numbered list, its further lines indented under it (a step of a
// dataset may hold blank lines and display math; the list item keeps it one step). The problem goes under
// `# Problem`, the steps under `## Solution`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { recordToDocument } from '../src/engine/datasets/records';
import { verifyMathSteps } from '../src/engine/verify/steps';
import { seededRandom } from '../src/engine/seeded-random';
import type { Slip } from './verifier-slips';
import { seedSlips } from './verifier-slips';
import { sharedData } from './shared-data';

const SEED = 20240611;
const quiet = process.argv.includes('--quiet');
const cli = resolve(__dirname, '..', 'bin', 'stepcritic.js');
if (!existsSync(resolve(__dirname, '..', 'dist', 'cli', 'main.js'))) {
  console.error('bench/verifier-slips-cli: the CLI is not built; run `npm run build` first.');
  process.exit(2);
}

const sources: { problem: string; steps: string[] }[] = [];
for (const split of ['gsm8k', 'math', 'olympiadbench', 'omnimath']) {
  const records = JSON.parse(readFileSync(sharedData('processbench', `${split}.json`), 'utf8')) as unknown[];
  records.forEach((record, i) => {
    const document = recordToDocument(record, { uri: `processbench/${split}.json#${i}`, format: 'processbench' });
    if (document.labels?.firstErrorStep === -1) sources.push({ problem: document.problem, steps: document.steps.map((s) => s.text) });
  });
}
const slips = seedSlips(sources, seededRandom(SEED));

/** A slipped solution as a user keeps it: a Markdown file with the problem and a numbered list of steps. */
function asMarkdown(slip: Slip, id: number): string {
  const item = (text: string, k: number) => {
    const marker = `${k + 1}. `;
    return marker + text.trim().replace(/\n/g, `\n${' '.repeat(marker.length)}`);
  };
  return `---\nid: slip-${id}\n---\n# Problem\n\n${slip.problem.trim()}\n\n## Solution\n\n${slip.steps.map(item).join('\n\n')}\n`;
}

/** The first step refuted in process, as bench/verifier.ts (e) finds it. */
function firstRefutedInProcess(slip: Slip, id: number): number {
  const document = recordToDocument({ problem: slip.problem, steps: slip.steps, label: slip.step }, { uri: `slip#${id}`, format: 'processbench' });
  for (const [step, evidence] of verifyMathSteps(document)) if (evidence.some((e) => e.status === 'refuted')) return step.index;
  return -1;
}

const Report = z.object({
  files: z.array(
    z.object({
      path: z.string(),
      steps: z.array(z.object({ index: z.number(), verdict: z.string() })).optional(),
    }),
  ),
});

const folder = mkdtempSync(join(tmpdir(), 'stepcritic-slips-'));
try {
  slips.forEach((slip, id) => writeFileSync(join(folder, `slip-${String(id).padStart(3, '0')}.solution.md`), asMarkdown(slip, id)));
  const run = spawnSync(process.execPath, [cli, 'check', folder, '--no-llm', '--no-cache', '--format', 'json', '--fail-on', 'never'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (run.status !== 0) {
    console.error(`stepcritic check exited with ${run.status}: ${run.stderr}`);
    process.exit(1);
  }
  const report = Report.parse(JSON.parse(run.stdout));
  const byPath = new Map(report.files.map((f) => [f.path, f]));
  let caught = 0;
  let inProcess = 0;
  let cutOtherwise = 0;
  const differences: string[] = [];
  slips.forEach((slip, id) => {
    const file = byPath.get(join(folder, `slip-${String(id).padStart(3, '0')}.solution.md`));
    const steps = file?.steps ?? [];
    const first = steps.find((s) => s.verdict === 'incorrect')?.index ?? -1;
    const own = firstRefutedInProcess(slip, id);
    if (first === slip.step) caught++;
    if (own === slip.step) inProcess++;
    if (steps.length !== slip.steps.length) cutOtherwise++;
    if ((first === slip.step) !== (own === slip.step)) {
      differences.push(
        `  slip ${id} (${slip.kind}, step ${slip.step}): CLI first incorrect step ${first} of ${steps.length} steps, in process ${own} of ${slip.steps.length}`,
      );
    }
  });
  const pct = (n: number) => `${((100 * n) / slips.length).toFixed(2)}%`;
  console.log(`seeded slips, \`stepcritic check <folder> --no-llm --format json\`: caught at the changed step ${caught}/${slips.length} = ${pct(caught)}`);
  console.log(`  in process (bench/verifier.ts (e)): ${inProcess}/${slips.length} = ${pct(inProcess)}`);
  console.log(`  files whose steps the Markdown reader cut otherwise than the dataset: ${cutOtherwise}; solutions judged otherwise: ${differences.length}`);
  if (!quiet) for (const line of differences) console.log(line);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
