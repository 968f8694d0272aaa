// DBOS701: a test function that constructs DBOS itself, without destroying an earlier instance first,
// and without a destroy that runs even when the test fails.
import type { Rule } from './rule';
import type { CallInfo, FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { isConstruction } from '../model/lifecycle';
import { statementIn } from '../model/dbos-calls';
import { reaches } from '../model/registered-workflows';
import { skippingExpectedFailures } from './expected-failures';

/** unittest and pytest class hooks that run around every test, whether it passes or not. */
const AROUND = /^(setUp|setUpClass|setup_method|setup_class|setup|asyncSetUp|tearDown|tearDownClass|teardown_method|teardown_class|teardown|asyncTearDown)$/;

/** A call inside a `finally:` of the function `fn`. */
function inFinally(c: CallInfo, fn: FunctionInfo): boolean {
  for (let n = c.node.parent; n && n.id !== fn.node.id; n = n.parent) if (n.type === 'finally_clause') return true;
  return false;
}

/**
 * Whether the text between `from` and `to` (a test's construction and its destroy) checks something
 * the test can fail on: an `assert`, a `self.assert...()` / `pytest.fail()` / `pytest.raises()` call.
 */
function checksBetween(text: string, from: number, to: number): boolean {
  return /(^|\n)\s*assert\b|\.assert\w*\s*\(|\bpytest\.(fail|raises)\s*\(/.test(text.slice(from, to));
}

export const rule: Rule = {
  code: 'DBOS701',
  requires: ['DBOS'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    if (!model.isTestFile) return;
    const isDestroy = (c: CallInfo) => reaches(model, c, 'dbos.DBOS.destroy') || model.calleeFqn(c) === 'dbos.DBOS().destroy';
    for (const fn of model.functions) {
      if (!fn.kinds.has('test') || fn.kinds.has('fixture')) continue;
      const ctor = fn.calls.find((c) => isConstruction(model, c));
      if (!ctor) continue;
      // the test manages the singleton itself: destroys it first, or in a `finally:` (directly or in a
      // local helper), or a class hook around each test does
      const destroys = fn.calls.filter(isDestroy);
      if (destroys.some((c) => c.start < ctor.start || inFinally(c, fn))) continue;
      if (fn.cls && fn.cls.methods.some((m) => AROUND.test(m.name) && m.calls.some(isDestroy))) continue;
      // destroyed at its end: fine unless a check between can fail first and leave the instance
      const last = destroys.at(-1);
      if (last && !checksBetween(model.text, ctor.end, last.start)) continue;
      const d = dbosName(model);
      const stmt = statementIn(ctor.node);
      const l = model.lines;
      const indent = l.indentOf(l.positionAt(stmt.startIndex).line);
      const fix: Fix = {
        title: 'Call `DBOS.destroy()` before `DBOS(...)`',
        safe: false,
        edits: [...d.edits, l.edit(stmt.startIndex, stmt.startIndex, `${d.text}.destroy()${l.eol}${indent}`)],
      };
      const leak = last
        ? `Test \`${fn.name}\` constructs DBOS itself and destroys it only at its end\n` +
          'When a check fails before that `DBOS.destroy()`, the instance stays: DBOS is a process-wide singleton, so the next test that calls ' +
          '`DBOS(...)` silently keeps this one, with its configuration, workflows and state. '
        : `Test \`${fn.name}\` constructs DBOS itself and never destroys it\n` +
          `DBOS is a process-wide singleton, so when an earlier test left an instance this ` +
          '`DBOS(...)` is silently ignored and the test runs with the old configuration, workflows and state, and this instance leaks into the next tests. ';
      ctx.report({
        node: ctor.callee,
        message:
          leak +
          'Use a pytest fixture that calls ' +
          '`DBOS.destroy()`, `DBOS(config=...)`, `DBOS.reset_system_database()`, `DBOS.launch()`, then `DBOS.destroy()` after `yield`' +
          (last ? ' (or destroy in a `finally:`, or destroy first).' : ' (or at least destroy first).'),
        related: last ? [{ message: 'destroyed here, only when every check before passes', range: model.lines.range(last.start, last.end) }] : [],
        fixes: [fix],
      });
    }
  },
};
