// What the verifiers read of a mathjs node: its kind and parts, seen through any parentheses around it.
import type { MathNode } from 'mathjs';

/** The fields of a mathjs node that the checks look at (mathjs types them per node class). */
export interface NodeShape {
  type: string;
  op?: string;
  name?: string;
  value?: unknown;
  fn?: NodeShape;
  args?: MathNode[];
  content?: MathNode;
}

/** The node inside any parentheses: `((x))` is `x`. */
export function unwrapParentheses(node: MathNode): NodeShape {
  let n = node as unknown as NodeShape;
  while (n.type === 'ParenthesisNode' && n.content) n = n.content as unknown as NodeShape;
  return n;
}

/** The name of a node that is a lone symbol (in parentheses or not), else undefined. */
export function symbolName(node: MathNode): string | undefined {
  const n = unwrapParentheses(node);
  return n.type === 'SymbolNode' ? n.name : undefined;
}

/** Whether a node is a variable of the solution (the math reader names them `v_…`), not a constant like `pi`. */
export function isBareVariable(node: MathNode): boolean {
  return symbolName(node)?.startsWith('v_') === true;
}
