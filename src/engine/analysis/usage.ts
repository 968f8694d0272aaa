// How a value is used: only logged (harmless in a workflow) or used for real.
import type { Node } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import type { FunctionInfo } from '../model/types';

// Log, metrics and durable-record calls: a value that only reaches them does not steer the workflow
// (set_event and write_stream are checkpointed, so a replay does not record the new value).
const LOG_CALLEE =
  /(^|\.)(print|pprint)$|(^|\.)(set_event|set_event_async|write_stream|write_stream_async)$|(^|\.)(logger|logging|log|_logger|_log|LOGGER|LOG)\.(debug|info|warning|warn|error|exception|critical|log)$|\.logger\.\w+$|\.(set_attribute|add_event|observe|inc|dec|labels|record)$/;

/** The call whose arguments contain `node`, when that call is a log or metrics call. */
function inLogCall(model: ModuleModel, node: Node): boolean {
  for (let n: Node | null = node.parent, child: Node = node; n; child = n, n = n.parent) {
    if (n.type === 'argument_list') {
      const call = n.parent;
      const callee = call?.childForFieldName('function');
      if (callee && LOG_CALLEE.test(model.textOf(callee))) return true;
    }
    if (n.type === 'block' || n.type === 'module' || n.type.endsWith('_statement') && n.type !== 'expression_statement') return false;
    if (n.type === 'lambda' || n.type === 'function_definition') return false;
    void child;
  }
  return false;
}

/** The name assigned by the assignment whose right side contains `node` (`x = f(node)`). */
function assignedName(model: ModuleModel, node: Node): string | null {
  for (let n: Node | null = node.parent, child: Node = node; n; child = n, n = n.parent) {
    if (n.type === 'assignment') {
      const right = n.childForFieldName('right');
      const left = n.childForFieldName('left');
      if (right && child.id === right.id && left?.type === 'identifier') return model.textOf(left);
      return null;
    }
    if (n.type === 'block' || n.type === 'module' || n.type === 'lambda' || n.type === 'function_definition') return null;
  }
  return null;
}

function usesOf(model: ModuleModel, fn: FunctionInfo, name: string): Node[] {
  if (!fn.body) return [];
  return model.identifiersNamed(name, fn.body).filter((id) => {
    if (!id || model.textOf(id) !== name) return false;
    const p = id.parent;
    if (p?.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
    if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) return false;
    if (p?.type === 'assignment' && p.childForFieldName('left')?.id === id.id) return false;
    // `x.attr = v` stores into the object: not a read of the value that could steer the workflow
    if (p?.type === 'attribute' && p.parent?.type === 'assignment' && p.parent.childForFieldName('left')?.id === p.id) return false;
    return true;
  });
}

/**
 * True when the value of `node` only ever reaches log or metrics calls, directly or through a
 * variable (`start = time.time()` ... `log.info(time.time() - start)`), or is not used at all.
 */
export function onlyLogged(model: ModuleModel, node: Node, fn: FunctionInfo, depth = 0): boolean {
  if (inLogCall(model, node)) return true;
  if (depth >= 3) return false;
  const name = assignedName(model, node);
  if (!name) return false;
  const uses = usesOf(model, fn, name);
  return uses.every((u) => onlyLogged(model, u, fn, depth + 1));
}
