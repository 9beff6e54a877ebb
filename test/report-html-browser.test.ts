// The HTML report opened in a real browser (headless Chromium through playwright-core): the page a
// person sees. A batch run over real ProcessBench records (labelled) is judged by a scripted critic,
// the report is rendered from its run log, and the test checks what a reader relies on: the table and
// its filter, the steps coloured by verdict, the F1 table, the histogram and the reliability diagram,
// no request leaving the page, no script error. A screenshot goes to test-results/ (untracked).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { openRunLog } from '../src/engine/batch/run-log';
import { readItems } from '../src/engine/pipeline/items';
import { runPipeline } from '../src/engine/pipeline/run';
import { TokenBudget } from '../src/engine/llm/budget';
import { createLlmClient } from '../src/engine/llm/client';
import { Semaphore } from '../src/engine/llm/concurrency';
import { CriticConfigSchema } from '../src/engine/llm/config';
import { createLlmCritic } from '../src/engine/llm/critic';
import { parseCriticPrompt } from '../src/engine/llm/protocol';
import { renderHtml, type HtmlTriageNote } from '../src/engine/report/html';
import { processBenchTable } from '../src/engine/report/html-metrics';
import { DATASETS } from './support/fixtures';
import { loadRunLog } from './support/run-log';
import { criticReply, startScriptedLlmServer, type ScriptedLlmServer } from './support/scripted-llm-server';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DATASET = join(DATASETS, 'processbench', 'gsm8k.json');
const SCREENSHOT_DIR = join(__dirname, '..', 'test-results', 'report-html');
const RECORDS = 32;

/** A deterministic number in [0, 1) from a string, so the scripted critic's confidence varies by step. */
function unit(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10000) / 10000;
}

/** The records of the fixture: its erroneous solutions first, then correct ones, as in the full file. */
const records = () => readItems([DATASET], { cwd: DATASETS });

describe(
  'HTML report in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run this test` },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepcritic-html-'));
    let server: ScriptedLlmServer;
    let browser: Browser;
    let htmlPath = '';
    let expectedF1 = '';

    before(async () => {
      // A critic that mostly finds the labelled error (it reads the label of the record whose problem
      // it is shown), with confidence that varies by step: enough spread for a histogram and a
      // reliability diagram, and some misses so that the F1 table is not trivially perfect.
      const labels = new Map<string, number>();
      for await (const item of records()) {
        if (item.source.kind === 'record') {
          const r = item.source.value as { problem: string; label: number };
          labels.set(r.problem.trim(), r.label);
        }
      }
      server = await startScriptedLlmServer({
        handler: (request) => {
          const prompt = parseCriticPrompt(request.userText);
          assert.ok(prompt && prompt.kind === 'steps');
          const label = labels.get(prompt.problem.trim()) ?? -1;
          const script = prompt.judged.map((s) => {
            const u = unit(s.text);
            const wrongHere = s.number - 1 === label && u > 0.2;
            const falseAlarm = s.number - 1 < label && u < 0.08;
            const pTrue = wrongHere || falseAlarm ? 0.05 + 0.3 * u : 0.6 + 0.39 * u;
            return {
              step: s.number,
              verdict: pTrue >= 0.5 ? ('correct' as const) : ('incorrect' as const),
              pTrue,
              analysis: pTrue < 0.5 ? 'This step does not follow from the problem as stated.' : 'The computation and the reasoning hold.',
            };
          });
          return criticReply(script, { logprobs: request.chat.logprobs === true, topLogprobs: request.chat.top_logprobs ?? 0 });
        },
      });
      const config = CriticConfigSchema.parse({ baseUrl: server.baseUrl, model: 'scripted-critic', retryBaseMs: 5, concurrency: 8 });
      const budget = new TokenBudget(0);
      const critic = createLlmCritic(config, { budget, client: createLlmClient(config, { budget, semaphore: new Semaphore(8) }) });
      const logPath = join(dir, 'run.jsonl');
      const runLog = await openRunLog({
        path: logPath,
        resume: false,
        configHash: 'test',
        config: { model: 'scripted-critic' },
        tool: { version: '0.1.0', protocolVersion: 'stepcritic-critic/1' },
        critic: { enabled: true, model: 'scripted-critic' },
        inputs: ['processbench/gsm8k.json'],
      });
      const result = await runPipeline(records(), { deps: { critic }, concurrency: 8, runLog });
      runLog.close({ interrupted: false, durationMs: result.progress.elapsedMs, judgedThisRun: result.progress.finishedThisRun, usage: result.progress.usage });
      const { log, report } = await loadRunLog(logPath);
      const triage = new Map<string, HtmlTriageNote>();
      htmlPath = join(dir, 'report.html');
      writeFileSync(htmlPath, renderHtml(report, { triage, run: { id: log.header.runId, configHash: log.header.configHash } }));
      const row = processBenchTable(report.files)[0]!;
      expectedF1 = `${(row.f1! * 100).toFixed(1)}%`;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('shows the table, steps coloured by verdict, the F1 table and the reliability diagram, with no network and no script error', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1700 } });
      const outside: string[] = [];
      const errors: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(pathToFileURL(htmlPath).href);

      // The table: one row per record, and the filter narrows it.
      const rows = page.locator('#entries tbody tr');
      assert.equal(await rows.count(), RECORDS);
      await page.selectOption('#filter-verdict', 'incorrect');
      const shown = await page.locator('#entries tbody tr:not([hidden])').count();
      assert.ok(shown > 0 && shown < RECORDS, `${shown} incorrect rows shown`);
      const shownVerdicts = await page.locator('#entries tbody tr:not([hidden])').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
      assert.ok(shownVerdicts.every((v) => v === 'incorrect'));
      assert.equal(await page.textContent('#filter-count'), `${shown} of ${RECORDS}`);
      await page.selectOption('#filter-verdict', '');
      await page.fill('#filter-text', 'gsm8k.json#1');
      assert.equal(await page.locator('#entries tbody tr:not([hidden])').count(), 11, '#1 and #10–#19');
      await page.fill('#filter-text', '');

      // Steps coloured by verdict: the left border is the verdict's colour (red, green, purple).
      const colour = (selector: string) =>
        page
          .locator(selector)
          .first()
          .evaluate((el) => getComputedStyle(el).borderLeftColor);
      assert.equal(await colour('li.step.v-incorrect'), 'rgb(207, 34, 46)');
      assert.equal(await colour('li.step.v-correct'), 'rgb(26, 127, 55)');
      assert.equal(await colour('li.step.v-downstream'), 'rgb(130, 80, 223)');
      const meterWidth = await page
        .locator('li.step.v-correct .meter .fill')
        .first()
        .evaluate((el) => el.getBoundingClientRect().width);
      assert.ok(meterWidth > 40, `a correct step's P(True) meter is mostly full (${meterWidth}px of 80)`);

      // The figures: histogram bars, the reliability diagram with bars of real height, the F1 table.
      assert.ok((await page.locator('svg.histogram rect.bar').count()) === 10);
      assert.ok(await page.locator('svg.reliability').isVisible());
      const heights = await page.locator('svg.reliability rect.reliability-bar').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
      assert.ok(heights.length >= 3 && heights.some((h) => h > 0), `reliability bars: ${heights.join(', ')}`);
      assert.ok(await page.locator('svg.reliability line.diagonal').isVisible());
      assert.match((await page.textContent('#f1-table tbody tr td.strong')) ?? '', new RegExp(expectedF1.replace('.', '\\.')));

      // A link in the table opens that solution's steps.
      const firstLink = page.locator('#entries tbody tr td.name a').nth(5);
      const target = (await firstLink.getAttribute('href'))!;
      await firstLink.click();
      assert.equal(await page.locator(`${target}`).evaluate((el) => (el as HTMLDetailsElement).open), true);

      assert.deepEqual(outside, [], 'the page loads nothing from outside');
      assert.deepEqual(errors, []);

      // The screenshot (for the README): the table filtered to the incorrect solutions, so that the
      // summary, the figures, the table and the first solution's coloured steps fit in one picture.
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.selectOption('#filter-verdict', 'incorrect');
      await page.setViewportSize({ width: 1280, height: 2100 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'report.png'), fullPage: false });
      await page.close();
    });
  },
);
