// `vllm run-batch` played by the scripted critic: reads an OpenAI batch input file and writes the
// results file as vLLM does (one line per request: `{"id", "custom_id", "response": {"status_code",
// "request_id", "body"}, "error": null}`), the bodies being what the scripted server would answer
// (scripted-llm-server.ts, whole chat completions). Real runners do not keep the input order, so the
// lines are written in a scrambled (but repeatable) order; `fail` scripts a request's failure the way
// OpenAI's error file and vLLM write it (`response: null`, `error: {code, message}`), a non-200
// status, or no line at all.
//
//   await runScriptedBatch('requests.jsonl', 'results.jsonl', { handler, fail: (id) => … });
//   node --import tsx test/support/scripted-batch.ts -i requests.jsonl -o results.jsonl [--script file.json]
//
// The script file is the scripted server's (its rule-based critic).
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { answerChatBody, ruleBasedCriticHandler, runIfProgram, type RuleBasedCriticOptions, type ScriptedHandler } from './scripted-llm-server';

export type ScriptedFailure = 'error' | 'status' | 'missing';

export interface ScriptedBatchOptions {
  handler?: ScriptedHandler;
  /** How a request fails, by its custom_id (none: it is answered). */
  fail?: (customId: string) => ScriptedFailure | undefined;
  models?: readonly string[];
}

const RequestLineSchema = z.object({
  custom_id: z.string(),
  method: z.literal('POST'),
  url: z.literal('/v1/chat/completions'),
  body: z.record(z.string(), z.unknown()),
});

/** The result line of one request, as vLLM and OpenAI write it (or undefined: no line). */
export async function resultLine(
  request: { custom_id: string; body: unknown },
  index: number,
  options: ScriptedBatchOptions,
): Promise<Record<string, unknown> | undefined> {
  const id = `batch_req_${index}`;
  const failure = options.fail?.(request.custom_id);
  if (failure === 'missing') return undefined;
  if (failure === 'error')
    return { id, custom_id: request.custom_id, response: null, error: { code: 'server_error', message: 'The engine failed on this request.' } };
  if (failure === 'status') {
    const body = { error: { message: 'Too many tokens in the prompt.', type: 'invalid_request_error', code: null } };
    return { id, custom_id: request.custom_id, response: { status_code: 400, request_id: `req_${index}`, body }, error: null };
  }
  const answer = await answerChatBody(options.handler ?? ruleBasedCriticHandler(), request.body, index, options.models);
  return { id, custom_id: request.custom_id, response: { status_code: answer.status, request_id: `req_${index}`, body: answer.body }, error: null };
}

/** Answers every request of `input` into `output`, in a scrambled order. Returns the number of requests read. */
export async function runScriptedBatch(input: string, output: string, options: ScriptedBatchOptions = {}): Promise<number> {
  const lines: { key: string; text: string }[] = [];
  let index = 0;
  for await (const text of createInterface({ input: createReadStream(input, 'utf8'), crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    const request = RequestLineSchema.parse(JSON.parse(text));
    const line = await resultLine(request, index++, options);
    if (line) lines.push({ key: createHash('sha1').update(request.custom_id).digest('hex'), text: JSON.stringify(line) });
  }
  lines.sort((a, b) => (a.key < b.key ? -1 : 1));
  writeFileSync(output, lines.map((l) => `${l.text}\n`).join(''));
  return index;
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const input = flag('-i');
  const output = flag('-o');
  if (!input || !output) throw new Error('usage: scripted-batch.ts -i requests.jsonl -o results.jsonl [--script file.json]');
  const script = flag('--script');
  const rules = (script ? JSON.parse(readFileSync(script, 'utf8')) : {}) as RuleBasedCriticOptions;
  const count = await runScriptedBatch(input, output, { handler: ruleBasedCriticHandler(rules) });
  process.stderr.write(`scripted-batch: answered ${count} requests into ${output}\n`);
}

runIfProgram(typeof __filename === 'string' ? __filename : undefined, 'scripted-batch', main);
