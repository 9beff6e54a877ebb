// Errors from the LLM endpoint, classified so that each surface can say what to change.
// Every message that leaves this module has been through redactSecret: an endpoint may echo a key back
// (OpenAI quotes part of a wrong key), and a key must never reach a log, a report or the screen.
import { formatDuration } from '../report/findings';
import type { CriticStop } from '../types';

export type LlmErrorKind =
  | 'budget' // the token budget would be exceeded; nothing was sent
  | 'auth' // 401/403
  | 'not-found' // 404 on the route: the base URL is wrong (usually a missing /v1)
  | 'model-not-found' // 404 (or 400) naming the model
  | 'rate-limit' // 429 after the retries
  | 'server' // 5xx after the retries
  | 'connection' // refused, reset, dropped, DNS
  | 'timeout' // no complete reply in time
  | 'aborted' // the caller cancelled
  | 'bad-response' // a reply that is not a chat completion (broken JSON, no choices)
  | 'bad-request' // 400/422: the endpoint refused the request as sent
  | 'batch'; // a batch has no reply to the request (written to a request file, missing or failed in the results)

export class LlmError extends Error {
  readonly kind: LlmErrorKind;
  readonly status?: number;
  /** For a refused request: the parameter the endpoint named (OpenAI's `param`), when it named one. */
  readonly param?: string;
  /** The endpoint's own wording, without our prefix: what the parameter checks read. */
  readonly serverMessage?: string;
  constructor(kind: LlmErrorKind, message: string, options: { status?: number; param?: string; serverMessage?: string } = {}) {
    super(message);
    this.name = 'LlmError';
    this.kind = kind;
    this.status = options.status;
    this.param = options.param;
    this.serverMessage = options.serverMessage;
  }
}

/** A failure that ends the run rather than one request: the critic reports it as `stopped` and keeps what was judged. */
export abstract class RunStopError extends LlmError {
  /** The typed stop a critic reports (CriticResult.stopped): callers read this, never the message. */
  abstract toStop(): CriticStop;
}

/** The token budget is spent: stop cleanly, keep what was judged (the critic reports it as `stopped`). */
export class BudgetExceededError extends RunStopError {
  readonly used: number;
  readonly limit: number;
  constructor(used: number, limit: number, needed: number) {
    super('budget', `token budget reached: ${used} of ${limit} tokens used, the next request needs about ${needed} more`);
    this.name = 'BudgetExceededError';
    this.used = used;
    this.limit = limit;
  }

  toStop(): CriticStop {
    return { kind: 'budget', used: this.used, limit: this.limit, message: this.message };
  }
}

/**
 * The endpoint refused connections for as long as the run waits for it (a server still starting, a
 * wrong port, a server that died): every further request would fail the same way, so the run stops.
 */
export class EndpointUnreachableError extends RunStopError {
  constructor(
    readonly endpoint: string,
    readonly waitedMs: number,
  ) {
    super(
      'connection',
      `nothing accepted a connection at ${endpoint} for ${formatDuration(waitedMs)} (connection refused; --timeout): start the server or fix the base URL`,
    );
    this.name = 'EndpointUnreachableError';
  }

  toStop(): CriticStop {
    return { kind: 'unreachable', endpoint: this.endpoint, waitedMs: this.waitedMs, message: this.message };
  }
}

/**
 * Removes a secret from text: the whole key, and any run of 8+ of its characters (a partial echo like
 * `sk-proj-****abcd1234` keeps the last characters).
 */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  let out = text.split(secret).join('[redacted]');
  const window = Math.min(8, secret.length);
  for (let i = 0; i + window <= secret.length; i++) {
    const piece = secret.slice(i, i + window);
    if (out.includes(piece)) out = out.split(piece).join('[redacted]');
  }
  return out;
}
