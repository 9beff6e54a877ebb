// The critic against each real server's personality (test/support/llm-personalities.ts), on the road a
// user takes: the built CLI, `stepcritic probe`, then `stepcritic check examples`, then `stepcritic
// eval` on the first ProcessBench gsm8k records (../shared/data; skipped, and said so, when missing).
// Prints one row per personality: chat requests of each command, judge errors, the P(True) source the
// check reported, and the wall time. Then the malformed-reply rate of a small model (30% malformed
// when unconstrained) with and without a JSON schema.
//
//   node --import tsx bench/personalities.ts [--time-factor 10] [--records 20]
//
// Servers run at their real pace divided by --time-factor (default 10), and the client's timeout is
// divided alike; times are printed as measured and × the factor: an upper bound of the time at the real
// pace, since start-up and the CPU work of the CLI (not sped up) are multiplied too.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERSONALITIES, PERSONALITY_NAMES, startPersonality, type PersonalityName } from '../test/support/llm-personalities';
import { build, REPO_ROOT, runBench, runStepcritic, scratch } from './batch-support';
import { sharedDataIfPresent } from './shared-data';
import { numberFlag } from './flags';

interface Row {
  name: PersonalityName;
  probe: number;
  check: number;
  eval: number | null;
  judgeErrors: number;
  sources: string;
  seconds: number;
}

interface CheckReport {
  files: { steps: { verdict: string; source: string }[] }[];
}

interface EvalJson {
  overall: { judgeErrors: number };
}

async function measure(name: PersonalityName, factor: number, dataset: string | undefined): Promise<Row> {
  const work = scratch(`personality-${name}`);
  const server = await startPersonality(name, { timeFactor: factor });
  try {
    const env = { STEPCRITIC_CACHE_DIR: join(work.dir, 'cache') };
    const endpoint = ['--base-url', server.baseUrl, '--model', PERSONALITIES[name].model, '--timeout', String(Math.round(120_000 / factor))];
    const chats = () => server.chatRequests().length;
    const started = performance.now();
    const probe = await runStepcritic(['probe', ...endpoint], { cwd: REPO_ROOT, env });
    if (probe.status !== 0) throw new Error(`${name}: probe failed\n${probe.stdout}${probe.stderr}`);
    const afterProbe = chats();
    const check = await runStepcritic(['check', 'examples', '--format', 'json', '--fail-on', 'never', ...endpoint], { cwd: REPO_ROOT, env });
    const report = JSON.parse(check.stdout) as CheckReport;
    const afterCheck = chats();
    const steps = report.files.flatMap((f) => f.steps);
    let judgeErrors = steps.filter((s) => s.verdict === 'error').length;
    let evalRequests: number | null = null;
    if (dataset) {
      const run = await runStepcritic(['eval', dataset, '--format', 'json', ...endpoint], { cwd: REPO_ROOT, env });
      judgeErrors += (JSON.parse(run.stdout) as EvalJson).overall.judgeErrors;
      evalRequests = chats() - afterCheck;
    }
    const sources = [...new Set(steps.map((s) => s.source).filter((s) => s !== 'verifier' && s !== 'none'))].join(', ');
    return { name, probe: afterProbe, check: afterCheck - afterProbe, eval: evalRequests, judgeErrors, sources, seconds: (performance.now() - started) / 1000 };
  } finally {
    await server.close();
    work.remove();
  }
}

/** Repair requests per first reply, and judge errors, for a small model with and without a JSON schema. */
async function malformed(factor: number, dataset: string): Promise<string[]> {
  const lines: string[] = [];
  for (const mode of ['off', 'auto'] as const) {
    const work = scratch('malformed');
    const server = await startPersonality('llamacpp', { timeFactor: factor * 10, malformedRate: 0.3 });
    try {
      const env = { STEPCRITIC_CACHE_DIR: join(work.dir, 'cache') };
      const endpoint = ['--base-url', server.baseUrl, '--model', PERSONALITIES.llamacpp.model, '--timeout', String(Math.round(12_000 / factor))];
      const run = await runStepcritic(['eval', dataset, '--format', 'json', '--json-schema', mode, ...endpoint], { cwd: REPO_ROOT, env });
      const sent = server.chatRequests();
      const repairs = sent.filter((r) => r.lastUserText.startsWith('Your reply could not be used')).length;
      const first = sent.length - repairs;
      const errors = (JSON.parse(run.stdout) as EvalJson).overall.judgeErrors;
      lines.push(`| ${mode} | ${first} | ${repairs} | ${((100 * repairs) / first).toFixed(0)}% | ${errors} |`);
    } finally {
      await server.close();
      work.remove();
    }
  }
  return lines;
}

runBench(async () => {
  const factor = numberFlag('--time-factor', 10);
  const records = numberFlag('--records', 20);
  build();
  let dataset: string | undefined;
  const source = sharedDataIfPresent('processbench', 'gsm8k.json');
  const work = scratch('personalities-data');
  try {
    if (source) {
      dataset = join(work.dir, 'gsm8k-first.json');
      writeFileSync(dataset, JSON.stringify((JSON.parse(readFileSync(source, 'utf8')) as unknown[]).slice(0, records)));
    } else {
      console.log('(../shared/data/processbench/gsm8k.json is missing: the eval column is skipped)');
    }
    console.log(
      `Servers at their real pace / ${factor}; check: \`stepcritic check examples\` (4 solutions); eval: the first ${records} ProcessBench gsm8k records.\n`,
    );
    console.log(
      '| personality | probe requests | check requests | eval requests | judge errors | P(True) source | time (s, measured) | × factor (s, at most the real pace) |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const name of PERSONALITY_NAMES) {
      const row = await measure(name, factor, dataset);
      console.log(
        `| ${row.name} | ${row.probe} | ${row.check} | ${row.eval ?? 'n/a'} | ${row.judgeErrors} | ${row.sources} | ${row.seconds.toFixed(1)} | ${(row.seconds * factor).toFixed(0)} |`,
      );
    }
    if (dataset) {
      console.log(`\nMalformed replies of a small model (30% when unconstrained), eval of ${records} records on a one-slot server:\n`);
      console.log('| --json-schema | first replies | repairs | malformed rate | judge errors |');
      console.log('|---|---|---|---|---|');
      for (const line of await malformed(factor, dataset)) console.log(line);
    }
  } finally {
    work.remove();
  }
});
