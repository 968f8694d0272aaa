// Decorator factories: project functions whose call gives a DBOS decorator, so that a decorator written
// with them (`@dbos_step()`, `@Durable.workflow()`) registers the function with DBOS.
import type { Node } from 'web-tree-sitter';
import { bodyStatements } from '../syntax/statements';
import type { FunctionInfo, Scope } from './types';

/** DBOS decorators a factory function can stand for. */
export const DBOS_DECORATORS = new Set(['dbos.DBOS.workflow', 'dbos.DBOS.step', 'dbos.DBOS.transaction', 'dbos.DBOS.scheduled', 'dbos.DBOS.dbos_class']);

/** The text of a call of one of those decorators (`.step(`, `.workflow (`). */
const DECORATOR_CALL = /\.\s*(workflow|step|transaction|scheduled|dbos_class)\s*\(/;

/** What the factory reader needs from the model: the text of a node, and what an expression in a scope denotes. */
export interface FactoryReader {
  textOf(node: Node): string;
  resolveIn(node: Node, scope: Scope): string | null;
  /** The functions defined directly in `fn`'s body. */
  nested(fn: FunctionInfo): FunctionInfo[];
}

/**
 * The DBOS decorator (`dbos.DBOS.step`) a call of `fn` gives, or null. Two shapes:
 * - `def dbos_step(**kw): return DBOS.step(**kw)`: the factory returns the DBOS decorator itself;
 * - a wrapping factory, `dec = DBOS.workflow(**kw)` then `def decorator(f): return dec(wrap(f))` and
 *   `return decorator` (or `return DBOS.workflow(**kw)(wrap(f))` inside): the decorator it returns
 *   applies the DBOS decorator, so the function it decorates is registered with DBOS.
 * Imports and a docstring may precede the `return` (a lazy `from dbos import DBOS`).
 */
export function factoryDecorator(fn: FunctionInfo, r: FactoryReader): string | null {
  const body = fn.body;
  if (fn.isLambda || !body || !DECORATOR_CALL.test(r.textOf(body))) return null;
  const value = finalReturn(body);
  if (!value) return null;
  const scope: Scope = { fn, cls: null, mainGuard: false };
  if (value.type === 'call') {
    // only imports before it: a factory that does nothing else
    if (!bodyStatements(body).slice(0, -1).every((s) => IMPORT.has(s.type))) return null;
    const callee = value.childForFieldName('function');
    const target = callee ? r.resolveIn(callee, scope) : null;
    return target && DBOS_DECORATORS.has(target) ? target : null;
  }
  if (value.type !== 'identifier') return null;
  const name = r.textOf(value);
  const inner = r.nested(fn).find((f) => f.name === name && !f.isLambda);
  const applied = inner?.body ? finalReturn(inner.body) : null;
  const callee = applied?.type === 'call' ? applied.childForFieldName('function') : null;
  const target = callee && inner ? r.resolveIn(callee, { fn: inner, cls: null, mainGuard: false }) : null;
  // `dec(...)` with `dec = DBOS.workflow(...)`, or `DBOS.workflow(...)(...)`: an applied DBOS decorator
  const decorator = target?.endsWith('()') ? target.slice(0, -2) : null;
  return decorator && DBOS_DECORATORS.has(decorator) ? decorator : null;
}

const IMPORT = new Set(['import_statement', 'import_from_statement']);

/** The value of the `return` that ends a block (docstring and comments aside), or null. */
function finalReturn(block: Node): Node | null {
  const stmts = bodyStatements(block);
  const last = stmts[stmts.length - 1];
  if (last?.type !== 'return_statement') return null;
  return last.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
}
