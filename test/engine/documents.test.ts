// Segmentation of solution documents: problem, steps, final answer, each with its exact LSP range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashStep, hashText } from '../../src/engine/documents/hash';
import { parseMarkdownSolution, parsePlainTextSolution, parseSolution } from '../../src/engine/documents/parse';
import type { Range, SolutionDocument } from '../../src/engine/types';
import { SolutionDocumentSchema } from '../../src/engine/types';

const r = (sl: number, sc: number, el: number, ec: number): Range => ({
  start: { line: sl, character: sc },
  end: { line: el, character: ec },
});

/** The text a range covers, counted the LSP way (lines split at \n, \r\n, \r; UTF-16 characters). */
function textAt(text: string, range: Range): string {
  const lines = text.split(/\r\n|\r|\n/);
  const offsetOf = (line: number, character: number) => {
    let offset = 0;
    let i = 0;
    for (let l = 0; l < line; l++) {
      offset += lines[l]!.length;
      const br = text.slice(offset, offset + 2);
      offset += br.startsWith('\r\n') ? 2 : 1;
      i++;
    }
    void i;
    return offset + character;
  };
  return text.slice(offsetOf(range.start.line, range.start.character), offsetOf(range.end.line, range.end.character));
}

/** Every step's text is exactly what its range covers, and the document passes its own schema. */
function assertConsistent(document: SolutionDocument): void {
  SolutionDocumentSchema.parse(document);
  for (const step of document.steps) assert.equal(textAt(document.text, step.range), step.text, `step ${step.index}`);
  if (document.problemRange) assert.equal(textAt(document.text, document.problemRange), document.problem);
  if (document.finalAnswer?.range) assert.equal(textAt(document.text, document.finalAnswer.range), document.finalAnswer.text);
}

describe('Markdown solutions', () => {
  it('reads front matter, a Problem section, list-item steps, display math and an Answer line', () => {
    const text = [
      '---', // 0
      'id: clips-1', // 1
      'answer: 72', // 2
      '---', // 3
      '# Problem', // 4
      '', // 5
      'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.', // 6
      'How many clips did Natalia sell altogether in April and May?', // 7
      '', // 8
      '## Solution', // 9
      '', // 10
      '1. In May she sold $48 / 2 = 24$ clips.', // 11
      '2. Altogether she sold', // 12
      '   $$48 + 24 = 72$$', // 13
      '', // 14
      '**Answer:** 72', // 15
    ].join('\n');
    const doc = parseMarkdownSolution('clips.solution.md', text);
    assertConsistent(doc);
    assert.equal(doc.format, 'markdown');
    assert.equal(doc.kind, 'math');
    assert.deepEqual(doc.frontMatter, { id: 'clips-1', answer: 72 });
    assert.equal(doc.expectedAnswer, '72');
    assert.deepEqual(doc.problemRange, r(6, 0, 7, 60));
    assert.ok(doc.problem.startsWith('Natalia sold clips') && doc.problem.endsWith('April and May?'));
    assert.equal(doc.steps.length, 2);
    assert.deepEqual(doc.steps[0]!.range, r(11, 0, 11, 39));
    assert.equal(doc.steps[0]!.text, '1. In May she sold $48 / 2 = 24$ clips.');
    assert.deepEqual(doc.steps[1]!.range, r(12, 0, 13, 19));
    assert.equal(doc.steps[1]!.text, '2. Altogether she sold\n   $$48 + 24 = 72$$');
    assert.deepEqual(doc.finalAnswer, { text: '72', range: r(15, 12, 15, 14) });
    assert.deepEqual(doc.warnings, []);
  });

  it('splits "Step N" lines into steps even without blank lines, and reads a #### answer', () => {
    const text =
      'Natalia sold 48 clips in April and half as many in May. How many in all?\n\nStep 1: In May she sold 48 / 2 = 24 clips.\nStep 2: In total 48 + 24 = 72 clips.\n\n#### 72\n';
    const doc = parseMarkdownSolution('a.md', text);
    assertConsistent(doc);
    assert.deepEqual(doc.problemRange, r(0, 0, 0, 72));
    assert.deepEqual(
      doc.steps.map((s) => [s.label, s.range]),
      [
        ['Step 1', r(2, 0, 2, 42)],
        ['Step 2', r(3, 0, 3, 36)],
      ],
    );
    assert.deepEqual(doc.finalAnswer, { text: '72', range: r(5, 5, 5, 7) });
  });

  it('keeps display math with its paragraph across blank lines; headings are never steps', () => {
    const text = [
      '# Problem', // 0
      'What is 2 + 2 + 3?', // 1
      '', // 2
      '# Solution', // 3
      '## First part', // 4
      'We add the first two:', // 5
      '', // 6
      '\\[', // 7
      '2 + 2 = 4', // 8
      '', // 9
      '\\]', // 10
      '', // 11
      '$$', // 12
      '4 + 3 = 7', // 13
      '$$', // 14
      '', // 15
      '## Second part', // 16
      'So the answer is $\\boxed{7}$.', // 17
    ].join('\n');
    const doc = parseMarkdownSolution('b.solution.md', text);
    assertConsistent(doc);
    assert.equal(doc.problem, 'What is 2 + 2 + 3?');
    assert.equal(doc.steps.length, 2);
    // the two display blocks stand alone after blank lines: they belong to the paragraph before them
    assert.deepEqual(doc.steps[0]!.range, r(5, 0, 14, 2));
    assert.deepEqual(doc.steps[1]!.range, r(17, 0, 17, 29));
    assert.ok(doc.steps.every((s) => !s.text.startsWith('#')));
    assert.deepEqual(doc.finalAnswer, { text: '7', range: r(17, 25, 17, 26) });
  });

  it('reads display math opened at the end of a line of text (`Given: $$`) to its closer, in a paragraph and in a list item', () => {
    for (const [indent, marker] of [
      ['', ''],
      ['   ', '1. '],
    ] as const) {
      const text = [
        '# Problem', // 0
        'Find f(2).', // 1
        '', // 2
        '## Solution', // 3
        '', // 4
        `${marker}Given: $$`, // 5
        `${indent}f(x) = 3x + 5`, // 6
        `${indent}$$`, // 7
        '', // 8
        `${marker ? '2. ' : ''}We add them:`, // 9
        '', // 10
        `${indent}$$`, // 11
        `${indent}2 + 2 = 4`, // 12
        `${indent}$$`, // 13
      ].join('\n');
      const doc = parseMarkdownSolution('d.solution.md', text);
      assertConsistent(doc);
      // the closing `$$` of the first display is no opener: each display stays in its own step
      assert.deepEqual(
        doc.steps.map((s) => [s.range.start.line, s.range.end.line]),
        [
          [5, 7],
          [9, 13],
        ],
        marker || 'paragraph',
      );
    }
  });

  it('reads "## Step N: text" headings that say the step (Llama 3) as steps; a title over a paragraph stays a title', () => {
    const llama = [
      '',
      '## Step 1:  To convert $101010_{5}$ to base ten, we write each digit with its place value.',
      '## Step 2:  The first term is $1\\cdot5^4$, which equals $625$.',
      '## Step 3:  So the number in base ten is $625+25+1=651$.',
      '',
      'The final answer is: $\\boxed{651}$',
    ].join('\n');
    const doc = parseMarkdownSolution('llama.md', llama, { problem: 'Convert $101010_5$ to base ten.' });
    assertConsistent(doc);
    assert.deepEqual(
      doc.steps.map((s) => [s.label, s.text.slice(0, 20)]),
      [
        ['Step 1', '## Step 1:  To conve'],
        ['Step 2', '## Step 2:  The firs'],
        ['Step 3', '## Step 3:  So the n'],
      ],
    );
    assert.equal(doc.finalAnswer?.text, '651');

    const titled = [
      '# Problem',
      'What is 2 + 3 + 4?',
      '',
      '## Step 1: Add the first two',
      '',
      '2 + 3 = 5.',
      '',
      '## Step 2: Add the last',
      '5 + 4 = 9.',
      '',
      'Answer: 9',
    ].join('\n');
    const titledDoc = parseMarkdownSolution('titled.md', titled);
    assertConsistent(titledDoc);
    assert.deepEqual(
      titledDoc.steps.map((s) => [s.label, s.text]),
      [
        ['Step 1', '2 + 3 = 5.'],
        ['Step 2', '5 + 4 = 9.'],
      ],
    );
  });

  it('reads everything before a Solution heading as the problem, and bullet items with continuations as steps', () => {
    const text =
      'A robe takes 2 bolts of blue fiber\nand half that much white fiber.\n\nSolution:\n\n- It takes 2 / 2 = 1 bolt of white fiber\n  (half of the blue).\n- In total 2 + 1 = 3 bolts.\n\nAnswer: 3 bolts.';
    const doc = parseMarkdownSolution('robe.md', text);
    assertConsistent(doc);
    assert.deepEqual(doc.problemRange, r(0, 0, 1, 31));
    assert.deepEqual(
      doc.steps.map((s) => s.range),
      [r(5, 0, 6, 21), r(7, 0, 7, 27)],
    );
    assert.equal(doc.finalAnswer?.text, '3 bolts');
  });

  it('counts characters in UTF-16 code units and lines across CRLF, CR and a BOM, with tabs kept as one character', () => {
    const text = '\uFEFFProblem: find 3 * 4?\r\n\r\n\t😀 3 * 4 = 12 🎉\r\rStep 2: done';
    const doc = parseMarkdownSolution('u.md', text);
    assertConsistent(doc);
    assert.deepEqual(doc.problemRange, r(0, 1, 0, 21));
    // the tab is one character; the emoji is two UTF-16 code units
    assert.deepEqual(doc.steps[0]!.range, r(2, 1, 2, 17));
    assert.deepEqual(doc.steps[1]!.range, r(4, 0, 4, 12));
    assert.equal(doc.steps[1]!.label, 'Step 2');
  });

  it('warns about broken front matter and still reads the rest', () => {
    const text = '---\nanswer: [1, 2\n---\n# Problem\nWhat is 1 + 1?\n\n# Solution\n1 + 1 = 2\n';
    const doc = parseMarkdownSolution('broken.md', text);
    assertConsistent(doc);
    assert.equal(doc.warnings.length, 1);
    assert.match(doc.warnings[0]!, /front matter is not valid YAML/i);
    assert.equal(doc.frontMatter, undefined);
    assert.equal(doc.problem, 'What is 1 + 1?');
    assert.deepEqual(
      doc.steps.map((s) => s.text),
      ['1 + 1 = 2'],
    );
  });

  it('warns about front matter that is never closed, or that is not a mapping, or has a key of the wrong type', () => {
    const unclosed = parseMarkdownSolution('u.md', '---\nanswer: 3\n\nWhat is 1 + 2?\n\n1 + 2 = 3\n');
    assert.match(unclosed.warnings.join(' '), /never closed/);
    assert.ok(unclosed.steps.some((s) => s.text === '1 + 2 = 3'));
    const list = parseMarkdownSolution('l.md', '---\n- a\n- b\n---\nWhat?\n\nx\n');
    assert.match(list.warnings.join(' '), /must be a mapping/);
    const wrong = parseMarkdownSolution('w.md', '---\nanswer:\n  nested: 1\n---\nWhat?\n\nx\n');
    assert.match(wrong.warnings.join(' '), /"answer" should be a single value/);
    assert.equal(wrong.expectedAnswer, undefined);
  });

  it('says so when it finds no problem statement, and takes every block as a step', () => {
    const doc = parseMarkdownSolution('n.md', 'She sold 48 / 2 = 24 clips.\n\nThen 48 + 24 = 72.');
    assert.equal(doc.problem, '');
    assert.equal(doc.steps.length, 2);
    assert.match(doc.warnings.join(' '), /No problem statement found/);
  });

  it('truncates at maxSteps with a warning', () => {
    const text = `What?\n\n${Array.from({ length: 12 }, (_, i) => `Step ${i + 1}: ${i} + 1 = ${i + 1}`).join('\n')}`;
    const doc = parseMarkdownSolution('m.md', text, { maxSteps: 5 });
    assert.equal(doc.steps.length, 5);
    assert.match(doc.warnings.join(' '), /first 5 of 12 steps/);
    assert.equal(parseMarkdownSolution('m.md', text).steps.length, 12);
  });

  it('parses any text without throwing: binary junk, NULs, lone surrogates, 10 MB, unclosed math and fences', () => {
    let seed = 7;
    const junk = Array.from({ length: 20000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return String.fromCharCode(seed % 65536);
    }).join('');
    const big = `What is it?\n\n${'2 + 2 = 4 and some words. '.repeat(400000)}`; // 10 MB
    const inputs = [
      '',
      '\n\n\n',
      junk,
      '\u0000\u0001\u0002 binary',
      '\uD800 lone surrogate \uDFFF',
      '$$ never closed\n\nstep\n\nanother',
      '```\nunclosed fence\n',
      '\\begin{align}\n1 + 1 &= 2',
      '---\n---\n---',
      '- \n-\n1.\n#\n####\nAnswer:',
      `${'Step 1 '.repeat(20000)}\n`.repeat(3),
      '\\[ never closed\n'.repeat(50000),
      '\\begin{align} x\n'.repeat(50000),
      '<!-- never closed\n'.repeat(50000),
      `${'- item\n  '.repeat(20000)}$$\n`,
      '\\boxed{'.repeat(50000),
    ];
    for (const text of inputs) {
      SolutionDocumentSchema.parse(parseMarkdownSolution('x.md', text));
      SolutionDocumentSchema.parse(parsePlainTextSolution('x.txt', text));
    }
    const huge = parseMarkdownSolution('big.md', big);
    assert.equal(huge.steps.length, 1);
    assert.equal(huge.steps[0]!.text.length, big.length - 13 - 1);
    assert.match(parseMarkdownSolution('x.md', '\u0000').warnings.join(' '), /NUL/);
  });
});

describe('plain text solutions', () => {
  it('takes one step per line when no paragraph has more than one line', () => {
    const text = 'Question: How many clips?\n\nShe sold 48/2 = 24.\nThen 48+24 = 72.\n#### 72';
    const doc = parsePlainTextSolution('t.txt', text);
    assertConsistent(doc);
    assert.equal(doc.format, 'text');
    assert.deepEqual(doc.problemRange, r(0, 0, 0, 25));
    assert.deepEqual(
      doc.steps.map((s) => s.range),
      [r(2, 0, 2, 19), r(3, 0, 3, 16)],
    );
    assert.deepEqual(doc.finalAnswer, { text: '72', range: r(4, 5, 4, 7) });
  });

  it('takes one step per paragraph when paragraphs span lines, and "Step N" always starts a step', () => {
    const text = '  First we add\n  2 + 2 = 4.\n\nThen we\nmultiply.\nStep 3: done';
    const doc = parsePlainTextSolution('t.txt', text);
    assertConsistent(doc);
    assert.deepEqual(
      doc.steps.map((s) => s.range),
      [r(0, 2, 1, 12), r(3, 0, 4, 9), r(5, 0, 5, 12)],
    );
    assert.equal(doc.steps[2]!.label, 'Step 3');
  });
});

describe('content hashes', () => {
  it('ignore whitespace differences and the step label, and change with the content', () => {
    assert.equal(hashText('a  b\n c '), hashText('a b c'));
    assert.notEqual(hashText('48 / 2 = 24'), hashText('48 / 2 = 25'));
    assert.equal(hashStep('Step 3: 48 / 2 = 24'), hashStep('Step 4: 48 / 2 = 24'));
    assert.equal(hashStep('1. 48 / 2 = 24'), hashStep('2.  48 / 2 = 24'));
    assert.equal(hashStep('- 48 / 2 = 24'), hashStep('48 / 2 = 24'));
    assert.notEqual(hashStep('2.5 * 4 = 10'), hashStep('2.6 * 4 = 10'));
  });

  it('keep a step identified when a step is inserted before it', () => {
    const before = parseMarkdownSolution('h.md', 'What?\n\nStep 1: 2 + 2 = 4\nStep 2: 4 * 3 = 12');
    const after = parseMarkdownSolution('h.md', 'What?\n\nStep 1: 1 + 1 = 2\nStep 2: 2 + 2 = 4\nStep 3: 4 * 3 = 12');
    assert.equal(after.steps[1]!.hash, before.steps[0]!.hash);
    assert.equal(after.steps[2]!.hash, before.steps[1]!.hash);
    assert.equal(after.problemHash, before.problemHash);
  });
});

describe('parseSolution', () => {
  it('picks the parser by language id, then by extension', async () => {
    const text = 'Question: what?\n\nline one\nline two';
    assert.equal((await parseSolution({ uri: 'file:///a.solution.md', text })).format, 'markdown');
    assert.equal((await parseSolution({ uri: 'notes.txt', text })).format, 'text');
    assert.equal((await parseSolution({ uri: 'notes.txt', text, languageId: 'stepcritic-solution' })).format, 'markdown');
    assert.equal((await parseSolution({ uri: 'untitled:1', text, languageId: 'plaintext' })).format, 'text');
    assert.equal((await parseSolution({ uri: 'x.md', text: 'What?\n\na\n\nb\n\nc', maxSteps: 2 })).steps.length, 2);
  });

  it('hands code files to the code parser', async () => {
    const python = await parseSolution({ uri: 'sol.py', text: 'def double(x):\n    return 2 * x\n' });
    assert.equal(python.kind, 'code');
    assert.equal(python.format, 'python');
    const js = await parseSolution({ uri: 'untitled:2', text: 'const x = 1;\nconsole.log(x);\n', languageId: 'javascript' });
    assert.equal(js.kind, 'code');
    assert.equal(js.format, 'javascript');
  });
});
