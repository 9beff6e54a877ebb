// `stepcritic probe`: does the configured endpoint work for the critic, and how will the critic use it?
import { probeEndpoint, type ProbeResult } from '../../engine/llm/probe';
import { detectPoolingModel, probePrm } from '../../engine/prm/probe';
import { formatHelp, parseCommandArgs, booleanValue, type OptionSpec } from '../args';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, type CliContext, type Command } from '../command';
import { cliCapabilityStore, LLM_PROBE_OPTIONS, resolveCliCriticConfig } from './llm-options';
import { formatPrmProbe, PRM_OPTIONS, resolveCliPrmConfig, wantsPrm } from './prm-options';

const PROBE_OPTIONS: OptionSpec[] = [...LLM_PROBE_OPTIONS, ...PRM_OPTIONS, { name: 'json', type: 'boolean', description: 'Print the result as JSON' }];

const HELP = {
  usage: 'stepcritic probe [options]',
  description: [
    'Proves that the LLM endpoint works for the critic: lists its models, has a two-step solution',
    'critiqued (one step right, one wrong) and reads the verdicts, then says where P(True) will come',
    'from and why (log-probabilities, or the vote of sampled verdicts), whether a JSON schema shapes the',
    'replies, how fast the model writes, and how many requests the server works on at once. What it',
    'learns is kept (next to the critic cache) for the next check. When something fails, it says what',
    'to change. With --critic prm it checks the process reward model instead.',
  ].join('\n'),
  options: PROBE_OPTIONS,
  sections: {
    'Exit status': ['0  the endpoint works', '1  it does not (the message says why)', '2  usage error (e.g. no endpoint configured)'],
    Environment: ['STEPCRITIC_BASE_URL, STEPCRITIC_MODEL, STEPCRITIC_API_KEY (or OPENAI_API_KEY), STEPCRITIC_CACHE_DIR'],
    Examples: [
      'stepcritic probe --provider ollama --model qwen2.5:7b',
      'stepcritic probe --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct',
      'stepcritic probe --critic prm --prm-base-url http://127.0.0.1:8000/v1 --prm-model Qwen/Qwen2.5-Math-PRM-7B',
    ],
  },
};

function formatPTrue(p: number | null): string {
  return p === null ? 'no probability' : `P(True) ${p.toFixed(2)}`;
}

export function formatProbe(result: ProbeResult, keySource: string | undefined, changes: readonly string[]): string[] {
  const lines: string[] = [];
  lines.push(`Endpoint:     ${result.baseUrl}${changes.length > 0 ? `  (${changes.join(', ')})` : ''}`);
  lines.push(`Model:        ${result.model}`);
  lines.push(`API key:      ${keySource ? `from ${keySource}` : 'none sent'}`);
  if (result.models.length > 0) {
    const shown = result.models.slice(0, 8).join(', ') + (result.models.length > 8 ? `, … (${result.models.length})` : '');
    lines.push(`Models:       ${shown}`);
  }
  if (result.critique) {
    const steps = result.critique.map((s) => `step ${s.step} ${s.verdict}${s.verdict === 'error' ? '' : ` (${formatPTrue(s.pTrue)}, ${s.source})`}`);
    lines.push(`Critique:     ${steps.join('; ')}${result.latencyMs !== undefined ? ` in ${result.latencyMs} ms` : ''}`);
  }
  if (result.pTrueSource) lines.push(`P(True):      from ${result.pTrueSource}: ${result.pTrueReason ?? ''}`);
  if (result.structuredOutput) {
    const text = {
      enforced: 'a JSON schema shapes every reply',
      refused: 'the endpoint takes no JSON schema; the reply format is asked for in the prompt',
      off: 'off (--json-schema off); the reply format is asked for in the prompt',
    }[result.structuredOutput];
    lines.push(`Structured:   ${text}`);
  }
  if (result.speed) {
    const first = result.speed.firstTokenMs === null ? 'the reply came whole' : `first token after ${result.speed.firstTokenMs} ms`;
    const rate = result.speed.tokensPerSecond === null ? '' : `, ${result.speed.tokensPerSecond.toFixed(1)} tokens/s`;
    lines.push(`Speed:        ${first}${rate}`);
  }
  if (result.concurrency) {
    const { tested, sustained } = result.concurrency;
    lines.push(
      sustained >= tested
        ? `Concurrency:  ${tested} requests sent together were answered side by side`
        : `Concurrency:  ${tested} requests sent together were answered ${sustained === 1 ? 'one at a time' : `${sustained} at a time`}; the critic will send ${sustained} at a time`,
    );
  }
  for (const adaptation of result.adaptations) lines.push(`Adapted:      ${adaptation}`);
  for (const note of result.notes) lines.push(`Note:         ${note}`);
  if (result.problem) {
    lines.push(`Problem:      ${result.problem.message}`);
    lines.push(`Fix:          ${result.problem.fix}`);
  }
  lines.push(result.ok ? 'The endpoint works for the critic.' : 'The endpoint does not work for the critic yet.');
  return lines;
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'Prove the LLM endpoint works: a real two-step critique, P(True) source, speed, concurrency',
  help: () => formatHelp(HELP),
  async run(context: CliContext): Promise<number> {
    const args = parseCommandArgs('probe', context.argv, PROBE_OPTIONS);
    if (wantsPrm(args)) {
      const prm = resolveCliPrmConfig('probe', args, context.env);
      if (!prm.ok) {
        context.stderr.write(`stepcritic probe: ${prm.reason.replace(/^PRM critic off: /, '')}\n`);
        return EXIT_USAGE;
      }
      const found = await probePrm(prm.config, { signal: context.signal });
      context.stdout.write(booleanValue(args, 'json') ? `${JSON.stringify(found, null, 2)}\n` : `${formatPrmProbe(found, prm.changes).join('\n')}\n`);
      return found.ok ? EXIT_CLEAN : EXIT_FINDINGS;
    }
    const resolved = resolveCliCriticConfig('probe', args, context.env);
    if (!resolved.ok) {
      context.stderr.write(`stepcritic probe: ${resolved.reason.replace(/^LLM critic off: /, '')}\n`);
      return EXIT_USAGE;
    }
    const result = await probeEndpoint(resolved.config, { signal: context.signal, capabilities: cliCapabilityStore(args, context.env) });
    // A chat request refused by a process reward model: say what it is and how to use it.
    if (!result.ok && (await detectPoolingModel(resolved.config, { signal: context.signal })) !== undefined) {
      result.notes.push(
        `"${resolved.config.model}" is a pooling model (POST /pooling answers): use it with --critic prm --prm-base-url ${resolved.config.baseUrl} --prm-model ${resolved.config.model}.`,
      );
    }
    if (booleanValue(args, 'json')) {
      context.stdout.write(`${JSON.stringify({ ...result, keySource: resolved.keySource ?? null, baseUrlChanges: resolved.changes }, null, 2)}\n`);
    } else {
      context.stdout.write(`${formatProbe(result, resolved.keySource, resolved.changes).join('\n')}\n`);
    }
    return result.ok ? EXIT_CLEAN : EXIT_FINDINGS;
  },
};
