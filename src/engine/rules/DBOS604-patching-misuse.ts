// DBOS604: DBOS.patch()/deprecate_patch() without `enable_patching`, or with its result ignored.
import type { Node } from 'web-tree-sitter';
import type { Rule, RuleContext } from './rule';
import type { Fix } from '../types';
import { callsTo, singleBindingValue, isDbosConstructor, argsOf } from '../model/dbos-calls';
import { skippingExpectedFailures } from './expected-failures';
import { keywordValue } from '../syntax/arguments';
import { dictLiteral } from '../model/queues';


const PATCH = ['dbos.DBOS.patch', 'dbos.DBOS.patch_async', 'dbos.DBOS.deprecate_patch', 'dbos.DBOS.deprecate_patch_async'];

interface ConfigLiteral {
  node: Node;
  kind: 'dict' | 'call';
  /** Unknown keys may be present (`**x`). */
  open: boolean;
  /** Value node of `enable_patching`, if set. */
  patching: Node | null;
}

function readConfig(ctx: RuleContext, node: Node | null): ConfigLiteral | null {
  if (!node) return null;
  const { model } = ctx;
  const d = dictLiteral(model, node);
  if (d) return { node, kind: 'dict', open: d.splat, patching: d.entries.get('enable_patching')?.value ?? null };
  if (node.type === 'call' && model.resolve(node.childForFieldName('function')) === 'dbos.DBOSConfig') {
    const args = argsOf(node);
    return {
      node,
      kind: 'call',
      open: args.some((a) => a.type !== 'keyword_argument'),
      patching: keywordValue(model, node, 'enable_patching'),
    };
  }
  return null;
}

/** Every DBOS config literal of the file: passed to `DBOS(config=...)` or annotated `DBOSConfig`. */
function configLiterals(ctx: RuleContext): { configs: ConfigLiteral[]; unknown: boolean } {
  const { model } = ctx;
  const seen = new Set<number>();
  const configs: ConfigLiteral[] = [];
  let unknown = false;
  const add = (c: ConfigLiteral | null) => {
    if (c && !seen.has(c.node.id)) {
      seen.add(c.node.id);
      configs.push(c);
    }
  };
  for (const a of model.assignments) {
    if (!a) continue;
    const type = model.annotationOf(a);
    if (type && /(^|\.)DBOSConfig$/.test(model.textOf(type).trim())) add(readConfig(ctx, a.childForFieldName('right')));
  }
  for (const call of model.calls) {
    if (model.resolve(call.callee) === 'dbos.DBOSConfig') add(readConfig(ctx, call.node));
    if (!isDbosConstructor(model, call)) continue;
    let v = keywordValue(model, call, 'config');
    if (!v) continue;
    if (v.type === 'identifier') v = singleBindingValue(model, v, call.scope);
    const c = readConfig(ctx, v);
    if (c) add(c);
    else unknown = true;
  }
  return { configs, unknown };
}

function enableFix(ctx: RuleContext, c: ConfigLiteral): Fix | null {
  const { model } = ctx;
  const items = (c.kind === 'dict' ? c.node.namedChildren : c.node.childForFieldName('arguments')?.namedChildren ?? []).filter(
    (x): x is Node => !!x && x.type !== 'comment',
  );
  const entry = c.kind === 'dict' ? '"enable_patching": True' : 'enable_patching=True';
  const last = items[items.length - 1];
  if (!last) {
    const open = c.kind === 'dict' ? c.node : c.node.childForFieldName('arguments')!;
    return { title: 'Add `"enable_patching": True` to the DBOS config', safe: false, edits: [model.lines.edit(open.startIndex + 1, open.startIndex + 1, entry)] };
  }
  const lastLine = model.lines.positionAt(last.startIndex).line;
  const closeLine = model.lines.positionAt(c.node.endIndex - 1).line;
  const after = model.text.slice(last.endIndex, c.node.endIndex);
  const comma = /^\s*,/.exec(after);
  let edit;
  if (closeLine > lastLine) {
    const indent = model.lines.indentOf(lastLine);
    const at = comma ? last.endIndex + comma[0].length : last.endIndex;
    edit = model.lines.edit(at, at, `${comma ? '' : ','}${model.lines.eol}${indent}${entry}${comma ? ',' : ''}`);
  } else {
    edit = comma ? model.lines.edit(last.endIndex + comma[0].length, last.endIndex + comma[0].length, ` ${entry}`) : model.lines.edit(last.endIndex, last.endIndex, `, ${entry}`);
  }
  return { title: 'Add `"enable_patching": True` to the DBOS config', safe: false, edits: [edit] };
}

export const rule: Rule = {
  code: 'DBOS604',
  requires: ['patch'],
  check(outer) {
    const ctx = skippingExpectedFailures(outer);
    const { model } = ctx;
    const calls = callsTo(model, PATCH);
    if (calls.length === 0) return;
    const { configs, unknown } = configLiterals(ctx);
    // `enable_patching` mentioned outside the literals found (config["enable_patching"] = ..., another dict): cannot tell
    const count = (t: string) => (t.match(/enable_patching/g) ?? []).length;
    // mentions in code, not in comments
    const inCode = model.identifierUses('enable_patching').length + (model.text.match(/['"]enable_patching['"]/g) ?? []).length + model.attributesNamed('enable_patching').length;
    const mutated = inCode > configs.reduce((n, c) => n + count(model.textOf(c.node)), 0);
    const enabled = configs.some((c) => c.open || (c.patching && c.patching.type !== 'false'));
    const missing = configs.length > 0 && !unknown && !enabled && !mutated;
    for (const { call, fqn } of calls) {
      const name = fqn.slice('dbos.DBOS.'.length);
      if (missing) {
        const fix = configs.length === 1 ? enableFix(ctx, configs[0]) : null;
        const off = configs.some((c) => c.patching);
        ctx.report({
          node: call.node,
          message:
            `\`DBOS.${name}()\` needs \`"enable_patching": True\`, which the DBOS config in this file lacks\n` +
            `The config ${off ? 'sets `"enable_patching": False`' : 'does not set `"enable_patching": True`'}: ` +
            'DBOS raises `DBOSException: enable_patching must be True in DBOS configuration`. Add `"enable_patching": True` to the config ' +
            '(note: unless `application_version` is set, patching pins the version to "PATCHING_ENABLED").',
          fixes: fix ? [fix] : [],
        });
      }
      // (d) the result of patch() decides which code path runs
      if (name === 'patch' || name === 'patch_async') {
        let n: Node = call.node;
        if (n.parent?.type === 'await') n = n.parent;
        if (n.parent?.type === 'expression_statement') {
          ctx.report({
            node: call.node,
            // DBOS tolerates it: each workflow stays consistent with itself; the patch just does nothing useful
            severity: 'information',
            message:
              `The result of \`DBOS.${name}()\` is ignored, so old and new workflows run the same code\n` +
              `It returns whether this execution takes the patched path (False when a workflow started before the patch is recovered). ` +
              `Called alone it still records a patch marker and advances the workflow's step counter, but the code after it runs the same for both. ` +
              `Use it as a condition: \`if ${name === 'patch_async' ? 'await ' : ''}DBOS.${name}(...):\` new code \`else:\` old code.`,
          });
        }
      }
    }
  },
};
