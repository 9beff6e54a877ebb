// JUnit XML for CI: well-formed, one testcase per solution, and the outcome a CI system shows for each
// verdict (failure for incorrect, error for could-not-judge or unreadable, skipped for not judged).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderJunit, escapeXml } from '../../src/engine/report/junit';
import { fixtureReport } from './support/report-fixture';

interface Case {
  '@_name': string;
  '@_classname': string;
  failure?: unknown;
  error?: unknown;
  skipped?: unknown;
}

function parse(xml: string) {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as {
    testsuites: Record<string, string> & { testsuite: (Record<string, string> & { testcase: Case[] })[] };
  };
  const cases = doc.testsuites.testsuite.flatMap((s) => s.testcase);
  return { root: doc.testsuites, suites: doc.testsuites.testsuite, cases };
}

describe('JUnit report', () => {
  it('is well-formed XML with one testcase per solution, grouped by dataset and folder', () => {
    const { root, suites, cases } = parse(renderJunit(fixtureReport()));
    assert.equal(cases.length, 8);
    assert.equal(root['@_tests'], '8');
    assert.deepEqual(suites.map((s) => s['@_name']).sort(), ['data/gsm8k.json', 'notes', 'solutions']);
  });

  it('fails incorrect solutions with the first wrong step, errors on could-not-judge and unreadable, skips what was not judged', () => {
    const { root, cases } = parse(renderJunit(fixtureReport()));
    const byName = new Map(cases.map((c) => [c['@_name'], c]));
    const failure = byName.get('data/gsm8k.json#1')!.failure as Record<string, string>;
    assert.equal(failure['@_type'], 'incorrect');
    assert.match(failure['@_message'], /^step 1 incorrect: 48 \/ 2 = 25 \(should be 24\)/);
    assert.ok(byName.get('data/gsm8k.json#3')!.failure);
    assert.ok(byName.get('data/gsm8k.json#4')!.error, 'could not judge → error');
    assert.ok(byName.get('data/gsm8k.json#5')!.error, 'unreadable record → error');
    assert.ok(byName.get('notes/plain.solution.md')!.skipped, 'critic off and nothing refuted → skipped, not a pass');
    const uncertain = byName.get('data/gsm8k.json#2')!;
    assert.equal(uncertain.failure ?? uncertain.error ?? uncertain.skipped, undefined, 'uncertain passes at --fail-on incorrect');
    assert.equal(root['@_failures'], '2');
    assert.equal(root['@_errors'], '2');
    assert.equal(root['@_skipped'], '2');
  });

  it('marks uncertain solutions as failures at --fail-on uncertain', () => {
    const { cases } = parse(renderJunit(fixtureReport(), { failOn: 'uncertain' }));
    const uncertain = cases.find((c) => c['@_name'] === 'data/gsm8k.json#2')!;
    assert.ok(uncertain.failure);
  });

  it('escapes markup and replaces characters XML cannot hold', () => {
    const xml = renderJunit(fixtureReport());
    assert.ok(!xml.includes('<script>'), 'step text is escaped');
    assert.ok(xml.includes('The critic disagrees: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;'));
    assert.ok(!xml.includes('\u0001'), 'a control character in a file name does not make the XML invalid');
    assert.equal(escapeXml('a\u0000b\uD800c'), 'a\uFFFDb\uFFFDc');
  });
});
