// Statement readers: what a block of statements says, read from the tree.
import type { Node } from 'web-tree-sitter';

/** The statements of a block, without comments and without a leading docstring. */
export function bodyStatements(block: Node | null | undefined): Node[] {
  if (!block || block.type !== 'block') return [];
  const out: Node[] = [];
  for (const c of block.namedChildren) {
    if (!c || c.type === 'comment') continue;
    if (out.length === 0 && c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string' && c.namedChildren.length === 1) continue;
    out.push(c);
  }
  return out;
}

/** The call a block returns when it holds nothing but `return <call>` (and a docstring), else null. */
export function soleReturnedCall(block: Node | null | undefined): Node | null {
  const stmts = bodyStatements(block);
  if (stmts.length !== 1 || stmts[0].type !== 'return_statement') return null;
  const value = stmts[0].namedChildren.find((c) => c && c.type !== 'comment');
  return value?.type === 'call' ? value : null;
}

/**
 * Whether a block does nothing but stand in for a body a subclass gives: `...`, `pass`, `raise
 * NotImplementedError(...)` (a docstring and comments aside; an empty block too).
 */
export function isStubBody(block: Node | null | undefined, textOf: (n: Node) => string): boolean {
  for (const s of bodyStatements(block)) {
    if (s.type === 'pass_statement') continue;
    if (s.type === 'expression_statement' && s.namedChildren.length === 1 && s.namedChildren[0]?.type === 'ellipsis') continue;
    if (s.type === 'raise_statement' && /^raise\s+NotImplementedError\b/.test(textOf(s))) continue;
    return false;
  }
  return true;
}
