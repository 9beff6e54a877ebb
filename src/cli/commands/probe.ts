// `stepcritic probe`: is the configured endpoint usable by the critic, and does it give log-probabilities?
import { probeEndpoint, type ProbeResult } from '../../engine/llm/probe';
import { detectPoolingModel, probePrm } from '../../engine/prm/probe';
import { formatHelp, parseCommandArgs, booleanValue, type OptionSpec } from '../args';
import { EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, type CliContext, type Command } from '../command';
import { LLM_ENDPOINT_OPTIONS, resolveCliCriticConfig } from './llm-options';
import { formatPrmProbe, PRM_OPTIONS, resolveCliPrmConfig, wantsPrm } from './prm-options';

const PROBE_OPTIONS: OptionSpec[] = [...LLM_ENDPOINT_OPTIONS, ...PRM_OPTIONS, { name: 'json', type: 'boolean', description: 'Print the result as JSON' }];

const HELP = {
  usage: 'stepcritic probe [options]',
  description: [
    'Checks the LLM endpoint the critic would use: lists its models, makes one tiny request, and finds',
    'out whether it returns log-probabilities (P(True) from the verdict token) or not (P(True) from the',
    'vote share of sampled verdicts). When something fails, it says what to change.',
  ].join('\n'),
  options: PROBE_OPTIONS,
  sections: {
    'Exit status': ['0  the endpoint works', '1  it does not (the message says why)', '2  usage error (e.g. no endpoint configured)'],
    Environment: ['STEPCRITIC_BASE_URL, STEPCRITIC_MODEL, STEPCRITIC_API_KEY (or OPENAI_API_KEY)'],
    Examples: [
      'stepcritic probe --provider ollama --model qwen2.5:7b',
      'stepcritic probe --base-url http://127.0.0.1:8000/v1 --model Qwen/Qwen2.5-7B-Instruct',
      'stepcritic probe --critic prm --prm-base-url http://127.0.0.1:8000/v1 --prm-model Qwen/Qwen2.5-Math-PRM-7B',
    ],
  },
};

export function formatProbe(result: ProbeResult, keySource: string | undefined, changes: readonly string[]): string[] {
  const lines: string[] = [];
  lines.push(`Endpoint:  ${result.baseUrl}${changes.length > 0 ? `  (${changes.join(', ')})` : ''}`);
  lines.push(`Model:     ${result.model}`);
  lines.push(`API key:   ${keySource ? `from ${keySource}` : 'none sent'}`);
  if (result.models.length > 0) {
    const shown = result.models.slice(0, 8).join(', ') + (result.models.length > 8 ? `, … (${result.models.length})` : '');
    lines.push(`Models:    ${shown}`);
  }
  if (result.ok) {
    lines.push(`Request:   ok in ${result.latencyMs} ms`);
    lines.push(
      result.logprobs
        ? `P(True):   from log-probabilities of the verdict token${result.samplePTrue != null ? ` (test question: P(True) ${result.samplePTrue.toFixed(3)})` : ''}`
        : 'P(True):   no log-probabilities; the critic will use the vote share of sampled verdicts',
    );
  }
  for (const note of result.notes) lines.push(`Note:      ${note}`);
  if (result.problem) {
    lines.push(`Problem:   ${result.problem.message}`);
    lines.push(`Fix:       ${result.problem.fix}`);
  }
  lines.push(result.ok ? 'The endpoint works for the critic.' : 'The endpoint does not work for the critic yet.');
  return lines;
}

export const probeCommand: Command = {
  name: 'probe',
  summary: 'Check the LLM endpoint: models, one tiny request, log-probabilities',
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
    const result = await probeEndpoint(resolved.config, { signal: context.signal });
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
