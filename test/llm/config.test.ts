// Critic configuration: base URL normalisation, presets, where the key comes from; the verdict-token
// reader on awkward token streams.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultCacheDir } from '../../src/engine/cache/location';
import { normalizeBaseUrl, normalizeBaseUrlWithChanges, resolveCriticConfig } from '../../src/engine/llm/config';
import { classifySpelling, isDegenerate, readValues, VERDICT_WORDS, type TokenLogprob } from '../../src/engine/llm/logprobs';

describe('normalizeBaseUrl', () => {
  it('adds a missing /v1 (the most common setup error) and says so', () => {
    assert.deepEqual(normalizeBaseUrlWithChanges('http://127.0.0.1:8000'), { url: 'http://127.0.0.1:8000/v1', changes: ['added /v1'] });
    assert.equal(normalizeBaseUrl('http://localhost:11434/'), 'http://localhost:11434/v1');
    assert.equal(normalizeBaseUrl('https://openrouter.ai/api'), 'https://openrouter.ai/api/v1');
  });

  it('keeps a version segment that is there, and drops trailing slashes and pasted endpoint paths', () => {
    assert.equal(normalizeBaseUrl('https://api.openai.com/v1///'), 'https://api.openai.com/v1');
    assert.equal(normalizeBaseUrl('https://generativelanguage.googleapis.com/v1beta/openai/'), 'https://generativelanguage.googleapis.com/v1beta/openai');
    const pasted = normalizeBaseUrlWithChanges('http://127.0.0.1:8080/v1/chat/completions');
    assert.equal(pasted.url, 'http://127.0.0.1:8080/v1');
    assert.match(pasted.changes.join(), /removed \/chat\/completions/);
  });

  it('adds the scheme, and /openai/v1 for Azure', () => {
    assert.equal(normalizeBaseUrl('localhost:1234'), 'http://localhost:1234/v1');
    assert.equal(normalizeBaseUrl('https://myres.openai.azure.com'), 'https://myres.openai.azure.com/openai/v1');
    assert.throws(() => normalizeBaseUrl('ftp://example.com'), /not an http\(s\) URL/);
  });
});

describe('resolveCriticConfig', () => {
  it('is off, with the reason, when no endpoint or no model is configured', () => {
    const none = resolveCriticConfig({ env: { OPENAI_API_KEY: 'sk-x' } });
    assert.ok(!none.ok && /no endpoint configured/.test(none.reason));
    const noModel = resolveCriticConfig({ explicit: { provider: 'ollama' } });
    assert.ok(!noModel.ok && /no model configured for http:\/\/127\.0\.0\.1:11434\/v1/.test(noModel.reason));
    const noKey = resolveCriticConfig({ explicit: { provider: 'openai', model: 'gpt-4o-mini' } });
    assert.ok(!noKey.ok && /OpenAI needs an API key/.test(noKey.reason));
  });

  it('presets give the base URL; flags beat the environment; the key comes from STEPCRITIC_API_KEY, then OPENAI_API_KEY', () => {
    const ollama = resolveCriticConfig({ explicit: { provider: 'ollama', model: 'qwen2.5:7b' } });
    assert.ok(ollama.ok);
    assert.equal(ollama.config.baseUrl, 'http://127.0.0.1:11434/v1');
    assert.equal(ollama.config.maxTokensField, 'max_tokens');
    assert.equal(ollama.config.apiKey, undefined);

    const env = { STEPCRITIC_BASE_URL: 'http://10.0.0.2:8000', STEPCRITIC_MODEL: 'env-model', STEPCRITIC_API_KEY: 'sc-key', OPENAI_API_KEY: 'oa-key' };
    const fromEnv = resolveCriticConfig({ env });
    assert.ok(fromEnv.ok);
    assert.equal(fromEnv.config.baseUrl, 'http://10.0.0.2:8000/v1');
    assert.deepEqual(fromEnv.changes, ['added /v1']);
    assert.equal(fromEnv.config.apiKey, 'sc-key');
    assert.equal(fromEnv.keySource, 'STEPCRITIC_API_KEY');
    const fallback = resolveCriticConfig({ env: { ...env, STEPCRITIC_API_KEY: '' } });
    assert.ok(fallback.ok && fallback.config.apiKey === 'oa-key' && fallback.keySource === 'OPENAI_API_KEY');
    const flags = resolveCriticConfig({ explicit: { baseUrl: 'http://127.0.0.1:9/v1', model: 'flag-model', tokenBudget: 5000 }, env });
    assert.ok(flags.ok && flags.config.model === 'flag-model' && flags.config.baseUrl === 'http://127.0.0.1:9/v1' && flags.config.tokenBudget === 5000);
  });

  it('the default cache dir follows XDG, then the platform', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), join('/x/cache', 'stepcritic'));
    assert.equal(defaultCacheDir({}, 'linux', '/home/u'), join('/home/u', '.cache', 'stepcritic'));
    assert.equal(defaultCacheDir({}, 'darwin', '/Users/u'), join('/Users/u', 'Library', 'Caches', 'stepcritic'));
    assert.equal(defaultCacheDir({ STEPCRITIC_CACHE_DIR: '/c' }, 'linux', '/home/u'), '/c');
  });
});

describe('reading the verdict token', () => {
  const tok = (token: string, alternatives: [string, number][] = [[token, 1]]): TokenLogprob => ({
    token,
    logprob: Math.log(alternatives.find(([t]) => t === token)?.[1] ?? 1),
    top_logprobs: alternatives.map(([t, p]) => ({ token: t, logprob: Math.log(p) })),
  });

  it('classifies spellings after the same lead-in, partial tokens included', () => {
    assert.equal(classifySpelling(' True', '', VERDICT_WORDS), 'positive');
    assert.equal(classifySpelling(' fa', ' ', VERDICT_WORDS), 'negative');
    assert.equal(classifySpelling('tr', '', VERDICT_WORDS), 'positive');
    assert.equal(classifySpelling('true}', '', VERDICT_WORDS), 'positive');
    assert.equal(classifySpelling('":false', '":', VERDICT_WORDS), 'negative');
    assert.equal(classifySpelling('null', '', VERDICT_WORDS), undefined);
    assert.equal(classifySpelling(' ', ' ', VERDICT_WORDS), undefined);
  });

  it('ignores a "correct" key written inside the analysis, and sums spellings at the verdict token', () => {
    // The analysis quotes `"correct": false` (escaped in JSON); only the real key counts.
    const tokens = [
      tok('{"steps": [{"step": 1, "analysis": "not \\"correct\\": false here", '),
      tok('"correct":'),
      tok(' true', [
        [' true', 0.5],
        [' True', 0.2],
        [' false', 0.2],
        [' null', 0.1],
      ]),
      tok('}]}'),
    ];
    const readings = readValues(tokens, 'correct', VERDICT_WORDS);
    assert.equal(readings.length, 1);
    assert.equal(readings[0]!.value, 'true');
    assert.ok(Math.abs(readings[0]!.pTrue! - 0.7 / 0.9) < 1e-12);
  });

  it('calls degenerate what is no distribution: no alternatives, −9999, one value for all', () => {
    assert.equal(isDegenerate({ token: 'true', logprob: 0, top_logprobs: [] }), true);
    assert.equal(isDegenerate({ token: 'true', logprob: -9999, top_logprobs: [{ token: 'false', logprob: -1 }] }), true);
    assert.equal(isDegenerate({ token: 'true', logprob: -0.5, top_logprobs: [{ token: 'false', logprob: -0.5 }] }), true);
    assert.equal(isDegenerate({ token: 'true', logprob: 0, top_logprobs: [{ token: 'false', logprob: -12 }] }), false);
    // A repeated alternative counts once, at its first value; the chosen token counts when it is not listed.
    assert.equal(
      isDegenerate({
        token: 'true',
        logprob: -0.5,
        top_logprobs: [
          { token: 'true', logprob: -0.5 },
          { token: 'true', logprob: -3 },
        ],
      }),
      true,
    );
    assert.equal(
      isDegenerate({
        token: 'x',
        logprob: -1,
        top_logprobs: [
          { token: 'a', logprob: -1 },
          { token: 'a', logprob: -9999 },
        ],
      }),
      true,
    );
    assert.equal(
      isDegenerate({
        token: 'x',
        logprob: -2,
        top_logprobs: [
          { token: 'a', logprob: -1 },
          { token: 'a', logprob: -9999 },
        ],
      }),
      false,
    );
    assert.equal(
      isDegenerate({
        token: 'a',
        logprob: -9999,
        top_logprobs: [
          { token: 'a', logprob: -1 },
          { token: 'b', logprob: -2 },
        ],
      }),
      false,
    );
    assert.equal(
      isDegenerate({
        token: 'a',
        logprob: -1,
        top_logprobs: [
          { token: 'b', logprob: -1 },
          { token: 'c', logprob: Number.NaN },
        ],
      }),
      true,
    );
    const degenerate = [tok('{"steps": [{"step": 1, "analysis": "ok", "correct": '), { token: 'true', logprob: 0, top_logprobs: [] }, tok('}]}')];
    assert.deepEqual(readValues(degenerate, 'correct', VERDICT_WORDS)[0], { value: 'true', pTrue: null, degenerate: true });
  });
});
