// Refinement replies for the scripted OpenAI-compatible server: a handler that answers refinement
// prompts (src/engine/refine/prompt.ts) with scripted rewrites and passes every other request (the
// critic's) to another handler, plus builders for the two reply shapes.
import { parseRefinePrompt, type ParsedRefinePrompt } from '../../src/engine/refine/prompt';
import { completion, type ScriptedHandler, type ScriptedResponse } from './scripted-llm-server';

export function stepReplacementReply(replacement: string, analysis = 'Recomputed the step.'): ScriptedResponse {
  return completion(JSON.stringify({ analysis, replacement }));
}

export function regenerateReply(steps: string[], finalAnswer: string, analysis = 'Rewrote the rest from the first wrong step.'): ScriptedResponse {
  return completion(JSON.stringify({ analysis, steps, finalAnswer }));
}

export interface RefineAwareOptions {
  /** Answers the critic's requests (e.g. ruleBasedCriticHandler). */
  critic: ScriptedHandler;
  /** Answers refinement requests; `attempt` counts refinement requests from 0. */
  refine: (prompt: ParsedRefinePrompt, attempt: number) => ScriptedResponse;
}

export interface RefineAwareHandler extends ScriptedHandler {
  /** Refinement prompts received, in order. */
  readonly refinePrompts: ParsedRefinePrompt[];
  /** Critic requests received (chat requests that were not refinement prompts). */
  readonly criticRequests: number;
}

export function refineAwareHandler(options: RefineAwareOptions): RefineAwareHandler {
  const refinePrompts: ParsedRefinePrompt[] = [];
  let criticRequests = 0;
  let criticIndex = 0;
  const handler = ((request, index) => {
    const parsed = parseRefinePrompt(request.userText);
    if (parsed) {
      refinePrompts.push(parsed);
      return options.refine(parsed, refinePrompts.length - 1);
    }
    criticRequests++;
    void index;
    return options.critic(request, criticIndex++);
  }) as RefineAwareHandler;
  Object.defineProperty(handler, 'refinePrompts', { get: () => refinePrompts });
  Object.defineProperty(handler, 'criticRequests', { get: () => criticRequests });
  return handler;
}
