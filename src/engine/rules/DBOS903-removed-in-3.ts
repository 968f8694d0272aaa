// DBOS903: 2.x APIs removed in DBOS 3.0 (error when the target is 3.x, otherwise a deprecation hint).
// Not here (other codes own them): `Queue(...)` declarations (DBOS401), `@DBOS.scheduled` (DBOS602),
// `DBOS(fastapi=/flask=)` (DBOS108), `DBOSClient(database_url=)` (DBOS804).
import type { Node } from 'web-tree-sitter';
import { isV3, type Rule, type RuleContext } from './rule';
import type { Fix, Severity } from '../types';
import type { ModuleModel } from '../model/module';
import { isClientObject, isQueueObject, olderThan } from '../model/async-api';
import { argList, keywordArgument, keywordValue, stringValue } from '../syntax/arguments';

const REMOVED_CONFIG: Record<string, string> = {
  application_database_url: 'the application database only served `@DBOS.transaction`; use a `SQLAlchemyDatasource` for database steps',
  database_url: 'set `system_database_url` instead (the old system database was `<app db>_dbos_sys` on Postgres)',
  run_admin_server: 'the admin server is gone',
  admin_port: 'the admin server is gone',
};

const QUEUE_CTORS = new Set(['dbos.Queue', 'dbos.DBOS.register_queue', 'dbos.DBOS.register_queue_async']);
const ENQUEUE_WITH_OPTIONS = new Set(['dbos.DBOS.enqueue_workflow_with_options', 'dbos.DBOS.enqueue_workflow_with_options_async']);
const V2_31: [number, number] = [2, 31];

function named(node: Node | null | undefined): Node[] {
  return (node?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
}


/** Values bound to an identifier (in the enclosing functions, then the module); empty when unknown. */
function boundValues(model: ModuleModel, id: Node): Node[] {
  const name = model.textOf(id);
  const scope = model.scopeOf(id);
  for (let f = scope.fn; f; f = f.parent) {
    const b = f.bindings.get(name);
    if (b) return b.every((x) => x.value) ? b.map((x) => x.value!) : [];
    if (f.globals.has(name)) break;
  }
  const b = model.module.bindings.get(name);
  return b && b.every((x) => x.value) ? b.map((x) => x.value!) : [];
}

/** Removes a dict pair or keyword argument with its separating comma. */
function removeItemEdits(model: ModuleModel, item: Node): Fix['edits'] {
  const parent = item.parent!;
  const sibs = parent.namedChildren.filter((c): c is Node => !!c);
  const i = sibs.findIndex((c) => c.id === item.id);
  const next = sibs[i + 1];
  if (next) return [model.lines.edit(item.startIndex, next.startIndex, '')];
  const prev = sibs
    .slice(0, i)
    .reverse()
    .find((c) => c.type !== 'comment');
  if (prev) return [model.lines.edit(prev.endIndex, item.endIndex, '')];
  // the only item: drop it and a trailing comma
  let end = item.endIndex;
  const m = /^\s*,/.exec(model.text.slice(end));
  if (m) end += m[0].length;
  return [model.lines.edit(item.startIndex, end, '')];
}

type DictKind = 'config' | 'enqueue';

interface Holder {
  /** A `dictionary` or the `argument_list` of a `DBOSConfig(...)` / `EnqueueOptions(...)` call. */
  node: Node;
  kind: DictKind;
}

function collectHolders(ctx: RuleContext): { holders: Holder[]; names: Map<string, DictKind> } {
  const { model } = ctx;
  const holders = new Map<number, Holder>();
  const names = new Map<string, DictKind>();
  const addValue = (value: Node | null | undefined, kind: DictKind): void => {
    if (!value) return;
    if (value.type === 'dictionary') {
      holders.set(value.id, { node: value, kind });
      return;
    }
    if (value.type === 'call') {
      const fqn = model.resolve(value.childForFieldName('function'));
      const args = value.childForFieldName('arguments');
      if (args && fqn === (kind === 'config' ? 'dbos.DBOSConfig' : 'dbos.EnqueueOptions')) holders.set(args.id, { node: args, kind });
      return;
    }
    if (value.type === 'identifier') {
      names.set(model.textOf(value), kind);
      for (const v of boundValues(model, value)) if (v.type === 'dictionary' || v.type === 'call') addValue(v, kind);
    }
  };
  for (const call of model.calls) {
    const fqn = model.calleeFqn(call);
    if (!fqn) continue;
    if (fqn === 'dbos.DBOS') addValue(keywordValue(model, call, 'config'), 'config');
    else if (fqn === 'dbos.DBOSConfig' && call.args) holders.set(call.args.id, { node: call.args, kind: 'config' });
    else if (fqn === 'dbos.EnqueueOptions' && call.args) holders.set(call.args.id, { node: call.args, kind: 'enqueue' });
    else if (ENQUEUE_WITH_OPTIONS.has(fqn)) addValue(argList(call)[0], 'enqueue');
    else if (fqn.endsWith('.enqueue') || fqn.endsWith('.enqueue_async') || fqn.endsWith('.enqueue_in_transaction')) {
      const obj = fqn.slice(0, fqn.lastIndexOf('.'));
      if (isClientObject(obj)) addValue(argList(call)[fqn.endsWith('_in_transaction') ? 1 : 0], 'enqueue');
    }
  }
  // annotated literals: `config: DBOSConfig = {...}`, `opts: EnqueueOptions = {...}`
  for (const a of model.assignments) {
    if (!a) continue;
    const type = model.annotationOf(a);
    if (!type) continue;
    const t = model.resolve(type.namedChildren[0] ?? type);
    const kind: DictKind | null = t === 'dbos.DBOSConfig' ? 'config' : t === 'dbos.EnqueueOptions' ? 'enqueue' : null;
    if (!kind) continue;
    const left = a.childForFieldName('left');
    if (left?.type === 'identifier') names.set(model.textOf(left), kind);
    addValue(a.childForFieldName('right'), kind);
  }
  return { holders: [...holders.values()], names };
}

export const rule: Rule = {
  code: 'DBOS903',
  requires: ['transaction', 'sql_session', 'database_url', 'admin', 'concurrency', 'priority_enabled', 'partition_queue', 'listen_queues', 'max_recovery_attempts'],
  check(ctx) {
    const { model, version } = ctx;
    const v3 = isV3(version);
    // `concurrency=` is only worth a warning where its replacement is known to exist: with an
    // unknown version a 2.x project may predate `global_concurrency`, so it stays a hint.
    const severity = (warnOn2: boolean): Severity | undefined => (v3 ? 'error' : warnOn2 && version ? 'warning' : undefined);
    const status = v3 ? 'was removed in DBOS 3.0' : 'is deprecated (removed in DBOS 3.0)';
    const report = (node: Node, message: string, fixes: Fix[] = [], warnOn2 = false): void =>
      ctx.report({ node, message, fixes, severity: severity(warnOn2), tags: ['deprecated'] });
    // fixes that only hold where the 3.x replacement exists (`global_concurrency`, priority always on)
    const newQueueApi = !!version && !olderThan(version, V2_31);
    const knownOld = olderThan(version, V2_31);

    // @DBOS.transaction (decorator, bare or called, and the functional form)
    const seen = new Set<number>();
    for (const fn of model.functions) {
      for (const d of fn.decorators) {
        if (d.fqn !== 'dbos.DBOS.transaction') continue;
        seen.add(d.expr.id);
        report(
          d.expr,
          `\`@${model.textOf(d.expr)}\` ${status}\n${v3 ? "`DBOS` has no `transaction` attribute there. " : ""}Create a datasource before launch ` +
            `(\`ds = SQLAlchemyDatasource.create(url)\`) and use \`@ds.transaction()\` with \`ds.sql_session()\`.`,
        );
      }
    }
    for (const call of model.calls) {
      if (seen.has(call.node.id) || model.calleeFqn(call) !== 'dbos.DBOS.transaction') continue;
      report(call.node, `\`${model.textOf(call.callee)}()\` ${status}\nUse a datasource transaction (\`@ds.transaction()\` on a \`SQLAlchemyDatasource\`).`);
    }
    // DBOS.sql_session
    for (const a of model.attributesNamed('sql_session')) {
      if (!a || model.textOf(a.childForFieldName('attribute')!) !== 'sql_session') continue;
      if (model.resolve(a) !== 'dbos.DBOS.sql_session') continue;
      report(a, `\`${model.textOf(a)}\` ${status}, like \`@DBOS.transaction\`\nUse \`ds.sql_session()\` inside a \`@ds.transaction()\` of a \`SQLAlchemyDatasource\`.`);
    }

    // config keys and EnqueueOptions["max_recovery_attempts"]
    const { holders, names } = collectHolders(ctx);
    const checkKey = (kind: DictKind, key: string, node: Node, item: Node | null): void => {
      if (kind === 'config' && REMOVED_CONFIG[key]) {
        const fixes: Fix[] = item ? [{ title: `Remove \`${key}\` from the configuration`, safe: false, edits: removeItemEdits(model, item) }] : [];
        report(node, `DBOS configuration key \`${key}\` ${status}\n${REMOVED_CONFIG[key][0].toUpperCase()}${REMOVED_CONFIG[key].slice(1)}.`, fixes);
      } else if (kind === 'enqueue' && key === 'max_recovery_attempts') {
        const fixes: Fix[] = item ? [{ title: 'Remove `max_recovery_attempts` from the enqueue options', safe: false, edits: removeItemEdits(model, item) }] : [];
        report(node, `\`EnqueueOptions\` key \`max_recovery_attempts\` ${status}\nSet it on the workflow instead: \`@DBOS.workflow(max_recovery_attempts=...)\`.`, fixes);
      }
    };
    for (const h of holders) {
      for (const item of named(h.node)) {
        if (item.type === 'pair') {
          const k = stringValue(model, item.childForFieldName('key'));
          if (k) checkKey(h.kind, k, item.childForFieldName('key')!, item);
        } else if (item.type === 'keyword_argument') {
          checkKey(h.kind, model.textOf(item.childForFieldName('name')!), item.childForFieldName('name')!, item);
        }
      }
    }
    if (names.size > 0) {
      // config["database_url"] = ... on a variable known to hold a DBOSConfig / EnqueueOptions
      for (const a of model.assignments) {
        const left = a?.childForFieldName('left');
        if (!left || left.type !== 'subscript') continue;
        const obj = left.childForFieldName('value');
        const kind = obj?.type === 'identifier' ? names.get(model.textOf(obj)) : undefined;
        const key = stringValue(model, left.childForFieldName('subscript'));
        if (kind && key) checkKey(kind, key, left, null);
      }
    }

    // queue parameters: concurrency=, priority_enabled=, partition_queue=
    for (const call of model.calls) {
      const fqn = model.calleeFqn(call);
      if (!fqn) continue;
      const isCtor = QUEUE_CTORS.has(fqn) || (/\.register_queue(_async)?$/.test(fqn) && isClientObject(fqn.replace(/\.register_queue(_async)?$/, '')));
      if (isCtor) {
        const partition = keywordArgument(model, call, 'partition_queue');
        const partitioned = !!partition && model.textOf(partition.childForFieldName('value')!) !== 'False';
        for (const kw of argList(call)) {
          if (kw.type !== 'keyword_argument') continue;
          const name = kw.childForFieldName('name')!;
          const value = model.textOf(kw.childForFieldName('value')!);
          const key = model.textOf(name);
          if (key === 'concurrency') {
            const fixes: Fix[] = [];
            if (!knownOld && !partitioned && !keywordArgument(model, call, 'global_concurrency')) {
              fixes.push({ title: 'Rename `concurrency` to `global_concurrency`', safe: newQueueApi || v3, preferred: true, edits: [model.lines.edit(name.startIndex, name.endIndex, 'global_concurrency')] });
            }
            report(
              name,
              `Queue parameter \`concurrency\` ${status}\nIt was renamed \`global_concurrency\` (the cluster-wide limit; \`worker_concurrency\` is per process).` +
                (partitioned ? ' With `partition_queue=True` it is a per-partition limit: use `partition_concurrency` instead.' : ''),
              fixes,
              !knownOld,
            );
          } else if (key === 'priority_enabled') {
            const isDefault = value === 'False';
            const fixes: Fix[] = [{ title: 'Remove `priority_enabled`', safe: isDefault || newQueueApi || v3, preferred: true, edits: removeItemEdits(model, kw) }];
            report(name, `Queue parameter \`priority_enabled\` ${status}\nDBOS 3.0 always honours \`priority\`, so drop the argument.`, fixes);
          } else if (key === 'partition_queue') {
            const fixes: Fix[] = value === 'False' ? [{ title: 'Remove `partition_queue`', safe: true, preferred: true, edits: removeItemEdits(model, kw) }] : [];
            report(
              name,
              `Queue parameter \`partition_queue\` ${status}\nPartition a queue with the \`partition_concurrency\`, \`partition_worker_concurrency\` or \`partition_limiter\` limits instead.`,
              fixes,
            );
          }
        }
        continue;
      }
      // q.set_concurrency(...) on a queue object
      const m = /^(.*)\.set_concurrency(_async)?$/.exec(fqn);
      if (m && isQueueObject(m[1]) && call.calleeType === 'attribute') {
        const attr = call.callee.childForFieldName('attribute')!;
        const fixes: Fix[] = knownOld
          ? []
          : [{ title: `Use \`set_global_concurrency${m[2] ?? ''}\``, safe: newQueueApi || v3, preferred: true, edits: [model.lines.edit(attr.startIndex, attr.endIndex, `set_global_concurrency${m[2] ?? ''}`)] }];
        report(attr, `\`Queue.set_concurrency${m[2] ?? ''}\` ${status}\nIt was renamed \`set_global_concurrency${m[2] ?? ''}\`.`, fixes, !knownOld);
        continue;
      }
      // DBOS.listen_queues([queue_obj])
      if (fqn === 'dbos.DBOS.listen_queues') {
        const list = argList(call)[0];
        if (!list || (list.type !== 'list' && list.type !== 'tuple')) continue;
        for (const el of named(list)) {
          if (el.type === 'string' || !isQueueObject(model.resolve(el, call.scope))) continue;
          let qname: string | null = null;
          if (el.type === 'identifier') {
            const values = boundValues(model, el);
            const names = new Set(values.map((v) => queueNameOf(model, v)));
            if (values.length > 0 && names.size === 1) qname = [...names][0];
          } else qname = queueNameOf(model, el);
          const fixes: Fix[] =
            qname !== null && !olderThan(version, [2, 20])
              ? [{ title: `Pass the queue name ${JSON.stringify(qname)}`, safe: true, preferred: true, edits: [model.lines.edit(el.startIndex, el.endIndex, JSON.stringify(qname))] }]
              : [];
          report(el, `Passing a \`Queue\` object to \`DBOS.listen_queues\` ${status}\nPass queue names (\`DBOS.listen_queues(["name"])\`).`, fixes);
        }
      }
    }
  },
};

/** The literal name of a queue created by `Queue("n", ...)` / `DBOS.register_queue("n", ...)`. */
function queueNameOf(model: ModuleModel, value: Node): string | null {
  let v = value;
  while (v.type === 'await' || v.type === 'parenthesized_expression') {
    const inner = v.namedChildren.find((c) => c && c.type !== 'comment');
    if (!inner) return null;
    v = inner;
  }
  if (v.type !== 'call') return null;
  const first = argList(v)[0];
  if (first && first.type !== 'keyword_argument') return stringValue(model, first);
  return stringValue(model, keywordValue(model, v, 'name'));
}
