// The configuration hash of a run: whatever decides a verdict (model, endpoint, prompt version,
// sampling, thresholds, triage) hashed in a key-order-independent way. A run log remembers it so that
// `--resume` never mixes the verdicts of two different judges into one report.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; `undefined` fields are left out as JSON.stringify does. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

export function hashConfig(config: Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, 16);
}
