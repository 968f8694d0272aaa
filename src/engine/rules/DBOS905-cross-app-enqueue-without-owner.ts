// DBOS905: `DBOS.enqueue_workflow_with_options(...)` naming a workflow that no file of the workspace
// registers, with options that do not say which application owns it (`"application_name"`). DBOS makes
// the calling application the owner (`dbos/_core.py`: an unset `application_name` is the caller's
// name), so the application that implements the workflow never picks it up. The same holds for a
// `DBOSClient(application_name=...)` acting for an application this workspace configures: its
// `enqueue` gives an unset owner the client's application (`dbos/_client.py`). Needs the workspace
// (the index): without it an unknown name is no evidence. Quiet when the workspace registers
// workflows under names that are not literals, in tests, and inside `pytest.raises`.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo } from '../model/types';
import type { Fix, TextEdit } from '../types';
import { argsOf, isEnqueueOptionsCall, optionsValue, positional, stringValue } from '../model/dbos-calls';
import { isTestLike } from '../model/lifecycle';
import { clientApplication, pyString, workflowNameDict } from '../model/registered-workflows';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument, keywordValue } from '../syntax/arguments';

const ENQUEUE = /^dbos\.DBOS\.enqueue_workflow_with_options(_async)?$/;
/** Client enqueues and the index of their options argument. */
const CLIENT_ENQUEUE: [RegExp, number][] = [
  [/^dbos\.DBOSClient\(\)\.(enqueue|enqueue_async)$/, 0],
  [/^dbos\.DBOSClient\(\)\.enqueue_in_transaction$/, 1],
];
const OWNER = '<owner>';

interface Options {
  /** The `workflow_name` value. */
  nameNode: Node;
  name: string;
  has: (key: string) => boolean;
  /** Keys that cannot be read (`**opts`, computed keys). */
  open: boolean;
  add: (key: string, value: string) => TextEdit;
}

function optionsOf(ctx: RuleContext, call: CallInfo, at = 0): Options | null {
  const { model } = ctx;
  const node = optionsValue(model, positional(call, at) ?? keywordValue(model, call, 'options'), call.scope);
  if (!node) return null;
  if (isEnqueueOptionsCall(model, node)) {
    const call = node;
    const v = keywordValue(model, call, 'workflow_name');
    const name = stringValue(model, v);
    if (name === null || !v) return null;
    const items = argsOf(call);
    const last = items[items.length - 1];
    return {
      nameNode: v,
      name,
      has: (k) => !!keywordArgument(model, call, k),
      open: items.some((a) => a.type === 'dictionary_splat' || a.type === 'list_splat'),
      add: (k, val) => model.lines.edit(last.endIndex, last.endIndex, `, ${k}=${pyString(val)}`),
    };
  }
  const d = workflowNameDict(model, node);
  return d && { nameNode: d.node, name: d.name, has: d.has, open: d.open, add: d.add };
}

export const rule: Rule = {
  code: 'DBOS905',
  requires: ['enqueue_workflow_with_options', 'DBOSClient'],
  check(outer) {
    const { index, file } = outer;
    if (!index || !file) return;
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    if (isTestLike(model)) return;
    // `client`: the application a DBOSClient acts for, when the enqueue is the client's
    const sites: { call: CallInfo; opts: Options; client: string | null }[] = [];
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (!fqn) continue;
      const clientAt = CLIENT_ENQUEUE.find(([re]) => re.test(fqn))?.[1];
      if (!ENQUEUE.test(fqn) && clientAt === undefined) continue;
      const client = clientAt === undefined ? null : clientApplication(model, call);
      if (clientAt !== undefined && client === null) continue; // a client without a known application: DBOS805's concern
      const opts = optionsOf(ctx, call, clientAt ?? 0);
      if (opts && !opts.open && !opts.has('application_name')) sites.push({ call, opts, client });
    }
    if (sites.length === 0) return;
    const regs = index.registrations('workflows', file, model);
    if (regs.dynamicWorkflowFiles.length > 0) return;
    for (const { opts, client } of sites) {
      // a client acting for another application: that application's workflows are not registered here
      if (client !== null && !regs.appNames.has(client)) continue;
      if (regs.workflows.has(opts.name)) continue;
      // "app.billing.generate_invoice" for a registered "generate_invoice": a wrong name (DBOS806), not a missing owner
      if ([...regs.workflows.keys()].some((n) => opts.name.endsWith(`.${n}`))) continue;
      const fixes: Fix[] = [
        {
          title: `Add "application_name": "${OWNER}" (then replace ${OWNER} with the application that registers "${opts.name}")`,
          safe: false,
          preferred: true,
          edits: [opts.add('application_name', OWNER)],
        },
      ];
      const owner =
        client === null
          ? 'DBOS makes the calling application the owner (an unset `"application_name"` is the caller\'s name)'
          : `this client acts for "${client}" (its \`application_name=\`), an application this workspace configures, and DBOS makes it the owner of what the client enqueues without \`"application_name"\``;
      ctx.report({
        node: opts.nameNode,
        message:
          `Enqueue of "${opts.name}", a workflow of another application, without \`"application_name"\`\n` +
          `No workflow of this workspace is registered as "${opts.name}", and these options do not name the application that owns it: ` +
          `${owner}, and this application cannot run the workflow, ` +
          'so the application that implements it never picks it up (DBOS raises nothing when enqueueing). ' +
          `Add \`"application_name"\` naming the application that registers "${opts.name}", or correct the name. ` +
          'If that application is written in another language, also set `"serialization_type": WorkflowSerializationFormat.PORTABLE` so that it can read the arguments.',
        fixes,
      });
    }
  },
};

