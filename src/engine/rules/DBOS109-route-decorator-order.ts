// DBOS109: a DBOS decorator above a route decorator: the route serves the undecorated function.
import type { Rule } from './rule';
import type { DecoratorInfo } from '../model/types';
import { decoratorKind, registeringDecorator } from '../model/kinds';

const DBOS_KINDS = new Set(['workflow', 'step', 'transaction', 'dstransaction', 'scheduled']);

export const rule: Rule = {
  code: 'DBOS109',
  requires: ['route', '.get', '.post', '.put', '.patch', '.delete', 'api_route', 'websocket', '.head', '.options', '.trace', '.tool'],
  check(ctx) {
    const { model } = ctx;
    for (const fn of model.functions) {
      if (fn.decorators.length < 2) continue;
      const kinds = fn.decorators.map((d) => decoratorKind(model, d));
      const firstDbos = kinds.findIndex((k) => !!k && DBOS_KINDS.has(k));
      if (firstDbos < 0) continue;
      // routes, and agent tools (pydantic-ai's `@agent.tool` keeps the function it is given)
      const registering = fn.decorators.map((d) => registeringDecorator(model, d));
      const routeIdx = registering.findIndex((k, i) => i > firstDbos && !!k);
      if (routeIdx < 0) continue;
      const isTool = registering[routeIdx] === 'tool';
      const route = fn.decorators[routeIdx];
      const dbosDec = fn.decorators[firstDbos];
      // new order: unchanged prefix, then the route decorators, then the others in their order
      const head = fn.decorators.slice(0, firstDbos);
      const rest = fn.decorators.slice(firstDbos);
      const order: DecoratorInfo[] = [...head, ...rest.filter((_d, i) => !!registering[firstDbos + i]), ...rest.filter((_d, i) => !registering[firstDbos + i])];
      // a decorator's node can end with a trailing comment that holds the `\r` of a CRLF line: swap
      // the texts without trailing whitespace so that every line keeps its own line ending
      const text = (d: DecoratorInfo) => model.textOf(d.node).replace(/\s+$/, '');
      const edits = fn.decorators
        .map((d, i) => (order[i] === d ? null : model.lines.edit(d.node.startIndex, d.node.startIndex + text(d).length, text(order[i]))))
        .filter((e): e is NonNullable<typeof e> => !!e);
      if (isTool) {
        ctx.report({
          node: route.node,
          message:
            `Tool decorator \`${model.textOf(route.expr).split('(')[0]}\` is below \`${model.textOf(dbosDec.expr).split('(')[0]}\`: the tool skips DBOS\n` +
            `The agent registers the undecorated function: when the agent calls the tool, \`${fn.name}\` runs without DBOS (no checkpoint, no retries) and DBOS does not warn. Put the tool decorator outermost (first).`,
          related: [{ message: 'DBOS decorator', range: model.lines.range(dbosDec.node.startIndex, dbosDec.node.endIndex) }],
          fixes: [{ title: 'Swap decorators so the tool decorator is outermost', safe: true, preferred: true, edits }],
        });
        continue;
      }
      ctx.report({
        node: route.node,
        message:
          `Route decorator \`${model.textOf(route.expr).split('(')[0]}\` is below \`${model.textOf(dbosDec.expr).split('(')[0]}\`: the route skips DBOS\n` +
          `The route registers the undecorated function: HTTP requests run \`${fn.name}\` without DBOS (no durability, no checkpoints) and DBOS does not warn. Put the route decorator outermost (first).`,
        related: [{ message: 'DBOS decorator', range: model.lines.range(dbosDec.node.startIndex, dbosDec.node.endIndex) }],
        fixes: [{ title: 'Swap decorators so the route decorator is outermost', safe: true, preferred: true, edits }],
      });
    }
  },
};
