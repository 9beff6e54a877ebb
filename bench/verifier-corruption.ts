// Seeded corruption of GSM8K solutions for the verifier bench: change one explicit result (a number the
// text states right after `=`) in one step, the way a careless solver would, and remember which step.
//
// GSM8K marks every computation with a calculator annotation, `48/2 = <<48/2=24>>24 clips`; a result is
// "explicit" when the annotation stands right after an `=` (possibly with a `$`) and the visible text
// before that `=` (back to the previous `=`) shows a computation: a digit and an operator. So the changed
// number is the right side of a computation claim a reader can see; `x = <<30+9=39>>39` is not one.

export interface Corruption {
  /** The answer with one displayed result changed (annotations still in). */
  answer: string;
  /** 0-based index of the changed step (non-empty line before `####`). */
  step: number;
  from: string;
  to: string;
  kind: string;
}

const ANNOTATION = /<<([^<>]{0,500})>>/g;
const DISPLAYED = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?/;

function pick<T>(rng: () => number, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A wrong value for `shown` (as displayed: maybe `1,200` or `3.50`), in the same format. */
export function corruptNumber(shown: string, rng: () => number): { to: string; kind: string } {
  const thousands = shown.includes(',');
  const plain = shown.replace(/,/g, '');
  const [intPart, decPart] = plain.split('.') as [string, string | undefined];
  const decimals = decPart?.length ?? 0;
  const scaled = BigInt(intPart + (decPart ?? ''));
  const kinds = ['off-by-small', 'off-by-small', 'off-by-ten', 'times-ten', 'digit-swap', 'digit-change'];
  for (let attempt = 0; attempt < 20; attempt++) {
    const kind = pick(rng, kinds);
    let next: bigint;
    switch (kind) {
      case 'off-by-small': {
        const delta = BigInt(1 + Math.floor(rng() * 9)) * 10n ** BigInt(decimals > 0 ? Math.max(0, decimals - 1) : 0);
        next = rng() < 0.5 && scaled > delta ? scaled - delta : scaled + delta;
        break;
      }
      case 'off-by-ten':
        next = scaled + 10n ** BigInt(decimals + 1) * (rng() < 0.5 && scaled > 10n ** BigInt(decimals + 1) ? -1n : 1n);
        break;
      case 'times-ten':
        next = scaled * 10n;
        break;
      case 'digit-swap': {
        const digits = scaled.toString().split('');
        if (digits.length < 2) continue;
        const i = Math.floor(rng() * (digits.length - 1));
        if (digits[i] === digits[i + 1] || (i === 0 && digits[1] === '0')) continue;
        [digits[i], digits[i + 1]] = [digits[i + 1]!, digits[i]!];
        next = BigInt(digits.join(''));
        break;
      }
      default: {
        const digits = scaled.toString().split('');
        const i = Math.floor(rng() * digits.length);
        const d = Number(digits[i]);
        const nd = (d + 1 + Math.floor(rng() * 9)) % 10;
        if (i === 0 && nd === 0 && digits.length > 1) continue;
        digits[i] = String(nd);
        next = BigInt(digits.join(''));
      }
    }
    if (next === scaled || next < 0n) continue;
    let text = next.toString();
    if (decimals > 0) {
      text = text.padStart(decimals + 1, '0');
      text = `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
    }
    if (thousands) {
      const [i, d] = text.split('.');
      text = groupThousands(i!) + (d !== undefined ? `.${d}` : '');
    }
    return { to: text, kind };
  }
  return { to: thousands ? groupThousands(String(scaled + 1n)) : String(scaled + 1n), kind: 'off-by-one' };
}

/** Changes one explicit result of a GSM8K answer; undefined when the answer states none. */
export function corruptGsm8kAnswer(answer: string, rng: () => number): Corruption | undefined {
  const lines = answer.split('\n');
  const marker = lines.findIndex((l) => /^\s*####/.test(l));
  const candidates: { line: number; step: number; at: number; shown: string }[] = [];
  let step = 0;
  for (let li = 0; li < (marker >= 0 ? marker : lines.length); li++) {
    const line = lines[li]!;
    if (line.replace(ANNOTATION, '').trim() === '') continue;
    for (const m of line.matchAll(ANNOTATION)) {
      const before = line.slice(0, m.index).replace(ANNOTATION, '');
      if (!/=\s*\$?\s*$/.test(before)) continue;
      const leftSide = before
        .replace(/=\s*\$?\s*$/, '')
        .split('=')
        .pop()!;
      if (!/\d/.test(leftSide) || !/[-+*/×÷^−]|\bx\b|\btimes\b/.test(leftSide)) continue;
      const after = line.slice(m.index! + m[0].length);
      const shown = DISPLAYED.exec(after);
      if (!shown) continue;
      candidates.push({ line: li, step, at: m.index! + m[0].length, shown: shown[0] });
    }
    step++;
  }
  if (candidates.length === 0) return undefined;
  const chosen = pick(rng, candidates);
  const { to, kind } = corruptNumber(chosen.shown, rng);
  const line = lines[chosen.line]!;
  lines[chosen.line] = line.slice(0, chosen.at) + to + line.slice(chosen.at + chosen.shown.length);
  return { answer: lines.join('\n'), step: chosen.step, from: chosen.shown, to, kind };
}
