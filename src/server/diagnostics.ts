// Verdicts as diagnostics: one per step that is not plainly correct.
// incorrect → Error, uncertain → Warning, could-not-judge → Information, downstream → Hint;
// correct, accepted, unchecked and still-waiting steps get none (the gutter shows them).
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import { formatPTrue } from '../engine/combine';
import type { StepVerdict } from '../engine/types';
import { isRefutedClaim } from '../engine/types';
import { claimCorrection } from '../engine/verify/claim-words';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from '../protocol/messages';
import type { DocumentView } from './document-view';

const SEVERITY: Partial<Record<StepVerdict['verdict'], DiagnosticSeverity>> = {
  incorrect: DiagnosticSeverity.Error,
  uncertain: DiagnosticSeverity.Warning,
  error: DiagnosticSeverity.Information,
  downstream: DiagnosticSeverity.Hint,
};

const MAX_MESSAGE = 240;

function shorten(text: string, max = MAX_MESSAGE): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function sourceLabel(verdict: Pick<StepVerdict, 'source'>): string {
  return verdict.source === 'none' ? 'no source' : verdict.source;
}

export function diagnosticMessage(verdict: StepVerdict): string {
  const head =
    verdict.verdict === 'downstream'
      ? `Step ${verdict.stepIndex + 1} follows the wrong step ${(verdict.premiseStep ?? 0) + 1}`
      : verdict.verdict === 'error'
        ? `Step ${verdict.stepIndex + 1} could not be judged`
        : `Step ${verdict.stepIndex + 1} ${verdict.verdict}`;
  const p = `P(True) ${formatPTrue(verdict.pTrue)} (${sourceLabel(verdict)})`;
  const detail = verdict.verdict === 'downstream' ? verdict.message.replace(/^Follows the wrong step \d+\.\s*/, '') : verdict.message;
  return shorten(`${head} · ${p}: ${detail}`);
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
          message: `The wrong step ${verdict.premiseStep + 1}: ${shorten(premiseVerdict?.message ?? '', 160)}`,
        });
      }
    }
    for (const e of verdict.evidence) {
      if (isRefutedClaim(e)) {
        const correction = claimCorrection(e);
        related.push({
          location: { uri: view.uri, range: e.range },
          message: `${e.claim} is false${correction ? `: ${correction}` : ''}`,
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
      message: diagnosticMessage(verdict),
      data,
    };
    if (verdict.code) diagnostic.code = verdict.code;
    if (related.length > 0) diagnostic.relatedInformation = related;
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}
