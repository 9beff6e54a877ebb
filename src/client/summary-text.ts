// One line about a critiqued file, for messages: "5 steps: first wrong step 3 · P(True) 0.12".
import type { FileCritique, SolutionSummary, WorkspaceCritique } from '../protocol';

export function summaryLine(summary: SolutionSummary): string {
  const parts = [`${summary.totalSteps} step${summary.totalSteps === 1 ? '' : 's'}`];
  if (summary.firstErrorIndex >= 0) parts.push(`first wrong step: ${summary.firstErrorIndex + 1}`);
  else if (summary.verdict === 'correct') parts.push('no wrong step found');
  else if (summary.verdict) parts.push(summary.verdict === 'error' ? 'could not judge every step' : summary.verdict);
  if (summary.pTrue !== null) parts.push(`P(True) ${summary.pTrue.toFixed(2)}`);
  if (summary.truncated) parts.push('truncated at stepcritic.maxSteps');
  return parts.join(' · ');
}

export function fileCritiqueLine(result: FileCritique): string {
  if (result.error) return `could not critique: ${result.error}`;
  const critic = result.critic.enabled ? '' : ' (LLM off: verifiers only)';
  return `${summaryLine(result.summary)}${critic}`;
}

export function workspaceCritiqueLine(result: WorkspaceCritique): string {
  const done = result.files.length;
  const wrong = result.files.filter((f) => !f.error && f.summary.firstErrorIndex >= 0).length;
  const failed = result.files.filter((f) => f.error).length;
  const seconds = (result.durationMs / 1000).toFixed(1);
  const head = result.cancelled ? `Cancelled after ${done} of ${result.total} files` : `Critiqued ${done} file${done === 1 ? '' : 's'} in ${seconds} s`;
  const tail = [`${wrong} with a wrong step`, ...(failed > 0 ? [`${failed} could not be critiqued`] : [])];
  return `${head}: ${tail.join(', ')}.`;
}
