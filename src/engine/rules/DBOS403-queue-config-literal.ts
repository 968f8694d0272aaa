// DBOS403: literal queue settings that DBOS rejects with a ValueError (`Queue._validate_queue`):
// conflicting or out-of-range concurrency limits, incomplete rate limiters, bad polling intervals.
import type { Node } from 'web-tree-sitter';
import { isV3, type Rule, type RuleContext } from './rule';
import { dictLiteral, literal, queueDeclarations, type QueueDecl } from '../model/queues';

type Val = { node: Node; v: number; text: string } | null;

function check(ctx: RuleContext): void {
  const { model } = ctx;
  for (const d of queueDeclarations(model)) {
    const what = d.legacy ? '`Queue(...)`' : `\`${model.textOf(d.call.callee)}(...)\``;
    const report = (node: Node, problem: string, error: string, todo: string) =>
      ctx.report({ node, message: `${problem}: DBOS rejects this queue\nIn ${what}, DBOS raises \`ValueError: ${error}\`. ${todo}` });
    const present = (k: string): Node | null => {
      const n = d.options.get(k);
      return n && literal(model, n)?.t !== 'none' ? n : null;
    };
    const numOf = (k: string): Val => {
      const n = present(k);
      const l = n ? literal(model, n) : null;
      return n && l?.t === 'num' ? { node: n, v: l.v, text: `${k}=${model.textOf(n)}` } : null;
    };
    const boolOf = (k: string): boolean | null => {
      const n = d.options.get(k);
      const l = n ? literal(model, n) : null;
      return l?.t === 'bool' ? l.v : null;
    };
    const conc = present('concurrency');
    const glob = present('global_concurrency');
    if (conc && glob) {
      report(conc, '`concurrency` and `global_concurrency` are both set', 'concurrency is deprecated in favor of global_concurrency; set only one of them', 'Keep only `global_concurrency`.');
    }
    const pq = boolOf('partition_queue') === true ? d.options.get('partition_queue')! : null;
    const partitionKeys = ['partition_concurrency', 'partition_worker_concurrency', 'partition_limiter'].filter((k) => present(k));
    if (pq && partitionKeys.length > 0) {
      report(pq, `\`partition_queue=True\` is combined with \`${partitionKeys[0]}\``, 'partition_queue is deprecated in favor of the partition_* limits; set only one of them', 'Drop `partition_queue` and use only the `partition_*` limits.');
    } else if (pq && glob) {
      report(pq, '`partition_queue=True` is combined with `global_concurrency`', 'partition_queue applies every limit per partition, so it cannot be combined with global_concurrency; use partition_concurrency instead', 'Use `partition_concurrency` instead.');
    }
    const pc = numOf('partition_concurrency');
    const pwc = numOf('partition_worker_concurrency');
    const wc = numOf('worker_concurrency');
    const qc = glob ? numOf('global_concurrency') : conc ? numOf('concurrency') : null;
    if (pc && pc.v < 1) report(pc.node, `\`${pc.text}\` is below 1`, 'partition_concurrency must be at least 1', 'Use 1 or more.');
    if (pwc && pwc.v < 1) report(pwc.node, `\`${pwc.text}\` is below 1`, 'partition_worker_concurrency must be at least 1', 'Use 1 or more.');
    for (const k of ['partition_limiter', 'limiter']) {
      const n = present(k);
      const dict = n ? dictLiteral(model, n) : null;
      if (!n || !dict || dict.splat) continue;
      const missing = ['limit', 'period'].filter((x) => {
        const e = dict.entries.get(x);
        return !e || literal(model, e.value)?.t === 'none';
      });
      if (missing.length > 0) {
        report(n, `\`${k}\` lacks ${missing.map((m) => `"${m}"`).join(' and ')}`, `${k} must specify both 'limit' and 'period'`, `Give both, e.g. \`{"limit": 50, "period": 30}\` (at most 50 starts every 30 seconds).`);
      }
    }
    if (pwc && pc && pwc.v > pc.v && pc.v >= 1) {
      report(pwc.node, `\`${pwc.text}\` is greater than \`${pc.text}\``, 'partition_concurrency must be greater than or equal to partition_worker_concurrency', 'The per-worker limit must fit inside the per-partition limit.');
    }
    if (pwc && wc && pwc.v > wc.v && pwc.v >= 1) {
      report(pwc.node, `\`${pwc.text}\` is greater than \`${wc.text}\``, 'worker_concurrency must be greater than or equal to partition_worker_concurrency', 'The per-partition limit of a worker must fit inside its overall limit.');
    }
    if (wc && qc && wc.v > qc.v) {
      report(wc.node, `\`${wc.text}\` is greater than \`${qc.text}\``, 'concurrency must be greater than or equal to worker_concurrency', 'A worker cannot run more than the whole queue allows: lower `worker_concurrency` or raise the global limit.');
    }
    if (pc && qc && pc.v > qc.v && pc.v >= 1) {
      report(pc.node, `\`${pc.text}\` is greater than \`${qc.text}\``, 'global_concurrency must be greater than or equal to partition_concurrency', 'A partition cannot run more than the whole queue allows.');
    }
    if (pwc && qc && pwc.v > qc.v && pwc.v >= 1 && !(pc && pwc.v > pc.v) && !(wc && pwc.v > wc.v)) {
      report(pwc.node, `\`${pwc.text}\` is greater than \`${qc.text}\``, 'concurrency must be greater than or equal to partition_worker_concurrency', 'Lower `partition_worker_concurrency` or raise the global limit.');
    }
    const poll = numOf('polling_interval_sec');
    if (poll && !(poll.v > 0)) report(poll.node, `\`${poll.text}\` is not positive`, 'polling_interval_sec must be positive', 'Use a positive number of seconds (the default is 1.0).');
    reservedName(ctx, d);
  }
}

/** Queue names starting with `_dbos_` are reserved for DBOS's internal queues (3.x rejects them). */
function reservedName(ctx: RuleContext, d: QueueDecl): void {
  if (!isV3(ctx.version) || d.name === null || !d.name.startsWith('_dbos_') || !d.nameNode) return;
  ctx.report({
    node: d.nameNode,
    message: `Queue name "${d.name}" starts with \`_dbos_\`, a prefix DBOS 3.x reserves and rejects\nThe prefix is reserved for DBOS's internal queues. Pick another name.`,
  });
}

export const rule: Rule = { code: 'DBOS403', requires: ['Queue', 'queue'], check };
