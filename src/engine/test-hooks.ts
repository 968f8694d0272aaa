// Fault injection for the server's and the CLI's own tests, read once at start from DBOS_LINT_TEST_HOOKS (never
// from settings, so a workspace cannot turn it on): "throw:DBOS202" makes that rule throw,
// "slow:DBOS201:80" makes it spin 80 ms after its check, without ever looking at the budget (a rule
// stuck where the engine cannot stop it), "stall:DBOS201" makes it run its check (and report) and
// then loop through the budget's cooperative check until the time runs out (a rule stuck in a long
// walk, which the budget stops: it must give none of its findings); a last ":dir/name.py" limits
// any of them to files whose path ends so ("throw:DBOS202:app.py", "slow:DBOS201:80:app.py",
// "stall:DBOS201:app.py"). Comma-separated. Unset: nothing happens.
import { IMPLEMENTED_RULES } from './index';
import { checkTime } from './budget';
import type { Rule } from './rules/rule';

export function installTestHooks(spec = process.env.DBOS_LINT_TEST_HOOKS): string[] {
  const installed: string[] = [];
  for (const item of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [kind, code, arg, last] = item.split(':');
    const onlyFile = kind === 'throw' || kind === 'stall' ? arg : last;
    const applies = (path: string) => !onlyFile || path.replace(/\\/g, '/').endsWith(onlyFile);
    const rule = IMPLEMENTED_RULES.find((r) => r.code === code) as Rule | undefined;
    if (!rule) continue;
    const original = rule.check.bind(rule);
    if (kind === 'throw') {
      rule.check = (ctx) => {
        if (!applies(ctx.model.path)) return original(ctx);
        throw new Error(`${code} forced to fail (DBOS_LINT_TEST_HOOKS)`);
      };
    } else if (kind === 'slow') {
      const ms = Number(arg) || 50;
      rule.check = (ctx) => {
        original(ctx);
        if (!applies(ctx.model.path)) return;
        const end = performance.now() + ms;
        while (performance.now() < end) {
          /* spin: a slow rule */
        }
      };
    } else if (kind === 'stall') {
      rule.check = (ctx) => {
        original(ctx);
        if (!applies(ctx.model.path)) return;
        for (;;) checkTime();
      };
    } else continue;
    installed.push(item);
  }
  return installed;
}
