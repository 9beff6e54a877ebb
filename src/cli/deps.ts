// The one place where the CLI decides which checks a run may use (the LLM critic, running code) and
// builds the judge's dependencies from flags and the environment. Features that add a check extend
// `buildCheckDependencies` and the flags it reads; `check` and the other commands only call it.
import type { CacheStore } from '../engine/cache/store';
import type { JudgeDependencies } from '../engine/judge';
import { missingCheckWorker } from '../engine/deadline/check-pool';
import type { CliContext } from './command';
import { describeCalibration } from '../engine/calibration/file';
import type { ReplySource } from '../engine/llm/batch-request';
import type { LlmCritic } from '../engine/llm/critic';
import { createCodeChecker } from '../engine/code/checker';
import type { Report } from '../engine/report/schema';
import type { ParsedArgs } from './args';
import { cliCriticIdentity, readCliCalibration } from './commands/calibration-option';
import { readCliRubric } from './commands/rubric-option';
import { createCliStepCritic } from './commands/prm-options';

export interface CheckDependencies {
  deps: JudgeDependencies;
  /** The LLM critic when it judges (its configuration decides the run's concurrency, config hash and answer triage). */
  llm?: LlmCritic;
  /** Whether code solutions' tests run (--run-code). */
  runCode: boolean;
  /** The critic as the report describes it for the whole run. */
  critic: Report['critic'];
  promptVersion?: string;
  /** The cache folder's store when the cache is on (the critic's verdicts, and the result cache of `check`). */
  cacheStore?: CacheStore;
  /** One line for stderr before the run (e.g. that the LLM critic is off and why). */
  notice?: string;
  /** Releases what the dependencies hold (connections, caches): called once after the run. */
  close(): Promise<void>;
}

export interface DependencyInput {
  args: ParsedArgs;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Gets a line whenever the LLM critic adapts to its endpoint (e.g. log-probabilities refused → samples). */
  report?: (line: string) => void;
  /** The critic's replies come from a batch (`stepcritic batch`, --batch-api), not from live requests. */
  replies?: ReplySource;
}

export const CRITIC_OFF_NO_ENDPOINT = 'LLM critic off: no endpoint configured';

export async function buildCheckDependencies(input: DependencyInput): Promise<CheckDependencies> {
  // The critic: the LLM one when an endpoint is configured (or --llm), the PRM with --critic prm; off
  // with --no-llm or nothing configured.
  const llm = await createCliStepCritic('check', input.args, input.env, {
    ...(input.report ? { report: input.report } : {}),
    ...(input.replies ? { replies: input.replies } : {}),
  });
  const critic: JudgeDependencies = llm.critic ? { critic: llm.critic } : { criticOffReason: llm.offReason ?? CRITIC_OFF_NO_ENDPOINT };
  // --calibration: the critic's P(True) through a map fitted for this very critic.
  const calibration = readCliCalibration('check', input.args, cliCriticIdentity(llm), llm.offReason ?? CRITIC_OFF_NO_ENDPOINT);
  // Code solutions: always segmented and syntax-checked; their tests run only with --run-code.
  const runCode = input.args.values['run-code'] === true;
  // --rubric: one rubric for every solution (a malformed one stops the run here, naming the item).
  const rubric = readCliRubric('check', input.args, input.cwd);
  const deps: JudgeDependencies = {
    ...critic,
    codeChecker: createCodeChecker({ allowRun: runCode }),
    ...(calibration ? { calibration } : {}),
    ...(rubric ? { rubric } : {}),
  };
  return {
    deps,
    ...(llm.llm ? { llm: llm.llm } : {}),
    runCode,
    critic: llm.critic ? { enabled: true, model: llm.model ?? llm.critic.description } : { enabled: false, note: llm.offReason ?? CRITIC_OFF_NO_ENDPOINT },
    ...(llm.protocolVersion !== undefined ? { promptVersion: llm.protocolVersion } : {}),
    ...(llm.store ? { cacheStore: llm.store } : {}),
    notice: calibration ? `${llm.notice}; P(True) ${describeCalibration(calibration.note)}` : llm.notice,
    close: async () => llm.store?.close(),
  };
}

/** A run without the bundled check worker has no time limit per text: said on stderr, once, before the run. */
export function warnIfNoCheckWorker(context: Pick<CliContext, 'stderr'>): void {
  const missing = missingCheckWorker();
  if (missing) context.stderr.write(`stepcritic: warning: ${missing}\n`);
}
