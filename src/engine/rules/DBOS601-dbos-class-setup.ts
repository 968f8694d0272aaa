// DBOS601: classes with instance-method or classmethod workflows that DBOS cannot dispatch.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { CallInfo, ClassInfo, FunctionInfo } from '../model/types';
import type { Fix, RelatedInfo } from '../types';
import { dbosName, nameFor } from '../fixes/common';
import { callsTo, dominates, methodKind, positional, statementIn, stringValue } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import { keywordValue } from '../syntax/arguments';
import { inheritsConfigured } from '../model/configured-classes';
import { isTestLike, launchBefore } from '../model/lifecycle';


const CLASS_DECORATORS = new Set(['dbos.DBOS.dbos_class', 'dbos.DBOS.default_required_roles']);
/** Class decorators that certainly do not register the class with DBOS. */
const HARMLESS_DECORATORS = /^(dataclasses\.dataclass|typing\.final|typing_extensions\.final|functools\.total_ordering|attr\.s|attrs\.define|attr\.define|typing\.runtime_checkable)$/;
function dbosMethods(cls: ClassInfo): FunctionInfo[] {
  return cls.methods.filter((m) => (m.kinds.has('workflow') || m.kinds.has('transaction')) && methodKind(m) !== 'static');
}

/** Where each method is made a DBOS workflow or transaction: its DBOS decorator (else its `def`). */
function registeredAt(ctx: RuleContext, methods: FunctionInfo[]): RelatedInfo[] {
  return methods.map((m) => {
    const d = m.decorators.find((x) => x.fqn && /^dbos\.DBOS\.(workflow|transaction)$/.test(x.fqn));
    const range = d ? ctx.model.lines.range(d.node.startIndex, d.node.endIndex) : ctx.model.lines.range(m.node.startIndex, m.node.startIndex);
    return { message: `\`${m.name}\` is a DBOS ${m.kinds.has('workflow') ? 'workflow' : 'transaction'} here`, range };
  });
}

/** The class sets `config_name` itself or registers the instance by hand. */
function registersByHand(ctx: RuleContext, cls: ClassInfo): boolean {
  const text = ctx.model.textOf(cls.node);
  return /\bself\.config_name\s*=|register_instance\s*\(/.test(text);
}

function callsSuperInit(ctx: RuleContext, init: FunctionInfo): boolean {
  for (const call of init.calls) {
    const t = ctx.model.textOf(call.callee).replace(/\s+/g, '');
    if (/^super\([^)]*\)\.__init__$/.test(t) || /\.__init__$/.test(t)) return true;
  }
  return false;
}

function addDecoratorFix(ctx: RuleContext, cls: ClassInfo): Fix {
  const { model } = ctx;
  const d = dbosName(model);
  const line = model.lines.positionAt(cls.statement.startIndex).line;
  const indent = model.lines.indentOf(line);
  const at = cls.statement.startIndex;
  return {
    title: 'Add `@DBOS.dbos_class()`',
    safe: false,
    preferred: true,
    edits: [...d.edits, model.lines.edit(at, at, `@${d.text}.dbos_class()${model.lines.eol}${indent}`)],
  };
}

function inheritFix(ctx: RuleContext, cls: ClassInfo): Fix {
  const { model } = ctx;
  const n = nameFor(model, 'dbos.DBOSConfiguredInstance');
  const supers = cls.node.childForFieldName('superclasses');
  let edit;
  if (!supers) {
    const name = cls.node.childForFieldName('name')!;
    edit = model.lines.edit(name.endIndex, name.endIndex, `(${n.text})`);
  } else {
    const items = supers.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (items.length === 0) edit = model.lines.edit(supers.startIndex + 1, supers.startIndex + 1, n.text);
    else {
      // before keyword arguments (metaclass=...), after the positional bases
      const pos = items.filter((c) => c.type !== 'keyword_argument');
      const kw = items.find((c) => c.type === 'keyword_argument');
      if (pos.length > 0) edit = model.lines.edit(pos[pos.length - 1].endIndex, pos[pos.length - 1].endIndex, `, ${n.text}`);
      else edit = model.lines.edit(kw!.startIndex, kw!.startIndex, `${n.text}, `);
    }
  }
  return { title: 'Inherit from `DBOSConfiguredInstance`', safe: false, edits: [...n.edits, edit] };
}

/**
 * Inherit, and when `__init__` does not call the base constructor yet, call it there too: inheriting
 * alone leaves the instance without a `config_name` (the next finding of this rule).
 */
function inheritAndInitFix(ctx: RuleContext, cls: ClassInfo): Fix {
  const inherit = inheritFix(ctx, cls);
  const init = cls.methods.find((m) => m.name === '__init__');
  const sup = init && !callsSuperInit(ctx, init) ? superInitFix(ctx, init) : null;
  if (!sup) return inherit;
  return { ...inherit, title: `${inherit.title} and ${sup.title[0].toLowerCase()}${sup.title.slice(1)}`, edits: [...inherit.edits, ...sup.edits] };
}

function superInitFix(ctx: RuleContext, init: FunctionInfo): Fix | null {
  const { model } = ctx;
  if (!init.body || init.body.type !== 'block') return null;
  const params = init.node.childForFieldName('parameters');
  let pick: string | null = null;
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    const id = p.type === 'identifier' ? p : p.namedChildren.find((c) => c?.type === 'identifier');
    if (!id) continue;
    const name = model.textOf(id);
    if (name === 'self') continue;
    const type = p.childForFieldName('type');
    if ((type && model.textOf(type) === 'str') || /name|key|id/.test(name)) {
      pick = name;
      break;
    }
  }
  if (!pick) return null;
  const first = init.body.namedChildren.find((c) => c && c.type !== 'comment');
  if (!first) return null;
  // after a docstring, if any
  const stmts = init.body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const anchor = stmts[0].type === 'expression_statement' && stmts[0].namedChildren[0]?.type === 'string' && stmts[1] ? stmts[1] : stmts[0];
  const line = model.lines.positionAt(anchor.startIndex).line;
  const indent = model.lines.indentOf(line);
  return {
    title: `Call \`super().__init__(config_name=${pick})\``,
    safe: false,
    edits: [model.lines.edit(anchor.startIndex, anchor.startIndex, `super().__init__(config_name=${pick})${model.lines.eol}${indent}`)],
  };
}

export const rule: Rule = {
  code: 'DBOS601',
  requires: ['workflow', 'transaction'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const configured: ClassInfo[] = [];
    for (const cls of model.classes) {
      const methods = dbosMethods(cls);
      if (methods.length === 0) continue;
      // a test that defines a broken class on purpose and expects the error
      if (cls.parentFunction && /\b(raises|assertRaises\w*)\s*\(/.test(model.textOf(cls.parentFunction.node))) continue;
      const instanceWfs = methods.filter((m) => methodKind(m) === 'instance');
      const nameNode = cls.node.childForFieldName('name') ?? cls.node;
      const wfNames = methods.map((m) => `\`${m.name}\``).join(', ');

      // (a) not registered with @DBOS.dbos_class()
      const registered = cls.decorators.some((d) => d.fqn && CLASS_DECORATORS.has(d.fqn));
      const unknownDecorator = cls.decorators.some((d) => !d.fqn || (!CLASS_DECORATORS.has(d.fqn) && !HARMLESS_DECORATORS.test(d.fqn)));
      if (unknownDecorator && !registered) continue; // a custom decorator may register the class itself
      const inh = instanceWfs.length > 0 && !registersByHand(ctx, cls) ? inheritsConfigured(model, cls) : 'yes';
      if (!registered) {
        // DBOS checks the registration first: the config_name errors below are never reached, so this
        // is the one finding for the class (it says what the instance methods will need next)
        const kind = instanceWfs.length > 0 ? 'a class instance' : 'a class';
        const alsoInherit = inh === 'no';
        ctx.report({
          node: nameNode,
          message:
            `Class \`${cls.name}\` has DBOS workflow methods but no \`@DBOS.dbos_class()\`, so calling them raises\n` +
            `Calling ${wfNames} raises \`Function target appears to be ${kind}, but is not properly registered\`. Add \`@DBOS.dbos_class()\` above the class` +
            (alsoInherit
              ? '; its instance-method workflows also need the class to inherit `DBOSConfiguredInstance` and call `super().__init__(config_name=...)` with a name unique per instance.'
              : '.'),
          fixes: alsoInherit ? [addDecoratorFix(ctx, cls), inheritAndInitFix(ctx, cls)] : [addDecoratorFix(ctx, cls)],
          related: registeredAt(ctx, methods),
        });
        continue;
      }

      if (instanceWfs.length === 0 || registersByHand(ctx, cls)) continue;
      // (b) instance-method workflows without DBOSConfiguredInstance
      if (inh === 'no') {
        ctx.report({
          node: nameNode,
          message:
            `Class \`${cls.name}\` has instance-method workflows but does not inherit \`DBOSConfiguredInstance\`\n` +
            `Calling ${instanceWfs.map((m) => `\`${m.name}\``).join(', ')} raises \`\`Function target appears to be a class instance, but does not have \`config_name\` set\`\`, ` +
            'and recovery could not find the instance. Inherit from `DBOSConfiguredInstance` and call `super().__init__(config_name=...)` with a name unique per instance.',
          fixes: [inheritAndInitFix(ctx, cls)],
          related: registeredAt(ctx, instanceWfs),
        });
        continue;
      }
      if (inh !== 'yes') continue;
      configured.push(cls);
      // (c) __init__ that never calls the base constructor
      const init = cls.methods.find((m) => m.name === '__init__');
      if (init && !callsSuperInit(ctx, init)) {
        const fix = superInitFix(ctx, init);
        ctx.report({
          node: init.node.childForFieldName('name') ?? init.node,
          message:
            `\`${cls.name}.__init__\` never calls \`super().__init__(config_name)\`: the instance is not registered\n` +
            'It has no `config_name`, and its workflows raise ``Function target appears to be a class instance, but does not have `config_name` set``. ' +
            'Call `super().__init__(config_name=...)` with a name unique to this instance.',
          fixes: fix ? [fix] : [],
        });
      }
    }
    if (configured.length > 0) checkInstances(ctx, configured);
  },
};

/**
 * DBOS105 reports this instance itself (a configured class created after a launch that runs before it
 * in the same function or at module level): one finding for the line. DBOS601 (d) keeps the launches
 * DBOS105 does not follow (an instance created in a function defined after a module-level launch).
 */
function reportedBy105(ctx: RuleContext, cls: ClassInfo, call: CallInfo): boolean {
  return ctx.config.enabled.has('DBOS105') && !isTestLike(ctx.model) && !call.scope.cls && inheritsConfigured(ctx.model, cls) === 'yes' && !!launchBefore(ctx.model, call.scope.fn, call.node);
}

/** (d) instances created in handlers/workflows or after launch; (e) duplicate literal config names. */
function checkInstances(ctx: RuleContext, classes: ClassInfo[]): void {
  const { model } = ctx;
  const byFqn = new Map(classes.map((c) => [c.fqn, c]));
  const launches = callsTo(model, ['dbos.DBOS.launch']).map((l) => statementIn(l.call.node));
  const seenNames = new Map<string, Node>();
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    const cls = fqn ? byFqn.get(fqn) : undefined;
    if (!cls) continue;
    const fn = call.scope.fn;
    if (!model.isTestFile) {
      let where: string | null = null;
      if (fn && (fn.kinds.has('http') || fn.kinds.has('workflow') || fn.kinds.has('step'))) {
        where = fn.kinds.has('http') ? `HTTP handler \`${fn.name}\`` : `\`${fn.name}\``;
      } else if (launches.some((l) => dominates(l, call.node)) && !reportedBy105(ctx, cls, call)) where = 'after `DBOS.launch()`';
      if (where) {
        ctx.report({
          node: call.node,
          severity: 'warning',
          message:
            `Configured instance of \`${cls.name}\` is created ${where.startsWith('after') ? where : `in ${where}`}, too late for recovery\n` +
            `DBOS logs "Configured instance ... was registered after DBOS was launched" ` +
            'and workflows of this instance cannot be recovered after a restart until it exists again. Create configured instances at module level (or in `main`) before `DBOS.launch()`.',
        });
      }
    }
    // (e) same literal config name twice (module level only, constructor taking the name directly)
    if (!fn && !call.scope.mainGuard) {
      const init = cls.methods.find((m) => m.name === '__init__');
      const nameArg = keywordValue(model, call, 'config_name') ?? (init ? null : positional(call, 0));
      const lit = stringValue(model, nameArg);
      if (lit !== null) {
        const key = `${cls.fqn}:${lit}`;
        if (seenNames.has(key)) {
          ctx.report({
            node: nameArg!,
            message:
              `A second \`${cls.name}\` instance is created with config name "${lit}"\nDBOS raises ` +
              `\`Duplicate instance registration for class '${cls.name}' instance '${lit}'\`. Give each instance a unique config name.`,
          });
        } else seenNames.set(key, nameArg!);
      }
    }
  }
}
