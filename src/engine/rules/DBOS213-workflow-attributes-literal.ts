// DBOS213: workflow attributes DBOS rejects: a literal that is not a dict, or a dict literal holding
// values json.dumps cannot encode (sets, bytes, lambdas, datetimes, Decimal, UUID, instances of plain
// classes of this file). Sites: SetWorkflowAttributes(x), update_workflow_attributes(id, x),
// "attributes" in EnqueueOptions dicts.
import type { Node } from 'web-tree-sitter';
import type { Rule } from './rule';
import type { ModuleModel } from '../model/module';
import type { Fix } from '../types';
import { callArgs } from '../model/queues';
import { enqueueOptionDicts } from '../model/workflow-options';
import { skippingExpectedFailures } from './expected-failures';

const UPDATES = new Set([
  'dbos.DBOS.update_workflow_attributes',
  'dbos.DBOS.update_workflow_attributes_async',
  'dbos.DBOSClient().update_workflow_attributes',
  'dbos.DBOSClient().update_workflow_attributes_async',
]);

/** Calls whose result json.dumps cannot encode, and how to name it. */
const DATETIMES = new Set([
  'datetime.datetime',
  'datetime.date',
  'datetime.time',
  'datetime.datetime.now',
  'datetime.datetime.utcnow',
  'datetime.datetime.today',
  'datetime.datetime.fromisoformat',
  'datetime.datetime.fromtimestamp',
  'datetime.datetime.utcfromtimestamp',
  'datetime.datetime.combine',
  'datetime.datetime.strptime',
  'datetime.date.today',
  'datetime.date.fromisoformat',
  'datetime.date.fromtimestamp',
  'datetime.time.fromisoformat',
]);
const OTHER_OBJECTS: Record<string, string> = {
  'datetime.timedelta': 'a `timedelta`',
  'decimal.Decimal': 'a `Decimal`',
  'uuid.UUID': 'a `UUID` object',
  'uuid.uuid1': 'a `UUID` object',
  'uuid.uuid3': 'a `UUID` object',
  'uuid.uuid4': 'a `UUID` object',
  'uuid.uuid5': 'a `UUID` object',
  'pathlib.Path': 'a `Path`',
  'builtins.set': 'a set',
  'builtins.frozenset': 'a frozenset',
  'builtins.bytes': 'bytes',
  'builtins.bytearray': 'a bytearray',
  'builtins.complex': 'a complex number',
  'builtins.object': 'an `object()`',
};

interface Bad {
  node: Node;
  what: string;
  fix?: Fix;
}

/** Values inside an attributes dict that json.dumps rejects. */
function badValues(model: ModuleModel, node: Node | null | undefined, out: Bad[]): void {
  if (!node) return;
  switch (node.type) {
    case 'parenthesized_expression':
      for (const c of node.namedChildren) if (c && c.type !== 'comment') badValues(model, c, out);
      return;
    case 'dictionary':
      for (const p of node.namedChildren) {
        if (p?.type === 'pair') badValues(model, p.childForFieldName('value'), out);
      }
      return;
    case 'list':
    case 'tuple':
      for (const c of node.namedChildren) if (c && c.type !== 'comment') badValues(model, c, out);
      return;
    case 'set': {
      out.push({
        node,
        what: 'a set',
        fix: {
          title: 'Use a list instead of the set',
          safe: false,
          edits: [model.lines.edit(node.startIndex, node.startIndex + 1, '['), model.lines.edit(node.endIndex - 1, node.endIndex, ']')],
        },
      });
      return;
    }
    case 'set_comprehension':
      out.push({ node, what: 'a set' });
      return;
    case 'lambda':
      out.push({ node, what: 'a function' });
      return;
    case 'string':
    case 'concatenated_string':
      if (/^[rRuU]*[bB]/.test(model.textOf(node))) out.push({ node, what: 'bytes' });
      return;
    case 'call': {
      const fqn = model.resolve(node.childForFieldName('function'));
      if (!fqn) return;
      if (DATETIMES.has(fqn)) {
        const kind = fqn.startsWith('datetime.date.') || fqn === 'datetime.date' ? 'date' : fqn.startsWith('datetime.time') ? 'time' : 'datetime';
        out.push({
          node,
          what: `a \`${kind}\``,
          fix: { title: 'Store the ISO string (`.isoformat()`)', safe: false, edits: [model.lines.edit(node.endIndex, node.endIndex, '.isoformat()')] },
        });
        return;
      }
      const other = OTHER_OBJECTS[fqn];
      if (other) {
        out.push({ node, what: other });
        return;
      }
      // an instance of a plain class of this file (no base classes: not a dict, str, Enum or TypedDict)
      const cls = model.classes.find((c) => c.fqn === fqn);
      if (cls && cls.bases.length === 0) out.push({ node, what: `a \`${cls.name}\` instance` });
      return;
    }
    default:
      return;
  }
}

/** Literal that is certainly not a dict (None is allowed: it clears the attributes). */
function notADict(model: ModuleModel, node: Node): string | null {
  switch (node.type) {
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((c) => c && c.type !== 'comment');
      return inner.length === 1 && inner[0] ? notADict(model, inner[0]) : null;
    }
    case 'list':
    case 'list_comprehension':
      return 'a list';
    case 'tuple':
      return 'a tuple';
    case 'set':
    case 'set_comprehension':
      return 'a set';
    case 'string':
    case 'concatenated_string':
      return 'a string';
    case 'integer':
    case 'float':
      return 'a number';
    case 'true':
    case 'false':
      return 'a boolean';
    case 'generator_expression':
      return 'a generator';
    case 'lambda':
      return 'a function';
    default:
      return null;
  }
}

export const rule: Rule = {
  code: 'DBOS213',
  requires: ['SetWorkflowAttributes', 'update_workflow_attributes', 'attributes'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const sites: { value: Node; label: string }[] = [];
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (fqn === 'dbos.SetWorkflowAttributes') {
        const a = callArgs(model, call.args);
        const v = a.positional[0] ?? a.keywords.get('attributes')?.value;
        if (v) sites.push({ value: v, label: '`SetWorkflowAttributes(...)`' });
      } else if (fqn && UPDATES.has(fqn)) {
        const a = callArgs(model, call.args);
        const v = a.positional[1] ?? a.keywords.get('attributes')?.value;
        if (v) sites.push({ value: v, label: `\`${model.textOf(call.callee)}(...)\`` });
      }
    }
    for (const { dict, label } of enqueueOptionDicts(model)) {
      const v = dict.entries.get('attributes')?.value;
      if (v) sites.push({ value: v, label: `\`"attributes"\` in ${label}` });
    }
    for (const { value, label } of sites) {
      const what = notADict(model, value);
      if (what) {
        ctx.report({
          node: value,
          message:
            `The workflow attributes in ${label} are ${what}, not a dict\nDBOS raises \`DBOSException: Invalid workflow attributes <value>. ` +
            'Attributes must be a dict.` Pass a dict of JSON values, for example `{"customer": customer_id}`, or `None` for no attributes.',
        });
        continue;
      }
      const bad: Bad[] = [];
      badValues(model, value.type === 'dictionary' ? value : null, bad);
      for (const b of bad) {
        ctx.report({
          node: b.node,
          message:
            `Workflow attributes hold ${b.what}, which JSON cannot encode\nIn ${label}, DBOS raises \`DBOSException: Invalid workflow attributes <value>. ` +
            'Attributes must be JSON-serializable.` Store strings, numbers, booleans, None, lists and dicts only (a list for a set, `.isoformat()` for a date).',
          fixes: b.fix ? [b.fix] : undefined,
        });
      }
    }
  },
};
