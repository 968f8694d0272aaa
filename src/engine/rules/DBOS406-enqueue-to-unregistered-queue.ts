// DBOS406: a queue name written as a literal in an enqueue, a schedule or a debouncer that matches
// none of the queues registered (`register_queue` / `Queue(...)`). With the index, the queues of every
// file under the roots count (the workspace registry); without it, only this file's. Checked only when
// the known set registers queues, all of them by literal names: then the set of queues is known.
// Enqueues: information (the workflow stays ENQUEUED until the queue appears); schedules and
// debouncers: warning (DBOS raises). Quiet in tests (queues live in fixtures) and for options that
// name another application (`"application_name"`: its queues are its own).
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { Fix } from '../types';
import type { Severity } from '../types';
import { dbosName } from '../fixes/common';
import { editDistance } from '../model/dbos-calls';
import { callArgs, dictLiteral, literal, queueDeclarations } from '../model/queues';
import { enqueueSite, startupLaunch } from '../model/enqueue-sites';
import { clientApplication, configuredAppNames } from '../model/registered-workflows';

const SCHEDULE = new Set(['dbos.DBOS.create_schedule', 'dbos.DBOS.create_schedule_async', 'dbos.DBOSClient().create_schedule', 'dbos.DBOSClient().create_schedule_async']);
const APPLY = new Set(['dbos.DBOS.apply_schedules', 'dbos.DBOS.apply_schedules_async', 'dbos.DBOSClient().apply_schedules', 'dbos.DBOSClient().apply_schedules_async']);
const DEBOUNCER = new Set(['dbos.Debouncer.create', 'dbos.Debouncer.create_async']);

interface Use {
  node: Node;
  name: string;
  what: 'enqueue' | 'schedule' | 'debouncer';
  /** The `application_name=` of the `DBOSClient` that enqueues, when known. */
  client?: string | null;
}

function queueNameUses(ctx: RuleContext): Use[] {
  const { model } = ctx;
  const out: Use[] = [];
  const add = (node: Node | null | undefined, what: Use['what'], client?: string | null) => {
    const l = literal(model, node);
    // a name held in a variable: several enqueues may read the same string
    if (node && l?.t === 'str' && !out.some((u) => u.node.id === node.id)) out.push({ node, name: l.v, what, client });
  };
  for (const call of model.calls) {
    const site = enqueueSite(model, call);
    if (site) {
      // options that name an application: that application's queues, which may be registered elsewhere
      if (site.nameNode && site.name !== null && !site.options?.has('application_name')) add(site.nameNode, 'enqueue', clientApplication(model, call));
      continue;
    }
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    if (SCHEDULE.has(fqn)) add(callArgs(model, call.args).keywords.get('queue_name')?.value, 'schedule');
    else if (DEBOUNCER.has(fqn)) add(callArgs(model, call.args).keywords.get('queue')?.value, 'debouncer');
    else if (APPLY.has(fqn)) {
      const list = callArgs(model, call.args).positional[0];
      if (list?.type !== 'list') continue;
      for (const item of list.namedChildren) {
        const d = dictLiteral(model, item, ['dbos.ScheduleInput']);
        add(d?.entries.get('queue_name')?.value, 'schedule');
      }
    }
  }
  return out;
}

function check(ctx: RuleContext): void {
  const { model } = ctx;
  if (model.isTestFile) return;
  const uses = queueNameUses(ctx);
  if (uses.length === 0) return;
  const { index, file } = ctx;
  let known: Set<string>;
  let apps: Set<string>;
  if (index && file) {
    const regs = index.registrations('queues', file, model);
    if (regs.queues.size === 0 || regs.dynamicQueueFiles.length > 0) return;
    known = new Set(regs.queues.keys());
    apps = new Set(regs.appNames.keys());
  } else {
    const decls = queueDeclarations(model);
    if (decls.length === 0 || decls.some((d) => d.name === null)) return;
    known = new Set(decls.map((d) => d.name!));
    apps = configuredAppNames(model);
  }
  for (const use of uses) {
    if (known.has(use.name) || use.name.startsWith('_dbos_')) continue;
    // a client acting for an application this workspace does not configure: that application's queues
    if (use.client && !apps.has(use.client)) continue;
    if (model.expectsFailure(use.node)) continue;
    const names = [...known];
    const close = names.map((n) => [n, editDistance(n, use.name)] as const).filter(([, d]) => d <= 2).sort((a, b) => a[1] - b[1]);
    const best = close.length > 0 && (close.length === 1 || close[1][1] > close[0][1]) ? close[0][0] : null;
    const listed = names.slice(0, 5).map((n) => `"${n}"`).join(', ') + (names.length > 5 ? ', ...' : '');
    const severity: Severity = use.what === 'enqueue' ? 'information' : 'warning';
    const why =
      use.what === 'enqueue'
        ? 'DBOS accepts the enqueue and the workflow stays ENQUEUED until a queue of that name is registered, possibly forever'
        : use.what === 'schedule'
          ? `DBOS raises \`DBOSException: Queue '${use.name}' is not declared. Please create the queue before using it in a schedule.\` unless another process registered it`
          : `DBOS raises \`Exception: Invalid queue name provided to debouncer: ${use.name}\` unless another process registered it`;
    ctx.report({
      node: use.node,
      severity,
      message:
        `Queue "${use.name}" is not registered ${index && file ? 'anywhere in this workspace' : 'in this file'}\n` +
        `The ${index && file ? 'workspace registers' : 'file registers'} ${listed}: ${why}. ` +
        (best ? `Did you mean "${best}"? ` : '') +
        `Correct the name, or register the queue at startup after \`DBOS.launch()\`.`,
      fixes: fixes(ctx, use, best),
    });
  }
}

function fixes(ctx: RuleContext, use: Use, best: string | null): Fix[] {
  const { model } = ctx;
  const out: Fix[] = [];
  if (best !== null) {
    const text = model.textOf(use.node);
    const q = text.endsWith("'") ? "'" : '"';
    if (!best.includes(q) && !best.includes('\\')) {
      const prefix = /^[rRuU]*/.exec(text)![0];
      out.push({ title: `Did you mean "${best}"?`, safe: false, preferred: true, edits: [model.lines.edit(use.node.startIndex, use.node.endIndex, `${prefix}${q}${best}${q}`)] });
    }
  }
  const launch = startupLaunch(model);
  if (launch) {
    const dbos = dbosName(model);
    const indent = model.lines.indentOf(model.lines.positionAt(launch.stmt.startIndex).line);
    const reg = launch.isAsync ? `await ${dbos.text}.register_queue_async(${JSON.stringify(use.name)})` : `${dbos.text}.register_queue(${JSON.stringify(use.name)})`;
    out.push({
      title: `Register queue "${use.name}" after \`DBOS.launch()\``,
      safe: false,
      edits: [...dbos.edits, model.lines.edit(launch.stmt.endIndex, launch.stmt.endIndex, `${model.lines.eol}${indent}${reg}`)],
    });
  }
  return out;
}

export const rule: Rule = { code: 'DBOS406', requires: ['queue', 'Queue'], check };
