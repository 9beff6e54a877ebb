// Verdicts as diagnostics: one per step that is not plainly correct.
// incorrect → Error, uncertain → Warning, could-not-judge → Information, downstream → Hint;
// correct, accepted, unchecked and still-waiting steps get none (the gutter shows them).
// A final answer that differs from the expected one is an Error on the answer itself.
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import { answerText, refutedClaimText } from '../engine/combine';
import type { SolutionJudgement, StepVerdict } from '../engine/types';
import { isRefutedClaim } from '../engine/types';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from '../protocol/messages';
import { confidenceText } from '../protocol/wording';
import { reasonOf } from './explain';
import type { DocumentView } from './document-view';

const SEVERITY: Partial<Record<StepVerdict['verdict'], DiagnosticSeverity>> = {
  incorrect: DiagnosticSeverity.Error,
  uncertain: DiagnosticSeverity.Warning,
  error: DiagnosticSeverity.Information,
  downstream: DiagnosticSeverity.Hint,
};

const MAX_MESSAGE = 240;

/** The diagnostic code of a final answer that differs from the expected one. */
const FINAL_ANSWER_CODE = 'final-answer';

function shorten(text: string, max = MAX_MESSAGE): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `Step 3 incorrect · P(True) 0.00 · verifier: 48 / 2 = 25 (should be 24).` — the reason said once. */
export function diagnosticMessage(verdict: StepVerdict, critic: SolutionJudgement['critic']): string {
  const n = verdict.stepIndex + 1;
  const head =
    verdict.verdict === 'downstream'
      ? `Step ${n} follows the wrong step ${(verdict.premiseStep ?? 0) + 1}`
      : verdict.verdict === 'error'
        ? `Step ${n} could not be judged`
        : `Step ${n} ${verdict.verdict}`;
  const confidence = verdict.verdict === 'error' ? undefined : confidenceText(verdict.pTrue, verdict.source);
  return shorten(`${head}${confidence ? ` · ${confidence}` : ''}: ${reasonOf(verdict, critic).text}`);
}

/** `version` null: the verdicts are for a file on disk, not an open document. */
export function buildDiagnostics(view: DocumentView, version: number | null = view.version): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const verdict of view.judgement.steps) {
    if (verdict.accepted || view.pending.has(verdict.stepIndex)) continue;
    const severity = SEVERITY[verdict.verdict];
    if (severity === undefined) continue;
    const step = view.document.steps[verdict.stepIndex]!;
    const related: DiagnosticRelatedInformation[] = [];
    if (verdict.verdict === 'downstream' && verdict.premiseStep !== undefined) {
      const premise = view.document.steps[verdict.premiseStep];
      const premiseVerdict = view.judgement.steps[verdict.premiseStep];
      if (premise) {
        related.push({
          location: { uri: view.uri, range: premise.range },
          message: `The wrong step ${verdict.premiseStep + 1}: ${premiseVerdict ? shorten(reasonOf(premiseVerdict, view.judgement.critic).text, 160) : ''}`,
        });
      }
    }
    for (const e of verdict.evidence) {
      if (isRefutedClaim(e)) {
        related.push({
          location: { uri: view.uri, range: e.range },
          message: refutedClaimText(e),
        });
      } else if (e.kind === 'test' && e.status !== 'passed' && e.range) {
        related.push({
          location: { uri: view.uri, range: e.range },
          message: shorten(`Test ${e.name} ${e.status}${e.output ? `: ${e.output}` : ''}`, 200),
        });
      }
    }
    const data: DiagnosticData = {
      stepIndex: verdict.stepIndex,
      stepHash: verdict.stepHash,
      version,
      verdict: verdict.verdict,
      pTrue: verdict.pTrue,
      source: verdict.source,
      fixable: verdict.fixes.length > 0,
    };
    const diagnostic: Diagnostic = {
      range: step.range,
      severity,
      source: DIAGNOSTIC_SOURCE,
      message: diagnosticMessage(verdict, view.judgement.critic),
      data,
    };
    if (verdict.code) diagnostic.code = verdict.code;
    if (related.length > 0) diagnostic.relatedInformation = related;
    diagnostics.push(diagnostic);
  }
  const answer = view.judgement.answer;
  const at = view.document.finalAnswer?.range;
  if (answer?.status === 'differs' && at) {
    // The final answer is a fact of the whole solution: it makes it incorrect even when every step looks right.
    diagnostics.push({ range: at, severity: DiagnosticSeverity.Error, source: DIAGNOSTIC_SOURCE, code: FINAL_ANSWER_CODE, message: answerText(answer) });
  }
  return diagnostics;
}
