// A scripted critic that is over-confident in a known way, on a labelled ProcessBench file: what
// `stepcritic calibrate` must undo. For each labelled step it has a true probability q that the step
// is right — calibrated by construction, P(correct | q) = q — and it states
//
//     p = σ(sharpness · logit q)        (sharpness 3: a 0.9 step is stated as 0.9986)
//
// through its verdict token's log-probabilities. The map calibrate should find is the inverse,
// q = σ(logit p / sharpness): slope 1/sharpness, bias 0.
//
// How q is made calibrated on real labels: with π the share of correct labelled steps and k = π/(1-π),
// let q have density g(q) = k q^(k-1) (mean π). By Bayes, a correct step's q then has density ∝ q·g(q)
// (CDF q^(k+1)) and a wrong step's ∝ (1-q)·g(q) (CDF (k+1)q^k - k q^(k+1)); drawing each class's q
// from its own density makes P(correct | q) = q exactly. The draws are a golden-ratio sequence per
// class (evenly spread, not random), so a fixture of a hundred steps is already close to calibrated.
// Steps after the first error carry no label; they get q from g itself.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { criticReply, finalAnswerReply, type ScriptedHandler } from './scripted-llm-server';
import type { PrmScorer } from './scripted-prm-server';

const RecordSchema = z.looseObject({ problem: z.string(), steps: z.array(z.string()), label: z.number().int() });

const GOLDEN = (Math.sqrt(5) - 1) / 2;

function sequence(): () => number {
  let i = 0;
  return () => {
    i += 1;
    return (i * GOLDEN) % 1;
  };
}

/** The q at which `cdf` reaches u, by bisection (cdf rising from 0 at 0 to 1 at 1). */
function inverse(cdf: (q: number) => number, u: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < u) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
const keyOf = (problem: string, steps: readonly string[]) => [problem, ...steps].map(normalise).join('\u0000');

export interface OverconfidentCritic {
  handler: ScriptedHandler;
  /** The same critic as a process reward model (scripted-prm-server.ts): the same stated P(True) per step. */
  prmScorer: PrmScorer;
  /** The stated P(True) of a true probability q. */
  stated(q: number): number;
  /** Labelled steps: correct ones and wrong ones. */
  counts: { correct: number; wrong: number };
}

export function overconfidentCritic(datasetPath: string, sharpness = 3): OverconfidentCritic {
  const records = z.array(RecordSchema).parse(JSON.parse(readFileSync(datasetPath, 'utf8')));
  let correct = 0;
  let wrong = 0;
  for (const r of records) {
    if (r.label < 0) correct += r.steps.length;
    else {
      correct += r.label;
      wrong += 1;
    }
  }
  const k = correct / Math.max(1, wrong);
  const draw = {
    correct: sequence(),
    wrong: sequence(),
    unlabelled: sequence(),
  };
  const trueP = new Map<string, number>();
  for (const r of records) {
    r.steps.forEach((_, i) => {
      const y = r.label < 0 || i < r.label ? 1 : i === r.label ? 0 : null;
      const q =
        y === 1 ? draw.correct() ** (1 / (k + 1)) : y === 0 ? inverse((x) => (k + 1) * x ** k - k * x ** (k + 1), draw.wrong()) : draw.unlabelled() ** (1 / k);
      trueP.set(keyOf(r.problem, r.steps.slice(0, i + 1)), q);
    });
  }
  const stated = (q: number) => 1 / (1 + Math.exp(-sharpness * Math.log(q / (1 - q))));

  const handler: ScriptedHandler = (request) => {
    const parsed = parseCriticPrompt(request.userText);
    const reply = { logprobs: request.chat.logprobs === true, topLogprobs: request.chat.top_logprobs ?? 0 };
    if (!parsed) return finalAnswerReply({ verdict: 'True', pTrue: 0.9 }, reply);
    if (parsed.kind === 'answer') return finalAnswerReply({ verdict: 'True', pTrue: 0.9 }, reply);
    const before = parsed.context.map((s) => s.text);
    const script = parsed.judged.map((s) => {
      before.push(s.text);
      const q = trueP.get(keyOf(parsed.problem, before));
      if (q === undefined) throw new Error(`overconfident critic: step ${s.number} of "${parsed.problem.slice(0, 40)}…" is not in ${datasetPath}`);
      const p = stated(q);
      return { step: s.number, verdict: p >= 0.5 ? ('correct' as const) : ('incorrect' as const), pTrue: p };
    });
    return criticReply(script, reply);
  };
  const prmScorer: PrmScorer = ({ problem, steps }) => steps.map((_, i) => stated(trueP.get(keyOf(problem, steps.slice(0, i + 1))) ?? 0.5));
  return { handler, prmScorer, stated, counts: { correct, wrong } };
}
