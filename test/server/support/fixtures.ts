// Solutions the server tests open, and a helper that starts the scripted LLM server and the language
// server configured to use it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedLlmServer, ruleBasedCriticHandler, type ScriptedHandler, type ScriptedLlmServer } from '../../support/scripted-llm-server';
import { LspSession, type SessionOptions } from './lsp-session';

/** Step 1 has a false computation (48 / 2 = 25); steps 2 and 3 build on it. */
export const ARITHMETIC_ERROR = `# Problem

Tom has 48 apples and gives half of them to Ann. Then he buys 10 more. How many apples does he have now?

# Solution

Step 1: Half of 48 is 48 / 2 = 25.

Step 2: So Tom keeps 25 apples.

Step 3: After buying 10 more he has 25 + 10 = 35 apples.

Answer: 35
`;

/** Every computation is right; the rule-based critic is told that step 3's reasoning is wrong. */
export const PENS = `# Problem

A shop sells pens at 3 dollars each. Mia buys 4 pens and pays with a 20 dollar note. How much change does she get?

# Solution

Step 1: The pens cost 4 * 3 = 12 dollars in all.

Step 2: She paid 20 dollars, so the change is 20 - 12 = 8 dollars.

Step 3: She also gets a discount, so she receives 10 dollars back.

Answer: 10
`;

/** The pattern that makes the rule-based critic call a step incorrect. */
export const WRONG_PATTERN = 'discount|WRONG';

export async function tempFolder(prefix = 'stepcritic-server-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface Rig {
  llm: ScriptedLlmServer;
  session: LspSession;
  folder: string;
  /** Chat requests that judged steps (1-based step numbers judged, per request). */
  stop(): Promise<void>;
}

export function criticSettings(llm: ScriptedLlmServer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { provider: 'custom', baseUrl: llm.baseUrl, model: 'scripted-critic', ...extra };
}

export async function startRig(
  options: {
    handler?: ScriptedHandler;
    settings?: Record<string, unknown>;
    llm?: boolean;
    latencyMs?: number;
    folder?: string;
    trusted?: boolean;
    /** The client shows proposals as diffs itself (as the VS Code extension does). */
    reviewsProposals?: boolean;
    session?: Omit<SessionOptions, 'initializationOptions' | 'workspaceFolder'>;
    llmTuning?: Record<string, number>;
    /** Where "Critique Workspace" keeps its runs (the extension's storage). */
    runLogDir?: string;
    /** Where the critic cache lives (the extension's storage); without it, in memory. */
    cacheDir?: string;
  } = {},
): Promise<Rig> {
  const llm = await startScriptedLlmServer({
    handler: options.handler ?? ruleBasedCriticHandler({ incorrectPatterns: [WRONG_PATTERN] }),
    latencyMs: options.latencyMs,
  });
  const folder = options.folder ?? (await tempFolder());
  const settings = options.llm === false ? { ...options.settings } : criticSettings(llm, options.settings);
  const session = await LspSession.start({
    ...options.session,
    workspaceFolder: folder,
    initializationOptions: {
      settings,
      trusted: options.trusted ?? true,
      reviewsProposals: options.reviewsProposals ?? false,
      ...(options.runLogDir ? { runLogDir: options.runLogDir } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      // Generous: on a loaded machine the scripted critic's reply can take seconds; tests of timeouts set their own.
      llm: { timeoutMs: 10_000, maxRetries: 0, retryBaseMs: 10, ...options.llmTuning },
    },
  });
  return {
    llm,
    session,
    folder,
    async stop() {
      await session.stop();
      await llm.close();
    },
  };
}

export function fileUri(folder: string, name: string): string {
  return `file://${join(folder, name)}`;
}
