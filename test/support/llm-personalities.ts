// Personalities of the scripted server: each reproduces how one real OpenAI-compatible server answers
// the critic's requests — the parameters it refuses and in what words, what its replies carry, how
// many requests it works on at once and how fast. Sources are named per personality; where a server
// has changed over versions, the personality follows the version named.
//
//   const server = await startPersonality('llamacpp', { timeFactor: 20, incorrectPatterns: ['12 - 5 = 8'] });
//
// CLI mode (benches, trying the CLI by hand):
//   node --import tsx test/support/llm-personalities.ts --personality llamacpp [--port 0] [--time-factor 1]
//                                                         [--incorrect REGEX]   (steps the critic calls wrong)
// prints the base URL and the model on stdout and runs until killed.
import {
  hasJsonSchema,
  ruleBasedCriticHandler,
  runIfProgram,
  serveUntilSignalled,
  startScriptedLlmServer,
  type ChatBody,
  type Pace,
  type RuleBasedCriticOptions,
  type ScriptedLlmServer,
  type ScriptedResponse,
} from './scripted-llm-server';

export const PERSONALITY_NAMES = [
  'openai',
  'openai-reasoning',
  'vllm',
  'sglang',
  'llamacpp',
  'ollama',
  'lmstudio',
  'groq',
  'deepseek-degenerate',
  'openrouter-missing',
] as const;
export type PersonalityName = (typeof PERSONALITY_NAMES)[number];

export interface Personality {
  name: PersonalityName;
  model: string;
  /** What the real server does, and where that is documented. */
  about: string;
  pace?: Omit<Pace, 'timeFactor'>;
  critic: RuleBasedCriticOptions;
  /** The request as the real server validates it: its refusal, in its own words and error shape. */
  refuse?: (chat: ChatBody) => ScriptedResponse | undefined;
  /** Where the critic's P(True) must come from, and how its samples are asked for. */
  expected: { source: 'logprobs' | 'samples'; samples?: 'n' | 'separate' };
}

function status400(body: unknown): ScriptedResponse {
  return { type: 'status', status: 400, body };
}

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
function openaiError(message: string, param: string | null, code: string | null): ScriptedResponse {
  return status400({ error: { message, type: 'invalid_request_error', param, code } });
}

export const PERSONALITIES: Record<PersonalityName, Personality> = {
  openai: {
    name: 'openai',
    model: 'gpt-4o-mini',
    about:
      'OpenAI chat model: logprobs with top_logprobs 0-20 (more is a 400 naming the maximum), n, json_schema (strict), streamed usage with stream_options.include_usage.',
    pace: { slots: 1000, tokensPerSecond: 80 },
    critic: {},
    refuse: (chat) =>
      (chat.top_logprobs ?? 0) > 20
        ? openaiError(
            `Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got ${chat.top_logprobs} instead.`,
            'top_logprobs',
            'integer_above_max_value',
          )
        : undefined,
    expected: { source: 'logprobs' },
  },
  'openai-reasoning': {
    name: 'openai-reasoning',
    model: 'o4-mini',
    about:
      'OpenAI reasoning model (o-series, gpt-5): 400 for max_tokens (use max_completion_tokens), for any temperature but 1, and for logprobs (param named, code unsupported_parameter/unsupported_value); reasoning tokens are hidden and count against max_completion_tokens; n and json_schema work.',
    pace: { slots: 1000, tokensPerSecond: 60 },
    critic: { reasoningTokens: 128 },
    refuse: (chat) => {
      if (chat.max_tokens !== undefined && chat.max_tokens !== null) {
        return openaiError(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          'max_tokens',
          'unsupported_parameter',
        );
      }
      if (chat.temperature !== undefined && chat.temperature !== null && chat.temperature !== 1) {
        return openaiError(
          `Unsupported value: 'temperature' does not support ${chat.temperature} with this model. Only the default (1) value is supported.`,
          'temperature',
          'unsupported_value',
        );
      }
      if (chat.logprobs) return openaiError("Unsupported parameter: 'logprobs' is not supported with this model.", 'logprobs', 'unsupported_parameter');
      return undefined;
    },
    expected: { source: 'samples', samples: 'n' },
  },
  vllm: {
    name: 'vllm',
    model: 'Qwen/Qwen2.5-7B-Instruct',
    about:
      'vLLM OpenAI server: logprobs up to --max-logprobs (default 20; more is a 400 "Requested sample logprobs of N, which is greater than max allowed: 20"), n, json_schema through guided decoding, error body {error: {message, type: "BadRequestError", param, code: 400}}; many requests at once (continuous batching).',
    pace: { slots: 64, tokensPerSecond: 60, promptTokensPerSecond: 5000 },
    critic: {},
    refuse: (chat) =>
      chat.logprobs && (chat.top_logprobs ?? 0) > 20
        ? status400({
            error: {
              message: `Requested sample logprobs of ${chat.top_logprobs}, which is greater than max allowed: 20 (parameter=logprobs, value=${chat.top_logprobs})`,
              type: 'BadRequestError',
              param: 'logprobs',
              code: 400,
            },
          })
        : undefined,
    expected: { source: 'logprobs' },
  },
  sglang: {
    name: 'sglang',
    model: 'Qwen/Qwen2.5-7B-Instruct',
    about:
      'SGLang OpenAI server: logprobs with top_logprobs, n, json_schema (xgrammar), the verdict token with its leading space; its errors are a flat {object: "error", message, type, param, code} without the {error: …} wrapper.',
    pace: { slots: 64, tokensPerSecond: 60, promptTokensPerSecond: 5000 },
    critic: { spelling: 'spaced' },
    expected: { source: 'logprobs' },
  },
  llamacpp: {
    name: 'llamacpp',
    model: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
    about:
      'llama.cpp llama-server on a CPU (tools/server/server-common.cpp, oaicompat_chat_params_parse): one slot (requests queue), about 15 tokens/s, the prompt at about 120 tokens/s; n > 1 refused with a 500 {error: {code: 500, message: "Only one completion choice is allowed", type: "server_error"}} (a runtime error in its request parsing; newer builds take n, as n_cmpl, up to --parallel); logprobs are pre-sampling probabilities, so mass the JSON grammar forbids shows among the alternatives; response_format json_schema is turned into a grammar.',
    pace: { slots: 1, tokensPerSecond: 15, promptTokensPerSecond: 120 },
    critic: { supportsN: false, spelling: 'spaced', analysisWords: 45, otherMass: 0.3 },
    refuse: (chat) =>
      (chat.n ?? 1) !== 1
        ? { type: 'status', status: 500, body: { error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' } } }
        : undefined,
    expected: { source: 'logprobs' },
  },
  ollama: {
    name: 'ollama',
    model: 'qwen2.5:7b',
    about:
      'Ollama 0.12.11 and later, its OpenAI compatibility (openai/openai.go): logprobs and top_logprobs passed on (more than 20 is a 400 "top_logprobs must be between 0 and 20" in OpenAI\'s error shape), n not among the fields (ignored: one choice), response_format json_schema becomes its `format`; one request at a time by default (OLLAMA_NUM_PARALLEL). Older versions send no logprobs: the lmstudio personality shows that case.',
    pace: { slots: 1, tokensPerSecond: 30, promptTokensPerSecond: 400 },
    critic: { supportsN: false, analysisWords: 30 },
    refuse: (chat) =>
      (chat.top_logprobs ?? 0) > 20
        ? status400({ error: { message: 'top_logprobs must be between 0 and 20', type: 'invalid_request_error', param: null, code: null } })
        : undefined,
    expected: { source: 'logprobs' },
  },
  lmstudio: {
    name: 'lmstudio',
    model: 'qwen2.5-7b-instruct',
    about:
      "LM Studio server: no logprobs in its replies, n ignored, structured output only as json_schema ({error: \"'response_format.type' must be 'json_schema' or 'text'\"} for json_object: its errors are a bare string); one request at a time.",
    pace: { slots: 1, tokensPerSecond: 40, promptTokensPerSecond: 400 },
    critic: { logprobs: false, supportsN: false },
    refuse: (chat) =>
      chat.response_format && chat.response_format.type !== 'json_schema' && chat.response_format.type !== 'text'
        ? status400({ error: "'response_format.type' must be 'json_schema' or 'text'" })
        : undefined,
    expected: { source: 'samples', samples: 'separate' },
  },
  groq: {
    name: 'groq',
    model: 'llama-3.3-70b-versatile',
    about:
      'Groq (console.groq.com/docs/openai): logprobs, top_logprobs and logit_bias "will result in a 400 error"; n must be 1; json_schema only on the models listed for structured outputs (not this one).',
    pace: { slots: 1000, tokensPerSecond: 300 },
    critic: { logprobs: false },
    refuse: (chat) => {
      if (chat.logprobs || chat.top_logprobs !== undefined)
        return status400({ error: { message: '`logprobs` is not supported with this model', type: 'invalid_request_error' } });
      if ((chat.n ?? 1) > 1) return status400({ error: { message: "'n' : number must be at most 1", type: 'invalid_request_error' } });
      if (hasJsonSchema(chat)) {
        return status400({
          error: {
            message:
              'This model does not support response format `json_schema`. See supported models at https://console.groq.com/docs/structured-outputs#supported-models',
            type: 'invalid_request_error',
          },
        });
      }
      return undefined;
    },
    expected: { source: 'samples', samples: 'separate' },
  },
  'deepseek-degenerate': {
    name: 'deepseek-degenerate',
    model: 'deepseek-chat',
    about:
      'DeepSeek API (deepseek-ai/DeepSeek-V3.2-Exp#49): logprobs come back as 0 or -9999 for every token with empty top_logprobs; n is not supported (one choice); response_format only text or json_object.',
    pace: { slots: 1000, tokensPerSecond: 40 },
    critic: { logprobStyle: 'degenerate', supportsN: false },
    refuse: (chat) =>
      hasJsonSchema(chat)
        ? status400({
            error: { message: 'This response_format type is unavailable now', type: 'invalid_request_error', param: null, code: 'invalid_request_error' },
          })
        : undefined,
    expected: { source: 'samples', samples: 'separate' },
  },
  'openrouter-missing': {
    name: 'openrouter-missing',
    model: 'meta-llama/llama-3.1-70b-instruct',
    about:
      'OpenRouter routed to a provider without logprobs (OpenRouterArchived/openrouter-runner#101): logprobs: null with no error; one choice whatever n asks; json_schema passed on to the provider.',
    pace: { slots: 1000, tokensPerSecond: 60 },
    critic: { logprobs: false, supportsN: false },
    expected: { source: 'samples', samples: 'separate' },
  },
};

export interface PersonalityOptions {
  /** Speeds the server's pace up (the client's timeout must be divided by the same factor). */
  timeFactor?: number;
  incorrectPatterns?: string[];
  /** Share of replies without a JSON schema that are malformed (a small model writing free text). */
  malformedRate?: number;
  port?: number;
  log?: (line: string) => void;
}

export function startPersonality(name: PersonalityName, options: PersonalityOptions = {}): Promise<ScriptedLlmServer> {
  const personality = PERSONALITIES[name];
  const critic = ruleBasedCriticHandler({
    ...personality.critic,
    ...(options.incorrectPatterns ? { incorrectPatterns: options.incorrectPatterns } : {}),
    ...(options.malformedRate ? { malformedRate: options.malformedRate } : {}),
  });
  return startScriptedLlmServer({
    models: [personality.model],
    handler: (request, index) => personality.refuse?.(request.chat) ?? critic(request, index),
    ...(personality.pace ? { pace: { ...personality.pace, timeFactor: options.timeFactor ?? 1 } } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const name = flag('--personality') as PersonalityName | undefined;
  if (!name || !PERSONALITY_NAMES.includes(name)) throw new Error(`--personality one of ${PERSONALITY_NAMES.join(', ')}`);
  const incorrect = flag('--incorrect');
  const server = await startPersonality(name, {
    port: Number(flag('--port') ?? 0),
    timeFactor: Number(flag('--time-factor') ?? 1),
    ...(incorrect ? { incorrectPatterns: [incorrect] } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  serveUntilSignalled(server);
  process.stdout.write(`${PERSONALITIES[name].model}\n`);
}

runIfProgram(typeof __filename === 'string' ? __filename : undefined, 'llm-personalities', main);
