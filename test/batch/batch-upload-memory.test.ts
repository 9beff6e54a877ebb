// A request file is streamed to the provider, never held in memory: OpenAI takes files of up to 200 MB,
// and a 100,000-record run writes three of them. (Node's fetch keeps a copy of a streamed request body
// in case it must follow a redirect, nodejs/undici#4058: the whole file, on top of the run's memory.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProviderBatches } from '../../src/engine/batch/provider-batch';
import { scriptedBatchServer } from '../support/scripted-batch-server';
import { startScriptedLlmServer, type ScriptedLlmServer } from '../support/scripted-llm-server';

/** `count` batch request lines of about 4.7 kB each (the size of a ProcessBench step-range request). */
async function writeRequests(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const line = {
      custom_id: `steps-1-4:${i.toString(16).padStart(12, '0')}:data.jsonl#${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'scripted-critic', messages: [{ role: 'user', content: `Step ${i}: ${'2 + 2 = 4. '.repeat(420)}` }] },
    };
    if (!out.write(`${JSON.stringify(line)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

function probe(baseUrl: string, path: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const script = join(process.cwd(), 'test/batch/support/upload-memory-probe.ts');
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, baseUrl, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('uploading a batch request file', () => {
  let dir: string;
  let server: ScriptedLlmServer;
  const batches = scriptedBatchServer({});

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stepcritic-upload-'));
    server = await startScriptedLlmServer({ routes: batches.routes });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a 48 MB file: the client holds a small part of it at a time, and the provider gets all of it', async () => {
    const path = join(dir, 'requests.jsonl');
    await writeRequests(path, 10_000);
    const bytes = statSync(path).size;
    assert.ok(bytes > 40e6, `the file is ${bytes} bytes`);
    // The server is in this process and the client in another, so only the client's memory is measured.
    const run = await probe(server.baseUrl, path);
    assert.equal(run.status, 0, run.stderr);
    const measured = JSON.parse(run.stdout) as { id: string; growthBytes: number };
    assert.equal(batches.uploads().length, 1);
    assert.equal(Buffer.byteLength(batches.uploads()[0]!.content), bytes, 'the whole file arrived');
    assert.equal(batches.batches()[0]!.id, measured.id);
    assert.equal(batches.batches()[0]!.requests.length, 10_000);
    // A copy of the file is all of it (48.3 MB before the fix). Streamed, it was 0.4-8 MB here (idle and
    // with every core busy) and 26.5 MB once in a full CI run at high load, so the line sits between.
    assert.ok(measured.growthBytes < bytes * 0.8, `the upload held ${(measured.growthBytes / 1e6).toFixed(1)} MB of a ${(bytes / 1e6).toFixed(1)} MB file`);
  });
  it('sends the whole file again when an upload fails in a way that may pass (502 from a proxy)', async () => {
    const failing = scriptedBatchServer({ failUploads: 2 });
    const proxy = await startScriptedLlmServer({ routes: failing.routes });
    try {
      const path = join(dir, 'retried.jsonl');
      await writeRequests(path, 50);
      const slept: number[] = [];
      const provider = new ProviderBatches({ baseUrl: proxy.baseUrl, pollMs: 10, maxPollMs: 10, sleep: async (ms) => void slept.push(ms) });
      const { id } = await provider.submit(path);
      assert.deepEqual(slept, [1000, 2000], 'two failed uploads, each waited for');
      assert.equal(failing.uploads().length, 1);
      assert.equal(failing.uploads()[0]!.content, readFileSync(path, 'utf8'), 'the third upload carried the whole file');
      assert.equal(failing.batches()[0]!.id, id);

      const refusing = scriptedBatchServer({ failUploads: 10 });
      const down = await startScriptedLlmServer({ routes: refusing.routes });
      try {
        await assert.rejects(
          new ProviderBatches({ baseUrl: down.baseUrl, pollMs: 10, maxPollMs: 10, sleep: async () => undefined }).submit(path),
          /submitting a batch at .* failed: 502 Bad gateway/,
        );
        assert.equal(refusing.uploads().length, 0);
      } finally {
        await down.close();
      }
    } finally {
      await proxy.close();
    }
  });
});
