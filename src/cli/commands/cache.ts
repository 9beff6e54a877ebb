// `stepcritic cache stats|clear`: the critic's on-disk cache.
import { createFileCache } from '../../engine/cache/file';
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
    '  stats  how many verdicts are cached, how much space they take, and how old they are',
    '  clear  delete every cached verdict, and what was learned about endpoints (stepcritic probe)',
  ].join('\n'),
  options: CACHE_OPTIONS,
};

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
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
    const cache = createFileCache(dir);
    if (action === 'clear') {
      const removed = await cache.clear();
      // What was learned about endpoints goes too: the next run learns it afresh.
      const profiles = await createFileCapabilityStore(dir).clear();
      const learned = profiles > 0 ? ` and what was learned about ${profiles} ${profiles === 1 ? 'endpoint' : 'endpoints'}` : '';
      context.stdout.write(`Removed ${removed} cached ${removed === 1 ? 'entry' : 'entries'}${learned} from ${dir}\n`);
      return EXIT_CLEAN;
    }
    const stats = await cache.stats();
    const lines = [`Cache:    ${dir}`, `Entries:  ${stats.entries}`, `Size:     ${formatBytes(stats.bytes)}`];
    if (stats.oldest !== undefined && stats.newest !== undefined) {
      lines.push(`Oldest:   ${new Date(stats.oldest).toISOString()}`, `Newest:   ${new Date(stats.newest).toISOString()}`);
    }
    if (stats.corrupt > 0) lines.push(`Unreadable entries: ${stats.corrupt} (ignored; they are rewritten when those steps are judged again)`);
    context.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_CLEAN;
  },
};
