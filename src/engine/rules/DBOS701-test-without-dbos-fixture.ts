// DBOS701: a test function that constructs DBOS itself, without destroying an earlier instance first.
import type { Rule } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { isConstruction } from '../model/lifecycle';
import { statementIn } from '../model/dbos-calls';
import { reaches } from '../model/registered-workflows';
import { skippingExpectedFailures } from './expected-failures';

const SETUP = /^(setUp|setUpClass|setup_method|setup_class|setup|asyncSetUp)$/;

export const rule: Rule = {
  code: 'DBOS701',
  requires: ['DBOS'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    if (!model.isTestFile) return;
    const isDestroy = (c: CallInfo) => reaches(model, c, 'dbos.DBOS.destroy') || model.calleeFqn(c) === 'dbos.DBOS().destroy';
    const destroys = (f: FunctionInfo) => f.calls.some(isDestroy);
    for (const fn of model.functions) {
      if (!fn.kinds.has('test') || fn.kinds.has('fixture')) continue;
      const ctor = fn.calls.find((c) => isConstruction(model, c));
      if (!ctor) continue;
      // the test manages the singleton itself: destroys it (before, or after in a `finally:`; directly, in a helper, or in setUp)
      if (destroys(fn)) continue;
      if (fn.cls && fn.cls.methods.some((m) => SETUP.test(m.name) && destroys(m))) continue;
      const d = dbosName(model);
      const stmt = statementIn(ctor.node);
      const l = model.lines;
      const indent = l.indentOf(l.positionAt(stmt.startIndex).line);
      const fix: Fix = {
        title: 'Call `DBOS.destroy()` before `DBOS(...)`',
        safe: false,
        edits: [...d.edits, l.edit(stmt.startIndex, stmt.startIndex, `${d.text}.destroy()${l.eol}${indent}`)],
      };
      ctx.report({
        node: ctor.callee,
        message:
          `Test \`${fn.name}\` constructs DBOS itself and never destroys it\n` +
          `DBOS is a process-wide singleton, so when an earlier test left an instance this ` +
          '`DBOS(...)` is silently ignored and the test runs with the old configuration, workflows and state, and this instance leaks into the next tests. Use a pytest fixture that calls ' +
          '`DBOS.destroy()`, `DBOS(config=...)`, `DBOS.reset_system_database()`, `DBOS.launch()`, then `DBOS.destroy()` after `yield` (or at least destroy first).',
        fixes: [fix],
      });
    }
  },
};
