// DBOS202: network, file, process and SDK calls in a workflow body, outside steps.
import { effectRule } from './effects';

export const rule = effectRule({
  code: 'DBOS202',
  requires: ['workflow'],
  kind: 'io',
  direct: (callee, entry, wf) =>
    `\`${callee}()\` (${entry.group} I/O) runs in workflow \`${wf.name}\` outside a step: it runs again on every recovery ` +
    `(duplicate requests, writes or charges) and its result is not checkpointed. Move it into a @DBOS.step().`,
  viaHelper: (helper, chain, leaf, entry, wf) =>
    `Workflow \`${wf.name}\` calls \`${helper.name}\`, which does ${entry.group} I/O through \`${leaf}()\` (${chain}). ` +
    `Outside a step it runs again on every recovery; make \`${helper.name}\` a step or call it in one.`,
});
