// A request file is streamed to the provider, never held in memory: OpenAI takes files of up to 200 MB,
// and a 100,000-record run writes three of them. (Node's fetch keeps a copy of a streamed request body
// in case it must follow a redirect, nodejs/undici#4058: the whole file, on top of the run's memory.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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
    assert.ok(measured.growthBytes < bytes / 4, `the upload held ${(measured.growthBytes / 1e6).toFixed(1)} MB of a ${(bytes / 1e6).toFixed(1)} MB file`);
  });
});
