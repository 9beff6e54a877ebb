// What the status bar and the language status item say, from the server's status and what the
// client saw go wrong. Pure, so each wording is tested without VS Code.
import { plural, summaryText, type ServerStatusParams, type SolutionSummary } from '../../protocol';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface StatusInput {
  server: ServerState;
  status: ServerStatusParams | undefined;
  provider: string;
  /** Tokens spent by servers that have since restarted, in this window. */
  earlierTokens: number;
  lastError: string | undefined;
  /** The summary of the active document's critique, when it has one. */
  file?: SolutionSummary;
}

export interface StatusText {
  /** Short text for the status bar, with a codicon. */
  text: string;
  /** The language status item's main text and detail. */
  label: string;
  detail: string;
  tooltip: string;
  severity: 'info' | 'warning' | 'error';
  busy: boolean;
}

export function tokensOf(status: ServerStatusParams | undefined): number {
  return status ? status.usage.promptTokens + status.usage.completionTokens : 0;
}

export function formatTokens(n: number): string {
  if (n < 1000) return `${n}`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** The server describes its critic as `model @ baseURL`; the bar has room for the model only. */
function shortModel(description: string | undefined): string | undefined {
  return description?.split(' @ ')[0];
}

/** The tokens, requests and cache hits of this window, each only when there is any. */
function usageText(tokens: number, usage: ServerStatusParams['usage']): string | undefined {
  if (tokens === 0 && usage.requests === 0 && usage.cachedSteps === 0) return undefined;
  const parts = [`${formatTokens(tokens)} tokens`];
  if (usage.requests > 0) parts[0] += ` in ${plural(usage.requests, 'request')}`;
  if (usage.cachedSteps > 0) parts.push(`${plural(usage.cachedSteps, 'step')} from the cache`);
  return `Used in this window: ${parts.join('; ')}`;
}

export function statusText(input: StatusInput): StatusText {
  const { status } = input;
  const tokens = input.earlierTokens + tokensOf(status);
  if (input.server === 'failed' || input.server === 'stopped') {
    const why = input.lastError ?? 'the language server is not running';
    return {
      text: '$(error) Step Critic',
      label: 'Step Critic: server stopped',
      detail: why,
      tooltip: `Step Critic: ${why}. Click for actions (restart the server).`,
      severity: 'error',
      busy: false,
    };
  }
  if (input.server === 'starting' || !status) {
    return {
      text: '$(sync~spin) Step Critic',
      label: 'Step Critic: starting…',
      detail: '',
      tooltip: 'Step Critic: starting the language server…',
      severity: 'info',
      busy: true,
    };
  }
  const critic = status.critic.enabled ? `${input.provider} · ${shortModel(status.critic.model) ?? 'model'}` : 'LLM off: verifiers only';
  const busy = status.busy > 0;
  const file = input.file ? summaryText(input.file) : undefined;
  const lines = [
    `Step Critic — ${status.enabled ? 'critique on' : 'critique paused'}`,
    ...(file ? [`This file: ${file}`] : []),
    // When off, the critic's note is the whole sentence ("LLM critic off: no endpoint configured …").
    status.critic.enabled ? `Critic: ${input.provider} · ${status.critic.model ?? 'model'}` : (status.critic.note ?? 'LLM critic off: verifiers only.'),
    busy ? `Critiquing ${plural(status.busy, 'document')}…` : 'Idle',
    ...(usageText(tokens, status.usage) ? [usageText(tokens, status.usage)!] : []),
    ...(status.trusted ? [] : ['Restricted mode: no code runs; endpoint and model come from your user settings only']),
    ...status.settingsProblems.map((p) => `Setting ignored: ${p}`),
    ...(input.lastError ? [`Last error: ${input.lastError}`] : []),
    ...(status.critic.enabled && status.critic.note ? [`Critic note: ${status.critic.note}`] : []),
  ];
  const icon = busy
    ? '$(sync~spin)'
    : !status.enabled
      ? '$(debug-pause)'
      : input.lastError
        ? '$(warning)'
        : status.critic.enabled
          ? '$(checklist)'
          : '$(circle-slash)';
  const shortCritic = status.critic.enabled ? (shortModel(status.critic.model) ?? input.provider) : 'LLM off';
  // The solution's verdict in one word for the bar (the tooltip has the whole line).
  const solution = input.file?.verdict;
  const verdict = solution && solution !== 'unchecked' ? (solution === 'error' ? 'could not judge' : solution) : undefined;
  return {
    text: [
      `${icon} ${shortCritic}${busy ? ` (${status.busy})` : ''}`,
      ...(verdict ? [verdict] : []),
      ...(tokens > 0 ? [`${formatTokens(tokens)} tok`] : []),
    ].join(' · '),
    label: critic,
    detail: [file ?? '', busy ? `critiquing ${status.busy}` : '', tokens > 0 ? `${formatTokens(tokens)} tokens` : ''].filter(Boolean).join(' · '),
    tooltip: lines.join('\n'),
    severity: input.lastError || status.settingsProblems.length > 0 ? 'warning' : 'info',
    busy,
  };
}
