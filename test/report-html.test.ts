// The HTML report as a string: self-contained (no network), escaped, and with the figures a reader
// checks — the ProcessBench table and the calibration numbers computed from the labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHtml } from '../src/engine/report/html';
import { calibration, labelledStepPairs, processBenchTable } from '../src/engine/report/html-metrics';
import { fixtureReport } from './batch/support/report-fixture';

describe('HTML report', () => {
  const report = fixtureReport();
  const html = renderHtml(report);

  it('loads nothing from the network: a CSP that forbids it, no external URL anywhere', () => {
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.ok(!/\b(src|href)="(https?:)?\/\//.test(html), 'no external src or href');
    assert.ok(!/@import|url\(/.test(html), 'no CSS imports or url()');
  });

  it('escapes every piece of solution text: only its own script element is present', () => {
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes('So the answer is 24 + 24 = 48 &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;.'));
  });

  it("computes ProcessBench's table: accuracy on erroneous, on correct, and their harmonic mean", () => {
    const rows = processBenchTable(report.files);
    const gsm8k = rows.find((r) => r.dataset === 'processbench-gsm8k')!;
    assert.equal(gsm8k.erroneous, 3);
    assert.equal(gsm8k.erroneousHit, 2);
    assert.equal(gsm8k.correctHit, 1);
    assert.equal(gsm8k.notJudged, 1);
    assert.ok(Math.abs(gsm8k.f1! - 0.8) < 1e-9);
    assert.deepEqual(
      rows.map((r) => r.dataset),
      ['processbench-gsm8k', 'processbench-math', 'all'],
    );
    assert.match(
      html,
      /<td>processbench-gsm8k<\/td><td class="num">2\/3<\/td><td class="num">66\.7%<\/td><td class="num">1\/1<\/td><td class="num">100\.0%<\/td><td class="num strong">80\.0%<\/td>/,
    );
  });

  it('calibrates step P(True) against the labels: steps before the labelled error are correct, it is wrong, later ones are unlabelled', () => {
    const pairs = labelledStepPairs(report.files);
    assert.equal(pairs.length, 7);
    const cal = calibration(pairs);
    assert.ok(Math.abs(cal.ece! - 1.2 / 7) < 1e-9, `ECE ${cal.ece}`);
    assert.ok(Math.abs(cal.brier! - 0.4258 / 7) < 1e-9, `Brier ${cal.brier}`);
    assert.match(html, /ECE 0\.171 \(10 bins\), Brier 0\.061/);
    assert.equal(html.match(/class="reliability-bar"/g)?.length, 6);
  });

  it('shows each solution step by step with its verdict colour class and P(True)', () => {
    assert.match(html, /<li class="step v-incorrect" data-verdict="incorrect" data-ptrue="0\.0000">/);
    assert.match(html, /<li class="step v-downstream" data-verdict="downstream" data-ptrue="0\.9000">/);
    assert.match(html, /labelled first error/);
    assert.equal(html.match(/<tr data-index=/g)?.length, report.files.length);
  });

  it('leaves out the reliability diagram and F1 table when nothing is labelled, and says when the critic did not run', () => {
    const unlabelled = {
      ...report,
      files: report.files.map(({ labels: _labels, ...f }) => f),
      critic: { enabled: false, note: 'LLM critic off: no endpoint configured' },
    };
    const page = renderHtml(unlabelled);
    assert.ok(!page.includes('id="reliability"'));
    assert.ok(!page.includes('id="f1-table"'));
    assert.match(page, /LLM critic off: no endpoint configured/);
  });

  it('caps the step-by-step part and says so, while the table keeps every entry', () => {
    const page = renderHtml(report, { maxDetailed: 2 });
    assert.equal(page.match(/<details class="solution/g)?.length, 2);
    assert.match(page, /The first 2 of 6 judged solutions are shown step by step/);
    assert.equal(page.match(/<tr data-index=/g)?.length, report.files.length);
  });

  it('puts a CSP nonce on its style and script for a VS Code webview', () => {
    const page = renderHtml(report, { nonce: 'abc123' });
    assert.match(page, /script-src 'nonce-abc123'/);
    assert.match(page, /<script nonce="abc123">/);
    assert.match(page, /<style nonce="abc123">/);
    assert.ok(!/ style="/.test(page), 'no inline style attributes (a nonce does not cover them)');
  });
});
