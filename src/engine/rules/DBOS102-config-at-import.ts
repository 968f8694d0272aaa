// DBOS102: DBOS(...) constructed when the module is imported.
import type { Rule, RuleContext } from './rule';
import type { FunctionInfo } from '../model/types';
import { importTimeChains } from './call-chains';
import { importsDbos, integrationLaunches, isTestLike, lifecycleFacts, lifespanLaunches, runsAtImport, startupStatements } from '../model/lifecycle';
import { moveToMainGuardEdits } from '../fixes/startup';
import { keywordArgument } from '../syntax/arguments';

export const rule: Rule = {
  code: 'DBOS102',
  // `dbos`: a module-level call of a project function that constructs DBOS (`init_dbos()`)
  requires: ['config', 'DBOS(', 'dbos'],
  check(ctx) {
    const { model } = ctx;
    if (isTestLike(model) || model.isMainModule) return;
    const facts = lifecycleFacts(model);
    // module-level construction + a lifespan that launches is the documented FastAPI pattern
    if (lifespanLaunches(model)) return;
    // a launch at import as well is DBOS101's error on the launch line; this construction is still reported here
    // (both lines are wrong, and each finding offers the combined move-to-main fix)
    // Launching from the entry point of this same file (the shape of DBOS's own starter apps)
    // keeps the harm small: importers construct but do not launch. Still worth knowing, not a warning.
    let entryLaunch: boolean | undefined;
    const launchedFromEntry = () =>
      (entryLaunch ??=
        facts.launches.some((l) => l.scope.mainGuard || !!l.scope.fn?.kinds.has('entry') || (!!l.scope.fn && startedFromMain(model, l.scope.fn))) ||
        wrapperLaunchInEntry(model) ||
        // a runnable script that never calls DBOS.launch() itself: an integration (a runtime or server it starts
        // from the __main__ block) launches DBOS, the same starter layout (a script that forgets to launch also
        // gets information here, not a warning)
        (facts.launches.length === 0 && model.mainGuards.length > 0) ||
        // an integration runtime or a server started in a lifespan launches DBOS: the importers' harm is small
        integrationLaunches(model));
    // a project function that constructs DBOS, called at import; one that also launches is DBOS101's (the same call line)
    for (const r of importTimeChains(ctx, 'construct')) {
      if (r.alsoLaunches) continue;
      ctx.report({
        node: r.call.node,
        severity: launchedFromEntry() ? 'information' : undefined,
        message:
          `\`${model.textOf(r.call.callee)}()\` configures DBOS when this module is imported\n` +
          `${r.text}: every importer (workers, tests, tools) configures DBOS with this configuration, and a later \`DBOS(config=...)\` ` +
          `(for example a test's) is silently ignored because DBOS keeps the first instance. ` +
          `Call \`${model.textOf(r.call.callee)}()\` in \`if __name__ == "__main__":\` (or the function that starts the program), next to \`DBOS.launch()\`.`,
        related: r.related,
      });
    }
    if (!importsDbos(model)) return;
    for (const c of facts.constructions) {
      if (!runsAtImport(model, c)) continue;
      // DBOS(fastapi=app / flask=app) must see the app at import: DBOS108 covers it
      if (keywordArgument(model, c, 'fastapi') || keywordArgument(model, c, 'flask')) continue;
      const canMove = model.mainGuards.length > 0 || facts.launches.some((l) => runsAtImport(model, l));
      const stmts = canMove ? startupStatements(model) : null;
      const move = stmts ? moveToMainGuardEdits(model, stmts) : null;
      ctx.report({
        node: c.node,
        severity: launchedFromEntry() ? 'information' : undefined,
        message:
          `\`${model.textOf(c.callee)}(...)\` configures DBOS when this module is imported\n` +
          `Every importer (workers, tests, tools) configures DBOS with this configuration, and a later \`DBOS(config=...)\` (for example a test's) ` +
          `is silently ignored because DBOS keeps the first instance. ` +
          `Construct DBOS in \`if __name__ == "__main__":\` (or the function that starts the program), next to \`DBOS.launch()\`.`,
        fixes: move ? [{ title: 'Move DBOS(...) and DBOS.launch() into `if __name__ == "__main__":`', safe: false, edits: move }] : [],
      });
    }
  },
};

/** The function is handed to the `__main__` block by name (`multiprocessing.Process(target=serve)`): it starts the program. */
function startedFromMain(model: RuleContext['model'], fn: FunctionInfo): boolean {
  if (fn.parent || fn.cls) return false;
  return model.calls.some((c) => c.scope.mainGuard && !!c.args && model.identifiersNamed(fn.name, c.args).length > 0);
}

/**
 * An integration's runtime launches DBOS from the entry point (`await runtime.launch()` in `main()`,
 * the shape of the LlamaIndex DBOS runtime): the same harmless starter layout as `DBOS.launch()` there.
 */
function wrapperLaunchInEntry(model: RuleContext['model']): boolean {
  return model.calls.some((c) => {
    if (!(c.scope.mainGuard || c.scope.fn?.kinds.has('entry')) || c.calleeType !== 'attribute') return false;
    const attr = c.callee.childForFieldName('attribute');
    return !!attr && model.textOf(attr) === 'launch' && model.calleeFqn(c) !== 'dbos.DBOS.launch';
  });
}
