// Statement readers: what a block of statements says, read from the tree.
import type { Node } from 'web-tree-sitter';
import { typeOf } from './node-reads';

/** The statements of a block, without comments and without a leading docstring. */
export function bodyStatements(block: Node | null | undefined): Node[] {
  if (!block || typeOf(block) !== 'block') return [];
  const out: Node[] = [];
  for (const c of block.namedChildren) {
    if (!c || typeOf(c) === 'comment') continue;
    if (out.length === 0 && typeOf(c) === 'expression_statement' && c.namedChildren[0]?.type === 'string' && c.namedChildren.length === 1) continue;
    out.push(c);
  }
  return out;
}

/** The call a block returns when it holds nothing but `return <call>` (and a docstring), else null. */
export function soleReturnedCall(block: Node | null | undefined): Node | null {
  const stmts = bodyStatements(block);
  if (stmts.length !== 1 || typeOf(stmts[0]) !== 'return_statement') return null;
  const value = stmts[0].namedChildren.find((c) => c && typeOf(c) !== 'comment');
  return value?.type === 'call' ? value : null;
}
