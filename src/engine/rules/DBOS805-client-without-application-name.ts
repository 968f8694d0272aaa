// DBOS805: a DBOSClient that does not say which application it acts for.
import type { Rule } from './rule';
import type { Fix } from '../types';
import { hasSplat } from '../model/dbos-calls';
import { isTestLike } from '../model/lifecycle';
import { appendArgumentEdit, configuredAppNames, pyString } from '../model/registered-workflows';
import { skippingExpectedFailures } from './expected-failures';
import { keywordArgument } from '../syntax/arguments';

export const rule: Rule = {
  code: 'DBOS805',
  requires: ['DBOSClient'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // tests run against a throwaway system database of their own
    if (isTestLike(model)) return;
    let names: Set<string> | null = null;
    for (const call of model.calls) {
      if (model.calleeFqn(call) !== 'dbos.DBOSClient') continue;
      if (hasSplat(call) || keywordArgument(model, call, 'application_name')) continue;
      names ??= configuredAppNames(model);
      const fixes: Fix[] = [];
      if (names.size === 1) {
        const name = [...names][0];
        const edit = appendArgumentEdit(model, call, `application_name=${pyString(name)}`);
        if (edit) fixes.push({ title: `Add \`application_name=${pyString(name)}\``, safe: false, edits: [edit] });
      }
      ctx.report({
        node: call.callee,
        message:
          '`DBOSClient(...)` has no `application_name=`: what it creates belongs to no application\n' +
          'The workflows, queues and schedules it creates belong to no application, so any ' +
          'application sharing this system database may run them (DBOS does not warn). Pass `application_name="<app>"` naming the application that owns them.',
        fixes,
      });
    }
  },
};
