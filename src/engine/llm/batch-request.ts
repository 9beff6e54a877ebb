// Requests answered by a batch instead of a live call: `vllm run-batch` on the user's own GPUs, or a
// provider's batch API. The critic asks exactly as it would live; the client (client.ts) hands each
// request, as one line of the OpenAI batch input format, to a ReplySource instead of sending it, and
// reads what the source gives back with the same parsing as a live reply.
//
// A request's `custom_id` says whose it is and what it asks, and is stable from the export to the
// import of the same solution under the same options:
//
//   steps-1-4:3f9c0a1e2b7d:data/processbench.jsonl#17     the judged step range (1-based, inclusive)
//   steps-1-4.sample-2:3f9c0a1e2b7d:…                     a further sample of the same request
//   answer:5b0e…:solutions/apples.solution.md             the final-answer check
//
// The middle part hashes the request's messages (the problem, the steps, what the verifiers found): a
// reply to another version of the solution, or to other options, is never joined to this one. The
// solution's id comes last, so that it may contain any character.
import { createHash } from 'node:crypto';
import { LlmError } from './errors';
import type { ChatMessage } from './protocol';

/** One line of a batch input file (OpenAI's Batch API, `vllm run-batch`). */
export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: '/v1/chat/completions';
  body: Record<string, unknown>;
}

/**
 * Where a batched client takes its replies from. `reply` is called synchronously when the critic asks
 * (an export records the request right there) and resolves with the reply's body (a chat completion,
 * read by the client as a live one), or rejects with an LlmError that says why there is none.
 */
export interface ReplySource {
  reply(line: BatchRequestLine): Promise<unknown>;
}

/** The `custom_id` of a request: what it asks (`part`), a hash of its messages, and whose it is. */
export function batchCustomId(solution: string, part: string, messages: readonly ChatMessage[]): string {
  const hash = createHash('sha256');
  for (const message of messages) hash.update(message.role).update('\u0000').update(message.content).update('\u0001');
  return `${part}:${hash.digest('hex').slice(0, 12)}:${solution}`;
}

/** The custom_id of the `sample`-th sample (from 2) of a request. */
export function sampleCustomId(customId: string, sample: number): string {
  const colon = customId.indexOf(':');
  return `${customId.slice(0, colon)}.sample-${sample}${customId.slice(colon)}`;
}

/** The solution id a custom_id names, if it is one of ours. */
export function solutionOfCustomId(customId: string): string | undefined {
  const match = /^(?:steps-\d+-\d+|rubric|answer)(?:\.sample-\d+)?:[0-9a-f]{12}:(.+)$/s.exec(customId);
  return match?.[1];
}

/** A reply source replaced as a run goes on (a provider batch: the requests are written first, the results read later). */
export class SwitchedReplySource implements ReplySource {
  current?: ReplySource;

  reply(line: BatchRequestLine): Promise<unknown> {
    return this.current ? this.current.reply(line) : Promise.reject(new LlmError('batch', 'no batch results to take the reply from'));
  }
}
