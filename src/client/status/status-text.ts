// What the status bar and the language status item say, from the server's status and what the
// client saw go wrong. Pure, so each wording is tested without VS Code.
import type { ServerStatusParams } from '../../protocol';

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

export interface StatusInput {
  server: ServerState;
  status: ServerStatusParams | undefined;
  provider: string;
  /** Tokens spent by servers that have since restarted, in this window. */
  earlierTokens: number;
  lastError: string | undefined;
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
  const lines = [
    `Step Critic — ${status.enabled ? 'critique on' : 'critique paused'}`,
    `Critic: ${status.critic.enabled ? `${input.provider} · ${status.critic.model ?? 'model'}` : critic}${!status.critic.enabled && status.critic.note ? ` (${status.critic.note})` : ''}`,
    busy ? `Critiquing ${status.busy} document${status.busy === 1 ? '' : 's'}…` : 'Idle',
    `Tokens used in this window: ${tokens} (${status.usage.requests} requests, ${status.usage.cachedSteps} steps from the cache)`,
    ...(status.trusted ? [] : ['Restricted mode: no code runs; endpoint and model come from your user settings only']),
    ...status.settingsProblems.map((p) => `Setting ignored: ${p}`),
    ...(input.lastError ? [`Last error: ${input.lastError}`] : []),
    ...(status.critic.enabled && status.critic.note ? [`Critic: ${status.critic.note}`] : []),
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
  return {
    text: `${icon} ${shortCritic}${busy ? ` (${status.busy})` : ''}${tokens > 0 ? ` · ${formatTokens(tokens)} tok` : ''}`,
    label: critic,
    detail: [busy ? `critiquing ${status.busy}` : '', `${formatTokens(tokens)} tokens`].filter(Boolean).join(' · '),
    tooltip: lines.join('\n'),
    severity: input.lastError || status.settingsProblems.length > 0 ? 'warning' : 'info',
    busy,
  };
}
