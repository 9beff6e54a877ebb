// OpenAI's Files and Batch APIs on the scripted server (routes for startScriptedLlmServer), as OpenAI
// documents them:
//   POST /v1/files (multipart: `purpose`, `file`)         → a file object (`purpose: "batch"`)
//   GET  /v1/files/{id}, GET /v1/files/{id}/content        → the object, the bytes
//   POST /v1/batches {input_file_id, endpoint, completion_window: "24h"} → a batch, `validating`
//   GET  /v1/batches/{id}                                  → the batch as it stands now
//   POST /v1/batches/{id}/cancel                           → `cancelling`, then `cancelled`
// Statuses move with time: `validating` for `validateMs`, then `in_progress` answering one request
// every `msPerRequest` (request_counts grow), `finalizing` for `finalizeMs`, then `completed` with an
// output file (answers, in scrambled order) and an error file (failed requests, if any: `error` set, or
// a non-200 `response.status_code`). An input that is not a batch file (bad JSON, a duplicate
// custom_id, another URL, two models) makes the batch `failed` with `errors.data` naming the line.
// `expire` makes a batch `expired` after it answered some requests: those are in its output, the
// others in its error file with code `batch_expired`. Answers are the scripted critic's
// (scripted-batch.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { resultLine, type ScriptedBatchOptions } from './scripted-batch';
import type { ExtraRoute, RecordedRequest, RouteReply } from './scripted-llm-server';

export interface ScriptedBatchServerOptions extends ScriptedBatchOptions {
  validateMs?: number;
  msPerRequest?: number;
  finalizeMs?: number;
  /** The batch created `batch`-th (from 0) expires once it answered `after` requests. */
  expire?: { batch: number; after: number };
  /** The first this many uploads are read whole, then answered 502 (a proxy in front of the API). */
  failUploads?: number;
}

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  /** An upload as it came; an output file as bytes (for a large batch it passes V8's longest string). */
  content: string | Buffer;
  createdAt: number;
}

type UploadedFile = StoredFile & { content: string };

interface StoredBatch {
  id: string;
  index: number;
  inputFileId: string;
  createdAt: number;
  requests: z.infer<typeof RequestSchema>[];
  errors: { code: string; message: string; line: number | null }[];
  cancelAt?: number;
  /** Set once the batch has ended. */
  ended?: { status: string; at: number; outputFileId: string | null; errorFileId: string | null; completed: number; failed: number };
}

const RequestSchema = z.object({
  custom_id: z.string(),
  method: z.literal('POST'),
  url: z.string(),
  body: z.looseObject({ model: z.string() }),
});

export interface ScriptedBatchServer {
  routes: ExtraRoute[];
  /** Files uploaded with purpose `batch`. */
  uploads(): UploadedFile[];
  batches(): StoredBatch[];
}

const now = () => Date.now();
const seconds = (ms: number) => Math.floor(ms / 1000);

function error(status: number, message: string, param: string | null = null): RouteReply {
  return { status, body: { error: { message, type: 'invalid_request_error', param, code: null } } };
}

/** The `file` and `purpose` parts of a multipart/form-data body. */
function multipart(request: RecordedRequest): { purpose?: string; filename?: string; content?: string } {
  const type = String(request.headers['content-type'] ?? '');
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) return {};
  const out: { purpose?: string; filename?: string; content?: string } = {};
  for (const part of request.rawBody.split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    if (name === 'purpose') out.purpose = value;
    if (name === 'file') {
      out.filename = /filename="([^"]*)"/.exec(head)?.[1] ?? 'upload.jsonl';
      out.content = value;
    }
  }
  return out;
}

export function scriptedBatchServer(options: ScriptedBatchServerOptions = {}): ScriptedBatchServer {
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, StoredBatch>();
  const validateMs = options.validateMs ?? 30;
  const msPerRequest = options.msPerRequest ?? 2;
  const finalizeMs = options.finalizeMs ?? 30;
  let nextId = 0;
  let uploadsToFail = options.failUploads ?? 0;

  const fileObject = (f: StoredFile) => ({
    id: f.id,
    object: 'file',
    bytes: Buffer.byteLength(f.content),
    created_at: seconds(f.createdAt),
    filename: f.filename,
    purpose: f.purpose,
    status: 'processed',
    expires_at: null,
    status_details: null,
  });
  const store = (purpose: string, filename: string, content: string | Buffer): StoredFile => {
    const file = { id: `file-${++nextId}`, filename, purpose, content, createdAt: now() };
    files.set(file.id, file);
    return file;
  };

  /** Ends a batch: its answers in the output file, its failures (and, if it expired or was cancelled, the unanswered) in the error file. */
  async function end(batch: StoredBatch, status: string, answered: number): Promise<void> {
    const outputs: { key: string; text: string }[] = [];
    const failures: { key: string; text: string }[] = [];
    for (const [index, request] of batch.requests.entries()) {
      const key = createHash('sha1').update(request.custom_id).digest('hex');
      if (index >= answered) {
        if (status === 'expired') {
          const text = JSON.stringify({
            id: `batch_req_${index}`,
            custom_id: request.custom_id,
            response: null,
            error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
          });
          failures.push({ key, text });
        }
        continue;
      }
      const line = await resultLine(request, index, options);
      if (!line) continue;
      const failed = line.error !== null || (line.response as { status_code: number }).status_code !== 200;
      (failed ? failures : outputs).push({ key, text: JSON.stringify(line) });
    }
    const write = (lines: { key: string; text: string }[], name: string) =>
      lines.length === 0
        ? null
        : store('batch_output', name, Buffer.concat(lines.sort((a, b) => (a.key < b.key ? -1 : 1)).map((l) => Buffer.from(`${l.text}\n`)))).id;
    batch.ended = {
      status,
      at: now(),
      outputFileId: write(outputs, `${batch.id}_output.jsonl`),
      errorFileId: write(failures, `${batch.id}_error.jsonl`),
      completed: outputs.length,
      failed: failures.filter((f) => !f.text.includes('batch_expired')).length,
    };
  }

  /** The batch as it stands now (its status moves with time). */
  async function current(batch: StoredBatch): Promise<Record<string, unknown>> {
    const total = batch.requests.length;
    let status: string;
    let done = 0;
    if (batch.ended) status = batch.ended.status;
    else if (batch.errors.length > 0) {
      status = 'failed';
      batch.ended = { status, at: now(), outputFileId: null, errorFileId: null, completed: 0, failed: 0 };
    } else {
      const elapsed = now() - batch.createdAt;
      done = Math.max(0, Math.min(total, Math.floor((elapsed - validateMs) / msPerRequest)));
      const expireAfter = options.expire?.batch === batch.index ? options.expire.after : undefined;
      if (batch.cancelAt !== undefined) {
        await end(batch, 'cancelled', Math.min(done, expireAfter ?? total));
        status = 'cancelled';
      } else if (expireAfter !== undefined && done >= expireAfter) {
        await end(batch, 'expired', expireAfter);
        status = 'expired';
      } else if (elapsed < validateMs) status = 'validating';
      else if (done < total) status = 'in_progress';
      else if (elapsed < validateMs + total * msPerRequest + finalizeMs) status = 'finalizing';
      else {
        await end(batch, 'completed', total);
        status = 'completed';
      }
    }
    const ended = batch.ended;
    const failedCount = ended ? ended.failed : batch.requests.slice(0, done).filter((r) => options.fail?.(r.custom_id) !== undefined).length;
    return {
      id: batch.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: batch.errors.length > 0 ? { object: 'list', data: batch.errors.map((e) => ({ ...e, param: null })) } : null,
      input_file_id: batch.inputFileId,
      completion_window: '24h',
      status,
      output_file_id: ended?.outputFileId ?? null,
      error_file_id: ended?.errorFileId ?? null,
      created_at: seconds(batch.createdAt),
      in_progress_at: status === 'validating' || status === 'failed' ? null : seconds(batch.createdAt + validateMs),
      expires_at: seconds(batch.createdAt) + 86_400,
      completed_at: status === 'completed' ? seconds(ended!.at) : null,
      failed_at: status === 'failed' ? seconds(ended!.at) : null,
      expired_at: status === 'expired' ? seconds(ended!.at) : null,
      cancelling_at: batch.cancelAt !== undefined ? seconds(batch.cancelAt) : null,
      cancelled_at: status === 'cancelled' ? seconds(ended!.at) : null,
      request_counts: { total, completed: ended ? ended.completed : done - failedCount, failed: failedCount },
      metadata: null,
    };
  }

  function create(request: RecordedRequest): RouteReply {
    const body = z.looseObject({ input_file_id: z.string(), endpoint: z.string(), completion_window: z.string() }).safeParse(request.body);
    if (!body.success) return error(400, 'Missing required parameter: input_file_id, endpoint or completion_window.');
    const { input_file_id: inputFileId, endpoint, completion_window: window } = body.data;
    if (endpoint !== '/v1/chat/completions') return error(400, `Invalid endpoint: ${endpoint}.`, 'endpoint');
    if (window !== '24h') return error(400, `Invalid completion_window: ${window}. Supported values are: "24h".`, 'completion_window');
    const file = files.get(inputFileId);
    if (!file) return error(404, `No such File object: ${inputFileId}`, 'input_file_id');
    if (file.purpose !== 'batch') return error(400, `The file ${inputFileId} has purpose ${file.purpose}, not batch.`, 'input_file_id');
    const requests: StoredBatch['requests'] = [];
    const errors: StoredBatch['errors'] = [];
    const ids = new Set<string>();
    const models = new Set<string>();
    file.content
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .forEach((text, i) => {
        let parsed;
        try {
          parsed = RequestSchema.safeParse(JSON.parse(text));
        } catch {
          parsed = undefined;
        }
        if (!parsed?.success) return errors.push({ code: 'invalid_json_line', message: 'This line is not a batch request.', line: i + 1 });
        if (parsed.data.url !== endpoint)
          return errors.push({ code: 'mismatched_endpoint', message: `The url ${parsed.data.url} is not ${endpoint}.`, line: i + 1 });
        if (ids.has(parsed.data.custom_id)) return errors.push({ code: 'duplicate_custom_id', message: 'The custom_id is used twice.', line: i + 1 });
        ids.add(parsed.data.custom_id);
        models.add(parsed.data.body.model);
        requests.push(parsed.data);
      });
    if (models.size > 1) errors.push({ code: 'mismatched_model', message: 'The requests of a batch must all use the same model.', line: null });
    const batch: StoredBatch = { id: `batch_${++nextId}`, index: batches.size, inputFileId, createdAt: now(), requests, errors };
    batches.set(batch.id, batch);
    return { status: 200, body: { id: batch.id, object: 'batch', status: 'validating', input_file_id: inputFileId, endpoint, completion_window: window } };
  }

  const route: ExtraRoute = async (request) => {
    const { method, path } = request;
    if (method === 'POST' && path === '/v1/files') {
      const form = multipart(request);
      if (form.content === undefined || form.purpose === undefined) return error(400, "Missing required parameter: 'file' or 'purpose'.");
      if (form.purpose !== 'batch') return error(400, `Invalid purpose: ${form.purpose}.`, 'purpose');
      if (uploadsToFail > 0) {
        uploadsToFail--;
        return { status: 502, body: { error: { message: 'Bad gateway', type: 'server_error', param: null, code: null } } };
      }
      return { status: 200, body: fileObject(store(form.purpose, form.filename ?? 'upload.jsonl', form.content)) };
    }
    const content = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (method === 'GET' && content) {
      const file = files.get(content[1]!);
      return file ? { status: 200, body: null, raw: file.content } : error(404, `No such File object: ${content[1]}`);
    }
    const fileId = /^\/v1\/files\/([^/]+)$/.exec(path);
    if (method === 'GET' && fileId) {
      const file = files.get(fileId[1]!);
      return file ? { status: 200, body: fileObject(file) } : error(404, `No such File object: ${fileId[1]}`);
    }
    if (method === 'POST' && path === '/v1/batches') return create(request);
    const batchPath = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (batchPath) {
      const batch = batches.get(batchPath[1]!);
      if (!batch) return error(404, `No such batch: ${batchPath[1]}`);
      if (batchPath[2] && method === 'POST') {
        if (!batch.ended) batch.cancelAt = now();
        return { status: 200, body: { ...(await current(batch)), status: batch.ended?.status === 'cancelled' ? 'cancelled' : 'cancelling' } };
      }
      if (method === 'GET' && !batchPath[2]) return { status: 200, body: await current(batch) };
    }
    return undefined;
  };

  return {
    routes: [route],
    uploads: () => [...files.values()].filter((f): f is UploadedFile => f.purpose === 'batch' && typeof f.content === 'string'),
    batches: () => [...batches.values()],
  };
}
