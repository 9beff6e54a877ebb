// The HTML report: one self-contained page (inline CSS, a little inline JS, inline SVG; a CSP that
// forbids any network access) that a person opens in a browser or a VS Code webview. Pure: a Report
// in, a string out.
//
// What it shows: a summary; a filterable, sortable table of every file or record; each solution step
// by step, coloured by verdict with its P(True); a histogram of step P(True); and, where the entries
// carry ground-truth labels (ProcessBench and the other datasets), the ProcessBench table (accuracy on
// erroneous and on correct solutions, their harmonic mean) and a reliability diagram.
import { describeShards, formatDuration } from './findings';
import { escapeHtml } from './html-escape';
import type { ReportHead } from './build';
import type { ProbabilityOutcome } from '../eval/metrics';
import type { F1Row } from './html-metrics';
import type { Calibration } from './html-metrics';
import { calibration, countPTrue, hasLabels, labelledStepPairs, ProcessBenchTally } from './html-metrics';
import { describeCalibration } from '../calibration/file';
import type { CalibrationNote } from '../types';
import type { FileReport, Report, StepReport } from './schema';
import type { StreamRenderer } from './stream';
import { renderToString } from './stream';
import { histogramSvg, reliabilitySvg } from './svg-charts';

/** What the triage pass decided for an entry (from the run log). */
export interface HtmlTriageNote {
  settled: boolean;
  reason: string;
}

export interface HtmlReportOptions {
  title?: string;
  /** Triage notes by entry uri. */
  triage?: ReadonlyMap<string, HtmlTriageNote>;
  /** The run the report comes from (run log header). */
  run?: { id: string; configHash: string; logPath?: string; interrupted?: boolean; inputs?: readonly string[] };
  /** Solutions shown step by step (the table always lists every entry). Default 2,000. */
  maxDetailed?: number;
  /** A CSP nonce for the inline style and script (a VS Code webview sets one). */
  nonce?: string;
}

export const DEFAULT_MAX_DETAILED = 2000;

const VERDICT_LABEL: Record<string, string> = {
  correct: 'correct',
  incorrect: 'incorrect',
  uncertain: 'uncertain',
  downstream: 'downstream',
  unchecked: 'unchecked',
  error: 'could not judge',
};

const SOLUTION_ORDER = ['correct', 'incorrect', 'uncertain', 'error', 'unchecked'] as const;
const STEP_ORDER = ['correct', 'incorrect', 'uncertain', 'downstream', 'unchecked', 'error'] as const;

const e = escapeHtml;

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
}

function prob(p: number | null): string {
  return p === null ? 'n/a' : p.toFixed(2);
}

/** Meter widths as classes in 5% steps: no inline style attributes, so a strict CSP holds. */
function widthClass(p: number): string {
  return `w${Math.round(Math.max(0, Math.min(1, p)) * 20)}`;
}

function badge(verdict: string, extra = ''): string {
  return `<span class="badge v-${e(verdict)}${extra ? ` ${extra}` : ''}">${e(VERDICT_LABEL[verdict] ?? verdict)}</span>`;
}

function firstError(file: FileReport): string {
  if (file.firstErrorIndex === null) return '—';
  return file.firstErrorIndex >= 0 ? String(file.firstErrorIndex + 1) : 'none';
}

function labelFirstError(file: FileReport): string {
  if (!hasLabels(file)) return '';
  const k = file.labels!.firstErrorStep!;
  return k >= 0 ? String(k + 1) : 'none';
}

function labelMatch(file: FileReport): 'match' | 'mismatch' | 'none' {
  if (!hasLabels(file) || file.status !== 'judged' || file.firstErrorIndex === null) return 'none';
  return file.firstErrorIndex === file.labels!.firstErrorStep ? 'match' : 'mismatch';
}

function rowVerdict(file: FileReport): string {
  return file.status === 'judged' ? (file.verdict ?? 'unchecked') : file.status;
}

function stepStrip(file: FileReport): string {
  if (file.steps.length === 0) return '<span class="muted">—</span>';
  const cells = file.steps
    .slice(0, 60)
    .map(
      (s) => `<span class="cell v-${e(s.verdict)}" title="step ${s.index + 1}: ${e(VERDICT_LABEL[s.verdict] ?? s.verdict)}, P(True) ${prob(s.pTrue)}"></span>`,
    )
    .join('');
  return `<span class="strip">${cells}${file.steps.length > 60 ? `<span class="muted"> +${file.steps.length - 60}</span>` : ''}</span>`;
}

function summaryCards(head: ReportHead): string {
  const s = head.summary;
  const totalSteps = Object.values(s.steps).reduce((a, b) => a + b, 0);
  const tokens = s.usage.promptTokens + s.usage.completionTokens;
  const solutionCounts = SOLUTION_ORDER.filter((v) => s.solutions[v] > 0)
    .map((v) => `<li><span class="dot v-${v}"></span>${s.solutions[v]} ${e(VERDICT_LABEL[v] ?? v)}</li>`)
    .join('');
  const stepCounts = STEP_ORDER.filter((v) => s.steps[v] > 0)
    .map((v) => `<li><span class="dot v-${v}"></span>${s.steps[v]} ${e(VERDICT_LABEL[v] ?? v)}</li>`)
    .join('');
  const cards = [
    `<div class="card" id="card-solutions"><div class="big">${s.judged}</div><div class="what">solutions judged</div><ul class="counts">${solutionCounts}</ul></div>`,
    `<div class="card" id="card-steps"><div class="big">${totalSteps}</div><div class="what">steps</div><ul class="counts">${stepCounts}</ul></div>`,
  ];
  if (s.skipped + s.failed > 0) {
    cards.push(
      `<div class="card" id="card-unjudged"><div class="big">${s.skipped + s.failed}</div><div class="what">not judged</div><ul class="counts"><li>${s.skipped} skipped</li><li>${s.failed} failed</li></ul></div>`,
    );
  }
  cards.push(
    `<div class="card" id="card-usage"><div class="big">${s.usage.requests}</div><div class="what">LLM requests</div><ul class="counts"><li>${tokens.toLocaleString('en-US')} tokens</li><li>${s.usage.cachedSteps} steps from cache</li>${s.durationMs !== undefined ? `<li>${e(formatDuration(s.durationMs))}</li>` : ''}</ul></div>`,
  );
  return `<section class="cards" id="summary">${cards.join('')}</section>`;
}

function f1Table(rows: readonly F1Row[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr${r.dataset === 'all' ? ' class="total"' : ''}><td>${e(r.dataset)}</td><td class="num">${r.erroneousHit}/${r.erroneous}</td><td class="num">${pct(r.accErroneous)}</td><td class="num">${r.correctHit}/${r.correct}</td><td class="num">${pct(r.accCorrect)}</td><td class="num strong">${pct(r.f1)}</td><td class="num">${r.notJudged}</td></tr>`,
    )
    .join('');
  return `<table class="f1" id="f1-table"><caption>Earliest wrong step against the labels (ProcessBench's measure)</caption><thead><tr><th>dataset</th><th>erroneous found at the right step</th><th>accuracy on erroneous</th><th>correct called correct</th><th>accuracy on correct</th><th>F1 (harmonic mean)</th><th>not judged</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** What the charts need, kept entry by entry. */
interface ChartData {
  histogram: number[];
  pairs: ProbabilityOutcome[];
  /** The critic's P(True) before calibration, on the same steps (only when a calibration was applied). */
  rawPairs: ProbabilityOutcome[];
  calibrated?: CalibrationNote;
  tally: ProcessBenchTally;
  labelled: boolean;
}

function chartsSection(data: ChartData): string {
  const hist = data.histogram;
  const withP = hist.reduce((a, b) => a + b, 0);
  const parts: string[] = [];
  parts.push(
    `<figure class="figure" id="histogram">${withP > 0 ? histogramSvg(hist, 'Step P(True) histogram') : '<p class="muted">No step has a P(True): the LLM critic did not judge any step.</p>'}<figcaption>P(True) of ${withP} step${withP === 1 ? '' : 's'}</figcaption></figure>`,
  );
  if (data.labelled) {
    const shown = calibration(data.pairs);
    if (data.calibrated) {
      // Side by side: what the critic said, and what the calibration made of it, on the same steps.
      parts.push(reliabilityFigure('reliability-raw', "Reliability diagram of the critic's raw P(True)", calibration(data.rawPairs), 'raw P(True)'));
      parts.push(
        reliabilityFigure(
          'reliability',
          'Reliability diagram of the calibrated P(True)',
          shown,
          `P(True) ${describeCalibration(data.calibrated)}`,
          'On the steps the map was fitted on this flatters it: `stepcritic calibrate` prints cross-validated figures.',
        ),
      );
    } else {
      parts.push(reliabilityFigure('reliability', 'Reliability diagram', shown, 'step P(True)'));
    }
  }
  const rows = data.tally.rows();
  return `<section id="charts"><h2>Confidence</h2><div class="figures">${parts.join('')}</div>${rows.length > 0 ? f1Table(rows) : ''}</section>`;
}

function reliabilityFigure(id: string, title: string, cal: Calibration, what: string, note = ''): string {
  const chart = cal.pairs > 0 ? reliabilitySvg(cal.bins, title, cal.ece) : '<p class="muted">No labelled step has a P(True).</p>';
  const figures = `${cal.ece !== null ? `, ECE ${cal.ece.toFixed(3)} (10 bins), Brier ${cal.brier!.toFixed(3)}` : ''}${cal.auroc !== null ? `, AUROC ${cal.auroc.toFixed(3)}` : ''}`;
  return `<figure class="figure" id="${id}">${chart}<figcaption>Reliability of ${e(what)} against the labels (bars: share of a bin's steps that are really correct; dots: at the bin's mean P(True); dashed: a perfectly calibrated critic): ${cal.pairs} labelled step${cal.pairs === 1 ? '' : 's'}${figures}.${note ? ` ${e(note)}` : ''}</figcaption></figure>`;
}

/** The table's controls and header; its rows are a section. A label column is always there, hidden when nothing is labelled. */
function entriesTableStart(entries: number, anyLabels: boolean): string {
  const verdictOptions = ['correct', 'incorrect', 'uncertain', 'error', 'unchecked', 'skipped', 'failed']
    .map((v) => `<option value="${v}">${e(VERDICT_LABEL[v] ?? v)}</option>`)
    .join('');
  const controls =
    `<div class="filters" role="search"><input type="search" id="filter-text" placeholder="Filter by name or problem…" aria-label="Filter by name or problem">` +
    `<select id="filter-verdict" aria-label="Verdict"><option value="">any verdict</option>${verdictOptions}</select>` +
    (anyLabels
      ? `<select id="filter-label" aria-label="Against the label"><option value="">any</option><option value="match">agrees with the label</option><option value="mismatch">disagrees with the label</option></select>`
      : '') +
    `<span id="filter-count" class="muted" aria-live="polite">${entries} of ${entries}</span></div>`;
  const head =
    `<tr><th data-sort="index" class="num">#</th><th data-sort="name">file / record</th><th data-sort="verdict">verdict</th><th data-sort="first" class="num">first wrong step</th>` +
    `<th data-sort="label" class="num label-col">labelled</th>` +
    `<th>steps</th><th data-sort="answer" class="num">answer P(True)</th><th data-sort="tokens" class="num">tokens</th></tr>`;
  return `<section id="entries-section"><h2>Files and records</h2>${controls}<table id="entries" class="entries${anyLabels ? '' : ' no-labels'}"><thead>${head}</thead><tbody>`;
}

function entryRow(file: FileReport, i: number, detailed: boolean, note?: HtmlTriageNote): string {
  const verdict = rowVerdict(file);
  const search = `${file.uri} ${file.problem ?? ''}`.toLowerCase().slice(0, 600);
  const tokens = file.usage ? file.usage.promptTokens + file.usage.completionTokens : 0;
  const name = detailed ? `<a href="#sol-${i}">${e(file.uri)}</a>` : e(file.uri);
  const reason = file.status !== 'judged' && file.reason ? `<div class="reason">${e(file.reason)}</div>` : '';
  const triaged = note?.settled ? ` <span class="tag" title="${e(note.reason)}">triaged</span>` : '';
  return (
    `<tr data-index="${i}" data-verdict="${e(verdict)}" data-label="${labelMatch(file)}" data-search="${e(search)}" data-first="${file.firstErrorIndex ?? -2}" data-answer="${file.finalAnswerPTrue ?? -1}" data-tokens="${tokens}">` +
    `<td class="num">${i + 1}</td><td class="name">${name}${triaged}${reason}</td><td>${badge(verdict)}</td><td class="num">${firstError(file)}</td>` +
    `<td class="num label-col${labelMatch(file) === 'mismatch' ? ' mismatch' : ''}">${labelFirstError(file)}</td>` +
    `<td>${stepStrip(file)}</td><td class="num">${prob(file.finalAnswerPTrue)}</td><td class="num">${tokens}</td></tr>`
  );
}

function stepItem(step: StepReport, labelledError: number | undefined): string {
  const p = step.pTrue;
  const meter =
    p === null
      ? '<span class="muted">P(True) n/a</span>'
      : `<span class="meter" title="P(True) ${prob(p)}${step.rawPTrue !== undefined ? `, calibrated from the critic's ${prob(step.rawPTrue)}` : ''}"><span class="fill ${widthClass(p)} v-${e(step.verdict)}"></span></span><span class="p">P(True) ${prob(p)}</span>`;
  const label = step.label ? `<span class="muted">${e(step.label)}</span>` : '';
  const truth = labelledError === undefined ? '' : step.index === labelledError ? '<span class="tag truth">labelled first error</span>' : '';
  const fixes = step.fixes.length > 0 ? `<div class="fix">fix: ${step.fixes.map((f) => `<code>${e(f.newText)}</code>`).join(', ')}</div>` : '';
  return (
    `<li class="step v-${e(step.verdict)}" data-verdict="${e(step.verdict)}" data-ptrue="${p === null ? '' : p.toFixed(4)}">` +
    `<div class="step-head"><span class="step-no">Step ${step.index + 1}</span>${label}${badge(step.verdict)}${meter}<span class="source">${e(step.source)}</span>${truth}${step.accepted ? '<span class="tag">accepted by you</span>' : ''}</div>` +
    `<div class="step-text">${e(step.text)}</div>` +
    `<div class="step-message">${e(step.message)}</div>${fixes}</li>`
  );
}

function solutionDetail(file: FileReport, index: number, open: boolean, triage?: HtmlTriageNote): string {
  const verdict = rowVerdict(file);
  const labelled = hasLabels(file) ? file.labels!.firstErrorStep! : undefined;
  const facts: string[] = [];
  facts.push(`first wrong step: <strong>${firstError(file)}</strong>`);
  if (labelled !== undefined) facts.push(`labelled: <strong>${labelled >= 0 ? labelled + 1 : 'none'}</strong> (${e(file.labels!.dataset)})`);
  if (file.finalAnswer) facts.push(`answer: <code>${e(file.finalAnswer.text)}</code>`);
  if (file.expectedAnswer !== undefined) facts.push(`expected: <code>${e(file.expectedAnswer)}</code>`);
  if (file.finalAnswerPTrue !== null) facts.push(`answer P(True): ${prob(file.finalAnswerPTrue)}`);
  if (file.critic?.model) facts.push(`critic: ${e(file.critic.model)}`);
  const notes = [...(file.critic?.note ? [file.critic.note] : []), ...file.warnings.filter((w) => w !== file.critic?.note)];
  if (triage) notes.unshift(triage.reason);
  const uniqueNotes = [...new Set(notes)];
  return (
    `<details class="solution v-${e(verdict)}" id="sol-${index}" data-verdict="${e(verdict)}"${open ? ' open' : ''}>` +
    `<summary>${badge(verdict)} <span class="name">${e(file.uri)}</span> <span class="muted">${file.steps.length} step${file.steps.length === 1 ? '' : 's'}</span></summary>` +
    `<div class="facts">${facts.join(' · ')}</div>` +
    (uniqueNotes.length > 0 ? `<ul class="notes">${uniqueNotes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : '') +
    (file.problem ? `<div class="problem"><div class="label">Problem</div><div class="problem-text">${e(file.problem)}</div></div>` : '') +
    `<ol class="steps">${file.steps.map((s) => stepItem(s, labelled)).join('')}</ol></details>`
  );
}

const STYLE = `
:root{--bg:#fff;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--card:#f6f8fa;--link:#0969da;
--correct:#1a7f37;--incorrect:#cf222e;--uncertain:#9a6700;--downstream:#8250df;--unchecked:#6e7781;--error:#bf3989;--skipped:#6e7781;--failed:#bf3989}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;--link:#4493f8;
--correct:#3fb950;--incorrect:#f85149;--uncertain:#d29922;--downstream:#a371f7;--unchecked:#9198a1;--error:#db61a2;--skipped:#9198a1;--failed:#db61a2}}
*{box-sizing:border-box}body{margin:0;padding:24px 32px;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
a{color:var(--link)}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--card);padding:1px 4px;border-radius:4px}
.muted{color:var(--muted)}.meta{color:var(--muted);margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:170px}
.big{font-size:26px;font-weight:600}.what{color:var(--muted)}.counts{list-style:none;margin:6px 0 0;padding:0}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:currentColor}
.v-correct{--c:var(--correct)}.v-incorrect{--c:var(--incorrect)}.v-uncertain{--c:var(--uncertain)}.v-downstream{--c:var(--downstream)}.v-unchecked{--c:var(--unchecked)}.v-error{--c:var(--error)}.v-skipped{--c:var(--skipped)}.v-failed{--c:var(--failed)}
.dot,.cell,.fill{background:var(--c)}.badge{display:inline-block;border:1px solid var(--c);color:var(--c);border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;white-space:nowrap}
.figures{display:flex;flex-wrap:wrap;gap:24px}.figure{margin:0}.figure figcaption{color:var(--muted);font-size:12px;max-width:360px}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px}.chart text{fill:var(--fg);font-size:11px}.chart .tick-label{fill:var(--muted)}
.chart .axis,.chart .tick{stroke:var(--muted)}.chart .grid{stroke:var(--line);stroke-dasharray:2 3}.chart .diagonal{stroke:var(--muted);stroke-dasharray:5 4}
.chart .reliability-bar{fill:var(--link);opacity:.55}.chart .mean-p{fill:var(--fg)}.chart .chart-note{font-weight:600}
table{border-collapse:collapse;margin-top:8px}th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th[data-sort]{cursor:pointer;user-select:none}th[data-sort]:hover{color:var(--link)}th.sorted-asc::after{content:" ▲"}th.sorted-desc::after{content:" ▼"}
.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;color:var(--muted);padding-bottom:4px}
.f1 tr.total td{font-weight:600}.strong{font-weight:600}td.mismatch{color:var(--incorrect);font-weight:600}
.filters{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.filters input,.filters select{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
.filters input{min-width:280px}.entries td.name{max-width:520px;overflow-wrap:anywhere}.reason{color:var(--muted);font-size:12px}
.strip{display:inline-flex;gap:2px;align-items:center}.cell{display:inline-block;width:8px;height:14px;border-radius:2px}
.tag{display:inline-block;font-size:11px;border:1px solid var(--line);border-radius:8px;padding:0 6px;color:var(--muted)}.tag.truth{border-color:var(--incorrect);color:var(--incorrect)}
.solution{border:1px solid var(--line);border-left:4px solid var(--c);border-radius:6px;margin:10px 0;padding:6px 12px}
.solution>summary{cursor:pointer;font-weight:600}.facts{color:var(--muted);margin:6px 0}.notes{margin:4px 0;color:var(--muted)}
.problem{background:var(--card);border-radius:6px;padding:8px 10px;margin:8px 0}.problem .label{font-size:11px;text-transform:uppercase;color:var(--muted)}
.problem-text,.step-text{white-space:pre-wrap;overflow-wrap:anywhere}
.steps{list-style:none;padding:0;margin:8px 0}.step{border-left:4px solid var(--c);background:color-mix(in srgb,var(--c) 7%,transparent);margin:6px 0;padding:6px 10px;border-radius:0 6px 6px 0}
.step-head{display:flex;gap:10px;align-items:center;flex-wrap:wrap;margin-bottom:2px}.step-no{font-weight:600}.source{color:var(--muted);font-size:12px}
.meter{display:inline-block;width:80px;height:8px;background:var(--line);border-radius:4px;overflow:hidden;vertical-align:middle}.fill{display:block;height:100%}
.p{font-variant-numeric:tabular-nums;font-size:12px}.step-message{color:var(--muted);font-size:13px;margin-top:2px}.fix{font-size:12px}
${Array.from({ length: 21 }, (_, i) => `.w${i}{width:${i * 5}%}`).join('')}
footer{margin-top:32px;color:var(--muted);font-size:12px}
.no-labels .label-col{display:none}
`;

const SCRIPT = `
(function(){
  var table=document.getElementById('entries');if(!table)return;
  var rows=Array.prototype.slice.call(table.tBodies[0].rows);
  var text=document.getElementById('filter-text'),verdict=document.getElementById('filter-verdict'),label=document.getElementById('filter-label'),count=document.getElementById('filter-count');
  function apply(){
    var q=(text.value||'').toLowerCase(),v=verdict.value,l=label?label.value:'',shown=0;
    rows.forEach(function(r){
      var ok=(!q||r.getAttribute('data-search').indexOf(q)>=0)&&(!v||r.getAttribute('data-verdict')===v)&&(!l||r.getAttribute('data-label')===l);
      r.hidden=!ok;if(ok)shown++;
    });
    count.textContent=shown+' of '+rows.length;
  }
  [text,verdict,label].forEach(function(el){if(el){el.addEventListener('input',apply);el.addEventListener('change',apply);}});
  var keys={index:function(r){return +r.getAttribute('data-index')},name:function(r){return r.cells[1].textContent.toLowerCase()},verdict:function(r){return r.getAttribute('data-verdict')},
    first:function(r){return +r.getAttribute('data-first')},label:function(r){return r.cells[4].textContent},answer:function(r){return +r.getAttribute('data-answer')},tokens:function(r){return +r.getAttribute('data-tokens')}};
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th){
    var key=th.getAttribute('data-sort');if(!key)return;
    th.addEventListener('click',function(){
      var asc=!th.classList.contains('sorted-asc');
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.classList.remove('sorted-asc','sorted-desc')});
      th.classList.add(asc?'sorted-asc':'sorted-desc');
      var f=keys[key];rows.sort(function(a,b){var x=f(a),y=f(b);return (x<y?-1:x>y?1:0)*(asc?1:-1)});
      rows.forEach(function(r){table.tBodies[0].appendChild(r)});
    });
  });
  function openTarget(){var id=location.hash.slice(1);var el=id&&document.getElementById(id);if(el&&el.tagName==='DETAILS'){el.open=true;el.scrollIntoView();}}
  window.addEventListener('hashchange',openTarget);openTarget();
})();
`;

/** The HTML page written entry by entry: the table rows and the step-by-step solutions are sections. */
export function htmlRenderer(options: HtmlReportOptions = {}): StreamRenderer {
  const maxDetailed = options.maxDetailed ?? DEFAULT_MAX_DETAILED;
  const charts: ChartData = { histogram: new Array<number>(10).fill(0), pairs: [], rawPairs: [], tally: new ProcessBenchTally(), labelled: false };
  let index = 0;
  let detailed = 0;
  let opened = 0;
  let judgedWithSteps = 0;
  return {
    add(file, sections, extras) {
      const i = index++;
      countPTrue(charts.histogram, file);
      charts.tally.add(file);
      if (hasLabels(file)) {
        charts.labelled = true;
        charts.pairs.push(...labelledStepPairs([file]));
        if (file.calibration) {
          charts.calibrated ??= file.calibration;
          charts.rawPairs.push(...labelledStepPairs([file], 'raw'));
        } else charts.rawPairs.push(...labelledStepPairs([file]));
      }
      const withSteps = file.status === 'judged' && file.steps.length > 0;
      if (withSteps) judgedWithSteps++;
      const shown = withSteps && detailed < maxDetailed;
      sections.write('rows', entryRow(file, i, shown, extras?.triage));
      if (!shown) return;
      detailed++;
      // Open the first few solutions that have something to look at, so the page shows steps at once.
      const open = file.verdict !== 'correct' && opened < 3;
      if (open) opened++;
      sections.write('details', solutionDetail(file, i, open, extras?.triage));
    },
    finish(head) {
      return [
        pageStart(head, options, charts),
        entriesTableStart(index, charts.labelled),
        { section: 'rows' },
        '</tbody></table></section>\n',
        `<section id="solutions"><h2>Solutions step by step</h2>${detailed < judgedWithSteps ? `<p class="muted">The first ${detailed} of ${judgedWithSteps} judged solutions are shown step by step; the table lists every entry.</p>` : ''}`,
        { section: 'details' },
        pageEnd(head, options),
      ];
    },
  };
}

export function renderHtml(report: Report, options: HtmlReportOptions = {}): string {
  return renderToString(htmlRenderer(options), report, (file) => {
    const triage = options.triage?.get(file.uri);
    return triage ? { triage } : undefined;
  });
}

function pageStart(head: ReportHead, options: HtmlReportOptions, charts: ChartData): string {
  const title = options.title ?? 'Step Critic report';
  const nonceAttr = options.nonce ? ` nonce="${e(options.nonce)}"` : '';
  const src = options.nonce ? `'nonce-${e(options.nonce)}'` : `'unsafe-inline'`;
  const csp = `default-src 'none'; style-src ${src}; script-src ${src}; img-src data:; base-uri 'none'; form-action 'none'`;
  const critic = head.critic.enabled
    ? `LLM critic: ${e(head.critic.model ?? 'on')}${head.tool.promptVersion ? ` (prompt ${e(head.tool.promptVersion)})` : ''}`
    : `LLM critic off${head.critic.note ? `: ${e(head.critic.note)}` : ''}; only the deterministic verifiers ran`;
  const run = options.run
    ? ` · run <code>${e(
        options.run.id
          .split(' + ')
          .map((id) => id.slice(0, 8))
          .join(' + '),
      )}</code> · config <code>${e(options.run.configHash)}</code>${options.run.interrupted ? ' · <strong>interrupted: not every item was judged</strong>' : ''}`
    : '';
  const shards = head.shards ? ` · <strong>${e(describeShards(head.shards))}</strong> of the run` : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="stepcritic">',
    `<title>${e(title)}</title><style${nonceAttr}>${STYLE}</style></head><body>`,
    `<header><h1>${e(title)}</h1><p class="meta">${e(new Date(head.createdAt).toUTCString())} · stepcritic ${e(head.tool.version)} · ${critic}${run}${shards}</p></header>`,
    summaryCards(head),
    chartsSection(charts),
    '',
  ].join('\n');
}

function pageEnd(head: ReportHead, options: HtmlReportOptions): string {
  const nonceAttr = options.nonce ? ` nonce="${e(options.nonce)}"` : '';
  return [
    '',
    '</section>',
    `<footer>Step Critic report schema ${head.schemaVersion}. Colours: <span class="badge v-correct">correct</span> <span class="badge v-incorrect">incorrect</span> <span class="badge v-uncertain">uncertain</span> <span class="badge v-downstream">downstream</span> <span class="badge v-unchecked">unchecked</span> <span class="badge v-error">could not judge</span></footer>`,
    `<script${nonceAttr}>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
