// SARIF 2.1.0 (OASIS): the format code-scanning tools and the SARIF Viewer read.
// - one rule per finding code; a step's verdict becomes the result's `kind`/`level`:
//     incorrect → fail/error, uncertain → fail/warning, error (could not judge) → open,
//     downstream → informational, correct → pass, unchecked → notApplicable
//   (SARIF allows a `level` other than `none` only with kind `fail`);
// - `rank` = 100·(1 − P(True)): the less likely a step is right, the higher it ranks;
// - fixes come from the step's `fixes` (edits that need no model);
// - P(True), its source, the model and the versions go in `properties`.
// Lines and columns are 1-based and columns count UTF-16 code units, as the report's LSP ranges do.
import type { ClaimKind, FindingCode, Range, TextEdit } from '../types';
import { isRefutedClaim } from '../types';
import { findingCode, isFinding } from './findings';
import type { ReportHead } from './build';
import type { FileReport, Report, ReportShards, StepReport } from './schema';
import { REPORT_SCHEMA_VERSION } from './schema';
import type { StreamRenderer } from './stream';
import { jsonAround, jsonArrayEntry, renderToString } from './stream';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export interface SarifOptions {
  /** `file:` URL of the directory relative paths are relative to (becomes `%SRCROOT%`). */
  baseUri?: string;
  /** Also emit downstream, correct and unchecked steps (as informational, pass, notApplicable). */
  verbose?: boolean;
}

type Kind = 'notApplicable' | 'pass' | 'fail' | 'review' | 'open' | 'informational';
type Level = 'none' | 'note' | 'warning' | 'error';

interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  snippet?: { text: string };
}
interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}
interface SarifLocation {
  physicalLocation: { artifactLocation: SarifArtifactLocation; region?: SarifRegion };
  logicalLocations?: { name: string; fullyQualifiedName?: string; kind?: string }[];
}
interface SarifFix {
  description: { text: string };
  artifactChanges: {
    artifactLocation: SarifArtifactLocation;
    replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[];
  }[];
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: Kind;
  level?: Level;
  message: { text: string };
  locations: SarifLocation[];
  rank?: number;
  partialFingerprints?: Record<string, string>;
  fixes?: SarifFix[];
  properties: Record<string, unknown>;
}
type RuleId = FindingCode | 'solution';
type Rule = { name: string; short: string; full: string; level: Level };

/** One rule per kind of deterministic check besides arithmetic, named after what it checks. */
function verifierRules(): Record<Exclude<ClaimKind, 'arithmetic'>, Rule> {
  const rule = (name: string, what: string): Rule => ({
    name,
    short: `A ${what} in the step is wrong.`,
    full: `A ${what} was checked deterministically (no model) and does not hold.`,
    level: 'error',
  });
  return {
    identity: rule('RefutedIdentity', 'claimed identity between expressions'),
    equation: rule('LostSolution', 'equation step (it loses every solution of the equation before it)'),
    function: rule('RefutedFunctionValue', 'value of a function defined earlier'),
    units: rule('RefutedUnitConversion', 'quantity with units'),
    percent: rule('RefutedPercentage', 'percentage in prose'),
    rounding: rule('RefutedRounding', 'rounded value'),
    reference: {
      name: 'ContradictsReference',
      short: 'A result in the step contradicts the reference solution.',
      full: 'A named result (`Total cost = 30`) differs from the value the reference solution gives the same name; compared deterministically (no model), only when the names match word for word.',
      level: 'error',
    },
  };
}

const RULES: Record<RuleId, Rule> = {
  arithmetic: {
    name: 'RefutedComputation',
    short: 'A computation in the step is wrong.',
    full: 'An explicit computation claim (a op b = c) was recomputed exactly and does not hold.',
    level: 'error',
  },
  ...verifierRules(),
  logic: {
    name: 'IncorrectReasoning',
    short: 'The critic judged the step incorrect.',
    full: 'The LLM critic judged the reasoning of the step incorrect (P(True) at or below the incorrect threshold).',
    level: 'error',
  },
  'test-failure': {
    name: 'FailingTests',
    short: 'Failing tests point at this step.',
    full: "The solution's tests fail and fault localisation ranks this step among the most suspicious.",
    level: 'error',
  },
  syntax: {
    name: 'SyntaxError',
    short: 'The step does not parse.',
    full: 'The code of this step has a syntax error.',
    level: 'error',
  },
  'judge-error': {
    name: 'CouldNotJudge',
    short: 'The step could not be judged.',
    full: 'The critic failed for this step (no reply, a malformed reply, or the budget ran out); it is not a pass.',
    level: 'note',
  },
  downstream: {
    name: 'DownstreamOfError',
    short: 'The step follows an earlier wrong step.',
    full: 'The step builds on the earliest wrong step, so it is not judged on its own.',
    level: 'note',
  },
  'low-confidence': {
    name: 'Uncertain',
    short: 'The critic is not sure the step holds.',
    full: 'P(True) falls between the incorrect and correct thresholds: a person should read this step.',
    level: 'warning',
  },
  solution: {
    name: 'IncorrectSolution',
    short: 'The solution is incorrect as a whole.',
    full: 'The final answer differs from the expected one, or tests fail, without a single step to blame.',
    level: 'error',
  },
};

const RULE_IDS = Object.keys(RULES) as RuleId[];

function verdictKindLevel(step: StepReport): { kind: Kind; level?: Level } {
  switch (step.verdict) {
    case 'incorrect':
      return { kind: 'fail', level: 'error' };
    case 'uncertain':
      return { kind: 'fail', level: 'warning' };
    case 'error':
      return { kind: 'open' };
    case 'downstream':
      return { kind: 'informational' };
    case 'correct':
      return { kind: 'pass' };
    default:
      return { kind: 'notApplicable' };
  }
}

export interface SarifRendererOptions extends SarifOptions {
  /** The critic prompt's version, put in every result's properties. */
  promptVersion?: string;
}

const RESULTS = '@@stepcritic:results@@';
const NOTIFICATIONS = '@@stepcritic:notifications@@';

/** SARIF written entry by entry: results and notifications go to sections, the run around them. */
export function sarifRenderer(options: SarifRendererOptions = {}): StreamRenderer {
  let results = 0;
  let notifications = 0;
  return {
    add(file, sections) {
      const result = (r: SarifResult) => sections.write('results', jsonArrayEntry(r, 4, results++ === 0));
      const artifact = artifactLocation(file.path, options.baseUri);
      if (file.status !== 'judged') {
        const notification = {
          level: file.status === 'failed' ? 'error' : 'warning',
          message: { text: `${file.uri}: ${file.status}: ${file.reason ?? 'no reason given'}` },
          descriptor: { id: file.status },
          locations: [{ physicalLocation: { artifactLocation: artifact, ...recordRegion(file) } }],
        };
        sections.write('notifications', jsonArrayEntry(notification, 6, notifications++ === 0));
        return;
      }
      for (const step of file.steps.filter((s) => options.verbose || isFinding(s))) result(stepResult(file, step, artifact, options.promptVersion));
      const stepBlamed = file.steps.some((s) => s.verdict === 'incorrect');
      if (file.verdict === 'incorrect' && !stepBlamed) result(solutionResult(file, artifact));
    },
    finish(head) {
      return jsonAround(sarifSkeleton(head, options, results > 0 ? [RESULTS] : [], notifications > 0 ? [NOTIFICATIONS] : []), {
        results: RESULTS,
        notifications: NOTIFICATIONS,
      });
    },
  };
}

export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return renderToString(
    sarifRenderer({ ...options, ...(report.tool.promptVersion !== undefined ? { promptVersion: report.tool.promptVersion } : {}) }),
    report,
  );
}

/** `shard-2-of-4`, `shards-1-4-of-4`. */
function shardsSlug(shards: ReportShards): string {
  return `shard${shards.included.length === 1 ? '' : 's'}-${shards.included.join('-')}-of-${shards.count}`;
}

function sarifSkeleton(head: ReportHead, options: SarifOptions, results: unknown[], notifications: unknown[]): unknown {
  const version = head.tool.version;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stepcritic',
            version,
            semanticVersion: version,
            informationUri: 'https://github.com/stepcritic/stepcritic',
            rules: RULE_IDS.map((id) => ({
              id,
              name: RULES[id].name,
              shortDescription: { text: RULES[id].short },
              fullDescription: { text: RULES[id].full },
              defaultConfiguration: { level: RULES[id].level },
              help: { text: RULES[id].full },
            })),
          },
        },
        // A shard's own category, so that code scanning keeps the uploads of every shard instead of the last.
        ...(head.shards ? { automationDetails: { id: `stepcritic/${shardsSlug(head.shards)}/` } } : {}),
        invocations: [{ executionSuccessful: true, endTimeUtc: head.createdAt, toolExecutionNotifications: notifications }],
        ...(options.baseUri ? { originalUriBaseIds: { '%SRCROOT%': { uri: withSlash(options.baseUri) } } } : {}),
        columnKind: 'utf16CodeUnits',
        results,
        properties: {
          reportSchemaVersion: REPORT_SCHEMA_VERSION,
          ...(head.tool.promptVersion !== undefined ? { promptVersion: head.tool.promptVersion } : {}),
          critic: head.critic,
          summary: head.summary,
          ...(head.shards ? { shards: head.shards } : {}),
        },
      },
    ],
  };
}

function stepResult(file: FileReport, step: StepReport, artifact: SarifArtifactLocation, promptVersion: string | undefined): SarifResult {
  const code = findingCode(step);
  // Correct and unchecked steps (verbose only) are results of the reasoning rule that they pass.
  const ruleId: RuleId = code === 'correct' || code === 'unchecked' ? 'logic' : code;
  const { kind, level } = verdictKindLevel(step);
  const inFile = file.record === undefined;
  const model = step.evidence.find((e) => e.kind === 'critic')?.model ?? file.critic?.model;
  const location: SarifLocation = {
    physicalLocation: { artifactLocation: artifact, ...(inFile ? { region: toRegion(focusRange(step), step.text) } : recordRegion(file)) },
    logicalLocations: [{ name: `step ${step.index + 1}`, fullyQualifiedName: `${file.uri}/step ${step.index + 1}`, kind: 'element' }],
  };
  const fixes = inFile && step.fixes.length > 0 ? [toFix(step.fixes, artifact)] : undefined;
  return {
    ruleId,
    ruleIndex: RULE_IDS.indexOf(ruleId),
    kind,
    ...(level ? { level } : {}),
    message: { text: `Step ${step.index + 1} ${step.verdict}: ${step.message}` },
    locations: [location],
    ...(step.pTrue !== null ? { rank: round2(100 * (1 - step.pTrue)) } : {}),
    partialFingerprints: { 'stepcritic/stepHash/v1': step.hash },
    ...(fixes ? { fixes } : {}),
    properties: {
      verdict: step.verdict,
      pTrue: step.pTrue,
      ...(step.rawPTrue !== undefined ? { rawPTrue: step.rawPTrue } : {}),
      source: step.source,
      stepIndex: step.index,
      ...(step.premiseStep !== undefined ? { premiseStep: step.premiseStep } : {}),
      ...(model !== undefined ? { model } : {}),
      ...(promptVersion !== undefined ? { promptVersion } : {}),
      reportSchemaVersion: REPORT_SCHEMA_VERSION,
    },
  };
}

function solutionResult(file: FileReport, artifact: SarifArtifactLocation): SarifResult {
  const answerRange = file.finalAnswer?.range;
  const region = file.record === undefined ? (answerRange ? { region: toRegion(answerRange) } : {}) : recordRegion(file);
  const why = file.warnings.length > 0 ? file.warnings.join(' ') : 'The solution was judged incorrect.';
  return {
    ruleId: 'solution',
    ruleIndex: RULE_IDS.indexOf('solution'),
    kind: 'fail',
    level: 'error',
    message: { text: why },
    locations: [{ physicalLocation: { artifactLocation: artifact, ...region } }],
    properties: {
      verdict: file.verdict,
      finalAnswerPTrue: file.finalAnswerPTrue,
      ...(file.rubric ? { rubricScore: file.rubric.score, rubricMaxPoints: file.rubric.maxPoints, rubricExpectedScore: file.rubric.expectedScore } : {}),
      reportSchemaVersion: REPORT_SCHEMA_VERSION,
    },
  };
}

/** The part of the step the finding is about: a refuted claim or a syntax error, else the whole step. */
function focusRange(step: StepReport): Range {
  for (const e of step.evidence) if (isRefutedClaim(e)) return e.range;
  for (const e of step.evidence) if (e.kind === 'syntax' && e.range) return e.range;
  return step.range;
}

function toRegion(range: Range, snippet?: string): SarifRegion {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    // LSP ends are exclusive; SARIF's endColumn is "the column after the last character", the same thing 1-based.
    endColumn: range.end.character + 1,
    ...(snippet !== undefined ? { snippet: { text: snippet } } : {}),
  };
}

function recordRegion(file: FileReport): { region?: SarifRegion } {
  return file.record?.line !== undefined ? { region: { startLine: file.record.line } } : {};
}

function toFix(edits: readonly TextEdit[], artifact: SarifArtifactLocation): SarifFix {
  return {
    description: { text: edits.length === 1 ? `Replace with ${JSON.stringify(edits[0]!.newText)}` : `Apply ${edits.length} corrections` },
    artifactChanges: [
      {
        artifactLocation: artifact,
        replacements: edits.map((e) => ({ deletedRegion: toRegion(e.range), insertedContent: { text: e.newText } })),
      },
    ],
  };
}

/** A relative path becomes a `%SRCROOT%`-relative URI; an absolute one a `file:` URL. */
export function artifactLocation(path: string, baseUri?: string): SarifArtifactLocation {
  const slashed = path.replace(/\\/g, '/');
  const isAbsolute = slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed);
  const encoded = slashed
    .split('/')
    .map((segment) => (/^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment)))
    .join('/');
  if (isAbsolute) return { uri: `file://${slashed.startsWith('/') ? '' : '/'}${encoded}` };
  return baseUri ? { uri: encoded, uriBaseId: '%SRCROOT%' } : { uri: encoded };
}

function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
