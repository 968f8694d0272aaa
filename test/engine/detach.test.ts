// detach.ts: a summary whose strings were made copies of their own is equal to what it was, and
// keeps its containers (the index and the reuse of facts hold them by identity).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initParser } from '../../src/engine/index';
import { parsePython } from '../../src/engine/syntax/parser';
import { ModuleModel } from '../../src/engine/model/module';
import { summarize } from '../../src/engine/facts/summary';
import { detachKeys, detachStrings } from '../../src/engine/detach';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('detachStrings keeps a summary equal, in place, with equal strings shared', async () => {
  await initParser();
  const file = path.join(ROOT, 'test', 'fixtures', 'DBOS202');
  const name = fs.readdirSync(file).filter((f) => f.endsWith('.py')).sort()[0];
  const text = fs.readFileSync(path.join(file, name), 'utf8');
  const tree = parsePython(text);
  const model = new ModuleModel(text, tree, { path: name });
  const summary = summarize(model, '/x/' + name, 'h');
  const expected = structuredClone(summary);
  const functions = summary.functions;
  const first = [...functions.values()][0];
  const table = new Map<string, string>();
  assert.equal(detachStrings(summary, table), summary);
  tree.delete();
  assert.deepStrictEqual(summary, expected);
  assert.equal(summary.functions, functions);
  assert.equal([...summary.functions.values()][0], first);
  // one copy per distinct string of 13 characters or more
  for (const [k, v] of table) assert.equal(k, v);
  const again = detachStrings({ a: [first.fqn.length >= 13 ? first.fqn : 'x'.repeat(20) + first.fqn] }, table);
  if (first.fqn.length >= 13) assert.equal(again.a[0], table.get(first.fqn));
});

test('detachKeys gives a Map equal keys of their own, in the same order, with the same values', () => {
  const text = 'def handler():\n    return charge_customer_card(order)\n';
  const long = text.slice(4, 11) + '\0' + text.slice(27, 47); // built from views into `text`
  const value = { chain: ['x'] };
  const map = new Map<string, object>([['short', {}], [long, value], ['z', {}]]);
  const table = new Map<string, string>();
  detachKeys(map, table);
  assert.deepEqual([...map.keys()], ['short', long, 'z']);
  assert.equal(map.get(long), value);
  assert.equal(table.get(long), long);
  assert.equal([...map.keys()][1], table.get(long));
});
