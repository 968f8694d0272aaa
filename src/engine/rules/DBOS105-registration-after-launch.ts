// DBOS105: workflows, steps or configured instances that DBOS only learns about after launch.
import type { Rule } from './rule';
import type { FunctionInfo } from '../model/types';
import { isStepLike, isWorkflow } from '../model/kinds';
import { lateKind, runTimeOf } from '../model/run-time';
import { callLocation, elsewhere } from './run-time-elsewhere';
import { isTestLike, launchBefore } from '../model/lifecycle';
import { inheritsConfigured } from '../model/configured-classes';
import { rangeIn } from '../facts/positions';
import type { WorkspaceIndex } from '../project/index';
import { keywordArgument } from '../syntax/arguments';
import { skippingExpectedFailures } from './expected-failures';

const REGISTERING = new Set(['dbos.DBOS.workflow', 'dbos.DBOS.step', 'dbos.DBOS.transaction', 'dbos.DBOS.scheduled']);

function kindOf(fn: FunctionInfo): string {
  return isWorkflow(fn) ? 'workflow' : isStepLike(fn) ? 'step' : 'DBOS function';
}

/** A dotted name whose last segment looks like a class (`pkg.mod.Runner`). */
const CLASS_NAME = /^[A-Za-z_][\w.]*\.[A-Z]\w*$/;

function afterLaunch(name: string, when: string): string {
  return (
    `Configured instance of \`${name}\` is created after \`DBOS.launch()\`, too late for recovery\n` +
    `DBOS was launched before it ${when}. DBOS only logs "Configured instance ... ` +
    'was registered after DBOS was launched. This may cause errors during workflow recovery.", and recovery started at launch cannot find the instance. ' +
    'Create configured instances before `DBOS.launch()`.'
  );
}

export const rule: Rule = {
  code: 'DBOS105',
  // no required words: a file that only instantiates a configured class of another module names none of them
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // tests define workflows inside test functions by design
    if (isTestLike(model)) return;
    for (const fn of model.functions) {
      if (fn.isLambda || !fn.decorators.some((d) => d.fqn && REGISTERING.has(d.fqn))) continue;
      const parent = fn.parent;
      const what = kindOf(fn);
      // (a) defined after DBOS.launch() on the same path (module level, main guard, or the same function)
      const launch = fn.cls ? undefined : launchBefore(model, parent, fn.statement);
      if (launch) {
        ctx.report({
          node: fn.node.childForFieldName('name') ?? fn.node,
          message:
            `${what[0].toUpperCase()}${what.slice(1)} \`${fn.name}\` is registered after \`DBOS.launch()\` (line ${launch.node.startPosition.row + 1})\n` +
            `At launch DBOS already ` +
            'recovers pending workflows and dequeues work, and one that needs this function fails with `DBOSWorkflowFunctionNotFoundError` ' +
            '("... is not a registered workflow function"). Define it before launch, at module level.',
        });
        continue;
      }
      // (b) nested in a function that runs once DBOS is launched: a workflow, a step, an HTTP handler, a
      // method, or a plain function called from one of them or after `DBOS.launch()`, in this module or
      // another (model/run-time.ts, project/callers.ts)
      if (!parent) continue;
      const host = parent;
      const late = lateKind(host) ?? 'function';
      // `@DBOS.workflow(name=f"{self.name}.run")` in a method: a framework registering each instance's
      // functions under a stable name of their own (created before launch, like configured instances)
      const named = (): boolean => fn.decorators.some((d) => d.fqn && REGISTERING.has(d.fqn) && d.expr.type === 'call' && !!keywordArgument(model, d.expr, 'name'));
      if (late === 'method' && named()) continue;
      const when = late === 'function' ? runTimeOf(model, host, elsewhere(ctx)).late : null;
      if (late === 'function' && (!when || (when.root === 'method' && named()))) continue;
      const hostName = late === 'method' ? host.qualname : host.name;
      ctx.report({
        node: fn.node.childForFieldName('name') ?? fn.node,
        message:
          `${what[0].toUpperCase()}${what.slice(1)} \`${fn.name}\` is registered only when ${late} \`${host.name}\` runs\n` +
          `Defined inside ${late} \`${hostName}\`, ` +
          (when ? `which runs after launch (it is ${when.why}), it is registered then ` : `it is registered when \`${host.name}\` runs, after launch `) +
          `(as \`${fn.qualname}\`, again on every call): recovering or dequeuing it in a fresh process fails with \`DBOSWorkflowFunctionNotFoundError\` ` +
          '("... is not a registered workflow function"). Define it at module level.',
        related: callLocation(ctx, when, (how) => `\`${host.name}\` is ${how} here, after launch`),
      });
    }
    // configured instances created after launch
    const projectClasses = new Map<string, ReturnType<WorkspaceIndex['projectClass']>>();
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (!fqn || call.scope.cls) continue;
      const cls = model.classes.find((c) => c.fqn === fqn);
      if (cls) {
        if (inheritsConfigured(model, cls) !== 'yes') continue;
        const launch = launchBefore(model, call.scope.fn, call.node);
        if (!launch) continue;
        ctx.report({ node: call.node, message: afterLaunch(cls.name, `(line ${launch.node.startPosition.row + 1})`) });
        continue;
      }
      // a class of another module of the project (`from durable_swarm import DurableSwarm`)
      if (!ctx.index || !ctx.file || !CLASS_NAME.test(fqn) || fqn.startsWith('dbos.') || fqn.startsWith(model.moduleName + '.')) continue;
      let other = projectClasses.get(fqn);
      if (other === undefined) projectClasses.set(fqn, (other = ctx.index.projectClass(ctx.file, fqn)));
      if (!other || other.configured !== 'yes') continue;
      const name = other.qualname;
      const launch = launchBefore(model, call.scope.fn, call.node);
      if (launch) {
        ctx.report({ node: call.node, message: afterLaunch(name, `(line ${launch.node.startPosition.row + 1})`) });
      } else if (other.launchesAtImport) {
        // importing the class's module ran its module-level DBOS.launch()
        ctx.report({
          node: call.node,
          message: afterLaunch(name, `(when \`${other.module.moduleName}\` was imported: it calls \`DBOS.launch()\` at module level)`),
          related: [{ message: `\`${name}\` is defined here`, range: rangeIn(other.module, 0, 0), file: other.module.file }],
        });
      }
    }
  },
};
