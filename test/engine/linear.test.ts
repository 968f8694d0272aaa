// The analysis stays linear on deep and long expressions inside a workflow: counted in tree-sitter
// steps up the tree (`.parent` and `childWithDescendant`, each of which descends from a node in the
// wasm), not timed. A `.parent` loop per call made these inputs cubic (800 `random.random()` terms:
// 35 s; 5,000 terms: more than 10 minutes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Node } from 'web-tree-sitter';
import { analyze, initParser } from '../../src/engine/index';

/** Runs `f` while counting the calls of `Node.prototype.parent` and `childWithDescendant`. */
function countingSteps<T>(f: () => T): { result: T; steps: number } {
  const proto = Node.prototype as unknown as { childWithDescendant(n: Node): Node | null };
  const parentDesc = Object.getOwnPropertyDescriptor(Node.prototype, 'parent')!;
  const cwd = proto.childWithDescendant;
  let steps = 0;
  Object.defineProperty(Node.prototype, 'parent', {
    configurable: true,
    get(this: Node) {
      steps++;
      return parentDesc.get!.call(this);
    },
  });
  proto.childWithDescendant = function (this: Node, n: Node) {
    steps++;
    return cwd.call(this, n);
  };
  try {
    return { result: f(), steps };
  } finally {
    Object.defineProperty(Node.prototype, 'parent', parentDesc);
    proto.childWithDescendant = cwd;
  }
}

const HEAD = ['import random', 'import time', 'from dbos import DBOS', '', '@DBOS.workflow()', 'def wf():'];

function check(body: string, n: number, perTerm: number): void {
  const text = [...HEAD, body, '    return x', ''].join('\n');
  const { result, steps } = countingSteps(() => analyze(text, { path: 'app.py' }));
  assert.deepEqual(result.ruleFailures, []);
  assert.ok(result.findings.length >= 1);
  assert.ok(steps <= perTerm * n, `${steps} steps up the tree for ${n} terms (at most ${perTerm * n})`);
}

test('a sum of 1,500 random.random() terms: steps up the tree grow linearly, every term reported with its fixes', async () => {
  await initParser();
  const n = 1500;
  const text = [...HEAD, '    x = ' + Array(n).fill('random.random()').join(' + '), '    return x', ''].join('\n');
  const { result, steps } = countingSteps(() => analyze(text, { path: 'app.py' }));
  assert.equal(result.findings.filter((f) => f.code === 'DBOS201').length, n);
  assert.ok(result.findings.every((f) => f.code !== 'DBOS201' || f.fixes.length === 2));
  assert.ok(steps <= 20 * n, `${steps} steps for ${n} terms`);
});

test('random.choice nested 1,500 deep: linear', async () => {
  await initParser();
  check('    x = ' + 'random.choice('.repeat(1500) + ')'.repeat(1500), 1500, 20);
});

test('2,000 clock readings subtracted in one expression: linear', async () => {
  await initParser();
  check('    t0 = time.time()\n    x = ' + Array(2000).fill('time.time()').join(' - ') + ' - t0 + random.random()', 2000, 20);
});

test('a call chain nested 1,000 deep inside an async workflow (await, parentheses): linear', async () => {
  await initParser();
  const text = [
    'import random',
    'from dbos import DBOS',
    '',
    '@DBOS.workflow()',
    'async def wf():',
    '    x = ' + 'str(random.choice('.repeat(1000) + ')'.repeat(2000),
    '    return x',
    '',
  ].join('\n');
  const { result, steps } = countingSteps(() => analyze(text, { path: 'app.py' }));
  assert.deepEqual(result.ruleFailures, []);
  assert.equal(result.findings.filter((f) => f.code === 'DBOS201').length, 1000);
  assert.ok(steps <= 20 * 1000, `${steps} steps`);
});
