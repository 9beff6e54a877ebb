// One line about a critiqued file or workspace run, for messages (the wording of a solution is the
// protocol's `summaryText`, the same as the code lens and the status bar show).
import { plural, summaryText, type FileCritique, type WorkspaceCritique } from '../protocol';

export function fileCritiqueLine(result: FileCritique): string {
  if (result.error) return `could not critique: ${result.error}`;
  const critic = result.critic.enabled ? '' : ' (LLM off: verifiers only)';
  return `${summaryText(result.summary)}${critic}`;
}

export function workspaceCritiqueLine(result: WorkspaceCritique): string {
  const done = result.files.length;
  const incorrect = result.files.filter((f) => !f.error && f.summary.verdict === 'incorrect').length;
  const failed = result.files.filter((f) => f.error).length;
  const seconds = (result.durationMs / 1000).toFixed(1);
  const head = result.cancelled ? `Cancelled after ${done} of ${plural(result.total, 'file')}` : `Critiqued ${plural(done, 'file')} in ${seconds} s`;
  const tail = [`${incorrect} incorrect`, ...(failed > 0 ? [`${failed} could not be critiqued`] : [])];
  return `${head}: ${tail.join(', ')}.`;
}
