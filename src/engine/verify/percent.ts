// Percentages in prose: "15% of 80 is 12", "a 20% discount on $45 is $9" (the discount or the new
// price), "25% of the 60 students, that is 15 students", "130 is 30% more than 100", "12 is 15% of 80".
// The stated value is judged at the precision it is written in (rounding.ts); "about" makes it approximate.
// What the arithmetic verifier already judged (`20% of 50 = 10`) is left to it.
import type { Value } from './evaluate';
import { fraction } from './evaluate';
import type { Literal } from './claims';
import { formatLike, literalAgreement } from './compare';
import type { Finding } from './finding';
import type { Agreement } from './rounding';
import { better } from './rounding';

const NUMBER = String.raw`\$?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d%]|\s*(?:%|percent))`;
const PERCENT = String.raw`(\d+(?:\.\d+)?)\s*(?:\\?%|percent)`;
const WORDS = String.raw`(?:[A-Za-z'’-]+,?\s+){0,3}?`;
const VERB = String.raw`(?:is|are|was|were|equals|gives|makes|comes to|amounts to|would be|will be|,?\s*(?:that is|i\.e\.,?|which is|or))`;
const ABOUT = String.raw`((?:about|approximately|roughly|around|nearly)\s+)?`;

interface Shape {
  pattern: RegExp;
  /** The values the stated number may have, from the numbers matched. */
  values(p: number, n: number): number[];
  /** Groups: percent, base, stated (by position in the match). */
  groups: [percent: number, base: number, stated: number];
}

const SHAPES: Shape[] = [
  {
    // 15% of 80 is 12; 25% of the 60 students, that is 15 students
    pattern: new RegExp(
      String.raw`${PERCENT}\s+of\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|their\s+|its\s+|all\s+)?${NUMBER}\s*${WORDS}${VERB}\s+${ABOUT}${NUMBER}`,
      'gi',
    ),
    values: (p, n) => [(p / 100) * n],
    groups: [1, 2, 4],
  },
  {
    // a 20% discount on $45 is $9 (or $36)
    pattern: new RegExp(
      String.raw`${PERCENT}\s+(discount|decrease|reduction|off|increase|raise|tax|tip|markup|mark-up|commission|interest)\s+(?:on|of|to|from|for)\s+(?:the\s+|a\s+)?${NUMBER}\s*${WORDS}${VERB}\s+${ABOUT}${NUMBER}`,
      'gi',
    ),
    values: () => [],
    groups: [1, 3, 5],
  },
  {
    // 130 is 30% more than 100
    pattern: new RegExp(
      String.raw`${NUMBER}\s*${WORDS}(?:is|are|was|were)\s+${ABOUT}${PERCENT}\s+(more|greater|larger|higher|bigger|less|fewer|smaller|lower)\s+than\s+${NUMBER}`,
      'gi',
    ),
    values: () => [],
    groups: [3, 5, 1],
  },
  {
    // 12 is 15% of 80
    pattern: new RegExp(String.raw`${NUMBER}\s*${WORDS}(?:is|are|was|were)\s+${ABOUT}${PERCENT}\s+of\s+(?:the\s+)?${NUMBER}`, 'gi'),
    values: (p, n) => [(p / 100) * n],
    groups: [3, 4, 1],
  },
];

/** After the stated number: it is the first operand of a computation (`is 1.5 x $80,000 = $120,000`), not the result. */
const STARTS_COMPUTATION = /^\s*(?:[-+*/×÷^=·⋅]|\\(?:times|cdot|div)\b|x\s*[$€£(]?\s*\d)/;
const DOWN = /^(?:discount|decrease|reduction|off|less|fewer|smaller|lower)$/i;

/** Offsets of the groups of a match (the d flag is not used: groups are found in order from the left). */
function groupOffsets(match: RegExpExecArray): number[] {
  const offsets: number[] = [];
  let from = 0;
  for (let g = 1; g < match.length; g++) {
    const value = match[g];
    if (value === undefined) {
      offsets.push(-1);
      continue;
    }
    const at = match[0].indexOf(value, from);
    offsets.push(at < 0 ? -1 : match.index + at);
    if (at >= 0) from = at + value.length;
  }
  return offsets;
}

export function checkPercentages(text: string, judged: (start: number, end: number) => boolean): Finding[] {
  const findings: Finding[] = [];
  for (const shape of SHAPES) {
    shape.pattern.lastIndex = 0;
    for (let m = shape.pattern.exec(text); m && findings.length < 50; m = shape.pattern.exec(text)) {
      const offsets = groupOffsets(m);
      const [pg, ng, sg] = shape.groups;
      const statedAt = offsets[sg - 1]!;
      if (statedAt < 0 || judged(m.index, m.index + m[0].length)) continue;
      // `10% of 40 seconds is 40*0.1 = 4`: the stated number starts a computation
      if (STARTS_COMPUTATION.test(text.slice(statedAt + m[sg]!.length, statedAt + m[sg]!.length + 40))) continue;
      const p = Number(m[pg]!);
      const n = Number(m[ng]!.replace(/,/g, ''));
      const raw = m[sg]!;
      const value = raw.replace(/,/g, '');
      const dot = value.indexOf('.');
      const literal: Literal = {
        start: statedAt,
        end: statedAt + raw.length,
        value,
        decimals: dot < 0 ? 0 : value.length - dot - 1,
        percent: false,
        thousands: raw.includes(','),
      };
      const approximate = m.slice(1).some((g) => g !== undefined && /^(?:about|approximately|roughly|around|nearly)\s+$/i.test(g));
      const word = m.slice(1).find((g) => g !== undefined && /^[a-z-]+$/i.test(g) && !/^(?:about|approximately|roughly|around|nearly)$/i.test(g.trim()));
      const down = word !== undefined && DOWN.test(word);
      let candidates = shape.values(p, n);
      if (shape === SHAPES[1]) candidates = [(p / 100) * n, n * (1 + (down ? -p : p) / 100)];
      if (shape === SHAPES[2]) candidates = [n * (1 + (down ? -p : p) / 100)];
      const exact = candidates.map((c): Value => ({ exact: fraction(String(Number(c.toPrecision(15)))) }));
      let best: Agreement = 'differs';
      for (const v of exact) best = better(best, literalAgreement(v, literal, { approximate }));
      const base = { kind: 'percent' as const, start: m.index, end: m.index + m[0].length };
      if (best === 'exact' || best === 'rounded') findings.push({ ...base, status: 'verified' });
      else if (best === 'differs') {
        const digits = formatLike(exact[0]!, literal);
        findings.push({ ...base, status: 'refuted', expected: digits, fix: { start: literal.start, end: literal.end, newText: digits } });
      } else
        findings.push({
          ...base,
          kind: 'rounding',
          status: 'uncertain',
          expected: formatLike(exact[0]!, undefined),
          note: 'the stated value is rounded to a whole number or cut off',
        });
    }
  }
  return findings;
}
