// A scripted vLLM server for a process reward model, on 127.0.0.1: the scripted OpenAI-compatible
// server (scripted-llm-server.ts) with vLLM's pooling API added as an extra route. It behaves as vLLM
// does (shapes taken from vllm/entrypoints/pooling/pooling/{protocol,serving,api_router}.py and
// vllm/entrypoints/openai/serving_engine.py):
//
//   POST /pooling (at the server root, not under /v1)
//     request   {"model", "messages": [...]} (the server renders the chat template) or {"model", "input"},
//               optional "task"
//     reply     {"id": "pool-…", "object": "list", "created", "model",
//                "data": [{"index": 0, "object": "pooling", "data": [[p₀, p₁], …]}], "usage": {…}}
//               one class vector per separator found in the rendered input (STEP pooling), or one per
//               token with `pooling: 'all'` (a server not told the step token)
//   api 'current' (vLLM ≥ 0.11): `task` absent or "token_classify"; "encode" is refused as removed;
//               errors are {"error": {"message", "type", "param", "code"}}
//   api 'legacy' (vLLM 0.10, `--task reward` era): `task` ∈ encode|embed|classify|score, so
//               "token_classify" is a 400 validation error; errors are {"object": "error", "message", …}
//   too long    400 "This model's maximum context length is N tokens. However, you requested M tokens in
//               the input for embedding generation. Please reduce the length of the input."
//   not a pooling model (`pooling: false`): 400 "The model does not support Pooling API"
//   POST /v1/chat/completions on a pooling model: 404 {"detail": "Not Found"} (current: generation
//               routes are not registered) or 400 "The model does not support Chat Completions API" (legacy)
//
// Tokens are counted with src/engine/llm/tokens.ts (chars/4), the yardstick of the other scripted server.
// Scores come from a `scorer` (problem, steps) → P(positive) per step; `labelledScorer(records)` knows
// ProcessBench labels: steps before the first error (all steps of a correct solution) get P in
// [0.55, 0.99], the first wrong step P in [0.01, 0.40], later steps anything, all deterministic per
// (problem, steps, index) — `scriptedProbability` gives the same numbers to the tests.
//
// CLI mode (benches, e2e):
//   node --import tsx test/support/scripted-prm-server.ts --port 0 [--labels processbench.json]
//        [--api current|legacy] [--max-model-len 4096] [--latency-ms 0] [--model NAME]
// prints its base URL (`http://127.0.0.1:N/v1`) on the first line of stdout and runs until killed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { estimateTokens } from '../../src/engine/llm/tokens';
import {
  runIfProgram,
  serveUntilSignalled,
  startScriptedLlmServer,
  type RecordedRequest,
  type RouteReply,
  type ScriptedLlmServer,
} from './scripted-llm-server';

export const PRM_MODEL = 'Qwen/Qwen2.5-Math-PRM-7B';

export type PrmScorer = (solution: { problem: string; steps: string[] }) => number[];

export interface ScriptedPrmOptions {
  scorer?: PrmScorer;
  api?: 'current' | 'legacy';
  model?: string;
  /** The step token the model pools at. */
  separator?: string;
  /** Context length in (estimated) tokens. */
  maxModelLen?: number;
  /** False: the served model is a chat model (no pooling API). */
  pooling?: boolean;
  /** `all`: a vector per token, as a server without the step token configured returns. */
  poolingType?: 'step' | 'all';
  /** `logits`: the server returns raw logits (softmax off). */
  output?: 'probabilities' | 'logits';
  /** Replies for the first pooling requests, in order (faults: 503, 429 with Retry-After, …); then the scores. */
  faults?: RouteReply[];
  latencyMs?: number;
  port?: number;
  log?: (line: string) => void;
}

export interface ScriptedPrmServer extends ScriptedLlmServer {
  /** Only POST /pooling. */
  poolingRequests(): RecordedRequest[];
}

const PoolingBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.string() })).optional(),
  input: z.string().optional(),
  task: z.string().optional(),
});

// ---- scores --------------------------------------------------------------------------------------

function unit(text: string): number {
  return parseInt(createHash('sha256').update(text).digest('hex').slice(0, 8), 16) / 0x1_0000_0000;
}

function prefixKey(problem: string, steps: readonly string[], index: number): string {
  return [problem.trim(), ...steps.slice(0, index + 1).map((s) => s.trim())].join('\u0000');
}

/**
 * The probability the labelled scorer gives step `index` of a solution whose first error is `label`.
 * Like a real PRM it is causal: it depends on the problem and the steps up to `index` only, so a request
 * cut after a step the verifiers refuted scores the steps it has exactly as the whole solution would.
 */
export function scriptedProbability(problem: string, steps: readonly string[], index: number, label: number): number {
  const u = unit(prefixKey(problem, steps, index));
  if (label < 0 || index < label) return 0.55 + 0.44 * u;
  if (index === label) return 0.01 + 0.39 * u;
  return 0.01 + 0.98 * u;
}

/** A scorer that knows the first-error labels of these ProcessBench records (any prefix of their steps); unknown solutions get 0.5. */
export function labelledScorer(records: readonly { problem: string; steps: string[]; label: number }[]): PrmScorer {
  const byProblem = new Map<string, { steps: string[]; label: number }[]>();
  for (const r of records) {
    const list = byProblem.get(r.problem.trim()) ?? [];
    list.push({ steps: r.steps.map((s) => s.trim()), label: r.label });
    byProblem.set(r.problem.trim(), list);
  }
  return ({ problem, steps }) => {
    const sent = steps.map((s) => s.trim());
    const record = byProblem.get(problem.trim())?.find((r) => r.steps.length >= sent.length && sent.every((s, i) => s === r.steps[i]));
    return steps.map((_, i) => (record === undefined ? 0.5 : scriptedProbability(problem, steps, i, record.label)));
  };
}

// ---- vLLM's replies -------------------------------------------------------------------------------

function errorReply(api: 'current' | 'legacy', status: number, message: string, param: string | null = null): RouteReply {
  const type = status === 404 ? 'NotFoundError' : 'BadRequestError';
  return {
    status,
    body: api === 'current' ? { error: { message, type, param, code: status } } : { object: 'error', message, type, param, code: status },
  };
}

/** What vLLM's renderer makes of `messages` with a Qwen chat template (add_generation_prompt false). */
function renderChat(messages: readonly { role: string; content: string }[]): string {
  return messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
}

function vectorFor(p: number, output: 'probabilities' | 'logits'): number[] {
  return output === 'logits' ? [Math.log(1 - p), Math.log(p)] : [1 - p, p];
}

export async function startScriptedPrmServer(options: ScriptedPrmOptions = {}): Promise<ScriptedPrmServer> {
  const api = options.api ?? 'current';
  const model = options.model ?? PRM_MODEL;
  const separator = options.separator ?? '<extra_0>';
  const maxModelLen = options.maxModelLen ?? 4096;
  const scorer = options.scorer ?? (({ steps }) => steps.map(() => 0.9));
  const poolingRequests: RecordedRequest[] = [];
  let created = 0;

  const pooling = (record: RecordedRequest): RouteReply | undefined => {
    if (record.method !== 'POST' || record.path !== '/pooling') return undefined;
    poolingRequests.push(record);
    const fault = options.faults?.[poolingRequests.length - 1];
    if (fault) return fault;
    if (options.pooling === false) return errorReply(api, 400, 'The model does not support Pooling API');
    const parsed = PoolingBodySchema.safeParse(record.body);
    if (!parsed.success || (parsed.data.messages === undefined && parsed.data.input === undefined)) {
      return errorReply(api, 400, 'Field required: input or messages');
    }
    const body = parsed.data;
    if (body.model !== undefined && body.model !== model) return errorReply(api, 404, `The model \`${body.model}\` does not exist.`, 'model');
    if (body.task !== undefined) {
      if (api === 'current' && body.task === 'encode') {
        return errorReply(api, 400, '`encode` task was removed; use `token_embed` or `token_classify` instead.', 'task');
      }
      if (api === 'current' && body.task !== 'token_classify') {
        return errorReply(api, 400, `Unsupported task: '${body.task}' Supported tasks: ('token_classify',)`, 'task');
      }
      if (api === 'legacy' && !['encode', 'embed', 'classify', 'score'].includes(body.task)) {
        return errorReply(
          api,
          400,
          `[{'type': 'literal_error', 'loc': ('body', 'task'), 'msg': "Input should be 'encode', 'embed', 'classify' or 'score'", 'input': '${body.task}'}]`,
        );
      }
    }
    const text = body.messages ? renderChat(body.messages) : body.input!;
    const tokens = estimateTokens(text);
    if (tokens > maxModelLen) {
      return errorReply(
        api,
        400,
        `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${tokens} tokens in the input for embedding generation. Please reduce the length of the input.`,
        'input_tokens',
      );
    }
    // The steps as the model sees them: what stands before each separator (in the assistant turn of a chat).
    const scored = body.messages ? (body.messages.find((m) => m.role === 'assistant')?.content ?? '') : text;
    const pieces = scored.split(separator);
    const steps = pieces.slice(0, -1);
    const problem = body.messages?.find((m) => m.role === 'user')?.content ?? '';
    const probabilities = scorer({ problem, steps });
    const separators = text.split(separator).length - 1;
    const output = options.output ?? 'probabilities';
    const data =
      options.poolingType === 'all'
        ? Array.from({ length: tokens }, (_, i) => vectorFor(probabilities[i % Math.max(1, probabilities.length)] ?? 0.5, output))
        : Array.from({ length: separators }, (_, i) => vectorFor(probabilities[i] ?? 0.5, output));
    return {
      status: 200,
      body: {
        id: `pool-scripted${created++}`,
        object: 'list',
        created: Math.floor(Date.now() / 1000),
        model,
        data: [{ index: 0, object: 'pooling', data }],
        usage: { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0, prompt_tokens_details: null },
      },
    };
  };

  // A pooling model has no generation routes (current) or refuses them (legacy).
  const noChat = (record: RecordedRequest): RouteReply | undefined => {
    if (options.pooling === false || record.method !== 'POST' || record.path !== '/v1/chat/completions') return undefined;
    return api === 'current' ? { status: 404, body: { detail: 'Not Found' } } : errorReply(api, 400, 'The model does not support Chat Completions API');
  };

  const server = await startScriptedLlmServer({
    models: [model],
    routes: [pooling, noChat],
    latencyMs: options.latencyMs,
    port: options.port,
    log: options.log,
  });
  return { ...server, poolingRequests: () => poolingRequests };
}

// ---- CLI mode -------------------------------------------------------------------------------------

const LabelFileSchema = z.array(z.looseObject({ problem: z.string(), steps: z.array(z.string()), label: z.number().int() }));

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const labels = flag('--labels');
  const api = flag('--api');
  const server = await startScriptedPrmServer({
    scorer: labels ? labelledScorer(LabelFileSchema.parse(JSON.parse(readFileSync(labels, 'utf8')))) : undefined,
    api: api === 'legacy' ? 'legacy' : 'current',
    model: flag('--model'),
    maxModelLen: flag('--max-model-len') !== undefined ? Number(flag('--max-model-len')) : undefined,
    latencyMs: Number(flag('--latency-ms') ?? 0),
    port: Number(flag('--port') ?? 0),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  serveUntilSignalled(server);
}

runIfProgram(typeof __filename === 'string' ? __filename : undefined, 'scripted-prm-server', main);
