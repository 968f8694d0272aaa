// Rules that stay quiet inside `with pytest.raises(...)`: the failure is what the code means.
import type { RuleContext } from './rule';
import { expectsFailure } from '../model/dbos-calls';

/** A context whose reports skip findings inside `pytest.raises` blocks. */
export function skippingExpectedFailures(ctx: RuleContext): RuleContext {
  return {
    ...ctx,
    report(r) {
      const node = r.node ?? (r.start !== undefined ? ctx.model.root.descendantForIndex(r.start) : null);
      if (node && expectsFailure(ctx.model, node)) return;
      ctx.report(r);
    },
  };
}
