// The events of a streamed chat completion, read with eventsource-parser in one pass over the bytes.
// The openai SDK's own reader (Stream.fromSSEResponse) copies what is left of its buffer after every
// event, so a reply that arrives in a few large network reads (a fast server, a busy client) costs time
// and garbage quadratic in its events: for the 68 KB, 182-event replies of a ProcessBench solution it
// was the CLI's hottest code and most of its garbage (bench/batch-throughput.ts). What the SDK's reader
// does besides is kept: events up to `[DONE]`, an `{"error": …}` event thrown as the SDK's APIError,
// an aborted read ending quietly, and the request aborted when reading stops early.
//
// The events come out in batches, one per network read: a ProcessBench reply is some 180 events that
// arrive in a few reads, and a step of an async generator per event (its promises, its result objects)
// cost about a fifth of reading the reply (bench/batch-throughput.ts, the CLI at concurrency 32).
import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';

/** As the SDK tells an aborted read (internal/errors.ts isAbortError). */
function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (('name' in error && error.name === 'AbortError') || ('message' in error && String(error.message).includes('FetchRequestCanceledException')))
  );
}

/**
 * The parsed JSON of each event until `[DONE]`, as a batch per network read; a `data:` that is not
 * JSON throws its SyntaxError, after the events before it have been given.
 */
export async function* streamedJson(response: Response, controller: AbortController): AsyncGenerator<unknown[]> {
  if (!response.body) throw new Error('the streamed reply has no body');
  const events: string[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event.data) });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  /** `[DONE]` came: the events after it are not read. */
  let done = false;
  /** The body was read to its end. */
  let finished = false;
  let ended = false;
  try {
    while (!ended) {
      const read = await reader.read();
      ended = read.done;
      parser.feed(ended ? decoder.decode() : decoder.decode(read.value, { stream: true }));
      const batch: unknown[] = [];
      let failure: { error: unknown } | undefined;
      for (const data of events) {
        if (done) break;
        if (data.startsWith('[DONE]')) {
          done = true;
          break;
        }
        try {
          batch.push(eventJson(data, response));
        } catch (error) {
          failure = { error };
          break;
        }
      }
      events.length = 0;
      if (batch.length > 0) yield batch;
      if (failure) throw failure.error;
    }
    finished = true;
  } catch (error) {
    if (isAbortError(error)) return;
    throw error;
  } finally {
    // Reading stopped before the end (a chunk that is not a completion chunk, the caller gave up): close the request.
    if (!finished) controller.abort();
  }
}

/** One event's JSON; an `{"error": …}` event is thrown as the SDK's APIError. */
function eventJson(data: string, response: Response): unknown {
  const json: unknown = JSON.parse(data);
  if (typeof json === 'object' && json !== null && 'error' in json && json.error) {
    throw new OpenAI.APIError(undefined, json.error as object, undefined, response.headers);
  }
  return json;
}
