// The gutter's pure parts: which band a step gets, the inline text, and how step ranges follow edits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bandOf } from '../../src/client/gutter/bands';
import { inlineTextOf } from '../../src/client/gutter/inline-text';
import { shiftSpan, shiftThrough, type Span } from '../../src/client/gutter/range-shift';

const thresholds = { correct: 0.7, incorrect: 0.3 };
const span = (sl: number, sc: number, el: number, ec: number): Span => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

describe('bandOf', () => {
  it('puts P(True) into the three confidence bands by the thresholds, boundaries included', () => {
    assert.equal(bandOf({ state: 'correct', pTrue: 0.93 }, thresholds), 'high');
    assert.equal(bandOf({ state: 'correct', pTrue: 0.7 }, thresholds), 'high');
    assert.equal(bandOf({ state: 'uncertain', pTrue: 0.5 }, thresholds), 'middle');
    assert.equal(bandOf({ state: 'incorrect', pTrue: 0.3 }, thresholds), 'low');
    assert.equal(bandOf({ state: 'incorrect', pTrue: 0 }, thresholds), 'low');
  });

  it("follows the user's thresholds, not the state the server named", () => {
    assert.equal(bandOf({ state: 'uncertain', pTrue: 0.5 }, { correct: 0.45, incorrect: 0.2 }), 'high');
    assert.equal(bandOf({ state: 'correct', pTrue: 0.75 }, { correct: 0.8, incorrect: 0.3 }), 'middle');
  });

  it('uses the verdict when there is no probability', () => {
    assert.equal(bandOf({ state: 'incorrect', pTrue: null }, thresholds), 'low');
    assert.equal(bandOf({ state: 'correct', pTrue: null }, thresholds), 'high');
    assert.equal(bandOf({ state: 'uncertain', pTrue: null }, thresholds), 'middle');
  });

  it('gives the other states their own marks, and nothing to an unchecked step', () => {
    assert.equal(bandOf({ state: 'judging', pTrue: null }, thresholds), 'judging');
    assert.equal(bandOf({ state: 'queued', pTrue: 0.9 }, thresholds), 'judging');
    assert.equal(bandOf({ state: 'downstream', pTrue: 0.9 }, thresholds), 'downstream');
    assert.equal(bandOf({ state: 'accepted', pTrue: 0.1 }, thresholds), 'accepted');
    assert.equal(bandOf({ state: 'error', pTrue: null }, thresholds), 'unjudged');
    assert.equal(bandOf({ state: 'verified', pTrue: null }, thresholds), 'verified', 'computations verified: a calm mark, not nothing and not a check');
    assert.equal(bandOf({ state: 'unchecked', pTrue: null }, thresholds), undefined);
  });
});

describe('inlineTextOf', () => {
  it('writes P(True) with two decimals and its source', () => {
    assert.equal(inlineTextOf({ state: 'correct', pTrue: 0.934, source: 'logprobs' }), 'P(True) 0.93 · logprobs');
    assert.equal(inlineTextOf({ state: 'incorrect', pTrue: 0, source: 'verifier' }), 'P(True) 0.00 · verifier');
    assert.equal(inlineTextOf({ state: 'uncertain', pTrue: 0.6, source: 'samples' }), 'P(True) 0.60 · samples');
  });

  it('says what it is when there is no probability', () => {
    assert.equal(inlineTextOf({ state: 'judging', pTrue: null, source: null }), 'judging…');
    assert.equal(inlineTextOf({ state: 'error', pTrue: null, source: null }), 'could not judge');
    assert.equal(inlineTextOf({ state: 'incorrect', pTrue: null, source: 'verifier' }), 'incorrect · verifier');
    assert.equal(inlineTextOf({ state: 'unchecked', pTrue: null, source: 'none' }), undefined);
    assert.equal(inlineTextOf({ state: 'verified', pTrue: null, source: 'verifier' }), 'computations verified');
  });
});

describe('shiftSpan', () => {
  const step = span(4, 0, 5, 10);

  it('leaves a step alone when the edit is after it', () => {
    assert.deepEqual(shiftSpan(step, { range: span(7, 0, 7, 0), text: 'x\n' }), { range: step, touched: false });
  });

  it('moves a step down when lines are inserted above it', () => {
    assert.deepEqual(shiftSpan(step, { range: span(1, 0, 1, 0), text: 'one\ntwo\n' }), { range: span(6, 0, 7, 10), touched: false });
  });

  it('moves a step up when lines above it are deleted', () => {
    assert.deepEqual(shiftSpan(step, { range: span(1, 0, 3, 0), text: '' }), { range: span(2, 0, 3, 10), touched: false });
  });

  it('moves a step sideways when text is typed before it on its own line', () => {
    const inline = span(2, 5, 2, 9);
    assert.deepEqual(shiftSpan(inline, { range: span(2, 1, 2, 1), text: 'abc' }), { range: span(2, 8, 2, 12), touched: false });
  });

  it('stretches a step over typing inside it and marks it touched', () => {
    assert.deepEqual(shiftSpan(step, { range: span(5, 3, 5, 3), text: 'more\ntext' }), { range: span(4, 0, 6, 11), touched: true });
  });

  it('covers a step that was replaced whole by what replaced it', () => {
    assert.deepEqual(shiftSpan(step, { range: span(3, 0, 6, 0), text: 'new' }), { range: span(3, 0, 3, 3), touched: true });
  });

  it('applies the changes of one event in order', () => {
    const result = shiftThrough(step, [
      { range: span(9, 0, 9, 0), text: 'after\n' },
      { range: span(0, 0, 0, 0), text: 'before\n' },
    ]);
    assert.deepEqual(result, { range: span(5, 0, 6, 10), touched: false });
  });
});
