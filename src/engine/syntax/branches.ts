// The branch reader: whether two places of the code are in exclusive branches, so that at most one
// of them runs on a pass (\`if\` / \`elif\` / \`else\`, \`try\` body vs its handlers, \`match\` cases,
// the two sides of a conditional expression, the right operand of \`and\` / \`or\`).
import type { Node } from 'web-tree-sitter';
import { parentOf } from './enclosing';

/** A node with its ancestors (itself first) and their types, read once per node. */
export interface Ancestry {
  nodes: Node[];
  types: string[];
  index: Map<number, number>;
}

const ancestries = new WeakMap<Node, Ancestry>();

/** The node and its ancestors, innermost first (each \`.parent\` is one walk from the root: read once). */
export function ancestry(node: Node): Ancestry {
  let c = ancestries.get(node);
  if (!c) {
    const nodes: Node[] = [];
    const types: string[] = [];
    const index = new Map<number, number>();
    for (let n: Node | null = node; n; n = parentOf(n)) {
      index.set(n.id, nodes.length);
      nodes.push(n);
      types.push(n.type);
    }
    c = { nodes, types, index };
    ancestries.set(node, c);
  }
  return c;
}

const EXCEPT = /^except(_group)?_clause$/;

/**
 * Whether \`a\` and \`b\` sit in exclusive branches of their innermost common statement or expression:
 * different branches of an \`if\` (not its condition), a \`try\` body and one of its \`except\` handlers
 * (or two handlers), two \`case\` clauses of a \`match\`, the two values of a conditional expression, or
 * the two operands of a boolean operator (the right one may not run).
 */
export function exclusiveBranches(a: Node, b: Node): boolean {
  const ca = ancestry(a);
  const cb = ancestry(b);
  for (let j = 0; j < cb.nodes.length; j++) {
    const n = cb.nodes[j];
    const i = ca.index.get(n.id);
    if (i === undefined) continue;
    // \`n\` is the innermost common ancestor; the children through which each place is reached
    const childA = i > 0 ? ca.nodes[i - 1] : null;
    const childB = j > 0 ? cb.nodes[j - 1] : null;
    if (!childA || !childB || childA.id === childB.id) return false;
    switch (cb.types[j]) {
      case 'if_statement':
      case 'conditional_expression': {
        const cond = n.childForFieldName('condition') ?? (cb.types[j] === 'conditional_expression' ? n.namedChildren[1] : null);
        return childA.id !== cond?.id && childB.id !== cond?.id;
      }
      case 'boolean_operator':
        return true;
      case 'try_statement':
        return EXCEPT.test(childA.type) || EXCEPT.test(childB.type);
      case 'match_statement':
        return childA.type === 'case_clause' && childB.type === 'case_clause';
      case 'block':
        return cb.types[j + 1] === 'match_statement' && childA.type === 'case_clause' && childB.type === 'case_clause';
      default:
        return false;
    }
  }
  return false;
}
