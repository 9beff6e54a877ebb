// The `answer` triage's cheap call: one short solution-level question ("Is the proposed answer True or
// False?") with P(True) from its log-probabilities (or sampled votes), through the same client, budget
// and cache as the step critic. It reuses the critic's own final-answer check — a critic asked to judge
// from past the last step makes no step request — so the prompt, the parsing and the cache key are
// those documented in docs/critic-protocol.md.
import type { CriticCache } from '../cache/types';
import type { LlmCritic } from '../llm/critic';
import { createLlmCritic } from '../llm/critic';
import type { AnswerScreen } from './triage';

export function createAnswerScreen(critic: LlmCritic, cache?: CriticCache): AnswerScreen {
  const screener = createLlmCritic({ ...critic.config, finalAnswerCheck: true }, { client: critic.client, budget: critic.budget, ...(cache ? { cache } : {}) });
  return {
    model: critic.config.model,
    async screen(document, signal) {
      const result = await screener.judge({ document, evidence: new Map(), fromStep: document.steps.length, ...(signal ? { signal } : {}) });
      return {
        pTrue: result.finalAnswerPTrue,
        usage: result.usage,
        ...(result.note ? { note: result.note } : {}),
        ...(result.stopped ? { stopped: result.stopped } : {}),
      };
    },
  };
}
