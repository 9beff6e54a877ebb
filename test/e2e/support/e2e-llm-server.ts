// The scripted OpenAI-compatible server, set up for the end-to-end runs: per-step verdicts and P(True)
// chosen by patterns (so one document can show every confidence band), answers to refinement prompts
// (a scripted rewrite of the wrong step), an optional delay (to see the "judging" mark), and a log
// of every request to a file, which the tests read to prove what was (not) sent.
//
//   node --import tsx test/e2e/support/e2e-llm-server.ts --rules rules.json --log requests.log [--port 0] [--api-key KEY]
//
// With --api-key, a request without that key gets the 401 OpenAI sends (an endpoint that needs a key).
//
// Prints the base URL (`http://127.0.0.1:PORT/v1`) as its first line and runs until killed.
import { appendFileSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseCriticPrompt } from '../../../src/engine/llm/protocol';
import { parseRefinePrompt } from '../../../src/engine/refine/prompt';
import { completion, criticReply, finalAnswerReply, startScriptedLlmServer, type ScriptedHandler, type StepScript } from '../../support/scripted-llm-server';

const RulesSchema = z.object({
  /** First matching rule (regex, case-insensitive) decides a judged step's verdict and P(True). */
  critic: z.array(z.object({ pattern: z.string(), verdict: z.enum(['correct', 'incorrect']), pTrue: z.number().min(0).max(1) })).default([]),
  /** Default for steps no rule matches. */
  defaultPTrue: z.number().min(0).max(1).default(0.95),
  /** A request judging a step that matches one of these waits this long before it answers. */
  slow: z.array(z.object({ pattern: z.string(), delayMs: z.number().nonnegative() })).default([]),
  /** Refinement: in the target step (or steps from it), replace `find` (regex) with `replace`. */
  refine: z.array(z.object({ find: z.string(), replace: z.string() })).default([]),
});
type Rules = z.infer<typeof RulesSchema>;

function rewrite(text: string, rules: Rules): string {
  return rules.refine.reduce((t, r) => t.replace(new RegExp(r.find, 'g'), r.replace), text);
}

export function e2eHandler(rules: Rules): ScriptedHandler {
  const critic = rules.critic.map((r) => ({ ...r, re: new RegExp(r.pattern, 'i') }));
  const slow = rules.slow.map((s) => ({ ...s, re: new RegExp(s.pattern, 'i') }));
  return (request) => {
    const text = request.userText;
    const refine = parseRefinePrompt(text);
    if (refine) {
      const target = refine.steps.find((s) => s.number === refine.target);
      if (!target) return completion('{"analysis": "no such step", "replacement": ""}');
      if (refine.kind === 'step') {
        return completion(JSON.stringify({ analysis: 'Recomputed with the right value.', replacement: rewrite(target.text, rules) }));
      }
      const steps = refine.steps.filter((s) => s.number >= refine.target).map((s) => rewrite(s.text, rules));
      return completion(JSON.stringify({ analysis: 'Rewrote from the first wrong step.', steps, finalAnswer: rewrite(refine.finalAnswer ?? '', rules) }));
    }
    const parsed = parseCriticPrompt(text);
    const options = { logprobs: request.chat.logprobs === true, n: request.chat.n ?? 1, topLogprobs: request.chat.top_logprobs ?? 5 };
    if (!parsed) {
      // Any other question (the connection probe): a one-word answer, with log-probabilities when
      // asked for them, as an endpoint that supports them gives for every prompt.
      const logprobs = options.logprobs
        ? [
            {
              token: 'correct',
              logprob: -0.05,
              top_logprobs: [
                { token: 'correct', logprob: -0.05 },
                { token: 'incorrect', logprob: -3 },
              ],
            },
          ]
        : null;
      return completion('correct', { logprobs });
    }
    if (parsed.kind === 'answer') return finalAnswerReply({ verdict: 'True', pTrue: rules.defaultPTrue }, options);
    const script: StepScript[] = parsed.judged.map((step) => {
      const rule = critic.find((r) => r.re.test(step.text));
      return rule ? { step: step.number, verdict: rule.verdict, pTrue: rule.pTrue } : { step: step.number, verdict: 'correct', pTrue: rules.defaultPTrue };
    });
    const delayMs = Math.max(0, ...slow.filter((s) => parsed.judged.some((step) => s.re.test(step.text))).map((s) => s.delayMs));
    // Rubric items (when the prompt has a rubric): met, with the default P(True).
    const items = parsed.rubric.map((it) => ({ item: it.number, met: true, pTrue: rules.defaultPTrue }));
    return criticReply(script, { ...options, delayMs, ...(items.length > 0 ? { items } : {}) });
  };
}

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const rulesPath = flag('--rules');
  const logPath = flag('--log');
  const rules = RulesSchema.parse(rulesPath ? JSON.parse(readFileSync(rulesPath, 'utf8')) : {});
  const server = await startScriptedLlmServer({
    handler: e2eHandler(rules),
    port: Number(flag('--port') ?? 0),
    ...(flag('--api-key') ? { apiKey: flag('--api-key') } : {}),
    log: (line) => {
      process.stderr.write(`${line}\n`);
      if (logPath) appendFileSync(logPath, `${line}\n`);
    },
  });
  process.stdout.write(`${server.baseUrl}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`e2e-llm-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
