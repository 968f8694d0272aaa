// DBOS305: legacy `@DBOS.transaction` (2.x) used where DBOS rejects it: on a coroutine, called from a
// step or transaction, `DBOS.sql_session` outside a transaction, called directly from async code.
// On DBOS 3.x every use is reported by DBOS903 instead.
import { isV3, type Rule, type RuleContext } from './rule';
import type { FunctionInfo } from '../model/types';
import { isWorkflow } from '../model/kinds';
import { importsDbos } from '../model/lifecycle';

/** Contexts where code certainly does not run inside a legacy transaction. */
function outsideTransaction(fn: FunctionInfo | null): string | null {
  if (!fn) return 'at module level';
  for (let f: FunctionInfo | null = fn; f; f = f.parent) if (f.kinds.has('transaction')) return null;
  if (fn.isLambda) return null;
  if (isWorkflow(fn)) return `in workflow \`${fn.name}\``;
  if (fn.kinds.has('step')) return `in step \`${fn.name}\``;
  if (fn.kinds.has('dstransaction')) return `in datasource transaction \`${fn.name}\``;
  if (fn.kinds.has('http')) return `in HTTP handler \`${fn.name}\``;
  if (fn.kinds.has('test')) return `in test \`${fn.name}\``;
  if (fn.kinds.has('entry') || fn.kinds.has('lifespan')) return `in \`${fn.name}\`, which runs at startup`;
  return null; // a plain helper may be called from a transaction
}

function check(ctx: RuleContext): void {
  if (isV3(ctx.version)) return;
  const { model } = ctx;
  for (const fn of model.functions) {
    if (!fn.kinds.has('transaction') || !fn.isAsync) continue;
    const d = fn.decorators.find((x) => x.fqn === 'dbos.DBOS.transaction');
    ctx.report({
      node: d?.node ?? fn.node,
      message:
        `\`@DBOS.transaction\` on \`async def ${fn.name}\`\nDBOS raises "Function ${fn.name} is a coroutine function, but DBOS.transaction does not support coroutine functions" at import. ` +
        `Make it a plain \`def\` (call it with \`asyncio.to_thread\` from async code) or use an \`AsyncSQLAlchemyDatasource\` transaction.`,
    });
  }
  for (const call of model.calls) {
    const target = model.targetFunction(call);
    const caller = call.scope.fn;
    if (target && target.kinds.has('transaction') && caller && !caller.isLambda) {
      if (!isWorkflow(caller) && (caller.kinds.has('step') || caller.kinds.has('transaction'))) {
        const kind = caller.kinds.has('step') ? 'step' : 'transaction';
        ctx.report({
          node: call.node,
          message:
            `Transaction \`${target.name}\` is called from ${kind} \`${caller.name}\`\nDBOS raises \`AssertionError: Transactions must be called from within workflows\`. ` +
            `Call it from the workflow instead, or make \`${target.name}\` a plain function the ${kind} calls.`,
        });
      } else if (caller.isAsync && call.node.parent?.type !== 'await') {
        ctx.report({
          node: call.node,
          message:
            `Transaction \`${target.name}\` is called from \`async def ${caller.name}\` and blocks the event loop\n` +
            `It blocks the event loop while it talks to the database ` +
            `(DBOS logs "Transaction ${target.name} was called while an event loop is running. Invoke transactions from an async context using asyncio.to_thread to avoid blocking the event loop."). ` +
            `Use \`await asyncio.to_thread(${target.name}, ...)\`.`,
          severity: 'warning',
        });
      }
    }
  }
  for (const node of model.attributesNamed('sql_session')) {
    if (!node || model.textOf(node.childForFieldName('attribute')!) !== 'sql_session') continue;
    if (model.resolve(node) !== 'dbos.DBOS.sql_session') continue;
    const scope = model.scopeOf(node);
    const where = outsideTransaction(scope.fn);
    if (!where) continue;
    // a fragment that never imports DBOS (a documentation snippet): its transaction was left out
    if (!scope.fn && !importsDbos(model)) continue;
    ctx.report({
      node,
      message:
        `\`DBOS.sql_session\` is used ${where}, outside a \`@DBOS.transaction\` function\nDBOS raises \`AssertionError: db is only available within a transaction.\` ` +
        `Move the database work into a \`@DBOS.transaction()\` function (or a datasource transaction) and call that.`,
    });
  }
}

export const rule: Rule = { code: 'DBOS305', requires: ['transaction', 'sql_session'], check };
