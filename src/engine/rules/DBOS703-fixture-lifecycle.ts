// DBOS703: pytest fixtures that build DBOS without tearing it down properly.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { argDeletionRange, callsTo, isDbosConstructor, statementIn } from '../model/dbos-calls';
import { isWorkflow } from '../model/kinds';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument, keywordValue } from '../syntax/arguments';

const PYTEST_BUILTINS = new Set([
  'request', 'tmp_path', 'tmp_path_factory', 'tmpdir', 'tmpdir_factory', 'monkeypatch', 'capsys', 'capfd', 'caplog',
  'pytestconfig', 'recwarn', 'cache', 'record_property', 'testrun_uid', 'worker_id', 'event_loop', 'anyio_backend', 'self',
]);

function isDestroy(ctx: RuleContext, call: CallInfo): boolean {
  return ctx.model.calleeFqn(call) === 'dbos.DBOS.destroy';
}

/** The call destroys DBOS, directly or through a local helper (two levels). */
function destroys(ctx: RuleContext, call: CallInfo, depth = 0): boolean {
  if (isDestroy(ctx, call)) return true;
  if (depth >= 2) return false;
  const f = ctx.model.targetFunction(call);
  if (f) return f.calls.some((c) => destroys(ctx, c, depth + 1));
  // a teardown method of an object we cannot see into (`runtime.destroy_sync()`) may destroy DBOS
  const method = ctx.model.methodOf(call);
  return !!method && TEARDOWN.test(method);
}

const TEARDOWN = /destroy|shutdown|teardown|cleanup|close|stop/i;

function yieldsOf(fn: FunctionInfo): Node[] {
  if (!fn.body) return [];
  const out: Node[] = [];
  const walk = (n: Node) => {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'function_definition' || c.type === 'lambda' || c.type === 'class_definition') continue;
      if (c.type === 'yield') out.push(c);
      walk(c);
    }
  };
  walk(fn.body);
  return out;
}

function fixtureScope(ctx: RuleContext, fn: FunctionInfo): string | null {
  for (const d of fn.decorators) {
    if (d.fqn !== 'pytest.fixture' && d.fqn !== 'pytest_asyncio.fixture') continue;
    const v = d.args ? keywordValue(ctx.model, d.expr, 'scope') : null;
    if (v) return ctx.model.textOf(v).replace(/['"]/g, '');
  }
  return null;
}

/** Fixture parameters: true when one (or its own dependencies) destroys DBOS; null when some cannot be known. */
function paramFixturesDestroy(ctx: RuleContext, fn: FunctionInfo, seen = new Set<FunctionInfo>()): boolean | null {
  seen.add(fn);
  let unknown = false;
  for (const p of fn.params) {
    if (PYTEST_BUILTINS.has(p)) continue;
    const f = ctx.model.functions.find((g) => g.name === p && g.kinds.has('fixture') && !g.parent);
    if (!f) {
      unknown = true;
      continue;
    }
    if (seen.has(f)) continue;
    if (f.calls.some((c) => destroys(ctx, c))) return true;
    const sub = paramFixturesDestroy(ctx, f, seen);
    if (sub) return true;
    if (sub === null) unknown = true;
  }
  return unknown ? null : false;
}

function insertLineFix(ctx: RuleContext, title: string, at: Node, after: boolean): Fix {
  const { model } = ctx;
  const d = dbosName(model);
  const l = model.lines;
  const line = l.positionAt(at.startIndex).line;
  const indent = l.indentOf(line);
  const edit = after
    ? l.edit(at.endIndex, at.endIndex, `${l.eol}${indent}${d.text}.destroy()`)
    : l.edit(at.startIndex, at.startIndex, `${d.text}.destroy()${l.eol}${indent}`);
  return { title, safe: false, edits: [...d.edits, edit] };
}

export const rule: Rule = {
  code: 'DBOS703',
  // (d) needs no fixture: a reset in application code
  requires: ['fixture', 'reset_system_database'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const moduleWorkflows = model.functions.some((f) => !f.parent && isWorkflow(f));
    for (const fn of model.functions) {
      if (!fn.kinds.has('fixture') || !fn.body) continue;
      const ctor = fn.calls.find((c) => isDbosConstructor(model, c));
      if (!ctor) continue;
      const text = model.textOf(fn.node);
      const finalizer = /addfinalizer|ExitStack|atexit/.test(text);
      const yields = yieldsOf(fn);
      const anyDestroy = fn.calls.some((c) => destroys(ctx, c));
      if (yields.length > 0) {
        // (b) teardown after the yield
        const y = yields[0];
        const destroyedAfter = fn.calls.some((c) => c.start > y.endIndex && destroys(ctx, c));
        if (!destroyedAfter && !finalizer) {
          const stmts = fn.body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
          const last = stmts[stmts.length - 1];
          ctx.report({
            node: y,
            message:
              `Fixture \`${fn.name}\` builds DBOS but does not call \`DBOS.destroy()\` after \`yield\`\n` +
              'The launched instance keeps its background threads ' +
              'and database connections running into the next test (DBOS does not warn). Call `DBOS.destroy()` after the `yield`.',
            fixes: last ? [insertLineFix(ctx, 'Call `DBOS.destroy()` after the `yield`', last, true)] : [],
          });
        }
      } else if (!anyDestroy && !finalizer) {
        // (a) no destroy before constructing again
        const scope = fixtureScope(ctx, fn);
        if ((scope === null || scope === 'function') && paramFixturesDestroy(ctx, fn) === false) {
          ctx.report({
            node: ctor.node,
            message:
              `Fixture \`${fn.name}\` constructs DBOS without calling \`DBOS.destroy()\` first\n` +
              'When an earlier test left an instance, the new ' +
              '`DBOS(config=...)` is silently ignored and the test runs against the old configuration and state. Call `DBOS.destroy()` before `DBOS(...)`.',
            fixes: [insertLineFix(ctx, 'Call `DBOS.destroy()` before `DBOS(...)`', statementIn(ctor.node), false)],
          });
        }
      }
      // (c) destroy_registry=True while this file registers workflows at import
      if (moduleWorkflows) {
        for (const c of fn.calls) {
          if (!isDestroy(ctx, c)) continue;
          const kw = keywordArgument(model, c, 'destroy_registry');
          if (!kw || kw.childForFieldName('value')?.type !== 'true') continue;
          const r = argDeletionRange(model, kw);
          ctx.report({
            node: kw,
            message:
              '`DBOS.destroy(destroy_registry=True)` drops workflows this module registers only at import\n' +
              'This module registers its workflows once, at import: the next ' +
              'DBOS instance no longer knows them (recovery and dequeue fail with `DBOSWorkflowFunctionNotFoundError`). Call `DBOS.destroy()` without it.',
            fixes: [{ title: 'Remove `destroy_registry=True`', safe: false, edits: [model.lines.edit(r.start, r.end, '')] }],
          });
        }
      }
    }
    // (d) destructive reset outside tests
    const p = model.projectPath.replace(/\\/g, '/').toLowerCase();
    if (!model.isTestFile && !/(^|\/)(tests?|testing|fixtures|scripts|tools|bin)\//.test(p) && !/(test|fixture|conftest|reset|seed|dev|manage|cli)[^/]*$/.test(p)) {
      const usesPytest = [...model.module.imports.values()].some((v) => v === 'pytest' || v.startsWith('pytest.'));
      for (const { call } of usesPytest ? [] : callsTo(model, ['dbos.DBOS.reset_system_database'])) {
        if (call.scope.fn && (call.scope.fn.kinds.has('fixture') || call.scope.fn.kinds.has('test'))) continue;
        ctx.report({
          node: call.node,
          message:
            '`DBOS.reset_system_database()` in application code deletes all workflow state\n' +
            'It deletes every workflow, queue entry and event in the system database (DBOS does not ask). ' +
            'Keep it in test fixtures; in production code, remove it.',
        });
      }
    }
  },
};
