// What an endpoint and model are known to do, learned from their replies and remembered.
//
// Real servers differ in ways a request cannot know in advance: reasoning models refuse `logprobs`,
// `max_tokens` and any temperature but the default; Groq refuses `logprobs` and `n` > 1; LM Studio,
// Ollama before 0.12.11 and OpenRouter send no log-probabilities, or DeepSeek degenerate ones; Ollama
// answers one choice when `n` asked for five, llama.cpp refuses `n` > 1 (a 500); some servers enforce a
// JSON schema on the reply and some refuse one. The endpoint layer (endpoint.ts) learns each of these from the first reply or refusal
// that shows it, and the critic adapts. What was learned is kept per base URL and model: in memory for
// the process, and on disk (next to the critic cache) for the CLI, so that the next run and `stepcritic
// probe` start from it. A remembered profile older than PROFILE_MAX_AGE_MS is learned afresh (servers
// are upgraded), `stepcritic probe` relearns it at once, and `stepcritic cache clear` forgets it.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const CapabilitiesSchema = z.object({
  /** yes: informative log-probabilities; refused: a 400 on `logprobs`; absent: none came back; degenerate: 0, −9999 or one value for all. */
  logprobs: z.enum(['yes', 'refused', 'absent', 'degenerate']).optional(),
  /** The most `top_logprobs` the endpoint accepts (it refused more). */
  topLogprobs: z.number().int().min(1).max(20).optional(),
  /** yes: `n` choices come back; ignored: fewer came back; refused: a 400 on `n`. */
  n: z.enum(['yes', 'ignored', 'refused']).optional(),
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** refused: only the model's default temperature is accepted. */
  temperature: z.enum(['yes', 'refused']).optional(),
  /** Whether `response_format: {type: "json_schema"}` is accepted. */
  jsonSchema: z.enum(['yes', 'refused']).optional(),
  /** Whether `stream_options: {include_usage: true}` is accepted. */
  streamUsage: z.enum(['yes', 'refused']).optional(),
  /** The model spends hidden reasoning tokens out of the completion allowance. */
  reasoning: z.boolean().optional(),
  /** Requests the server really works on at once (measured by the probe). */
  concurrency: z.number().int().positive().optional(),
  /** Measured by the probe: time to the first token, and tokens per second after it. */
  firstTokenMs: z.number().nonnegative().optional(),
  tokensPerSecond: z.number().nonnegative().optional(),
  /** When this was last learned (ms since the epoch). */
  learnedAt: z.number().optional(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

const ProfileFileSchema = z.object({ baseUrl: z.string(), model: z.string(), capabilities: CapabilitiesSchema });

/** A remembered profile older than this is learned afresh. */
export const PROFILE_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** The capabilities of one endpoint and model, shared by every critic and probe of the process that uses them. */
export class EndpointProfile {
  private notes: string[] = [];
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly baseUrl: string,
    readonly model: string,
    public capabilities: Capabilities,
    /** Where the profile came from before this process learned anything (for the notice at start). */
    readonly remembered: boolean,
    private readonly persist?: (capabilities: Capabilities) => Promise<void>,
  ) {}

  /**
   * Records what was learned; `note` (what changed and what the critic does about it) is kept for the
   * next adaptation line. Returns whether anything changed.
   */
  learn(patch: Partial<Capabilities>, note?: string): boolean {
    const changed = Object.entries(patch).some(([key, value]) => this.capabilities[key as keyof Capabilities] !== value);
    if (!changed) return false;
    this.capabilities = { ...this.capabilities, ...patch, learnedAt: Date.now() };
    if (note) this.notes.push(note);
    const snapshot = this.capabilities;
    if (this.persist) this.saving = this.saving.then(() => this.persist!(snapshot)).catch(() => undefined);
    return true;
  }

  /** Forgets what was learned, to learn it afresh (the probe); measured figures are kept until measured again. */
  reset(): void {
    const { concurrency, firstTokenMs, tokensPerSecond } = this.capabilities;
    this.capabilities = { concurrency, firstTokenMs, tokensPerSecond };
    this.notes = [];
  }

  /** The adaptation notes since the last call. */
  takeNotes(): string[] {
    const notes = this.notes;
    this.notes = [];
    return notes;
  }

  /** Resolves once what was learned is on disk. */
  flushed(): Promise<void> {
    return this.saving;
  }
}

export interface CapabilityStore {
  /** The profile of an endpoint and model: the same object for every caller of this store. */
  profile(baseUrl: string, model: string): Promise<EndpointProfile>;
  /** Forgets every profile (memory and disk). */
  clear(): Promise<number>;
}

function profileKey(baseUrl: string, model: string): string {
  return createHash('sha256').update(`${baseUrl}\n${model}`).digest('hex').slice(0, 32);
}

export function createMemoryCapabilityStore(): CapabilityStore {
  const profiles = new Map<string, EndpointProfile>();
  return {
    profile(baseUrl, model) {
      const key = profileKey(baseUrl, model);
      let profile = profiles.get(key);
      if (!profile) {
        profile = new EndpointProfile(baseUrl, model, {}, false);
        profiles.set(key, profile);
      }
      return Promise.resolve(profile);
    },
    clear() {
      const count = profiles.size;
      profiles.clear();
      return Promise.resolve(count);
    },
  };
}

const PROFILE_FOLDER = 'endpoints';

/** Profiles kept as `<dir>/endpoints/<hash of base URL and model>.json`, written whole and renamed into place. */
export function createFileCapabilityStore(dir: string, now: () => number = Date.now): CapabilityStore {
  const folder = join(dir, PROFILE_FOLDER);
  const profiles = new Map<string, Promise<EndpointProfile>>();
  const load = async (baseUrl: string, model: string, path: string): Promise<EndpointProfile> => {
    const persist = async (capabilities: Capabilities) => {
      await mkdir(folder, { recursive: true });
      const temp = `${path}.${process.pid}.${now()}.tmp`;
      await writeFile(temp, JSON.stringify({ baseUrl, model, capabilities }, null, 2), 'utf8');
      await rename(temp, path);
    };
    try {
      const parsed = ProfileFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
      const fresh =
        parsed.success &&
        parsed.data.baseUrl === baseUrl &&
        parsed.data.model === model &&
        now() - (parsed.data.capabilities.learnedAt ?? 0) < PROFILE_MAX_AGE_MS;
      if (parsed.success && fresh) return new EndpointProfile(baseUrl, model, parsed.data.capabilities, true, persist);
    } catch {
      // no profile yet, or an unreadable one: learned afresh and rewritten
    }
    return new EndpointProfile(baseUrl, model, {}, false, persist);
  };
  return {
    profile(baseUrl, model) {
      const key = profileKey(baseUrl, model);
      let profile = profiles.get(key);
      if (!profile) {
        profile = load(baseUrl, model, join(folder, `${key}.json`));
        profiles.set(key, profile);
      }
      return profile;
    },
    async clear() {
      profiles.clear();
      const files = await readdir(folder).catch(() => [] as string[]);
      await rm(folder, { recursive: true, force: true });
      return files.filter((f) => f.endsWith('.json')).length;
    },
  };
}
