// The one request a PRM gets per solution: vLLM's pooling API, `POST <server root>/pooling`.
//
// vLLM serves `/pooling` at the root of the server, not under `/v1` (vllm/entrypoints/pooling/pooling/
// api_router.py registers "/pooling"), while the configured base URL is the OpenAI one and usually ends
// in `/v1`: the pooling URL is the base URL without its version segment.
//
// The body (vllm/entrypoints/pooling/pooling/protocol.py, PoolingChatRequest / PoolingCompletionRequest):
//   chat template: {"model", "messages": [system?, user: problem, assistant: step₁<sep>step₂<sep>…],
//                   "task": "token_classify"}   — the server renders the model's own chat template
//   text template: {"model", "input": "<rendered template>", "task": "token_classify"}
// `task` is what vLLM ≥ 0.11 calls the per-token classification a PRM does; older servers (the
// `--task reward` / STEP-pooling era) do not know `token_classify` and get the request without it.
import type { PrmFormat } from './format';

/** `current`: send `task: "token_classify"`; `legacy`: send no task (vLLM ≤ 0.10 pools with the model's own STEP pooler). */
export type PoolingApi = 'current' | 'legacy';

export function poolingUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length > 0 && /^v\d+[a-z0-9]*$/i.test(segments[segments.length - 1]!)) segments.pop();
  return `${url.protocol}//${url.host}/${[...segments, 'pooling'].join('/')}`;
}

export interface PoolingRequestInput {
  model: string;
  format: PrmFormat;
  problem: string;
  steps: readonly string[];
  api: PoolingApi;
}

/** The separator written by the author inside a step would add a scoring position of its own: it is taken out. */
function clean(text: string, separator: string): string {
  return text
    .split(separator.trim() || separator)
    .join('')
    .trim();
}

export interface PoolingRequestBody {
  body: Record<string, unknown>;
  /** The text the model reads, template aside (for the token budget's estimate). */
  text: string;
}

export function buildPoolingBody(input: PoolingRequestInput): PoolingRequestBody {
  const { format } = input;
  const problem = clean(input.problem, format.separator);
  const steps = input.steps.map((s) => `${clean(s, format.separator)}${format.separator}`).join('');
  const task = input.api === 'current' ? { task: 'token_classify' } : {};
  if (format.template === 'chat') {
    const messages = [
      ...(format.system !== undefined && format.system !== '' ? [{ role: 'system', content: format.system }] : []),
      { role: 'user', content: problem },
      { role: 'assistant', content: steps },
    ];
    return { body: { model: input.model, messages, ...task }, text: messages.map((m) => m.content).join('\n') };
  }
  const text = format.template.replace(/\{problem\}|\{steps\}/g, (slot) => (slot === '{problem}' ? problem : steps));
  return { body: { model: input.model, input: text, ...task }, text };
}
