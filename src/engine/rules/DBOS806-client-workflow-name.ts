// DBOS806: a literal workflow name given to a client (or to enqueue_workflow_with_options) that does not
// match how the workspace registers its workflows. With the index, every file under the roots counts
// (the workspace registry) and a name registered nowhere is reported (information); without it, only
// the workflows of the same file are known and an unknown name is no evidence.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import type { Fix, TextEdit } from '../types';
import { argsOf, isEnqueueOptionsCall, optionsValue, positional, stringValue } from '../model/dbos-calls';
import { isTestLike } from '../model/lifecycle';
import { appendArgumentEdit, clientApplication, pyString, workflowNameDict } from '../model/registered-workflows';
import { registrationsOf, type RegisteredName } from '../project/registry';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument, keywordValue } from '../syntax/arguments';

/** [callee fqn, index of the options argument, keyword name]: calls whose options name a workflow. */
const ENQUEUES: [RegExp, number, string][] = [
  [/^dbos\.DBOSClient\(\)\.(enqueue|enqueue_async)$/, 0, 'options'],
  [/^dbos\.DBOSClient\(\)\.enqueue_in_transaction$/, 1, 'options'],
  [/^dbos\.DBOS\.enqueue_workflow_with_options(_async)?$/, 0, 'options'],
  [/^dbos\.DebouncerClient$/, 1, 'workflow_options'],
];
const SCHEDULE = /^dbos\.DBOSClient\(\)\.create_schedule(_async)?$/;
const APPLY = /^dbos\.DBOSClient\(\)\.apply_schedules(_async)?$/;

/** Where a workflow name was written, with the sibling keys and how to add one. */
interface NameSite {
  name: string;
  node: Node;
  has: (key: string) => boolean;
  /** Other keys may be present (`**opts`, non-literal keys). */
  open: boolean;
  /** Key names for the class and the instance in this kind of site. */
  classKey: string;
  instanceKey: string | null;
  add: (key: string, value: string) => TextEdit | null;
  /** An option of `DBOS.enqueue_workflow_with_options` (DBOS905 reports unknown names there). */
  fromDbos?: boolean;
  /** The application the client acts for (its literal `application_name=`), for a client's enqueue. */
  clientApp?: string | null;
}

function dictSite(ctx: RuleContext, node: Node | null, classKey: string, instanceKey: string | null): NameSite | null {
  const d = workflowNameDict(ctx.model, node);
  return d && { ...d, classKey, instanceKey };
}

function callSite(ctx: RuleContext, call: CallInfo | Node, nameKey: string, classKey: string, instanceKey: string | null, appendTo: CallInfo | null): NameSite | null {
  const { model } = ctx;
  const v = keywordValue(model, call, nameKey);
  const name = stringValue(model, v);
  if (name === null || !v) return null;
  const items = argsOf(call);
  const last = items[items.length - 1];
  return {
    name,
    node: v,
    has: (k) => !!keywordArgument(model, call, k),
    open: items.some((a) => a.type === 'dictionary_splat'),
    classKey,
    instanceKey,
    add: (k, val) =>
      appendTo ? appendArgumentEdit(model, appendTo, `${k}=${pyString(val)}`) : model.lines.edit(last.endIndex, last.endIndex, `, ${k}=${pyString(val)}`),
  };
}

/** The options argument: a literal, a name bound once to one (not mutated), or `EnqueueOptions(...)`. */
function optionsSite(ctx: RuleContext, call: CallInfo, arg: Node | null): NameSite | null {
  const { model } = ctx;
  const node = optionsValue(model, arg, call.scope);
  if (!node) return null;
  if (isEnqueueOptionsCall(model, node)) {
    return callSite(ctx, node, 'workflow_name', 'class_name', 'instance_name', null);
  }
  return dictSite(ctx, node, 'class_name', 'instance_name');
}

function sites(ctx: RuleContext): NameSite[] {
  const { model } = ctx;
  const out: NameSite[] = [];
  const seen = new Set<number>();
  const push = (s: NameSite | null) => {
    if (s && !seen.has(s.node.id)) {
      seen.add(s.node.id);
      out.push(s);
    }
  };
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    const e = ENQUEUES.find(([re]) => re.test(fqn));
    if (e) {
      const s = optionsSite(ctx, call, positional(call, e[1]) ?? keywordValue(model, call, e[2]));
      if (s) {
        s.fromDbos = fqn.startsWith('dbos.DBOS.');
        if (fqn.startsWith('dbos.DBOSClient().')) s.clientApp = clientApplication(model, call);
      }
      push(s);
    }
    else if (SCHEDULE.test(fqn)) push(callSite(ctx, call, 'workflow_name', 'workflow_class_name', null, call));
    else if (APPLY.test(fqn)) {
      const list = positional(call, 0) ?? keywordValue(model, call, 'schedules');
      if (list?.type !== 'list') continue;
      for (const item of list.namedChildren) if (item) push(dictSite(ctx, item, 'workflow_class_name', null));
    }
  }
  return out;
}

function replaceNameFix(ctx: RuleContext, site: NameSite, name: string): Fix {
  const { model } = ctx;
  const text = model.textOf(site.node);
  const q = /^[rRbBuU]*('''|"""|'|")/.exec(text)?.[0] ?? '"';
  const quote = q.replace(/^[rRbBuU]*/, '');
  return {
    title: `Use registered name '${name}'`,
    safe: false,
    edits: [model.lines.edit(site.node.startIndex, site.node.endIndex, `${quote}${name}${quote}`)],
  };
}

export const rule: Rule = {
  code: 'DBOS806',
  requires: ['workflow_name'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const found = sites(ctx);
    if (found.length === 0) return;
    // the workspace's registrations with the index, else this file's; tests register the workflows
    // they enqueue themselves, and (c) is not reported there: their own names do (no registry to build)
    const { index, file } = outer;
    const test = isTestLike(model);
    const workspace = !!index && !!file && !test;
    let known: RegisteredName[];
    let allKnown: boolean;
    // applications this workspace configures: DBOS905 reports what their clients enqueue under unknown names
    let ownApps = new Set<string>();
    if (index && file && workspace) {
      const regs = index.registrations('workflows', file, model);
      known = [...regs.workflows.values()].flat();
      allKnown = regs.dynamicWorkflowFiles.length === 0;
      if (ctx.config.enabled.has('DBOS905')) ownApps = new Set(regs.appNames.keys());
    } else {
      const regs = registrationsOf(model, model.path);
      known = regs.workflows;
      allKnown = !regs.dynamicWorkflows;
    }
    if (known.length === 0 && allKnown) return;
    for (const site of found) {
      const exact = known.filter((w) => w.name === site.name);
      if (exact.length > 0) {
        if (exact.length !== 1 || site.open) continue;
        const w = exact[0];
        const needsClass = w.method === 'instance' || w.method === 'class';
        const missingClass = needsClass && !site.has(site.classKey);
        const missingInstance = w.method === 'instance' && site.instanceKey !== null && !site.has(site.instanceKey);
        if (!missingClass && !missingInstance) continue;
        const keys = [missingClass ? site.classKey : null, missingInstance ? site.instanceKey : null].filter((k): k is string => !!k);
        const fixes: Fix[] = [];
        if (missingClass && !missingInstance && w.className) {
          const edit = site.add(site.classKey, w.className);
          if (edit) fixes.push({ title: `Add \`${site.classKey}\` "${w.className}"`, safe: false, edits: [edit] });
        }
        const what = w.method === 'instance' ? 'an instance method of a configured class' : 'a classmethod';
        ctx.report({
          node: site.node,
          message:
            `These options lack ${keys.map((k) => `\`${k}\``).join(' and ')}, which workflow "${site.name}" needs\n` +
            `Workflow "${site.name}" is ${what}: the executing application runs it ` +
            `without its \`${w.method === 'instance' ? 'self' : 'cls'}\` argument and the workflow fails (DBOS does not check when enqueueing). ` +
            `Add ${keys.map((k) => `\`${k}\``).join(' and ')}${w.className ? ` (the class is registered as "${w.className}")` : ''}.`,
          fixes,
        });
        continue;
      }
      // (a) a module path in front of a registered name
      const suffix = known.filter((w) => site.name.endsWith(`.${w.name}`));
      if (suffix.length === 1) {
        const w = suffix[0];
        ctx.report({
          node: site.node,
          message:
            `Workflow name "${site.name}" has a module path; DBOS registers it as "${w.name}"\n` +
            `DBOS registers workflow \`${w.fnName}\` by its \`name=\` or qualified name, without module: the application fails it with \`DBOSWorkflowFunctionNotFoundError\` ("... is not a registered workflow function"). Use "${w.name}".`,
          fixes: [replaceNameFix(ctx, site, w.name)],
        });
        continue;
      }
      // (c) only when the workspace is known (the index); tests enqueue unknown names on purpose; options
      // that name an application target another one; DBOS905 reports DBOS.enqueue_workflow_with_options
      // and, when it runs, the enqueues of a client acting for an application of this workspace
      if (!workspace || suffix.length > 0 || !allKnown || site.has('application_name') || site.fromDbos) continue;
      if (site.clientApp && ownApps.has(site.clientApp)) continue;
      const names = [...new Set(known.map((w) => `"${w.name}"`))];
      ctx.report({
        node: site.node,
        severity: 'information',
        message:
          `No workflow of this workspace is registered as "${site.name}"\n` +
          `Registered: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}. ` +
          'If no application sharing the system database registers it, the enqueued workflow fails with `DBOSWorkflowFunctionNotFoundError`. ' +
          'Check the name (the `name=` of `@DBOS.workflow`, or the function\'s qualified name).',
      });
    }
  },
};
