// DBOS201: clock, randomness, unique ids and host identity read in a workflow body.
import { effectRule } from './effects';

export const rule = effectRule({
  code: 'DBOS201',
  requires: ['workflow'],
  kind: 'nondeterministic',
  direct: (callee, entry, wf) =>
    `\`${callee}()\` returns a different value (${entry.group}) when this workflow is replayed\n` +
    `DBOS recovers workflow \`${wf.name}\` by running its body again and replaying the recorded results of its steps; ` +
    `a value computed in the body is not recorded. If the new value changes which step runs next, DBOS raises ` +
    `DBOSUnexpectedStepError; otherwise the workflow silently goes on with a different value. Call it in a step so its result is checkpointed.`,
  viaHelper: (helper, chain, leaf, entry, _wf, advice) =>
    `\`${helper.name}\` reads a non-deterministic value (${entry.group}) outside a step\n` +
    `${chain}: \`${leaf}()\` returns a different value when the workflow is replayed, and nothing records it. ${advice}`,
});
