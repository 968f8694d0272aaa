// DBOS202: network, file, process and SDK calls in a workflow body, outside steps.
import { effectRule } from './effects';

export const rule = effectRule({
  code: 'DBOS202',
  requires: ['workflow'],
  kind: 'io',
  direct: (callee, entry, wf) =>
    `\`${callee}()\` does ${entry.group} I/O in a workflow, outside a step\n` +
    `It runs again every time workflow \`${wf.name}\` is recovered (duplicate requests, writes or charges), and its result is not ` +
    `checkpointed. Move it into a \`@DBOS.step()\`.`,
  viaHelper: (helper, chain, leaf, entry, _wf, advice) =>
    `\`${helper.name}\` does ${entry.group} I/O in a workflow, outside a step\n` +
    `${chain}: \`${leaf}()\` runs again every time the workflow is recovered, and its result is not checkpointed. ${advice}`,
});
