// DBOS304: database connections and queries in a workflow body, outside a transaction or step.
import { effectRule } from './effects';

export const rule = effectRule({
  code: 'DBOS304',
  requires: ['workflow'],
  kind: 'database',
  direct: (callee, _entry, wf) =>
    `\`${callee}()\` accesses the database in a workflow, outside a transaction or step\n` +
    `Its writes repeat every time workflow \`${wf.name}\` is recovered, and its reads are not checkpointed. ` +
    `Put it in a datasource transaction (\`@ds.transaction()\`) or a \`@DBOS.step()\`.`,
  viaHelper: (helper, chain, leaf, _entry, _wf, advice) =>
    `\`${helper.name}\` accesses the database in a workflow, outside a transaction or step\n` +
    `${chain}: the writes of \`${leaf}()\` repeat every time the workflow is recovered, and its reads are not checkpointed. ${advice.replace(' (`@DBOS.step()`), or call it in one.', ' or a datasource transaction, or call it in one.')}`,
});
