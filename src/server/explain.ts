// The critique in readable Markdown: a short form for the hover, the full form for "Explain".
// Each fact is said once: the head names the step's state and its confidence, the reason says why
// (from the evidence, never repeating the state or P(True)), and the evidence list adds only what
// the reason did not already say. Figures that are zero or unknown are left out.
import { describeCalibration } from '../engine/calibration/file';
import { answerText, computationsVerified, formatPTrue, refutedClaimText } from '../engine/combine';
import type { Evidence, SolutionJudgement, StepVerdict, Usage } from '../engine/types';
import { isClaimEvidence, isRefutedClaim } from '../engine/types';
import { confidenceText, plural, STATE_WORDS, summaryText } from '../protocol/wording';
import type { DocumentView } from './document-view';
import { fixedWhat } from './code-actions';
import { stateOf, summarize } from './step-states';

const SOURCE_MEANING: Record<StepVerdict['source'], string> = {
  verifier: 'a deterministic check (recomputed arithmetic, tests)',
  logprobs: "the critic's token log-probabilities",
  samples: 'the vote share of sampled critic verdicts',
  verbal: "the critic's stated verdict (no probability)",
  prm: 'a process reward model',
  user: 'you marked it as correct',
  none: 'nothing gave a probability',
};

const CRITIC_SOURCES: ReadonlySet<StepVerdict['source']> = new Set(['logprobs', 'samples', 'verbal', 'prm']);

function fence(text: string, max = 1200): string {
  const body = text.length > max ? `${text.slice(0, max)}\n…` : text;
  const ticks = body.includes('```') ? '````' : '```';
  return `${ticks}text\n${body}\n${ticks}`;
}

function inline(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** Why the step has its verdict, in one sentence, and the evidence that sentence already says. */
export interface Reason {
  text: string;
  said: readonly Evidence[];
}

/** `critic` without its note when the note is said already (above the steps of "Explain"). */
export function reasonOf(verdict: StepVerdict, critic: SolutionJudgement['critic']): Reason {
  if (verdict.accepted) return { text: 'You marked it as correct; Unmark it from the light bulb to undo.', said: [] };
  const refuted = verdict.evidence.filter(isRefutedClaim);
  if (refuted.length > 0) return { text: `${refutedClaimText(refuted[0]!)}.`, said: [refuted[0]!] };
  const judgeError = verdict.evidence.find((e) => e.kind === 'judge-error');
  if (judgeError?.kind === 'judge-error') return { text: sentence(judgeError.message), said: [judgeError] };
  const said = verdict.evidence.find((e) => e.kind === 'critic');
  if (said?.kind === 'critic' && (CRITIC_SOURCES.has(verdict.source) || verdict.verdict === 'downstream')) {
    return { text: said.explanation ? sentence(said.explanation) : 'The critic gave no reason.', said: [said] };
  }
  if (computationsVerified({ verdict: 'unchecked', evidence: verdict.evidence })) {
    return { text: 'Computations verified; reasoning not judged.', said: verdict.evidence.filter(isClaimEvidence) };
  }
  if (verdict.verdict === 'downstream') return { text: 'Not judged on its own.', said: [] };
  if (verdict.verdict === 'unchecked' && verdict.source === 'none') {
    return { text: critic.enabled ? 'Not judged.' : (critic.note ?? 'Not judged: the LLM critic is off.'), said: [] };
  }
  // Verifier verdicts (syntax, failing tests, fault localisation): the engine's sentence has no verdict or P(True) in it.
  return { text: verdict.message, said: [] };
}

function describeEvidence(evidence: readonly Evidence[], full: boolean): string[] {
  const lines: string[] = [];
  for (const e of evidence) {
    if (isClaimEvidence(e)) {
      if (e.status === 'refuted') lines.push(`- ✗ ${inline(refutedClaimText(e))}`);
      else if (e.status === 'uncertain') lines.push(`- ? ${inline(refutedClaimText(e))} may not hold as written${e.note ? ` (${e.note})` : ''}`);
      else if (e.status === 'verified') lines.push(`- ✓ ${inline(e.claim)}`);
      else if (full) lines.push(`- ${inline(e.claim)} could not be checked${e.note ? ` (${e.note})` : ''}`);
      continue;
    }
    switch (e.kind) {
      case 'answer':
        lines.push(`- ${answerText(e)}`);
        break;
      case 'test':
        if (e.status === 'passed') {
          if (full) lines.push(`- ✓ test ${inline(e.name)} passed`);
        } else {
          lines.push(`- ✗ test ${inline(e.name)} ${e.status}`);
          if (e.output) lines.push('', fence(e.output, full ? 4000 : 600), '');
        }
        break;
      case 'syntax':
        lines.push(`- ✗ syntax error: ${e.message}`);
        break;
      case 'fault-localization':
        if (e.failedTests > 0) {
          lines.push(
            `- failing tests point here: rank ${e.rank}, suspiciousness ${e.score.toFixed(2)} (${e.failedTests} failed, ${e.passedTests} passed)${e.clear ? '' : ', no step stands out'}`,
          );
        }
        break;
      case 'critic':
        lines.push(
          `- the critic (${e.model}${e.cached ? ', from the cache' : ''}) says ${e.verdict}${e.pTrue === null ? '' : `, P(True) ${e.pTrue.toFixed(2)}`}${e.explanation ? `: ${e.explanation}` : ''}`,
        );
        break;
      case 'judge-error':
        lines.push(`- could not judge: ${e.message}`);
        break;
    }
  }
  return lines;
}

/** What a run cost; undefined when it cost nothing (the verifiers settled it, or everything came from the cache). */
export function usageLine(usage: Usage): string | undefined {
  const tokens = usage.promptTokens + usage.completionTokens;
  const parts: string[] = [];
  if (usage.requests > 0)
    parts.push(`${plural(tokens, 'token')} (${usage.promptTokens} prompt + ${usage.completionTokens} completion) in ${plural(usage.requests, 'request')}`);
  if (usage.cachedSteps > 0) parts.push(`${plural(usage.cachedSteps, 'step')} from the cache`);
  return parts.length > 0 ? `${parts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()) : undefined;
}

/** `**Step 3 · incorrect** · P(True) 0.00 · verifier`, `**Step 1 · computations verified; reasoning not judged**` */
function stepHead(view: DocumentView, verdict: StepVerdict): string {
  const state = stateOf(view, verdict);
  const n = verdict.stepIndex + 1;
  if (state === 'queued') return `**Step ${n} · waiting for the critic** (save or run Critique)`;
  if (state === 'judging') return `**Step ${n} · being judged…**`;
  if (state === 'verified') return `**Step ${n} · computations verified; reasoning not judged**`;
  if (state === 'downstream') return `**Step ${n} · downstream of the wrong step ${(verdict.premiseStep ?? 0) + 1}**`;
  const confidence = state === 'accepted' ? undefined : confidenceText(verdict.pTrue, verdict.source);
  const calibration = verdict.rawPTrue !== undefined && view.judgement.calibration ? view.judgement.calibration : undefined;
  const calibrated = confidence && calibration ? ` · ${describeCalibration(calibration)}, the critic said ${formatPTrue(verdict.rawPTrue ?? null)}` : '';
  return `**Step ${n} · ${STATE_WORDS[state]}**${confidence ? ` · ${confidence}` : ''}${calibrated}`;
}

export function stepMarkdown(view: DocumentView, verdict: StepVerdict, full: boolean, criticNoteSaid = false): string {
  const state = stateOf(view, verdict);
  const parts = [stepHead(view, verdict)];
  if (state === 'queued' || state === 'judging') return parts.join('');
  if (full && verdict.pTrue !== null) parts.push(`_P(True) from ${SOURCE_MEANING[verdict.source]}._`);
  const critic = criticNoteSaid ? { enabled: view.judgement.critic.enabled } : view.judgement.critic;
  const reason = reasonOf(verdict, critic);
  // The verified head says it all; its computations follow as evidence.
  if (state !== 'verified') parts.push(reason.text);
  const evidence = describeEvidence(
    verdict.evidence.filter((e) => !reason.said.includes(e) || state === 'verified'),
    full,
  );
  if (evidence.length > 0) parts.push(evidence.join('\n'));
  if (verdict.verdict === 'downstream' && verdict.premiseStep !== undefined && full) {
    const premise = view.judgement.steps[verdict.premiseStep];
    if (premise) parts.push(`Step ${verdict.premiseStep + 1}: ${reasonOf(premise, view.judgement.critic).text}`);
  }
  if (verdict.fixes.length > 0 && !verdict.accepted)
    parts.push(`Quick fix: **Fix ${fixedWhat([verdict])}** (${verdict.fixes.map((f) => inline(f.newText)).join(', ')}).`);
  if (full) {
    const step = view.document.steps[verdict.stepIndex];
    if (step) parts.push(`**Step text**\n\n${fence(step.text)}`);
  }
  return parts.join('\n\n');
}

/** The code lens and the first line of "Explain" for the whole file. */
export function summaryLine(view: DocumentView): string {
  return summaryText(summarize(view));
}

export function fileMarkdown(view: DocumentView): string {
  const j: SolutionJudgement = view.judgement;
  const parts: string[] = [`# Step Critic: ${view.uri.split('/').pop() ?? view.uri}`, summaryLine(view)];
  if (!view.done) parts.push('The critique is not finished.');
  if (j.answer) parts.push(answerText(j.answer));
  parts.push(j.critic.enabled ? `Critic: ${j.critic.model ?? 'on'}${j.critic.note ? ` — ${j.critic.note}` : ''}` : (j.critic.note ?? 'LLM critic off.'));
  if (j.warnings.length > 0) parts.push(`**Notes**\n\n${j.warnings.map((w) => `- ${w}`).join('\n')}`);
  for (const verdict of j.steps) parts.push(stepMarkdown(view, verdict, true, true));
  const usage = usageLine(j.usage);
  if (usage) parts.push(`_${usage}_`);
  return parts.join('\n\n');
}

/** `the endpoint refused` → `The endpoint refused.` */
function sentence(text: string): string {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?)]$/.test(t) ? '' : '.'}`;
}
