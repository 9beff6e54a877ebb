// Functions defined in the problem or in a step (`f(x) = 2x^2 - 3x + 1`, `g(t) = f(t) + 1`), so that
// later claims about their values (`f(3) = 10`, `f(a+1) = …`, `g(f(2)) = …`) can be evaluated. A
// definition is `name(params) = body` with a single lowercase letter as the name and bare lowercase
// variables as the parameters, each of which the body uses: `P(A) = 0.3` (a probability) and
// `f(x) = 0` (an equation) are no definitions. A later definition of the same name replaces it.
import type { MathNode } from 'mathjs';
import type { MathChain } from './math-reader';
import { PLUS_MINUS, functionName, sequenceName } from './math-reader';
import { evaluateAt, randomPoints, sameValue, withFunctions } from './points';

export interface FunctionDefinition {
  /** mathjs names of the parameters (`v_x`). */
  params: string[];
  body: MathNode;
  /** The definition as written. */
  text: string;
  /** The name was defined before with another body: which one a claim means is not certain. */
  redefined?: boolean;
  /** Defined in the problem: a step that writes `f(x) = …` with the bare parameters restates it (identity.ts). */
  given?: boolean;
}

export type FunctionTable = ReadonlyMap<string, FunctionDefinition>;

/** `f(x) =`, `g(t)=`, `h\left(x\right) =`: the names the text uses as functions. */
const DEFINITION_SHAPE = /(?<![A-Za-z\\])([a-z])\s*(?:\\left)?\(\s*[a-z](?:\s*,\s*[a-z])*\s*(?:\\right)?\)\s*=/g;

export function functionNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(DEFINITION_SHAPE)) names.add(m[1]!);
  return names;
}

interface Node {
  type: string;
  name?: string;
  fn?: { name?: string };
  args?: MathNode[];
}

function symbolsOf(node: MathNode): Set<string> {
  const found = new Set<string>();
  node.traverse((n) => {
    const m = n as unknown as Node;
    if (m.type === 'SymbolNode' && m.name) found.add(m.name);
  });
  return found;
}

/** The definition a chain starts with, if it is one. */
export function definitionIn(chain: MathChain, text: string): { name: string; definition: FunctionDefinition } | undefined {
  const [head, body] = chain.sides;
  if (!head?.node || !body?.node || chain.approximate[0]) return undefined;
  const call = head.node as unknown as Node;
  if (call.type === 'SymbolNode') return sequenceIn(call, body.node, text.slice(head.start, body.end));
  if (call.type !== 'FunctionNode' || !call.fn?.name?.startsWith('F_')) return undefined;
  const params: string[] = [];
  for (const arg of call.args ?? []) {
    const a = arg as unknown as Node;
    if (a.type !== 'SymbolNode' || !a.name || !/^v_[a-z]$/.test(a.name) || params.includes(a.name)) return undefined;
    params.push(a.name);
  }
  const used = symbolsOf(body.node);
  if (params.length === 0 || !params.every((p) => used.has(p))) return undefined;
  const name = call.fn.name.slice(2);
  if (used.has(functionName(name))) return undefined; // f(x) = f(x-1) + 1 is a recurrence, not a definition
  // `f(x) = g(x)`: where two functions meet, an equation
  const bodyNode = body.node as unknown as Node;
  if (bodyNode.type === 'FunctionNode' && bodyNode.fn?.name?.startsWith('F_')) return undefined;
  return { name, definition: { params, body: body.node, text: text.slice(head.start, body.end) } };
}

/**
 * `t_n = \frac{1}{n} - \frac{1}{n+2}`: a sequence defined by a formula of its index, a function of it (the
 * reader writes `t_n` in a sum over n as a call of it). Not `a_n = a_{n-1} + 2` (a recurrence: its body has
 * another term) nor `x_n = 5` (no formula of n).
 */
function sequenceIn(head: Node, body: MathNode, text: string): { name: string; definition: FunctionDefinition } | undefined {
  const m = /^v_([A-Za-z])_([a-z])$/.exec(head.name ?? '');
  if (!m) return undefined;
  const index = `v_${m[2]!}`;
  const used = symbolsOf(body);
  if (!used.has(index) || [...used].some((s) => s.startsWith(`v_${m[1]!}_`) || s.startsWith('F_'))) return undefined;
  return { name: sequenceName(m[1]!), definition: { params: [index], body, text } };
}

/**
 * Whether two definitions of a name are the same function, however written (`x^{2}-x+2` and `x^2 - x + 2`):
 * equal at a few points (identity.ts's test, with the parameters of one put for the other's).
 */
function sameDefinition(a: FunctionDefinition, b: FunctionDefinition, table: FunctionTable): boolean {
  if (a.params.length !== b.params.length) return false;
  if (a.body.toString() === b.body.toString()) return true;
  const others = [...symbolsOf(a.body), ...symbolsOf(b.body)].filter((v) => v.startsWith('v_') && !a.params.includes(v) && !b.params.includes(v));
  return randomPoints([...a.params, ...new Set(others)], 3, a.text).every((point) => {
    const scope = withFunctions(point, table);
    const renamed = withFunctions({ ...point, ...Object.fromEntries(b.params.map((p, k) => [p, point[a.params[k]!]])) }, table);
    const x = evaluateAt(a.body, scope);
    const y = evaluateAt(b.body, renamed);
    return x !== undefined && y !== undefined && sameValue(x, y);
  });
}

/** `table` with the definitions among `chains` added (later ones replace earlier ones). */
export function addDefinitions(table: FunctionTable, chains: readonly MathChain[], text: string): FunctionTable {
  let next: Map<string, FunctionDefinition> | undefined;
  for (const chain of chains) {
    const found = definitionIn(chain, text);
    if (!found) continue;
    next ??= new Map(table);
    const before = next.get(found.name);
    if (before && !sameDefinition(before, found.definition, next)) found.definition.redefined = true;
    // the problem's definition written again (`Given f(x) = …`) is still the given one
    else if (before?.given) found.definition.given = true;
    next.set(found.name, found.definition);
  }
  return next ?? table;
}

/** Free variables of a side with the bodies of the functions it calls (their parameters excepted). */
export function freeVariables(node: MathNode, table: FunctionTable, seen: Set<string> = new Set()): Set<string> {
  const free = new Set<string>();
  for (const s of symbolsOf(node)) {
    if (s.startsWith('v_') || s === PLUS_MINUS) free.add(s);
    else if (s.startsWith('F_') && !seen.has(s)) {
      const definition = table.get(s.slice(2));
      if (!definition) continue;
      seen.add(s);
      for (const v of freeVariables(definition.body, table, seen)) if (!definition.params.includes(v)) free.add(v);
    }
  }
  return free;
}
