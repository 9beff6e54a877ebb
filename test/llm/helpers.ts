// Helpers for the critic tests: small SolutionDocuments (a problem paragraph, then one paragraph per
// step) and scripted handlers that answer per step number.
import assert from 'node:assert/strict';
import { parseCriticPrompt } from '../../src/engine/llm/protocol';
import { criticReply, type ChatRequestView, type StepScript } from '../support/scripted-llm-server';
import { buildDocument } from '../../src/engine/documents/build';
import type { SolutionDocument } from '../../src/engine/types';

export function mathDocument(problem: string, steps: readonly string[], options: { finalAnswer?: string; uri?: string } = {}): SolutionDocument {
  let text = `${problem}\n\n`;
  const spans = steps.map((step) => {
    const start = text.length;
    text += `${step}\n\n`;
    return { start, end: start + step.length };
  });
  return buildDocument({
    uri: options.uri ?? 'memory://test.solution.md',
    format: 'markdown',
    text,
    problem: { start: 0, end: problem.length },
    steps: spans,
    finalAnswer: options.finalAnswer !== undefined ? { text: options.finalAnswer } : undefined,
    warnings: [],
  });
}

export function judgedNumbers(request: ChatRequestView): number[] {
  const parsed = parseCriticPrompt(request.userText);
  assert.ok(parsed && parsed.kind === 'steps', 'a step-critique prompt');
  return parsed.judged.map((s) => s.number);
}

export function contextNumbers(request: ChatRequestView): number[] {
  const parsed = parseCriticPrompt(request.userText);
  assert.ok(parsed && parsed.kind === 'steps');
  return parsed.context.map((s) => s.number);
}

/** Replies to every step-critique request with the scripted verdicts for the steps it asks about. */
export function scriptedByStep(script: Record<number, Omit<StepScript, 'step'>>, options: Parameters<typeof criticReply>[1] = {}) {
  return (request: ChatRequestView) =>
    criticReply(
      judgedNumbers(request).map((step) => ({ step, ...(script[step] ?? { verdict: 'correct', pTrue: 0.9 }) })),
      { logprobs: request.chat.logprobs === true, n: request.chat.n ?? 1, topLogprobs: request.chat.top_logprobs ?? 0, ...options },
    );
}
