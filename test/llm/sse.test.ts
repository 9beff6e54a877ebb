// The chat stream reader (src/engine/llm/sse.ts): the same events however the bytes are cut into network
// reads (one read of the whole reply, one byte at a time, a character split between reads), and the
// openai SDK reader's handling of `[DONE]`, error events and a reply that is not JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { streamedJson } from '../../src/engine/llm/sse';

const chunks = [
  { choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
  { choices: [{ index: 0, delta: { content: '√2 ≈ 1.414, "quoted"\nnext line' } }] },
  { choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } },
];
const body = `: a comment\n\n${chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join('')}data: [DONE]\n\ndata: {"after": "done"}\n\n`;

function response(text: string, cut: (bytes: Uint8Array) => Uint8Array[]): Response {
  const pieces = cut(new TextEncoder().encode(text));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}

async function read(text: string, cut: (bytes: Uint8Array) => Uint8Array[] = (b) => [b]): Promise<{ events: unknown[]; batches: number; aborted: boolean }> {
  const controller = new AbortController();
  const events: unknown[] = [];
  let batches = 0;
  for await (const batch of streamedJson(response(text, cut), controller)) {
    events.push(...batch);
    batches++;
  }
  return { events, batches, aborted: controller.signal.aborted };
}

describe('streamedJson', () => {
  it('reads the same events from one read of the whole reply, byte by byte, and cut inside a character', async () => {
    const whole = await read(body);
    assert.deepEqual(whole.events, chunks);
    assert.equal(whole.batches, 1, 'the events of one network read come out together');
    const bytes = await read(body, (b) => Array.from(b, (byte) => Uint8Array.of(byte)));
    assert.deepEqual(bytes.events, chunks);
    const at = new TextEncoder().encode(body.slice(0, body.indexOf('√'))).length + 1;
    const split = await read(body, (b) => [b.slice(0, at), b.slice(at)]);
    assert.deepEqual(split.events, chunks);
    assert.equal(whole.aborted, false, 'a reply read to its end leaves the request alone');
  });

  it('throws the error event as the SDK does (the client words it as the server failing mid-reply)', async () => {
    const failing = `data: ${JSON.stringify(chunks[0])}\n\ndata: {"error": {"message": "engine crashed"}}\n\n`;
    await assert.rejects(
      read(failing),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === undefined && /engine crashed/.test(error.message),
    );
  });

  it('gives the events before a broken one, then throws, and closes the request', async () => {
    const controller = new AbortController();
    const events = streamedJson(
      response(`data: ${JSON.stringify(chunks[0])}\n\ndata: {"choices": [\n\ndata: ${JSON.stringify(chunks[1])}\n\n`, (b) => [b]),
      controller,
    );
    assert.deepEqual((await events.next()).value, [chunks[0]]);
    await assert.rejects(events.next(), SyntaxError);
    assert.equal(controller.signal.aborted, true);
  });

  it('throws on an event that is not JSON, and closes the request', async () => {
    const controller = new AbortController();
    const events = streamedJson(
      response('data: {"choices": [\n\n', (b) => [b]),
      controller,
    );
    await assert.rejects(events.next(), SyntaxError);
    assert.equal(controller.signal.aborted, true);
  });

  it('closes the request when its reader stops early', async () => {
    const controller = new AbortController();
    for await (const _ of streamedJson(
      response(body, (b) => [b]),
      controller,
    ))
      break;
    assert.equal(controller.signal.aborted, true);
  });
});
