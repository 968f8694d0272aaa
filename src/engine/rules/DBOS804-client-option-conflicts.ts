// DBOS804: DBOSClient options that DBOS rejects, and deprecated connection arguments.
import { isV3, type Rule } from './rule';
import type { Fix } from '../types';
import { argDeletionRange, positional, singleBindingValue, stringValue } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument, keywordValue } from '../syntax/arguments';
import { dictLiteral } from '../model/queues';


export const rule: Rule = {
  code: 'DBOS804',
  requires: ['DBOSClient'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const v3 = isV3(ctx.version);
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (fqn === 'dbos.DBOSClient') {
        // (a) lazy + use_listen_notify
        const lazy = keywordArgument(model, call, 'lazy');
        const listen = keywordArgument(model, call, 'use_listen_notify');
        if (lazy?.childForFieldName('value')?.type === 'true' && listen?.childForFieldName('value')?.type === 'true') {
          const r = argDeletionRange(model, listen);
          ctx.report({
            node: listen,
            message:
              '`DBOSClient(lazy=True, use_listen_notify=True)`\nDBOS raises `DBOSException: A DBOSClient cannot be both lazy and use_listen_notify: ' +
              'the notification listener connects immediately.` Drop one of the two options.',
            fixes: [{ title: 'Remove `use_listen_notify=True`', safe: false, edits: [model.lines.edit(r.start, r.end, '')] }],
          });
        }
        // (d) deprecated application-database arguments
        // a positional that tree-sitter could only read around a syntax error (a signature pasted as a call) is not a URL
        const pos = positional(call, 0);
        const first = pos && !pos.hasError && pos.type !== 'list_splat' ? pos : null;
        for (const [node, label] of [
          [keywordArgument(model, call, 'database_url'), 'database_url='],
          [keywordArgument(model, call, 'application_database_url'), 'application_database_url='],
          [first, ''],
        ] as const) {
          if (!node) continue;
          const hasSystem = !!keywordArgument(model, call, 'system_database_url');
          const fixes: Fix[] = [];
          if (node.type === 'keyword_argument' && !hasSystem) {
            const nameNode = node.childForFieldName('name')!;
            fixes.push({
              title: 'Rename to `system_database_url=`',
              safe: false,
              edits: [model.lines.edit(nameNode.startIndex, nameNode.endIndex, 'system_database_url')],
            });
          }
          ctx.report({
            node,
            severity: v3 ? 'error' : 'hint',
            tags: ['deprecated'],
            message:
              `${label ? `\`DBOSClient(${label}...)\`` : 'The positional URL of `DBOSClient(...)`'} names the application database, ${v3 ? 'which DBOS 3.x rejects' : 'deprecated in DBOS 2'}\n` +
              `${v3 ? 'DBOS 3.x no longer accepts it' : 'It is deprecated and removed in DBOS 3.0'}. ` +
              (hasSystem
                ? 'The client only uses `system_database_url=`: remove this argument.'
                : 'Pass the system database with `system_database_url=` (on Postgres the system database DBOS derived from it is named `<database>_dbos_sys`).'),
            fixes,
          });
        }
        continue;
      }
      if (!fqn || !fqn.startsWith('dbos.DBOSClient().')) continue;
      const method = fqn.slice('dbos.DBOSClient().'.length);
      // (b) register_queue with on_conflict="update_if_latest_version"
      if (method === 'register_queue' || method === 'register_queue_async') {
        const v = keywordValue(model, call, 'on_conflict');
        if (stringValue(model, v) === 'update_if_latest_version') {
          const q = model.textOf(v!)[0];
          ctx.report({
            node: v!,
            message:
              "`DBOSClient.register_queue(on_conflict=\"update_if_latest_version\")`\nDBOS raises `DBOSException: DBOSClient.register_queue does not support " +
              "on_conflict='update_if_latest_version' because clients are not associated with an application version. Use 'always_update' or 'never_update'.`",
            fixes: [{ title: 'Use `on_conflict="always_update"`', safe: false, edits: [model.lines.edit(v!.startIndex, v!.endIndex, `${q}always_update${q}`)] }],
          });
        }
      }
      // (c) enqueue_in_transaction with duplication_policy="return-existing"
      // reported at the options' literal, which can sit outside the `pytest.raises` block around the call
      if (method === 'enqueue_in_transaction' && !model.expectsFailure(call.node)) {
        let opts = positional(call, 1) ?? keywordValue(model, call, 'options');
        if (opts?.type === 'identifier') opts = singleBindingValue(model, opts, call.scope);
        const d = dictLiteral(model, opts);
        const pair = d?.entries.get('duplication_policy')?.node;
        const value = pair?.childForFieldName('value');
        if (pair && stringValue(model, value) === 'return-existing') {
          ctx.report({
            node: pair,
            message:
              "`enqueue_in_transaction` with `\"duplication_policy\": \"return-existing\"`\nDBOS raises `DBOSException: duplication_policy 'return-existing' is not " +
              "supported by enqueue_in_transaction. Use enqueue instead.` Use `client.enqueue(...)`, or let a duplicate raise `DBOSQueueDeduplicatedError`.",
          });
        }
      }
    }
  },
};
