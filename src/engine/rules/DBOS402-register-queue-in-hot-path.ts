// DBOS402: `DBOS.register_queue(...)` where it runs again and again: in a workflow or step body (not
// checkpointed, repeats on every run and replay), in an HTTP handler (once per request), or in a loop
// that registers one fixed name (a `while` loop, or a literal name in any loop). Each call upserts the
// queue row and, with the default `on_conflict`, can overwrite limits changed at run time. Quiet in
// tests, and for handlers that create or reconfigure a queue from the request (a variable name or
// limit, an explicit `on_conflict`).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import { isStepLike, isWorkflow } from '../model/kinds';
import type { CallInfo } from '../model/types';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { ownStatement } from '../model/lifecycle';
import { callArgs, literal, queueDeclarations } from '../model/queues';
import { enclosingLoop } from '../syntax/enclosing';
import { deleteStatementEdits, startupLaunch, usesOnlyModuleNames } from '../model/enqueue-sites';

const REGISTER = new Set(['dbos.DBOS.register_queue', 'dbos.DBOS.register_queue_async']);

/** The queue name when written as a literal, or as a module constant bound once to a literal. */
function fixedName(ctx: RuleContext, node: Node | null | undefined): string | null {
  const { model } = ctx;
  const l = literal(model, node);
  if (l?.t === 'str') return l.v;
  if (node?.type === 'identifier') {
    const b = model.module.bindings.get(model.textOf(node));
    if (b?.length === 1 && model.scopeOf(node).fn?.bindings.has(model.textOf(node)) !== true) {
      const v = literal(model, b[0].value);
      if (v?.t === 'str') return v.v;
    }
  }
  return null;
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  // tests register queues in test bodies and test workflows on purpose
  if (model.isTestFile) return;
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn || !REGISTER.has(fqn)) continue;
    if (model.expectsFailure(call.node)) continue;
    const a = callArgs(model, call.args);
    const nameNode = a.positional[0] ?? a.keywords.get('name')?.value ?? null;
    const name = fixedName(ctx, nameNode);
    const label = name !== null ? `\`${model.textOf(call.callee)}(${JSON.stringify(name)}, ...)\`` : `\`${model.textOf(call.callee)}(...)\``;
    const fn = call.scope.fn;
    let where: string | null = null;
    let why = '';
    if (fn && (isWorkflow(fn) || isStepLike(fn))) {
      const kind = isWorkflow(fn) ? 'workflow' : 'step';
      where = `in ${kind} \`${fn.name}\``;
      why = `it runs on every execution of the ${kind} and is not checkpointed (it runs again on every recovery or replay)`;
    } else if (fn && fn.kinds.has('http')) {
      // a management endpoint that creates or reconfigures a queue from the request is intended
      if (name === null || a.keywords.has('on_conflict') || a.splat || !usesOnlyModuleNames(model, call.args!, fn)) continue;
      where = `in HTTP handler \`${fn.name}\``;
      why = 'it runs on every request';
    } else {
      const loop = enclosingLoop(call.node);
      if (!loop || (loop.type !== 'while_statement' && name === null) || a.keywords.has('on_conflict')) continue;
      where = loop.type === 'while_statement' ? 'inside a `while` loop' : 'inside a loop with a fixed queue name';
      why = 'it runs on every iteration';
    }
    ctx.report({
      node: call.node,
      message:
        `\`${model.textOf(call.callee)}(...)\` runs ${where}, not once at startup\n` +
        `${label}: ` +
        `${why}. Each call writes the queue's row in the system database` +
        (a.keywords.has('on_conflict') ? '' : `, and with the default \`on_conflict="update_if_latest_version"\` it can overwrite limits changed at run time with \`set_*\``) +
        `; DBOS reports nothing. ` +
        `Register queues once at startup, right after \`DBOS.launch()\`, and only enqueue by name here.`,
      fixes: moveFix(ctx, call, name),
    });
  }
}

/** "Move the registration to startup (after `DBOS.launch()`)": a whole statement with module-level arguments. */
function moveFix(ctx: RuleContext, call: CallInfo, name: string | null): Fix[] {
  const { model } = ctx;
  const stmt = ownStatement(call);
  if (!stmt || stmt.namedChildren[0]?.type === 'assignment' || !call.args) return [];
  if (enclosingLoop(call.node) || !usesOnlyModuleNames(model, call.args, call.scope.fn)) return [];
  const launch = startupLaunch(model);
  if (!launch || launch.stmt.id === stmt.id) return [];
  const del = deleteStatementEdits(model, stmt);
  if (!del) return [];
  // already registered at startup under the same name: only the deletion is needed
  const atStartup = name !== null && queueDeclarations(model).some((d) => d.call !== call && d.name === name && !d.legacy && (d.call.scope.mainGuard || d.call.scope.fn?.kinds.has('entry') || d.call.scope.fn?.kinds.has('lifespan')));
  if (atStartup) {
    return [{ title: `Remove this registration: queue "${name}" is already registered at startup`, safe: false, edits: del }];
  }
  const dbos = dbosName(model);
  const line = model.lines.positionAt(launch.stmt.startIndex).line;
  const indent = model.lines.indentOf(line);
  const args = model.textOf(call.args);
  const reg = launch.isAsync ? `await ${dbos.text}.register_queue_async${args}` : `${dbos.text}.register_queue${args}`;
  const insert = model.lines.edit(launch.stmt.endIndex, launch.stmt.endIndex, `${model.lines.eol}${indent}${reg}`);
  return [{ title: 'Move the registration to startup, after `DBOS.launch()`', safe: false, edits: [...dbos.edits, ...del, insert] }];
}

export const rule: Rule = { code: 'DBOS402', requires: ['register_queue'], check };
