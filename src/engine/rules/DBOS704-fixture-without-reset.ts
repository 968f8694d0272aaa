// DBOS704: a pytest fixture that launches DBOS on a system database left over from earlier runs.
import type { Rule } from './rule';
import type { FunctionInfo } from '../model/types';
import type { Fix } from '../types';
import { dbosName } from '../fixes/common';
import { isConstruction, runsBefore } from '../model/lifecycle';
import { statementIn } from '../model/dbos-calls';
import { reaches, someParamFixture } from '../model/registered-workflows';
import { keywordArgument } from '../syntax/arguments';
import { skippingExpectedFailures } from './expected-failures';

const RESET = 'dbos.DBOS.reset_system_database';
/** Fixture names that give the test an empty or fresh database. */
const CLEANING = /clean|reset|drop|truncate|fresh|wipe|empty|purge|tmp_path|tmpdir/i;
/** Database cleanup in a fixture body (SQL or SQLAlchemy). */
const CLEANUP_TEXT = /\b(DROP\s+(DATABASE|SCHEMA|TABLE)|TRUNCATE|drop_all|:memory:|drop_database|create_database|dropdb|createdb|recreate_\w*(db|database))/i;

function cleansDatabase(fn: FunctionInfo, text: string): boolean {
  return CLEANUP_TEXT.test(text) || fn.params.some((p) => CLEANING.test(p));
}

export const rule: Rule = {
  code: 'DBOS704',
  requires: ['launch'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    // an autouse fixture of the file that deletes or cleans the database runs before the others
    const autouseCleanup = model.functions.some(
      (f) => f.kinds.has('fixture') && f.decorators.some((d) => /autouse\s*=\s*True/.test(model.textOf(d.expr))) &&
        (CLEANING.test(f.name) || cleansDatabase(f, model.textOf(f.node)) || /\b(os\.remove|unlink|rmtree)\b/.test(model.textOf(f.node))),
    );
    for (const fn of model.functions) {
      if (!fn.kinds.has('fixture')) continue;
      const launch = fn.calls.find((c) => model.calleeFqn(c) === 'dbos.DBOS.launch');
      if (!launch) continue;
      if (fn.calls.some((c) => c.start < launch.start && reaches(model, c, RESET))) continue;
      // a reset at teardown that names the database works without an instance
      if (fn.calls.some((c) => model.calleeFqn(c) === RESET && keywordArgument(model, c, 'system_database_url'))) continue;
      // a fresh database from elsewhere: a cleaning fixture, a temporary path, SQL that drops or truncates
      if (cleansDatabase(fn, model.textOf(fn.node))) continue;
      if (autouseCleanup) continue;
      if (someParamFixture(model, fn, (name, f) => CLEANING.test(name) || (!!f && (cleansDatabase(f, model.textOf(f.node)) || f.calls.some((c) => reaches(model, c, RESET)))))) continue;
      const fixes: Fix[] = [];
      const ctor = fn.calls.find((c) => isConstruction(model, c) && runsBefore(c.node, launch.node));
      if (ctor) {
        const d = dbosName(model);
        const stmt = statementIn(launch.node);
        const l = model.lines;
        const indent = l.indentOf(l.positionAt(stmt.startIndex).line);
        fixes.push({
          title: 'Reset the system database before launch',
          safe: false,
          edits: [...d.edits, l.edit(stmt.startIndex, stmt.startIndex, `${d.text}.reset_system_database()${l.eol}${indent}`)],
        });
      }
      ctx.report({
        node: launch.callee,
        message:
          `Fixture \`${fn.name}\` launches DBOS on a system database left over from earlier runs\n` +
          'It does not call `DBOS.reset_system_database()` first (nor drop or recreate the database): the system database keeps workflows from earlier runs, ' +
          'so launch recovers them and a workflow started with a fixed ID returns the old result instead of running (DBOS does not warn). ' +
          'Call `DBOS.reset_system_database()` between `DBOS(config=...)` and `DBOS.launch()` (`truncate=True` is faster on recent versions).',
        fixes,
      });
    }
  },
};
