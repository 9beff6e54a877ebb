// The solution grammar tokenised the way VS Code does it (vscode-textmate + Oniguruma): the scopes a
// theme colours must land on the step labels, headings, math, answers and front matter.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const require = createRequire(`${process.cwd()}/`);
let grammar: textmate.IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => {
      if (scope === 'text.stepcritic.solution') {
        return textmate.parseRawGrammar(readFileSync('syntaxes/stepcritic-solution.tmLanguage.json', 'utf8'), 'stepcritic-solution.tmLanguage.json');
      }
      // VS Code brings its own YAML grammar for the front matter; an empty one stands in for it here.
      if (scope === 'source.yaml') return textmate.parseRawGrammar(JSON.stringify({ scopeName: 'source.yaml', patterns: [] }), 'yaml.json');
      return null;
    },
  });
  const loaded = await registry.loadGrammar('text.stepcritic.solution');
  assert.ok(loaded);
  grammar = loaded;
});

/** Every token of a document as [text, scopes joined], line by line, carrying state across lines. */
function tokenize(text: string): { text: string; scopes: string }[][] {
  let state = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.join(' ') }));
  });
}

function scopesOf(lines: { text: string; scopes: string }[][], line: number, text: string): string {
  const token = lines[line]!.find((t) => t.text === text);
  assert.ok(token, `line ${line} has a token ${JSON.stringify(text)}: ${JSON.stringify(lines[line])}`);
  return token.scopes;
}

const sample = [
  '---', //                                      0
  'id: bakery', //                               1
  '---', //                                      2
  '# Problem', //                                3
  'Muffins cost $3 each and cookies $2 each.', // 4
  '## Solution', //                              5
  'Step 1: The muffins bring in $12 \\times 3 = 36$ dollars.', // 6
  '- **Step 2.** Then', //                        7
  '$$', //                                       8
  '36 + 16 = 52', //                             9
  '$$', //                                       10
  'Answer: \\boxed{52}', //                       11
  '#### 72', //                                  12
  '### Notes', //                                13
].join('\n');

describe('the stepcritic-solution grammar', () => {
  const lines = () => tokenize(sample);

  it('marks the front matter block, only at the top', () => {
    const t = lines();
    assert.match(scopesOf(t, 0, '---'), /punctuation\.definition\.frontmatter\.begin/);
    assert.match(t[1]![0]!.scopes, /meta\.embedded\.block\.frontmatter/);
    assert.match(scopesOf(t, 2, '---'), /punctuation\.definition\.frontmatter\.end/);
    assert.doesNotMatch(t[3]![0]!.scopes, /frontmatter/);
  });

  it('names the Problem and Solution sections, and other headings as plain headings', () => {
    const t = lines();
    assert.match(scopesOf(t, 3, 'Problem'), /entity\.name\.section\.stepcritic/);
    assert.match(scopesOf(t, 5, 'Solution'), /entity\.name\.section\.markdown entity\.name\.section\.stepcritic/);
    assert.match(scopesOf(t, 13, 'Notes'), /entity\.name\.section\.markdown/);
    assert.doesNotMatch(scopesOf(t, 13, 'Notes'), /section\.stepcritic/);
  });

  it('marks `Step N` labels as bold labels, also inside a list item (never a keyword: the 2026 themes draw keywords red)', () => {
    const t = lines();
    assert.match(scopesOf(t, 6, 'Step 1'), /markup\.bold\.step-label\.stepcritic/);
    assert.match(scopesOf(t, 7, 'Step 2'), /markup\.bold\.step-label\.stepcritic/);
  });

  it('gives no label, heading or math a scope the default themes draw in red (keyword, escape, invalid)', () => {
    const risky = /\b(?:keyword\.other|keyword\.control|storage\.type|constant\.character\.escape|invalid|entity\.other\.attribute-name)\b/;
    for (const [i, line] of lines().entries()) for (const token of line) assert.doesNotMatch(token.scopes, risky, `line ${i} ${JSON.stringify(token.text)}`);
  });

  it('marks inline math with its numbers and operators, and leaves dollar amounts as prose', () => {
    const t = lines();
    assert.match(scopesOf(t, 6, '12'), /markup\.math\.inline\.stepcritic.*constant\.numeric\.math/);
    assert.match(scopesOf(t, 6, '\\times'), /keyword\.operator\.math/);
    assert.ok(
      t[4]!.every((token) => !/markup\.math/.test(token.scopes)),
      JSON.stringify(t[4]),
    );
  });

  it('marks display math across lines', () => {
    const t = lines();
    assert.match(scopesOf(t, 8, '$$'), /markup\.math\.block\.stepcritic/);
    assert.match(scopesOf(t, 9, '36'), /markup\.math\.block\.stepcritic.*constant\.numeric\.math/);
    assert.match(scopesOf(t, 10, '$$'), /punctuation\.definition\.math\.end/);
  });

  it('marks the final answer: the Answer label, \\boxed{} and its content, a GSM8K #### line', () => {
    const t = lines();
    assert.match(scopesOf(t, 11, 'Answer:'), /markup\.bold\.answer-label\.stepcritic/);
    assert.match(scopesOf(t, 11, '\\boxed'), /support\.function\.boxed\.stepcritic/);
    assert.match(scopesOf(t, 11, '52'), /markup\.bold\.answer\.stepcritic/);
    assert.match(scopesOf(t, 12, '72'), /constant\.numeric\.answer\.stepcritic/);
    assert.doesNotMatch(scopesOf(t, 12, '72'), /markup\.heading/);
  });

  it('keeps nested braces inside \\boxed{} balanced', () => {
    const t = tokenize('Answer: \\boxed{\\frac{1}{2}} and then prose');
    assert.doesNotMatch(scopesOf(t, 0, ' and then prose'), /boxed/);
  });
});
