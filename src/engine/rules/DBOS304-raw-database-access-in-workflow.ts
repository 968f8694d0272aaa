// DBOS304: database connections and queries in a workflow body, outside a transaction or step.
import { effectRule } from './effects';

export const rule = effectRule({
  code: 'DBOS304',
  requires: ['workflow'],
  kind: 'database',
  direct: (callee, _entry, wf) =>
    `Database call \`${callee}()\` in workflow \`${wf.name}\` is outside a transaction or step: writes repeat on every recovery ` +
    `and reads are not checkpointed. Put it in a datasource transaction (@ds.transaction()) or a @DBOS.step().`,
  viaHelper: (helper, chain, leaf, _entry, wf) =>
    `Workflow \`${wf.name}\` calls \`${helper.name}\`, which accesses the database through \`${leaf}()\` (${chain}) outside a transaction or step; ` +
    `writes repeat on every recovery. Make \`${helper.name}\` a step or a datasource transaction.`,
});
