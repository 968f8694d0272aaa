// DBOS602: scheduled workflows declared or registered in a way DBOS rejects (now or at the next tick).
import type { Node } from 'web-tree-sitter';
import { isV3, type Rule, type RuleContext } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import { isWorkflow } from '../model/kinds';
import { callContext, callsTo, methodKind, paramShape, positional, singleBindingValue, stringValue } from '../model/dbos-calls';
import { cronProblem, timezoneKnown } from './cron';
import { skippingExpectedFailures } from './expected-failures';
import { workflowSideChains } from './call-chains';
import { fitHeadline } from '../message';
import { workflowForbiddenName } from '../facts/summary';
import { keywordValue } from '../syntax/arguments';
import { dictLiteral, type DictEntries } from '../model/queues';
import { parentOf } from '../syntax/enclosing';

const SCHEDULE_FIELDS = ['schedule_name', 'workflow_fn', 'schedule'];

function checkSignature(ctx: RuleContext, fn: FunctionInfo, at: Node, legacy: boolean): void {
  // decorators other than DBOS's may change the signature
  if (fn.decorators.some((d) => !d.fqn || !/^(dbos\.DBOS\.\w+|builtins\.(staticmethod|classmethod))$/.test(d.fqn))) return;
  const skipFirst = !!fn.cls && methodKind(fn) !== 'static';
  const s = paramShape(fn, skipFirst);
  if (!s) return;
  const ok = s.required <= 2 && (s.required + s.optional >= 2 || s.varargs) && s.requiredKwOnly === 0;
  if (ok) return;
  const args = legacy ? '`(scheduled_time, actual_time)`' : '`(scheduled_time, context)`';
  const takes = s.requiredKwOnly > 0 ? 'requires keyword-only parameters' : `takes ${s.required + s.optional} positional parameter${s.required + s.optional === 1 ? '' : 's'}`;
  ctx.report({
    node: at,
    message:
      `Scheduled workflow \`${fn.name}\` ${takes}, so every run fails\n` +
      `The scheduler calls it with exactly two positional arguments ${args}: ` +
      'every scheduled run fails with a `TypeError` (registration does not check this). Give it two positional parameters.',
  });
}

function checkCron(ctx: RuleContext, node: Node | null, legacyFn: string | null): void {
  const cron = stringValue(ctx.model, node);
  if (cron === null || !node) return;
  const problem = cronProblem(cron);
  if (!problem) return;
  const runtime = legacyFn
    ? `\`ValueError: Invalid crontab "${cron}" for scheduled function function ${legacyFn}.\``
    : `\`DBOSException: Invalid cron schedule: '${cron}'\``;
  ctx.report({ node, message: `Invalid cron expression ${JSON.stringify(cron.length > 40 ? cron.slice(0, 37) + '...' : cron)}: DBOS rejects it\n${problem[0].toUpperCase()}${problem.slice(1)}. DBOS raises ${runtime}. Use e.g. "*/5 * * * *" (every 5 minutes) or "0 */30 * * * *" with seconds first.` });
}

function checkTimezone(ctx: RuleContext, node: Node | null): void {
  const tz = stringValue(ctx.model, node);
  if (tz === null || !node || tz === '') return;
  if (timezoneKnown(tz)) return;
  ctx.report({ node, message: `"${tz}" is not an IANA time zone name\nDBOS raises \`DBOSException: Invalid timezone: '${tz}'\`. Use a name such as "Europe/Paris" or "UTC".` });
}

function checkWorkflowFn(ctx: RuleContext, node: Node | null): void {
  if (!node) return;
  const { model } = ctx;
  const fqn = model.resolve(node);
  const fn = fqn ? model.functionsByFqn.get(fqn) : undefined;
  if (fn && isWorkflow(fn)) checkSignature(ctx, fn, node, false);
  // (c) a method of a configured instance
  if (node.type === 'attribute') {
    const obj = model.resolve(node.childForFieldName('object'));
    if (obj && obj.endsWith('()')) {
      const cls = model.classes.find((c) => c.fqn === obj.slice(0, -2));
      if (cls && cls.decorators.some((d) => d.fqn === 'dbos.DBOS.dbos_class')) {
        ctx.report({
          node,
          message:
            `\`${model.textOf(node)}\` is a method of a configured instance of \`${cls.name}\`\nDBOS raises ` +
            '`DBOSException: Configured instance methods cannot be used as scheduled workflows`. Schedule a module-level workflow (or a staticmethod) that calls the instance.',
        });
      }
    }
  }
}

function inWorkflow(ctx: RuleContext, call: CallInfo, name: string): void {
  const c = callContext(ctx.model, call.scope);
  if (c.kind !== 'workflow') return;
  ctx.report({
    node: call.node,
    message:
      `\`DBOS.${name}()\` is called in workflow \`${c.fn.name}\`\nDBOS raises \`DBOSException: DBOS.${name.replace(/_async$/, '')} cannot be called from within a workflow\`. ` +
      'Call it from the program\'s startup code (after `DBOS.launch()`) or from a handler.',
  });
}

/** The call runs at every application start: in the function or `__main__` block that launches DBOS. */
function onStartupPath(ctx: RuleContext, call: CallInfo): boolean {
  const fn = call.scope.fn;
  if (fn && !(fn.kinds.has('entry') || fn.kinds.has('lifespan'))) return false;
  if (!fn && !call.scope.mainGuard) return false;
  return callsTo(ctx.model, ['dbos.DBOS.launch', 'dbos.DBOS.launch_async']).some(
    ({ call: l }) => l.scope.fn === fn && l.scope.mainGuard === call.scope.mainGuard,
  );
}

function inTry(node: Node): boolean {
  for (let n = parentOf(node); n; n = parentOf(n)) {
    if (n.type === 'try_statement') return true;
    if (n.type === 'function_definition' || n.type === 'lambda') return false;
  }
  return false;
}

export const rule: Rule = {
  code: 'DBOS602',
  // `workflow`: a workflow may reach `DBOS.apply_schedules` through helpers of other modules
  requires: ['schedul', 'workflow'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // legacy decorator
    for (const fn of model.functions) {
      const i = fn.decorators.findIndex((d) => d.fqn === 'dbos.DBOS.scheduled');
      if (i < 0) continue;
      const d = fn.decorators[i];
      if (isV3(ctx.version)) {
        ctx.report({
          node: d.node,
          message:
            '`@DBOS.scheduled` was removed in DBOS 3.0, so importing this module fails\n' +
            'Python raises `AttributeError` at import. Register the schedule after launch with ' +
            `\`DBOS.apply_schedules([{"schedule_name": "${fn.name}", "workflow_fn": ${fn.name}, "schedule": ...}])\`; the workflow's second parameter becomes \`context\`.`,
        });
      } else {
        ctx.report({
          node: d.node,
          severity: 'information',
          message:
            '`@DBOS.scheduled` is the legacy scheduling API, removed in DBOS 3.0\n' +
            'Prefer registering the schedule after launch with ' +
            `\`DBOS.apply_schedules([{"schedule_name": "${fn.name}", "workflow_fn": ${fn.name}, "schedule": ...}])\`.`,
        });
        const wf = fn.decorators.findIndex((x) => x.fqn === 'dbos.DBOS.workflow');
        if (wf >= 0 && wf < i) {
          ctx.report({
            node: d.node,
            // every tick the scheduler enqueues the undecorated function, which DBOS rejects (a logged exception)
            severity: 'error',
            message:
              '`@DBOS.scheduled` is below `@DBOS.workflow()`, so every scheduled run fails\n' +
              'It schedules the undecorated function, which is not a registered workflow: at each tick the scheduler enqueues it, DBOS rejects it, ' +
              'and only logs "Exception encountered in scheduler thread". Put `@DBOS.scheduled(...)` above `@DBOS.workflow()`.',
          });
        }
      }
      if (d.args) checkCron(ctx, positional(d.expr, 0) ?? keywordValue(model, d.expr, 'cron'), fn.qualname);
      checkSignature(ctx, fn, fn.node.childForFieldName('name') ?? fn.node, true);
    }

    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.create_schedule', 'dbos.DBOS.create_schedule_async'])) {
      checkCron(ctx, keywordValue(model, call, 'schedule'), null);
      checkTimezone(ctx, keywordValue(model, call, 'cron_timezone'));
      checkWorkflowFn(ctx, keywordValue(model, call, 'workflow_fn'));
      const nameNode = keywordValue(model, call, 'schedule_name');
      const name = stringValue(model, nameNode);
      if (name !== null && onStartupPath(ctx, call) && !inTry(call.node)) {
        const scopeText = call.scope.fn ? model.textOf(call.scope.fn.node) : model.text;
        if (!/\b(get_schedule|list_schedules|delete_schedule)(_async)?\s*\(/.test(scopeText)) {
          ctx.report({
            node: call.node,
            severity: 'warning',
            message:
              `\`DBOS.${fqn.slice('dbos.DBOS.'.length)}(...)\` runs at every start, so the second start fails\n` +
              `Schedule "${name}" is created on the startup path: the second start fails with ` +
              `\`DBOSException: Schedule '${name}' already exists\`. Use \`DBOS.apply_schedules([...])\`, which creates or updates schedules idempotently.`,
          });
        }
      }
    }

    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.apply_schedules', 'dbos.DBOS.apply_schedules_async'])) {
      const name = fqn.slice('dbos.DBOS.'.length);
      inWorkflow(ctx, call, name);
      let list = positional(call, 0) ?? keywordValue(model, call, 'schedules');
      if (list?.type === 'identifier') list = singleBindingValue(model, list, call.scope);
      if (!list || list.type !== 'list') continue;
      let i = 0;
      for (const item of list.namedChildren) {
        if (!item || item.type === 'comment') continue;
        const d: DictEntries | null = dictLiteral(model, item);
        if (d) {
          const missing = SCHEDULE_FIELDS.find((f) => !d.entries.has(f));
          if (missing && !d.splat) {
            ctx.report({
              node: item,
              message: `Schedule entry ${i} lacks "${missing}"\nDBOS raises \`DBOSException: Schedule entry ${i} is missing required field '${missing}'\`. Each entry needs "schedule_name", "workflow_fn" and "schedule".`,
            });
          }
          checkCron(ctx, d.entries.get('schedule')?.value ?? null, null);
          checkTimezone(ctx, d.entries.get('cron_timezone')?.value ?? null);
          checkWorkflowFn(ctx, d.entries.get('workflow_fn')?.value ?? null);
        }
        i++;
      }
    }

    for (const { call, fqn } of callsTo(model, ['dbos.DBOS.backfill_schedule', 'dbos.DBOS.trigger_schedule'])) {
      inWorkflow(ctx, call, fqn.slice('dbos.DBOS.'.length));
    }
    // through helpers of this module or others, methods of module-level instances included
    for (const hit of workflowSideChains(ctx, (call) => !!workflowForbiddenName(model.calleeFqn(call)))) {
      const name = workflowForbiddenName(hit.chain!.leaf.call.fqn)!;
      const api = name.replace(/_async$/, '');
      ctx.report({
        node: hit.call.node,
        message:
          fitHeadline(`Workflow \`${hit.step.name}\` calls \`${hit.view.helperName}\`, which calls \`DBOS.${name}()\`\n` +
          `${hit.view.text}: inside a workflow DBOS raises \`DBOSException: DBOS.${api} cannot be called from within a workflow\`. ` +
          "Call it from the program's startup code (after `DBOS.launch()`) or from a handler, not from a workflow."),
        related: hit.view.related,
      });
    }
  },
};
