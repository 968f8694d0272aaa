// DBOS306: datasource transactions (`SQLAlchemyDatasource` / `AsyncSQLAlchemyDatasource`) misused:
// sync/async mismatch, `sql_session()` outside a transaction, a transaction called from a step, and
// an async datasource created at module level without `asyncio.run`.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { ModuleModel } from '../model/module';
import type { FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { datasourceKind, isWorkflow } from '../model/kinds';
import { addImportEdit } from '../fixes/common';
import { callArgs } from '../model/queues';

function localFunction(model: ModuleModel, node: Node | undefined): FunctionInfo | null {
  if (!node) return null;
  if (node.type === 'lambda') return model.functionOf(node) ?? null;
  const fqn = model.resolve(node);
  const f = fqn ? model.functionsByFqn.get(fqn) : undefined;
  if (!f || f.decorators.some((d) => !d.fqn?.startsWith('dbos.') && !(d.fqn && datasourceKind(d.fqn.replace(/\.transaction$/, ''))))) return null;
  return f;
}

function outsideDsTransaction(fn: FunctionInfo | null): string | null {
  if (!fn) return 'at module level';
  for (let f: FunctionInfo | null = fn; f; f = f.parent) if (f.kinds.has('dstransaction')) return null;
  if (fn.isLambda) return null;
  if (isWorkflow(fn)) return `in workflow \`${fn.name}\``;
  if (fn.kinds.has('step')) return `in step \`${fn.name}\``;
  if (fn.kinds.has('transaction')) return `in legacy transaction \`${fn.name}\``;
  if (fn.kinds.has('http')) return `in HTTP handler \`${fn.name}\``;
  if (fn.kinds.has('test')) return `in test \`${fn.name}\``;
  if (fn.kinds.has('entry') || fn.kinds.has('lifespan')) return `in \`${fn.name}\`, which runs at startup`;
  return null; // a plain helper may be called from a transaction
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  // (a) decorator kind mismatch
  for (const fn of model.functions) {
    for (const d of fn.decorators) {
      if (!d.fqn?.endsWith('.transaction')) continue;
      const kind = datasourceKind(d.fqn.slice(0, -'.transaction'.length));
      if (kind === 'sync' && fn.isAsync) {
        ctx.report({
          node: d.node,
          message:
            `\`${model.textOf(d.expr)}\` belongs to a sync \`SQLAlchemyDatasource\` but \`${fn.name}\` is \`async def\`\nDBOS raises "SyncDatasource.transaction requires a non-coroutine function, but ${fn.name} is a coroutine". ` +
            `Use an \`AsyncSQLAlchemyDatasource\` for async transactions, or make \`${fn.name}\` a plain \`def\`.`,
        });
      } else if (kind === 'async' && !fn.isAsync && !fn.isLambda) {
        ctx.report({
          node: d.node,
          message:
            `\`${model.textOf(d.expr)}\` belongs to an \`AsyncSQLAlchemyDatasource\` but \`${fn.name}\` is not \`async def\`\nDBOS raises "AsyncDatasource.transaction requires a coroutine function, but ${fn.name} is not". ` +
            `Make \`${fn.name}\` \`async def\` (awaiting \`sql_session().execute(...)\`), or use a sync \`SQLAlchemyDatasource\`.`,
        });
      }
    }
  }
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    // (a) run_tx_step kind mismatch
    const m = /^(.*)\.(run_tx_step|run_tx_step_async)$/.exec(fqn);
    if (m && datasourceKind(m[1])) {
      const kind = datasourceKind(m[1]);
      const a = callArgs(model, call.args);
      const f = localFunction(model, a.positional[1] ?? a.keywords.get('func')?.value);
      if (f && kind === 'sync' && m[2] === 'run_tx_step' && f.isAsync) {
        ctx.report({
          node: call.node,
          message: `\`${f.name}\` is a coroutine\nDBOS raises "Function ${f.name} is a coroutine; use AsyncDatasource.run_tx_step_async instead". Run it on an \`AsyncSQLAlchemyDatasource\` with \`await ads.run_tx_step_async(...)\`, or make it a plain \`def\`.`,
        });
      } else if (f && kind === 'async' && m[2] === 'run_tx_step_async' && !f.isAsync) {
        ctx.report({
          node: call.node,
          message: `\`${f.isLambda ? 'lambda' : f.name}\` is not a coroutine function\nDBOS raises "Function ${f.isLambda ? '<lambda>' : f.name} must be a coroutine function for AsyncDatasource". Pass an \`async def\` function, or use a sync \`SQLAlchemyDatasource\` with \`run_tx_step\`.`,
        });
      }
      continue;
    }
    // (b) sql_session() outside a datasource transaction
    const s = /^(.*)\.sql_session$/.exec(fqn);
    if (s && datasourceKind(s[1])) {
      const where = outsideDsTransaction(call.scope.fn);
      if (where) {
        const sync = datasourceKind(s[1]) === 'sync';
        ctx.report({
          node: call.node,
          message:
            `\`${model.textOf(call.callee)}()\` is called ${where}, outside a transaction of that datasource\nDBOS raises ` +
            `\`AssertionError: sql_session() must be called within a ${sync ? 'sync' : 'async'} datasource transaction\`. ` +
            `Move the queries into a \`@${model.textOf(call.callee).replace(/\.sql_session$/, '')}.transaction()\` function and call it.`,
        });
      }
      continue;
    }
    // (d) async datasource created at module level without asyncio.run
    if (fqn === 'dbos.AsyncSQLAlchemyDatasource.create' && !call.scope.fn) {
      const parent = call.node.parent;
      const awaited = parent?.type === 'await';
      const inRun = parent?.type === 'argument_list' && model.resolve(parent.parent?.childForFieldName('function')) === 'asyncio.run';
      if (inRun) continue;
      const target = awaited ? parent! : call.node;
      const local = model.localNameFor('asyncio.run');
      const importEdits = local ? [] : [addImportEdit(model, 'import asyncio')];
      const runText = local ?? 'asyncio.run';
      const fix: Fix = {
        title: 'Wrap in `asyncio.run(...)`',
        safe: false,
        preferred: true,
        edits: [...importEdits, model.lines.edit(target.startIndex, target.endIndex, `${runText}(${model.textOf(call.node)})`)],
      };
      ctx.report({
        node: target,
        message: awaited
          ? `\`await AsyncSQLAlchemyDatasource.create(...)\` at module level is a \`SyntaxError\` ("'await' outside function"). Create it with \`asyncio.run(AsyncSQLAlchemyDatasource.create(...))\` before \`DBOS.launch()\`.`
          : `\`AsyncSQLAlchemyDatasource.create(...)\` returns a coroutine, not a datasource, without \`await\`\nWithout \`await\` the module holds a coroutine, not a datasource, and its \`transaction\` attribute does not exist. Create it with \`asyncio.run(AsyncSQLAlchemyDatasource.create(...))\` before \`DBOS.launch()\`.`,
        fixes: [fix],
      });
      continue;
    }
    // (c) datasource transaction called from a step
    const target = model.targetFunction(call);
    const caller = call.scope.fn;
    if (target?.kinds.has('dstransaction') && caller && !caller.isLambda && caller.kinds.has('step') && !isWorkflow(caller)) {
      ctx.report({
        node: call.node,
        message:
          `Datasource transaction \`${target.name}\` is called from step \`${caller.name}\`, so it is not recorded\nOutside a workflow it runs as an ordinary database transaction, without DBOS recording its result, ` +
          `so a retry of the step runs it again. Call it from the workflow instead.`,
        severity: 'information',
      });
    }
  }
}

export const rule: Rule = { code: 'DBOS306', requires: ['Datasource', 'sql_session'], check };
