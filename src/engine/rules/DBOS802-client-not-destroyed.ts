// DBOS802: a DBOSClient whose connection pool is never released with destroy().
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isPlain } from '../model/kinds';
import { enclosingLoop } from '../syntax/enclosing';
import { indentUnitOf } from '../fixes/common';
import type { Fix } from '../types';
import { statementIn } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';


/** How a name is used after its assignment: destroyed, only used through methods, or escaping. */
function usage(ctx: RuleContext, scopeNode: Node, name: string, target: Node): 'destroyed' | 'methods' | 'escapes' {
  const { model } = ctx;
  let result: 'destroyed' | 'methods' = 'methods';
  for (const id of scopeNode.descendantsOfType('identifier')) {
    if (!id || id.id === target.id || model.textOf(id) !== name) continue;
    const p = id.parent;
    if (p?.type === 'attribute' && p.childForFieldName('object')?.id === id.id) {
      if (model.textOf(p.childForFieldName('attribute')!) === 'destroy') result = 'destroyed';
      continue;
    }
    if (p?.type === 'attribute' || (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id)) continue;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.id === id.id) continue;
    return 'escapes';
  }
  return result;
}

function tryFinallyFix(ctx: RuleContext, assign: Node, name: string): Fix | null {
  const { model } = ctx;
  const stmt = statementIn(assign);
  const block = stmt.parent;
  if (!block || block.type !== 'block') return null;
  const siblings = block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const i = siblings.findIndex((s) => s.id === stmt.id);
  const rest = siblings.slice(i + 1);
  if (rest.length === 0) return null;
  const l = model.lines;
  const first = rest[0];
  const last = rest[rest.length - 1];
  const startLine = l.positionAt(first.startIndex).line;
  const endLine = l.positionAt(last.endIndex).line;
  const from = l.starts[startLine];
  const to = l.lineEnd(endLine);
  const body = model.text.slice(from, to);
  if (/'''|"""/.test(body)) return null; // re-indenting would change string contents
  const indent = l.indentOf(startLine);
  const unit = indentUnitOf(model);
  const eol = l.eol;
  const indented = body
    .split(/\r?\n/)
    .map((line) => (line.trim() === '' ? line : unit + line))
    .join(eol);
  const text = `${indent}try:${eol}${indented}${eol}${indent}finally:${eol}${indent}${unit}${name}.destroy()`;
  return { title: `Wrap usage in \`try/finally: ${name}.destroy()\``, safe: false, edits: [l.edit(from, to, text)] };
}

export const rule: Rule = {
  code: 'DBOS802',
  requires: ['DBOSClient'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const call of model.calls) {
      if (model.calleeFqn(call) !== 'dbos.DBOSClient') continue;
      check(ctx, call);
    }
  },
};

function check(ctx: RuleContext, call: CallInfo): void {
  const { model } = ctx;
  let n: Node = call.node;
  if (n.parent?.type === 'await') n = n.parent;
  const assign = n.parent;
  if (assign?.type !== 'assignment' || assign.childForFieldName('right')?.id !== n.id) return;
  const target = assign.childForFieldName('left');
  if (target?.type !== 'identifier') return;
  const name = model.textOf(target);
  const fn = call.scope.fn;
  const moduleLevel = !fn || fn.globals.has(name);
  if (moduleLevel) {
    if (call.scope.cls) return;
    if (new RegExp(`\\b${name}\\s*\\.\\s*destroy\\b`).test(model.text)) return;
    ctx.report({
      node: call.node,
      severity: 'information',
      message:
        `\`DBOSClient\` \`${name}\` is never destroyed\n` +
        `Its connection pool stays open until the process exits. ` +
        `If it lives as long as the application, call \`${name}.destroy()\` in a shutdown hook (lifespan, \`atexit\`).`,
    });
    return;
  }
  const u = usage(ctx, fn.node, name, target);
  if (u !== 'methods') return;
  const fix = tryFinallyFix(ctx, assign, name);
  if (!enclosingLoop(call.node, true) && runsOncePerProcess(model, fn)) {
    // a script's main(): the client lives until the process exits, like one made at module level
    ctx.report({
      node: call.node,
      severity: 'information',
      message:
        `\`DBOSClient\` \`${name}\` is created in \`${fn.name}\` and never destroyed\n` +
        `\`${fn.name}\` runs once from the \`__main__\` block: its connection ` +
        `pool stays open until the process exits. Call \`${name}.destroy()\` when done, in a \`finally:\` block.`,
      fixes: fix ? [fix] : [],
    });
    return;
  }
  ctx.report({
    node: call.node,
    severity: model.isTestFile ? 'information' : undefined,
    message:
      `\`DBOSClient\` \`${name}\` is created in \`${fn.name}\` but never destroyed: each call leaks one\n` +
      `Each call leaks a connection pool (and the notification ` +
      `listener thread when \`use_listen_notify=True\`); DBOS does not warn. Call \`${name}.destroy()\` when done, in a \`finally:\` block.`,
    fixes: fix ? [fix] : [],
  });
}

/**
 * An entry point of a script (reached from the `__main__` block) that nothing else in the module calls:
 * it runs once per process. Lifespans and startup hooks are left out (they may hold a server's client).
 */
function runsOncePerProcess(model: RuleContext['model'], fn: FunctionInfo, seen = new Set<FunctionInfo>()): boolean {
  if (seen.has(fn)) return false;
  seen.add(fn);
  if (!fn.kinds.has('entry') || fn.kinds.has('lifespan') || fn.kinds.has('http') || !isPlain(fn)) return false;
  let fromMain = false;
  for (const c of model.calls) {
    if (model.targetFunction(c) !== fn) continue;
    const caller = c.scope.fn;
    if (!caller) {
      if (!c.scope.mainGuard) return false;
      fromMain = true;
    } else if (!caller.kinds.has('entry') || caller.kinds.has('lifespan') || caller.kinds.has('http') || caller === fn) return false;
    else if (!runsOncePerProcess(model, caller, new Set(seen))) return false;
    else fromMain = true;
  }
  return fromMain;
}
