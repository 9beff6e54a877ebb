// `stepcritic cache stats|clear`: the cache folder (the critic's verdicts and whole results of earlier runs).
import { openCacheStore, type CacheStore, type TableStats } from '../../engine/cache/store';
import { createFileCapabilityStore } from '../../engine/llm/capabilities';
import { formatHelp, helpHint, parseCommandArgs, type OptionSpec } from '../args';
import { EXIT_CLEAN, UsageError, type CliContext, type Command } from '../command';
import { cliCacheDir } from './llm-options';

const CACHE_OPTIONS: OptionSpec[] = [
  { name: 'cache-dir', type: 'string', valueName: 'DIR', description: 'Cache directory [env: STEPCRITIC_CACHE_DIR; default: the user cache dir]' },
];

const HELP = {
  usage: 'stepcritic cache stats|clear [--cache-dir DIR]',
  description: [
    'The critic caches each step verdict on disk, keyed by the prompt version, model, endpoint, sampling',
    'settings, problem and the steps up to that step: unchanged text costs nothing on the next run.',
    '`check` also keeps whole results there. Everything is in one SQLite file, cache.sqlite, which',
    'several runs (shards) on one machine share safely.',
    '  stats  how many verdicts and results are cached, how much space they take, and how old they are',
    '  clear  delete every cached verdict and result (also caches of older versions), and what was learned',
    '         about endpoints (stepcritic probe)',
  ].join('\n'),
  options: CACHE_OPTIONS,
};

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

async function statsLines(store: CacheStore): Promise<string[]> {
  const verdicts = await store.table('critic').stats();
  const results = await store.table('results').stats();
  const times = [verdicts, results].flatMap((t: TableStats) => [t.oldest, t.newest]).filter((t): t is number => t !== undefined);
  const lines = [
    `Cache:    ${store.dir} (${store.kind === 'sqlite' ? 'SQLite' : 'one file per entry'})`,
    `Entries:  ${verdicts.entries + results.entries} (${verdicts.entries} critic verdicts, ${results.entries} whole results)`,
    `Size:     ${formatBytes(verdicts.bytes + results.bytes)}`,
  ];
  if (times.length > 0) lines.push(`Oldest:   ${new Date(Math.min(...times)).toISOString()}`, `Newest:   ${new Date(Math.max(...times)).toISOString()}`);
  const leftovers = await store.leftovers();
  if (leftovers.length > 0) lines.push(`Left by an older version (ignored; \`stepcritic cache clear\` removes it): ${leftovers.join(', ')}`);
  return lines;
}

export const cacheCommand: Command = {
  name: 'cache',
  summary: 'Show or clear the critic cache',
  help: () => formatHelp(HELP),
  async run(context: CliContext): Promise<number> {
    const args = parseCommandArgs('cache', context.argv, CACHE_OPTIONS);
    const [action, ...rest] = args.positionals;
    if (action !== 'stats' && action !== 'clear') {
      throw new UsageError(
        action === undefined ? 'cache needs an action: stats or clear' : `unknown cache action '${action}' (stats or clear)`,
        helpHint('cache'),
      );
    }
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`, helpHint('cache'));
    const dir = cliCacheDir(args, context.env);
    const store = openCacheStore(dir, { onNotice: (line) => context.stderr.write(`stepcritic: ${line}\n`) });
    try {
      if (action === 'clear') {
        const removed = await store.clear();
        // What was learned about endpoints goes too: the next run learns it afresh.
        const profiles = await createFileCapabilityStore(dir).clear();
        const learned = profiles > 0 ? ` and what was learned about ${profiles} ${profiles === 1 ? 'endpoint' : 'endpoints'}` : '';
        context.stdout.write(`Removed ${removed} cached ${removed === 1 ? 'entry' : 'entries'}${learned} from ${dir}\n`);
      } else {
        context.stdout.write(`${(await statsLines(store)).join('\n')}\n`);
      }
    } finally {
      store.close();
    }
    return EXIT_CLEAN;
  },
};
