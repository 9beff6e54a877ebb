// The critique in readable Markdown: a short form for the hover, the full form for "Explain".
import { describeCalibration } from '../engine/calibration/file';
import { formatPTrue } from '../engine/combine';
import type { Evidence, SolutionJudgement, StepVerdict, Usage } from '../engine/types';
import { isClaimEvidence } from '../engine/types';
import { claimCorrection, claimNoun } from '../engine/verify/claim-words';
import type { DocumentView } from './document-view';
import { fixedWhat } from './code-actions';
import { sourceLabel } from './diagnostics';
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

function fence(text: string, max = 1200): string {
  const body = text.length > max ? `${text.slice(0, max)}\n…` : text;
  const ticks = body.includes('```') ? '````' : '```';
  return `${ticks}text\n${body}\n${ticks}`;
}

function inline(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}

export function describeEvidenceMarkdown(evidence: readonly Evidence[], full: boolean): string[] {
  const lines: string[] = [];
  for (const e of evidence) {
    if (isClaimEvidence(e)) {
      const correction = claimCorrection(e, inline);
      const what = `${claimNoun(e.kind)} ${inline(e.claim)}`;
      if (e.status === 'refuted') lines.push(`- ✗ ${what} is false${correction ? `: ${correction}` : ''}`);
      else if (e.status === 'uncertain') lines.push(`- ? ${what} may not hold as written${correction ? `: ${correction}` : ''}${e.note ? ` (${e.note})` : ''}`);
      else if (e.status === 'verified' && full) lines.push(`- ✓ ${what} checks out`);
      else if (e.status === 'uncheckable' && full) lines.push(`- ${what} could not be checked${e.note ? ` (${e.note})` : ''}`);
      continue;
    }
    switch (e.kind) {
      case 'answer':
        lines.push(
          `- Final answer ${inline(e.actual)} ${e.status === 'matches' ? 'matches' : e.status === 'differs' ? 'differs from' : 'could not be compared with'} the expected ${inline(e.expected)}`,
        );
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
          `- critic (${e.model}${e.cached ? ', from cache' : ''}): **${e.verdict}**, P(True) ${formatPTrue(e.pTrue)} via ${e.source}${e.explanation ? ` — ${e.explanation}` : ''}`,
        );
        break;
      case 'judge-error':
        lines.push(`- could not judge: ${e.message}`);
        break;
    }
  }
  return lines;
}

export function usageLine(usage: Usage): string {
  const tokens = usage.promptTokens + usage.completionTokens;
  return `Tokens: ${tokens} (${usage.promptTokens} prompt + ${usage.completionTokens} completion) in ${usage.requests} request${usage.requests === 1 ? '' : 's'}; ${usage.cachedSteps} step${usage.cachedSteps === 1 ? '' : 's'} from the cache.`;
}

function stateWord(view: DocumentView, verdict: StepVerdict): string {
  const state = stateOf(view, verdict);
  return state === 'queued' ? 'waiting for the critic' : state === 'judging' ? 'being judged' : state;
}

export function stepMarkdown(view: DocumentView, verdict: StepVerdict, full: boolean): string {
  const state = stateWord(view, verdict);
  const parts: string[] = [];
  const calibration = verdict.rawPTrue !== undefined && view.judgement.calibration ? view.judgement.calibration : undefined;
  const calibrated = calibration ? ` ${describeCalibration(calibration)}, the critic said ${formatPTrue(verdict.rawPTrue ?? null)}` : '';
  parts.push(`**Step ${verdict.stepIndex + 1} — ${state}** · P(True) ${formatPTrue(verdict.pTrue)}${calibrated} · source: ${sourceLabel(verdict)}`);
  if (full) parts.push(`_P(True) source: ${SOURCE_MEANING[verdict.source]}._`);
  parts.push(verdict.message);
  if (verdict.verdict === 'downstream' && verdict.premiseStep !== undefined) {
    const premise = view.judgement.steps[verdict.premiseStep];
    parts.push(`Builds on step ${verdict.premiseStep + 1}, which is wrong${premise ? `: ${premise.message}` : '.'}`);
  }
  const evidence = describeEvidenceMarkdown(verdict.evidence, full);
  if (evidence.length > 0) parts.push(`**Evidence**\n\n${evidence.join('\n')}`);
  if (verdict.fixes.length > 0)
    parts.push(`A fix without the model is available: **Fix ${fixedWhat([verdict])}** (${verdict.fixes.map((f) => inline(f.newText)).join(', ')}).`);
  if (full) {
    const step = view.document.steps[verdict.stepIndex];
    if (step) parts.push(`**Step text**\n\n${fence(step.text)}`);
  }
  parts.push(`_${usageLine(view.judgement.usage)}_`);
  return parts.join('\n\n');
}

export function summaryLine(view: DocumentView): string {
  const summary = summarize(view);
  const order: (keyof typeof summary.counts)[] = ['correct', 'accepted', 'incorrect', 'uncertain', 'downstream', 'error', 'unchecked', 'judging', 'queued'];
  const words: Record<string, string> = { error: 'could not judge', queued: 'waiting', judging: 'judging' };
  const parts = order.filter((k) => summary.counts[k] > 0).map((k) => `${summary.counts[k]} ${words[k] ?? k}`);
  if (parts.length === 0) parts.push('no steps');
  if (summary.pTrue !== null) parts.push(`P(True) ${formatPTrue(summary.pTrue)}`);
  return parts.join(' · ');
}

export function fileMarkdown(view: DocumentView): string {
  const j: SolutionJudgement = view.judgement;
  const parts: string[] = [`# Step Critic: ${view.uri.split('/').pop() ?? view.uri}`, summaryLine(view)];
  parts.push(
    j.firstErrorIndex >= 0
      ? `The first wrong step is **step ${j.firstErrorIndex + 1}**.`
      : view.done
        ? 'No wrong step was found.'
        : 'The critique is not finished.',
  );
  parts.push(
    j.critic.enabled
      ? `Critic: ${j.critic.model ?? 'on'}${j.critic.note ? ` — ${j.critic.note}` : ''}`
      : `Critic off${j.critic.note ? `: ${j.critic.note}` : ''}`,
  );
  if (j.finalAnswerPTrue !== null) parts.push(`P(True) of the final answer: ${formatPTrue(j.finalAnswerPTrue)}`);
  if (j.warnings.length > 0) parts.push(`**Notes**\n\n${j.warnings.map((w) => `- ${w}`).join('\n')}`);
  for (const verdict of j.steps) {
    parts.push(`## Step ${verdict.stepIndex + 1}`);
    parts.push(stepMarkdown(view, verdict, true).replace(/\n\n_Tokens:[^\n]*_$/, ''));
  }
  parts.push(`_${usageLine(j.usage)}_`);
  return parts.join('\n\n');
}
