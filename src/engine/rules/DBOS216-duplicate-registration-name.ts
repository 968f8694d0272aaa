// DBOS216: two DBOS functions (or DBOS classes) of one file registered under the same name.
import { isV3, type Rule, type RuleContext } from './rule';
import type { Fix, Severity } from '../types';
import { registrations, registryKey, type Registration } from '../model/registrations';
import type { FunctionInfo } from '../model/types';
import { isTestPath } from '../model/workflow-starts';
import { exclusiveBranches } from '../syntax/branches';

/**
 * The function whose execution performs the registration (null: import time). Registrations made
 * by different functions only collide when both functions run in one process, which a file does not
 * tell (tests define same-named workflows in each test and reset the registry in between).
 */
function registeringFunction(r: Registration): FunctionInfo | null {
  if (r.fn) return r.fn.cls ? r.fn.cls.parentFunction : r.fn.parent;
  return r.cls!.parentFunction;
}

const KIND_WORD: Record<Registration['kind'], string> = {
  workflow: 'workflow',
  step: 'step',
  transaction: 'transaction',
  class: 'DBOS class',
};

function label(r: Registration): string {
  return r.fn ? `\`${r.fn.qualname}\`` : `\`${r.cls!.qualname}\``;
}

/** "Add `name="<module>.<qualname>"`" on the later registration, when the new name is free. */
function renameFix(ctx: RuleContext, r: Registration, taken: Set<string>): Fix | null {
  const { model } = ctx;
  if (!r.fn || !r.args || r.fn.qualname.includes('<')) return null;
  const name = `${model.moduleName}.${r.fn.qualname}`;
  if (taken.has(registryKey({ ...r, name }))) return null;
  const literal = JSON.stringify(name);
  let edit;
  if (r.nameArg) {
    const value = r.nameArg.childForFieldName('value')!;
    edit = model.lines.edit(value.startIndex, value.endIndex, literal);
  } else {
    const items = r.args.namedChildren.filter((c) => !!c && c.type !== 'comment');
    if (items.length === 0) edit = model.lines.edit(r.args.startIndex + 1, r.args.endIndex - 1, `name=${literal}`);
    else {
      const last = items[items.length - 1]!;
      edit = model.lines.edit(last.endIndex, last.endIndex, `, name=${literal}`);
    }
  }
  return {
    title: `Add \`name=${literal}\` to the decorator`,
    // renaming a registered workflow orphans its existing runs on recovery
    safe: false,
    edits: [edit],
  };
}

export const rule: Rule = {
  code: 'DBOS216',
  requires: ['workflow', 'step', 'transaction', 'dbos_class', 'default_required_roles'],
  check(ctx) {
    const { model } = ctx;
    // in tests, a workflow redefined inside one test function is on purpose (a new version after a reset)
    const tests = isTestPath(model);
    const regs = registrations(model).filter((r) => !(tests && registeringFunction(r)));
    if (regs.length < 2) return;
    const taken = new Set(regs.map(registryKey));
    const seen = new Map<string, Registration[]>();
    for (const r of regs) {
      const key = registryKey(r);
      const earlier = (seen.get(key) ?? []).filter(
        (e) => (e.fn !== r.fn || e.cls !== r.cls) && registeringFunction(e) === registeringFunction(r),
      );
      const list = seen.get(key) ?? [];
      list.push(r);
      seen.set(key, list);
      // the same definition registered twice is DBOS215's business; branches that exclude each other are fine
      const first = earlier.find((e) => !exclusiveBranches(e.node, r.node));
      if (!first || model.expectsFailure(r.node)) continue;
      const line = model.lines.positionAt(first.node.startIndex).line + 1;
      let severity: Severity | undefined;
      let message: string;
      if (r.kind === 'class') {
        severity = 'error';
        message =
          `${label(r)} is registered as DBOS class \`${r.name}\`, like ${label(first)} (line ${line})\nDBOS raises ` +
          `\`Exception: Duplicate type registration for class '${r.name}'\` at import. Give each class a unique name with \`@DBOS.dbos_class("<name>")\`.`;
      } else if (r.kind !== first.kind) {
        // a step and a legacy transaction share the `<temp>.` namespace with different types
        severity = 'error';
        message =
          `${label(r)} is registered as ${KIND_WORD[r.kind]} \`${r.name}\`, a name already taken (line ${line})\n` +
          `It is the name of the ${KIND_WORD[first.kind]} ${label(first)}: ` +
          `DBOS raises \`DBOSConflictingRegistrationError\` ("Operation (Name: <temp>.${r.name}) is already registered with a conflicting function type") at import. ` +
          'Give one of them a unique `name=`.';
      } else {
        severity = isV3(ctx.version) ? 'error' : undefined;
        const effect =
          r.kind === 'workflow'
            ? `the later registration replaces the earlier one, so recovery and enqueues by name run ${label(r)} for both`
            : `the later ${KIND_WORD[r.kind]} replaces the earlier one in DBOS's registry (used when it is started as its own workflow and when that workflow is recovered)`;
        message =
          `${label(r)} is registered as ${KIND_WORD[r.kind]} \`${r.name}\`, like ${label(first)} (line ${line})\n` +
          `DBOS 2.x only logs ` +
          `"Duplicate registration of function '${r.name}'. A function named '${r.name}' has already been registered with DBOS. All functions registered with DBOS must have unique names." ` +
          `and ${effect}; DBOS 3.x raises at registration. Give each a unique \`name=\` (before the first deployment: renaming orphans existing runs).`;
      }
      const fix = renameFix(ctx, r, taken);
      ctx.report({
        node: r.node,
        message,
        severity,
        fixes: fix ? [fix] : [],
        related: [{ message: `first registered as \`${first.name}\` here`, range: model.lines.range(first.node.startIndex, first.node.endIndex) }],
      });
    }
  },
};
