// DBOS208: workflow-only DBOS calls (sleep, write_stream, close_stream, patch, deprecate_patch) made
// where no workflow (or, for streams, no step) runs. recv and set_event have DBOS501/DBOS502; the same
// calls inside steps are DBOS207 (sleep, patch) or allowed (streams).
import type { Rule } from './rule';
import { plainSleepFix } from '../fixes/sleep';
import { callContext, callsTo } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import type { Node } from 'web-tree-sitter';
import { parentOf } from '../syntax/enclosing';

interface Api {
  /** What the runtime says outside any DBOS context. */
  error: string;
  /** Streams also work in steps. */
  steps: boolean;
  advice: string;
}

const SLEEP: Api = {
  error: '`DBOSException: sleep() must be called from within a workflow`',
  steps: false,
  advice: 'Outside workflows use `time.sleep(...)` (or `await asyncio.sleep(...)`) for a plain pause; durable sleeps belong in the workflow.',
};
const STREAM_ADVICE =
  'Write streams from the workflow (or one of its steps) that produces them; code outside reads them with `DBOS.read_stream(workflow_id, key)`.';
const PATCH_ADVICE = 'Call it at the top of the workflow whose code changed; it only decides which code path a workflow execution takes.';

const APIS: Record<string, Api> = {
  'dbos.DBOS.sleep': SLEEP,
  'dbos.DBOS.sleep_async': SLEEP,
  'dbos.DBOS.write_stream': { error: '`DBOSException: write_stream() must be called from within a workflow or step`', steps: true, advice: STREAM_ADVICE },
  'dbos.DBOS.write_stream_async': { error: '`DBOSException: write_stream() must be called from within a workflow or step`', steps: true, advice: STREAM_ADVICE },
  'dbos.DBOS.close_stream': { error: '`DBOSException: close_stream() must be called from within a workflow or step`', steps: true, advice: STREAM_ADVICE },
  'dbos.DBOS.close_stream_async': { error: '`DBOSException: close_stream() must be called from within a workflow or step`', steps: true, advice: STREAM_ADVICE },
  'dbos.DBOS.patch': { error: '`DBOSException: DBOS.patch must be called from a workflow`', steps: false, advice: PATCH_ADVICE },
  'dbos.DBOS.patch_async': { error: '`DBOSException: DBOS.patch_async must be called from a workflow`', steps: false, advice: PATCH_ADVICE },
  'dbos.DBOS.deprecate_patch': { error: '`DBOSException: DBOS.deprecate_patch must be called from a workflow`', steps: false, advice: PATCH_ADVICE },
  'dbos.DBOS.deprecate_patch_async': { error: '`DBOSException: DBOS.deprecate_patch_async must be called from a workflow`', steps: false, advice: PATCH_ADVICE },
};

export const rule: Rule = {
  code: 'DBOS208',
  requires: ['sleep', 'write_stream', 'close_stream', 'patch'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    for (const { call, fqn } of callsTo(model, Object.keys(APIS))) {
      const api = APIS[fqn];
      const name = `DBOS.${fqn.slice('dbos.DBOS.'.length)}`;
      const needs = api.steps ? 'a workflow or step' : 'a workflow';
      const c = callContext(model, call.scope);
      if (c.kind === 'outside') {
        const where = c.fn ? `${c.what} \`${c.fn.name}\`` : c.what;
        ctx.report({
          node: call.node,
          message: `\`${name}()\` is called outside any workflow${api.steps ? ' or step' : ''}\nIt is called in ${where}: DBOS raises ${api.error}. ${api.advice}`,
          fixes: api === SLEEP ? plainSleepFix(model, call, fqn.endsWith('_async')) : [],
        });
      } else if (c.kind === 'helper' && !guarded(call.node)) {
        ctx.report({
          node: call.node,
          severity: 'information',
          message:
            `\`${name}()\` is called in \`${c.fn.name}\`, which is not ${api.steps ? 'a workflow or step' : 'a workflow'}\n` +
            `It only works when ` +
            `\`${c.fn.name}\` runs inside ${needs}; anywhere else DBOS raises ${api.error}. ` +
            `Make \`${c.fn.name}\` a \`@DBOS.${api.steps ? 'step' : 'workflow'}()\` or call it only from workflows.`,
        });
      }
    }
  },
};


/** In the body of a `try` with handlers: a helper that expects to run outside workflows sometimes and handles it. */
function guarded(node: Node): boolean {
  for (let p = parentOf(node), c: Node = node; p; c = p, p = parentOf(p)) {
    if (p.type === 'function_definition' || p.type === 'lambda') return false;
    if (p.type === 'try_statement' && c.type === 'block' && p.namedChildren.some((x) => x?.type === 'except_clause')) return true;
  }
  return false;
}
