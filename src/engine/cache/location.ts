// Where the CLI keeps its critic cache. The extension passes its own storage directory instead.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultCacheDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: string = process.platform,
  home: string = homedir(),
): string {
  if (env.STEPCRITIC_CACHE_DIR) return env.STEPCRITIC_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'stepcritic');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'stepcritic');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'stepcritic', 'Cache');
  return join(home, '.cache', 'stepcritic');
}
