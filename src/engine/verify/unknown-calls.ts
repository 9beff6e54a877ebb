// A function the text never defines, called at a number, at a computation of another value, then at a number
// (`f(12) = f\left(\frac{1}{2} \cdot 12\right) = f(6)`): the second link works out the argument, which is
// checked like any computation (read as a product the claim would be the same; sides the reader reads,
// `x(2 + 3) = x(5)`, are identity.ts's). A number on the left and a computation on the right (`f(12) = f(\frac{1}{2} \cdot 12)`)
// is the function's own property (a functional equation), and arguments with variables are not judged.
import type { MathNode } from 'mathjs';
import { exactMath } from './evaluate';
import type { Finding } from './finding';
import type { FunctionTable } from './functions';
import type { MathChain } from './math-reader';
import { readMath } from './math-reader';
import { evaluateAt } from './points';
import { formatLike } from './compare';

/** `f(…)`, `f\left(…\right)`: a letter called at what the brackets hold. */
const CALL = /^([A-Za-z])\s*(?:\\left\s*)?\(([\s\S]*?)(?:\\right\s*)?\)$/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/** `F_f(…)`: a call of a name the text uses as a function (math-reader.ts), defined or not. */
function isCall(node: MathNode): boolean {
  const shape = node as unknown as { type: string; fn?: { name?: string } };
  return shape.type === 'FunctionNode' && shape.fn?.name?.startsWith('F_') === true;
}

/** Whether the brackets of `text` close in order: `1) + f(2` (of `f(1) + f(2)`) is no argument. */
function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function call(text: string): { name: string; argument: string } | undefined {
  const m = CALL.exec(text.trim());
  return m && balanced(m[2]!) ? { name: m[1]!, argument: m[2]!.trim() } : undefined;
}

/** The exact value of an argument without variables that is not a plain number, or undefined. */
function computedValue(argument: string) {
  if (PLAIN_NUMBER.test(argument) || argument.length > 200) return undefined;
  const side = readMath(`\\(${argument} = 0\\)`)[0]?.sides[0];
  if (!side?.node || side.variables.length > 0 || side.ambiguous) return undefined;
  return evaluateAt(side.node, {})?.exact;
}

export function checkUnknownCalls(
  chains: readonly MathChain[],
  text: string,
  functions: FunctionTable,
  judged: (start: number, end: number) => boolean,
): Finding[] {
  const findings: Finding[] = [];
  for (const chain of chains) {
    for (let k = 0; k + 1 < chain.sides.length; k++) {
      const [left, right] = [chain.sides[k]!, chain.sides[k + 1]!];
      const [a, b] = [call(text.slice(left.start, left.end)), call(text.slice(right.start, right.end))];
      // sides the reader read otherwise than as calls (a product `x(2 + 3)`) are the identity check's
      if (left.node && right.node && !(isCall(left.node) && isCall(right.node))) continue;
      if (!a || !b || a.name !== b.name || functions.has(a.name) || !PLAIN_NUMBER.test(b.argument) || chain.approximate[k]) continue;
      const value = computedValue(a.argument);
      if (!value || judged(left.start, right.end)) continue;
      // the link before applied the function's property (`f(12) = f(\frac{1}{2} \cdot 12)`: another value), so this
      // one works out the argument; after a link that worked it out (`f(2) = f(6 - 4) = f(6)`) it is the property
      const before = k > 0 ? call(text.slice(chain.sides[k - 1]!.start, chain.sides[k - 1]!.end)) : undefined;
      if (!before || before.name !== a.name || !PLAIN_NUMBER.test(before.argument) || value.equals(exactMath.fraction(before.argument))) continue;
      const base = { kind: 'function' as const, start: left.start, end: right.end };
      if (value.equals(exactMath.fraction(b.argument))) {
        findings.push({ ...base, status: 'verified' });
        continue;
      }
      const shown = formatLike({ exact: value }, undefined);
      const expected = `${a.name}(${shown})`;
      findings.push({
        ...base,
        status: 'refuted',
        expected,
        note: `the argument ${a.argument} is ${shown}`,
        fix: { start: right.start, end: right.end, newText: expected },
      });
    }
  }
  return findings;
}
