// Division with a remainder: `1529 ÷ 6 = 255 with a remainder of 4`, `706 / 7 = 100 R 6`. The quotient
// is the whole part and the remainder what is left: a = b·q + r with 0 ≤ r < b, in whole numbers.
import type { Finding } from './finding';

/** An inline formula closed or opened between the parts: `\(770 \div 333 = 2\) with a remainder of \(58\)`. */
const DELIMITER = String.raw`\s*(?:(?:\\[()]|\$)\s*)?`;
const DIVISION = new RegExp(
  String.raw`\b(\d{1,15})\s*(?:÷|\/|\\div|divided by)\s*(\d{1,15})\s*(?:=|is|gives)\s*(\d{1,15})${DELIMITER},?\s*(?:with\s+(?:a\s+)?remainder(?:\s+of)?|remainder|R|r)${DELIMITER}(\d{1,15})\b`,
  'g',
);
const MAX_FINDINGS = 50;

export function checkRemainders(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const m of text.matchAll(DIVISION)) {
    if (findings.length >= MAX_FINDINGS) break;
    const [a, b, q, r] = [m[1]!, m[2]!, m[3]!, m[4]!].map((x) => BigInt(x)) as [bigint, bigint, bigint, bigint];
    if (b === 0n) continue;
    const base = { kind: 'arithmetic' as const, start: m.index, end: m.index + m[0].length };
    if (a === b * q + r && r < b) {
      findings.push({ ...base, status: 'verified' });
      continue;
    }
    const quotient = a / b;
    findings.push({ ...base, status: 'refuted', expected: `${quotient} with a remainder of ${a - b * quotient}` });
  }
  return findings;
}
