// Where workflow options are written as literals: `EnqueueOptions` dicts (client enqueue,
// enqueue_workflow_with_options, DebouncerClient) for DBOS211 (workflow_timeout) and DBOS213 (attributes).
import { oncePerModel } from './per-model';
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from './module';
import type { Scope } from './types';
import { callArgs, dictLiteral, type DictEntries } from './queues';
import { dictMutated, singleBindingValue } from './dbos-calls';

/** Calls that enqueue with an `EnqueueOptions` dict, with the position of that argument. */
export const ENQUEUE_OPTION_TAKERS: Readonly<Record<string, number>> = {
  'dbos.DBOS.enqueue_workflow_with_options': 0,
  'dbos.DBOS.enqueue_workflow_with_options_async': 0,
  'dbos.DBOSClient().enqueue': 0,
  'dbos.DBOSClient().enqueue_async': 0,
  'dbos.DBOSClient().enqueue_in_transaction': 1,
};

/** Every call taking an `EnqueueOptions` dict: the enqueues and a `DebouncerClient`'s constructor. */
const OPTION_TAKERS: Readonly<Record<string, number>> = { ...ENQUEUE_OPTION_TAKERS, 'dbos.DebouncerClient': 1 };

export interface OptionDict {
  dict: DictEntries;
  /** How the message names the place: "the options of `client.enqueue`". */
  label: string;
}

/** Every literal `EnqueueOptions` dict of the file (each once); computed once per model (DBOS211 and DBOS213 both read them). */
export const enqueueOptionDicts: (model: ModuleModel) => readonly OptionDict[] = oncePerModel(findOptionDicts);

function findOptionDicts(model: ModuleModel): OptionDict[] {
  const out: OptionDict[] = [];
  const seen = new Set<number>();
  const add = (node: Node | null | undefined, label: string, scope: Scope | null) => {
    let n = node;
    // `opts = {...}` bound once and never changed as a dict, then passed by name
    if (n && n.type === 'identifier' && scope) {
      if (dictMutated(model, model.textOf(n))) return;
      n = singleBindingValue(model, n, scope);
    }
    const d = dictLiteral(model, n, ['dbos.EnqueueOptions']);
    if (!d || seen.has(d.node.id)) return;
    seen.add(d.node.id);
    out.push({ dict: d, label });
  };
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    if (fqn === 'dbos.EnqueueOptions') add(call.node, '`EnqueueOptions(...)`', null);
    else if (fqn in OPTION_TAKERS) {
      const a = callArgs(model, call.args);
      const arg = a.positional[OPTION_TAKERS[fqn]] ?? a.keywords.get('options')?.value ?? a.keywords.get('workflow_options')?.value;
      add(arg, `the options of \`${model.textOf(call.callee)}\``, call.scope);
    }
  }
  // opts: EnqueueOptions = {...}
  for (const asg of model.assignments) {
    const type = asg ? model.annotationOf(asg) : null;
    if (!asg || !type) continue;
    const t = type.namedChildren[0] ?? type;
    if (model.resolve(t) === 'dbos.EnqueueOptions') add(asg.childForFieldName('right'), '`EnqueueOptions`', null);
  }
  return out;
}
