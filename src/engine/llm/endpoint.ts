// One endpoint and model as the critic and the probe use it: every request is shaped by what the
// endpoint is known to accept (capabilities.ts), and what its replies and refusals show is learned.
//
// A 400 that names a parameter (OpenAI's `param`, or the parameter's name in the message, as vLLM,
// llama.cpp, Groq, LM Studio and DeepSeek word it; llama.cpp's 500 for `n`, which client.ts reads as a
// refusal) is adapted to and the request sent again at once:
//   logprobs / top_logprobs   → without log-probabilities (P(True) from samples), or fewer alternatives
//                               when the message names the most it allows ("max allowed: 5", "<= 5");
//   n                         → one choice per request (samples as separate requests);
//   max_tokens                → max_completion_tokens (and the other way round);
//   temperature               → the model's default temperature;
//   response_format           → no JSON schema (the format is asked for in the prompt), unless
//                               --json-schema on, where it is an error that says so;
//   stream_options            → no usage in the stream (estimated instead).
// From a reply: fewer choices than `n` → `n` ignored; no log-probabilities → absent; log-probabilities
// with no information (0, −9999, one value for all) → degenerate; reasoning tokens → a reasoning model.
import type { Capabilities, EndpointProfile } from './capabilities';
import type { ChatCompletionReply, LlmClient, UsageCounter } from './client';
import type { CriticConfig } from './config';
import { LlmError } from './errors';
import { isDegenerate, type TokenLogprob } from './logprobs';
import type { ChatMessage, ReplySchema } from './protocol';

export interface EndpointRequest {
  messages: ChatMessage[];
  /** Completion tokens for the visible reply; room for hidden reasoning is added for a reasoning model. */
  maxTokens: number;
  /** Wanted; sent only while the endpoint is not known to refuse them or send none. */
  logprobs: boolean;
  /** Choices wanted; sent as `n` only while the endpoint honours it (otherwise the caller asks again). */
  n: number;
  temperature: number;
  /** Sent while --json-schema allows it and the endpoint has not refused it. */
  schema?: ReplySchema;
  signal?: AbortSignal;
  usage?: UsageCounter;
  /** The request's id in a batch (batch-request.ts). */
  customId?: string;
}

/** What a request carried, after adapting. */
interface Sent {
  logprobs: boolean;
  n: number;
  schema: boolean;
  maxTokens: number;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether it carried a temperature (not when only the model's default is accepted). */
  temperature: boolean;
  topLogprobs: number;
  streamUsage: boolean;
}

export interface EndpointReply extends ChatCompletionReply {
  /** What the request that succeeded carried, after adapting. */
  sent: Sent;
}

/** A reasoning model's allowance: the visible reply's, times this, plus REASONING_BASE_TOKENS. */
const REASONING_FACTOR = 4;
const REASONING_BASE_TOKENS = 1_000;
/** Refusals adapted to within one request before giving up (there are six parameters to adapt). */
const MAX_ADAPTATIONS = 6;
/** A reply whose tokens are this degenerate (share) has no usable log-probabilities. */
const DEGENERATE_SHARE = 0.9;

/**
 * Whether at least DEGENERATE_SHARE of a reply's tokens are degenerate. Every reply is looked at, so
 * the count stops as soon as the rest cannot reach the share (after a tenth of an ordinary reply).
 */
function mostlyDegenerate(tokens: readonly TokenLogprob[]): boolean {
  const needed = DEGENERATE_SHARE * tokens.length;
  let degenerate = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (isDegenerate(tokens[i]!)) degenerate++;
    if (degenerate + (tokens.length - i - 1) < needed) return false;
  }
  return degenerate >= needed;
}

type RefusedParameter = 'top_logprobs' | 'logprobs' | 'n' | 'max_tokens' | 'max_completion_tokens' | 'temperature' | 'response_format' | 'stream_options';

/** Which parameter a 400 is about, from the `param` the endpoint named or from its wording. */
export function refusedParameter(error: LlmError): { parameter: RefusedParameter; limit?: number } | undefined {
  const message = error.serverMessage ?? error.message;
  const param = error.param?.toLowerCase();
  const limit = /(?:max allowed|at most|<=|less than or equal to|maximum(?: value)?(?: is| of)?|between \d+ and)[:\s]*(\d+)/i.exec(message);
  if (/logprobs/i.test(param ?? message) && limit && /top_logprobs|sample logprobs|logprobs of \d+/i.test(message)) {
    return { parameter: 'top_logprobs', limit: Number(limit[1]) };
  }
  if (param === 'top_logprobs' || param === 'logprobs' || (!param && /logprobs/i.test(message))) return { parameter: 'logprobs' };
  if (param === 'max_completion_tokens' || (!param && /max_completion_tokens/i.test(message) && !/max_tokens'? is not supported/i.test(message))) {
    return { parameter: 'max_completion_tokens' };
  }
  if (param === 'max_tokens' || (!param && /\bmax_tokens\b/i.test(message))) return { parameter: 'max_tokens' };
  if (param === 'temperature' || (!param && /temperature/i.test(message))) return { parameter: 'temperature' };
  if (param?.startsWith('response_format') || (!param && /response_format|json_schema|structured output/i.test(message)))
    return { parameter: 'response_format' };
  if (param?.startsWith('stream_options') || (!param && /stream_options|include_usage/i.test(message))) return { parameter: 'stream_options' };
  if (param === 'n' || (!param && /['"`]n['"`]|\bn must\b|\bn > ?1\b|completion choice|\bN is supplied/i.test(message))) return { parameter: 'n' };
  return undefined;
}

export class Endpoint {
  /** The last reply that came back (its timing is the probe's speed measurement). */
  lastReply?: EndpointReply;

  constructor(
    readonly client: LlmClient,
    readonly config: CriticConfig,
    readonly profile: EndpointProfile,
  ) {}

  get capabilities(): Capabilities {
    return this.profile.capabilities;
  }

  /** Whether a request should ask for log-probabilities (P(True) from the verdict token). */
  get logprobsUsable(): boolean {
    if (this.config.logprobs === 'never') return false;
    const known = this.capabilities.logprobs;
    return known === undefined || known === 'yes' || (this.config.logprobs === 'always' && known !== 'refused');
  }

  /** Whether several samples can come from one request. */
  get nUsable(): boolean {
    return this.capabilities.n !== 'ignored' && this.capabilities.n !== 'refused';
  }

  get schemaUsable(): boolean {
    return this.config.jsonSchema === 'on' || (this.config.jsonSchema === 'auto' && this.capabilities.jsonSchema !== 'refused');
  }

  /** Completion tokens to allow for a visible reply of `visible` tokens. */
  allowance(visible: number): number {
    return this.capabilities.reasoning ? visible * REASONING_FACTOR + REASONING_BASE_TOKENS : visible;
  }

  /** What a request would carry now, after what has been learned. */
  private toSend(request: { logprobs: boolean; n: number; schema: boolean; maxTokens: number }): Sent {
    const caps = this.capabilities;
    return {
      logprobs: request.logprobs && this.logprobsUsable,
      n: this.nUsable ? request.n : 1,
      schema: request.schema && this.schemaUsable,
      maxTokens: this.allowance(request.maxTokens),
      maxTokensField: caps.maxTokensField ?? this.config.maxTokensField ?? 'max_tokens',
      temperature: caps.temperature !== 'refused',
      topLogprobs: Math.min(this.config.topLogprobs, caps.topLogprobs ?? 20),
      streamUsage: caps.streamUsage !== 'refused',
    };
  }

  async complete(request: EndpointRequest): Promise<EndpointReply> {
    for (let adaptations = 0; ; adaptations++) {
      const sent = this.toSend({ ...request, schema: request.schema !== undefined });
      try {
        const reply = await this.client.chat({
          model: this.config.model,
          messages: request.messages,
          maxTokens: sent.maxTokens,
          maxTokensField: sent.maxTokensField,
          ...(sent.temperature ? { temperature: request.temperature } : {}),
          n: sent.n,
          logprobs: sent.logprobs,
          topLogprobs: sent.topLogprobs,
          ...(sent.schema ? { responseSchema: request.schema } : {}),
          streamUsage: sent.streamUsage,
          signal: request.signal,
          usage: request.usage,
          ...(request.customId !== undefined ? { customId: request.customId } : {}),
        });
        this.observe(sent, reply);
        this.lastReply = { ...reply, sent };
        return this.lastReply;
      } catch (error) {
        if (adaptations >= MAX_ADAPTATIONS || !(error instanceof LlmError) || error.kind !== 'bad-request' || !this.adapt(error, sent)) throw error;
      }
    }
  }

  /**
   * Learns from a refusal that came back in a batch's results (the batch's requests carried what the
   * endpoint's requests carry now); true when the next requests will differ. A batch learns one refusal
   * per round, since a server names only the first parameter it refuses: a refusal of `max_tokens` that
   * asks for `max_completion_tokens` is OpenAI's reasoning-model refusal, and those models refuse a
   * temperature other than the default and log-probabilities too (OpenAI's and Azure OpenAI's
   * reasoning-model guides), so all three are learned at once rather than in three rounds of up to 24
   * hours each.
   */
  learnFromBatchRefusal(error: LlmError): boolean {
    const before = this.capabilities;
    this.adapt(error, this.toSend({ logprobs: true, n: this.config.samples, schema: true, maxTokens: 0 }));
    const message = error.serverMessage ?? error.message;
    if (refusedParameter(error)?.parameter === 'max_tokens' && /max_completion_tokens/.test(message)) {
      this.profile.learn(
        { temperature: 'refused', ...(this.config.logprobs === 'never' ? {} : { logprobs: 'refused' as const }) },
        "a reasoning model in a batch: the model's default temperature, P(True) without log-probabilities",
      );
    }
    return this.capabilities !== before;
  }

  /**
   * Learns from a refusal of something the request carried; true when the request is worth sending
   * again, as it would go now. A request refused for what another one, sent at the same time, was
   * refused for first is sent again too: the endpoint learned already, and the retry goes without it.
   */
  private adapt(error: LlmError, sent: Sent): boolean {
    const refused = refusedParameter(error);
    if (!refused) return false;
    const samples = `P(True) from the vote of ${this.config.samples} samples`;
    switch (refused.parameter) {
      case 'top_logprobs': {
        if (!sent.logprobs || refused.limit === undefined || refused.limit < 1 || refused.limit >= sent.topLogprobs) return false;
        const current = Math.min(this.config.topLogprobs, this.capabilities.topLogprobs ?? 20);
        if (refused.limit < current)
          this.profile.learn({ topLogprobs: refused.limit }, `\`top_logprobs\` above ${refused.limit} refused: asking for ${refused.limit} alternatives`);
        return true;
      }
      case 'logprobs':
        if (!sent.logprobs) return false;
        this.profile.learn({ logprobs: 'refused' }, `\`logprobs\` refused (400): ${samples}`);
        return true;
      case 'n':
        if (sent.n <= 1) return false;
        this.profile.learn({ n: 'refused' }, '`n` refused (400): samples as separate requests');
        return true;
      case 'max_tokens':
        if (sent.maxTokensField !== 'max_tokens') return false;
        // OpenAI refuses `max_tokens` for its reasoning models only, whose reasoning counts against the allowance.
        this.profile.learn(
          { maxTokensField: 'max_completion_tokens', reasoning: true },
          '`max_tokens` refused: sending `max_completion_tokens`, with room for reasoning',
        );
        return true;
      case 'max_completion_tokens':
        if (sent.maxTokensField !== 'max_completion_tokens') return false;
        this.profile.learn({ maxTokensField: 'max_tokens' }, '`max_completion_tokens` refused: sending `max_tokens`');
        return true;
      case 'temperature':
        if (!sent.temperature) return false;
        this.profile.learn({ temperature: 'refused' }, "temperature refused: the model's default temperature");
        return true;
      case 'response_format':
        if (!sent.schema) return false;
        if (this.config.jsonSchema === 'on') {
          throw new LlmError('bad-request', `${error.message} (the endpoint refuses a JSON schema for the reply; use --json-schema auto or off)`, {
            status: error.status,
          });
        }
        this.profile.learn({ jsonSchema: 'refused' }, 'JSON schema refused: the reply format is asked for in the prompt only');
        return true;
      case 'stream_options':
        if (!sent.streamUsage) return false;
        this.profile.learn({ streamUsage: 'refused' }, '`stream_options` refused: token usage estimated');
        return true;
    }
  }

  /** Learns from a reply what it shows about the endpoint. */
  private observe(sent: Sent, reply: ChatCompletionReply): void {
    const samples = `P(True) from the vote of ${this.config.samples} samples`;
    if (sent.n > 1) {
      if (reply.choices.length < sent.n) {
        this.profile.learn({ n: 'ignored' }, `\`n\` ignored (${reply.choices.length} of ${sent.n} choices came back): samples as separate requests`);
      } else this.profile.learn({ n: 'yes' });
    }
    // A refusal, a filtered or an empty reply shows nothing about log-probabilities (its tokens are not the model's answer).
    const written = reply.choices[0];
    if (sent.logprobs && written && !written.refusal && written.finishReason !== 'content_filter' && written.content !== '') {
      const tokens = written.logprobs;
      if (!tokens) this.profile.learn({ logprobs: 'absent' }, `no log-probabilities came back: ${samples}`);
      else if (mostlyDegenerate(tokens)) {
        this.profile.learn({ logprobs: 'degenerate' }, `the log-probabilities carry no information (0, −9999 or one value for every alternative): ${samples}`);
      } else this.profile.learn({ logprobs: 'yes' });
    }
    if (sent.schema) this.profile.learn({ jsonSchema: 'yes' });
    if (reply.reasoningTokens > 0) {
      this.profile.learn(
        { reasoning: true },
        `the model reasons before it answers (${reply.reasoningTokens} hidden tokens): room for reasoning in the reply allowance`,
      );
    }
  }
}

/** What the critic will do with this endpoint, in phrases (for the run's first line and the probe). */
export function describeCapabilities(caps: Capabilities, config: CriticConfig): string[] {
  const phrases: string[] = [];
  const samples = `P(True) from the vote of ${config.samples} samples${caps.n === 'ignored' || caps.n === 'refused' ? ' (separate requests)' : ''}`;
  if (config.logprobs === 'never') phrases.push(samples);
  else if (caps.logprobs === 'yes') phrases.push(`P(True) from log-probabilities (${Math.min(config.topLogprobs, caps.topLogprobs ?? 20)} alternatives)`);
  else if (caps.logprobs === 'refused') phrases.push(`log-probabilities refused: ${samples}`);
  else if (caps.logprobs === 'absent') phrases.push(`no log-probabilities: ${samples}`);
  else if (caps.logprobs === 'degenerate') phrases.push(`degenerate log-probabilities: ${samples}`);
  if (caps.maxTokensField === 'max_completion_tokens' && config.maxTokensField !== 'max_completion_tokens') phrases.push('max_completion_tokens');
  if (caps.temperature === 'refused') phrases.push('default temperature');
  if (config.jsonSchema === 'off') phrases.push('no JSON schema (--json-schema off)');
  else if (caps.jsonSchema === 'yes') phrases.push('JSON schema enforced');
  else if (caps.jsonSchema === 'refused') phrases.push('JSON schema refused');
  if (caps.reasoning) phrases.push('reasoning model');
  return phrases;
}
