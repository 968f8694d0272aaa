// DBOS201: clock, randomness, unique ids and host identity read in a workflow body.
import { effectRule } from './effects';

export const rule = effectRule({
  code: 'DBOS201',
  requires: ['workflow'],
  kind: 'nondeterministic',
  direct: (callee, entry, wf) =>
    `\`${callee}()\` in workflow \`${wf.name}\` returns a different value (${entry.group}) when the workflow is replayed after a crash, ` +
    `so recovery can take another path (DBOS raises DBOSUnexpectedStepError) or silently diverge. Call it in a step so its result is checkpointed.`,
  viaHelper: (helper, chain, leaf, entry, wf) =>
    `Workflow \`${wf.name}\` calls \`${helper.name}\`, which reads a non-deterministic value (${entry.group}) through \`${leaf}()\` ` +
    `(${chain}). The value changes when the workflow is replayed; make \`${helper.name}\` a step or call it in one.`,
});
