// The refinement prompts: what the model is asked when a step (or the rest of a solution) must be
// rewritten, and how its reply is read. Versioned like the critic's prompts: a change to a prompt or
// to how a reply is read bumps REFINE_PROMPT_VERSION.
//
// The model gets the problem, the solution as written (steps tagged with their 1-based numbers), the
// critic's feedback on the step, and every earlier attempt that was rejected with the reason — models
// resist feedback ("Feedback Friction"), so a second attempt is told plainly why the first failed.
import { z } from 'zod';
import { extractJsonText, type ChatMessage } from '../llm/protocol';
import { errorMessage } from '../error-message';

export const REFINE_PROMPT_VERSION = 'stepcritic-refine/1';

export type RefineTaskKind = 'step' | 'regenerate';

export interface RefinePromptInput {
  kind: RefineTaskKind;
  solutionKind: 'math' | 'code';
  problem: string;
  /** Every step as written, 0-based indices. */
  steps: readonly { index: number; text: string }[];
  /** The step to rewrite (`step`) or the first one to rewrite (`regenerate`), 0-based. */
  target: number;
  /** The final answer as written, when the solution has one. */
  finalAnswer?: string;
  /** What the checks said about the target step. */
  feedback: string;
  rejected: readonly { text: string; reason: string }[];
}

const STEP_SYSTEM = `You correct one step of a step-by-step solution. A critic found the step wrong; its feedback is given. Fix exactly that step so that it is correct given the problem and the earlier steps as written. Keep the author's style, notation and formatting (a step label such as "Step 3:" or a list marker stays as it was). Do not change other steps.

Reply with ONLY one JSON object, no other text, of exactly this shape:
{"analysis": "<what was wrong and how you fix it>", "replacement": "<the complete new text of the step>"}
The replacement is the step's full text as it should appear in the document, on one paragraph (no blank lines).`;

const REGENERATE_SYSTEM = `You rewrite the rest of a step-by-step solution, from the first step that a critic found wrong to the end. Keep the earlier steps as they are and build on them. Keep the author's style, notation and formatting (step labels, list markers, the way the final answer is written).

Reply with ONLY one JSON object, no other text, of exactly this shape:
{"analysis": "<what was wrong and how you fix it>", "steps": ["<new text of the first rewritten step>", "<the next step>", ...], "finalAnswer": "<the final answer line, written as the original writes it, e.g. \\\\boxed{42}, #### 42 or Answer: 42>"}
Each step is one paragraph (no blank lines inside a step). Use "" for finalAnswer only if the solution has no final answer line.`;

const CODE_NOTE =
  'The solution is a program; a step is a part of it (a statement, a block, a function). Write valid code in the same language and indentation.';

function escapeTagText(text: string): string {
  return text.replace(/<\/(step|problem|solution|feedback|rejected|answer|refine-task)>/gi, '<\\/$1>');
}
function unescapeTagText(text: string): string {
  return text.replace(/<\\\/(step|problem|solution|feedback|rejected|answer|refine-task)>/gi, '</$1>');
}

export function buildRefineMessages(input: RefinePromptInput): ChatMessage[] {
  const system = [input.kind === 'step' ? STEP_SYSTEM : REGENERATE_SYSTEM, input.solutionKind === 'code' ? CODE_NOTE : ''].filter(Boolean).join('\n\n');
  const n = input.target + 1;
  const parts: string[] = [`<refine-task kind="${input.kind}" target="${n}" version="${REFINE_PROMPT_VERSION}"></refine-task>`];
  parts.push(`<problem>\n${escapeTagText(input.problem.trim())}\n</problem>`);
  const steps = input.steps.map((s) => `<step number="${s.index + 1}">\n${escapeTagText(s.text)}\n</step>`);
  parts.push(`<solution>\n${steps.join('\n')}\n</solution>`);
  if (input.finalAnswer !== undefined) parts.push(`<answer>\n${escapeTagText(input.finalAnswer)}\n</answer>`);
  parts.push(`<feedback step="${n}">\n${escapeTagText(input.feedback.trim() || 'The critic found this step wrong.')}\n</feedback>`);
  input.rejected.forEach((attempt, i) => {
    parts.push(`<rejected attempt="${i + 1}">\n${escapeTagText(attempt.text)}\n</rejected>\nThis attempt was checked and rejected: ${attempt.reason}`);
  });
  parts.push(
    input.kind === 'step'
      ? `Rewrite step ${n} only.${input.rejected.length > 0 ? ' Do not repeat a rejected attempt.' : ''} Reply with the JSON object only.`
      : `Rewrite steps ${n} to the end and the final answer.${input.rejected.length > 0 ? ' Do not repeat a rejected attempt.' : ''} Reply with the JSON object only.`,
  );
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export interface ParsedRefinePrompt {
  kind: RefineTaskKind;
  /** 1-based. */
  target: number;
  problem: string;
  steps: { number: number; text: string }[];
  finalAnswer?: string;
  feedback: string;
  rejected: string[];
}

/** Reads a refinement prompt back (the scripted test server answers with it); undefined for other prompts. */
export function parseRefinePrompt(user: string): ParsedRefinePrompt | undefined {
  const task = /<refine-task kind="(step|regenerate)" target="(\d+)"/.exec(user);
  if (!task) return undefined;
  const tag = (name: string) => {
    const m = new RegExp(`<${name}[^>]*>\\n?([\\s\\S]*?)\\n?</${name}>`).exec(user);
    return m?.[1] === undefined ? undefined : unescapeTagText(m[1]);
  };
  return {
    kind: task[1] as RefineTaskKind,
    target: Number(task[2]),
    problem: tag('problem') ?? '',
    steps: [...user.matchAll(/<step number="(\d+)">\n?([\s\S]*?)\n?<\/step>/g)].map((m) => ({
      number: Number(m[1]),
      text: unescapeTagText(m[2] ?? ''),
    })),
    finalAnswer: tag('answer'),
    feedback: tag('feedback') ?? '',
    rejected: [...user.matchAll(/<rejected attempt="\d+">\n?([\s\S]*?)\n?<\/rejected>/g)].map((m) => unescapeTagText(m[1] ?? '')),
  };
}

const StepReplySchema = z.object({ analysis: z.string().default(''), replacement: z.string() });
const RegenerateReplySchema = z.object({
  analysis: z.string().default(''),
  steps: z.array(z.string()).min(1),
  finalAnswer: z.string().default(''),
});

export type StepReply = z.infer<typeof StepReplySchema>;
export type RegenerateReply = z.infer<typeof RegenerateReplySchema>;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, content: string): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(extractJsonText(content));
  } catch (error) {
    return { ok: false, error: `the reply is not valid JSON (${errorMessage(error)})` };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, error: `the reply does not have the required shape (${issue?.path.join('.') || 'reply'}: ${issue?.message ?? 'invalid'})` };
  }
  return { ok: true, value: result.data };
}

export function parseStepReply(content: string): Parsed<StepReply> {
  const parsed = parseWith(StepReplySchema, content);
  if (parsed.ok && parsed.value.replacement.trim() === '') return { ok: false, error: 'the replacement is empty' };
  return parsed;
}

export function parseRegenerateReply(content: string): Parsed<RegenerateReply> {
  const parsed = parseWith(RegenerateReplySchema, content);
  if (parsed.ok && parsed.value.steps.every((s) => s.trim() === '')) return { ok: false, error: 'the rewritten steps are empty' };
  return parsed;
}
