// Fixture solutions with the expected findings marked inline (`<!-- {identity refuted} -->`, like
// markdownlint's `{MD001}` fixtures): every marked line gets exactly the marked findings, and no other
// line gets a refuted or an uncertain claim. The markers are blanked out before parsing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseMarkdownSolution } from '../../src/engine/documents/markdown';
import { verifyDocument } from '../../src/engine/judge';
import { isClaimEvidence } from '../../src/engine/types';

const FOLDER = join(__dirname, '..', 'fixtures', 'verifier');
const MARKER = /<!--\s*\{([^}]*)\}\s*-->/g;

function expectations(text: string): Map<number, string[]> {
  const expected = new Map<number, string[]>();
  text.split('\n').forEach((line, k) => {
    for (const m of line.matchAll(MARKER)) expected.set(k, [...(expected.get(k) ?? []), m[1]!.trim()]);
  });
  return expected;
}

describe('verifier fixtures with inline expected findings', () => {
  for (const name of readdirSync(FOLDER).filter((f) => f.endsWith('.solution.md'))) {
    it(name, () => {
      const raw = readFileSync(join(FOLDER, name), 'utf8');
      const expected = expectations(raw);
      const text = raw.replace(MARKER, (m) => ' '.repeat(m.length));
      const document = parseMarkdownSolution(name, text);
      const found = new Map<number, string[]>();
      for (const evidence of verifyDocument(document).values()) {
        for (const e of evidence) {
          if (!isClaimEvidence(e) || (e.status !== 'refuted' && e.status !== 'uncertain')) continue;
          found.set(e.range.start.line, [...(found.get(e.range.start.line) ?? []), `${e.kind} ${e.status}`]);
        }
      }
      const lines = (m: Map<number, string[]>) => [...m.entries()].sort(([a], [b]) => a - b).map(([line, kinds]) => `${line + 1}: ${kinds.sort().join(', ')}`);
      assert.deepEqual(lines(found), lines(expected));
    });
  }
});
