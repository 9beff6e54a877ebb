// The endpoint layer's reading of refusals, in the words real servers use, and what is learned being
// kept on disk for the next run (and forgotten by `stepcritic cache clear`).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cacheCommand } from '../../src/cli/commands/cache';
import { createFileCapabilityStore, PROFILE_MAX_AGE_MS } from '../../src/engine/llm/capabilities';
import { refusedParameter } from '../../src/engine/llm/endpoint';
import { LlmError } from '../../src/engine/llm/errors';
import { runCommand } from './run-command';

const refusal = (serverMessage: string, param?: string) =>
  refusedParameter(new LlmError('bad-request', `400 from http://x/v1: ${serverMessage}`, { status: 400, serverMessage, ...(param ? { param } : {}) }));

describe('refused parameters', () => {
  it('reads what each server refuses, by the parameter it names or its wording', () => {
    assert.deepEqual(refusal("Unsupported parameter: 'logprobs' is not supported with this model.", 'logprobs'), { parameter: 'logprobs' });
    assert.deepEqual(refusal("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens'), {
      parameter: 'max_tokens',
    });
    assert.deepEqual(refusal("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."), {
      parameter: 'max_tokens',
    });
    assert.deepEqual(refusal('Unrecognized request argument supplied: max_completion_tokens'), { parameter: 'max_completion_tokens' });
    assert.deepEqual(refusal("Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.", 'temperature'), {
      parameter: 'temperature',
    });
    assert.deepEqual(refusal('Requested sample logprobs of 20, which is greater than max allowed: 5 (parameter=logprobs, value=20)', 'logprobs'), {
      parameter: 'top_logprobs',
      limit: 5,
    });
    assert.deepEqual(refusal("Invalid 'top_logprobs': integer above maximum value. Expected a value <= 10, but got 20 instead.", 'top_logprobs'), {
      parameter: 'top_logprobs',
      limit: 10,
    });
    assert.deepEqual(refusal('top_logprobs must be between 0 and 10'), { parameter: 'top_logprobs', limit: 10 });
    assert.deepEqual(refusal("5 is greater than the maximum of 1 - 'logprobs'", 'logprobs'), { parameter: 'logprobs' });
    assert.deepEqual(refusal('`logprobs` is not supported with this model'), { parameter: 'logprobs' });
    assert.deepEqual(refusal("'n' : number must be at most 1"), { parameter: 'n' });
    assert.deepEqual(refusal('Only one completion choice is allowed'), { parameter: 'n' });
    assert.deepEqual(refusal("'response_format.type' must be 'json_schema' or 'text'"), { parameter: 'response_format' });
    assert.deepEqual(refusal('This model does not support response format `json_schema`. See supported models at …'), { parameter: 'response_format' });
    assert.deepEqual(refusal('Unknown parameter: stream_options'), { parameter: 'stream_options' });
    assert.equal(refusal('The messages are too long for the context window.'), undefined);
  });
});

describe('what is learned about an endpoint, kept on disk', () => {
  it('survives the process, belongs to one base URL and model, is learned afresh when old, and `cache clear` forgets it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stepcritic-capabilities-'));
    try {
      const first = await createFileCapabilityStore(dir).profile('http://a/v1', 'm');
      assert.equal(first.remembered, false);
      assert.equal(first.learn({ logprobs: 'refused' }, 'logprobs refused'), true);
      assert.equal(first.learn({ logprobs: 'refused' }, 'again'), false, 'nothing new, no second note');
      assert.deepEqual(first.takeNotes(), ['logprobs refused']);
      await first.flushed();

      const next = await createFileCapabilityStore(dir).profile('http://a/v1', 'm');
      assert.equal(next.remembered, true);
      assert.equal(next.capabilities.logprobs, 'refused');
      assert.deepEqual((await createFileCapabilityStore(dir).profile('http://a/v1', 'other')).capabilities, {});
      const later = await createFileCapabilityStore(dir, () => Date.now() + PROFILE_MAX_AGE_MS + 1).profile('http://a/v1', 'm');
      assert.equal(later.remembered, false, 'a week later it is learned afresh');

      const cleared = await runCommand(cacheCommand, ['clear', '--cache-dir', dir]);
      assert.match(cleared.stdout, /Removed 0 cached entries and what was learned about 1 endpoint from/);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
