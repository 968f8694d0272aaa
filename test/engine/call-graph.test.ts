// One call graph: helpers of the analysed file and helpers of other modules are followed by the same
// walk over the same facts, computed with the configured catalog, with or without the workspace index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { WorkspaceIndex } from '../../src/engine/project/index';
import { buildApiCatalog } from '../../src/engine/data/catalog';
import type { Finding } from '../../src/engine/types';

const APP = `import mylib
from dbos import DBOS


def quiet() -> None:
    print(mylib.now())


def loud() -> int:
    t = mylib.now()
    if t > 3:
        return 1
    return 0


@DBOS.workflow()
def flow() -> int:
    quiet()
    return loud()
`;

function shape(findings: Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.code}:${f.message}|${f.related.map((r) => `${r.range.start.line + 1}:${r.message}`).join(';')}`);
}

test('item 7: a configured non-deterministic call only logged in a same-file helper is quiet with and without the index; one used is reported the same way', async () => {
  await initParser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-graph-'));
  const file = path.join(dir, 'app.py');
  fs.writeFileSync(file, APP);
  const config = resolveConfig([{ extraNondeterministic: ['mylib.now'] }]);
  const alone = analyze(APP, { path: file, config }).findings;
  const index = new WorkspaceIndex({ roots: [dir] });
  const withIndex = analyze(APP, { path: file, config, index }).findings;
  assert.deepEqual(alone.map((f) => `${f.range.start.line + 1}:${f.code}`), ['19:DBOS201']);
  assert.deepEqual(shape(withIndex), shape(alone));
  assert.match(alone[0].message, /\nflow → loud → mylib\.now: /);
  // the same helper in another module: the same finding through the same walk
  fs.writeFileSync(path.join(dir, 'helpers.py'), APP.split('\n\n\n@DBOS')[0].replace('from dbos import DBOS\n', '') + '\n');
  const caller = 'from dbos import DBOS\n\nfrom helpers import loud, quiet\n\n\n@DBOS.workflow()\ndef flow() -> int:\n    quiet()\n    return loud()\n';
  const other = path.join(dir, 'caller.py');
  fs.writeFileSync(other, caller);
  const cross = analyze(caller, { path: other, config, index }).findings;
  assert.deepEqual(cross.map((f) => `${f.range.start.line + 1}:${f.code}`), ['9:DBOS201']);
  assert.match(cross[0].message, /\nflow → helpers\.loud → mylib\.now: /);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the shortest chain wins, in this module as across modules', async () => {
  await initParser();
  const text = `import random
import time
from dbos import DBOS


def deep() -> float:
    return time.time()


def middle() -> float:
    return deep()


def helper() -> float:
    x = middle()
    return x + random.random()


@DBOS.workflow()
def flow() -> float:
    return helper()
`;
  const r = analyze(text, { path: 'app.py', config: resolveConfig() });
  assert.deepEqual(r.findings.map((f) => `${f.range.start.line + 1}:${f.code}`), ['21:DBOS201']);
  assert.match(r.findings[0].message, /\nflow → helper → random\.random: /);
});

test('one walk per helper and effect kind: the nearest leaf asked without `all` comes from the walk that lists every leaf', async () => {
  await initParser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-graph-'));
  const file = path.join(dir, 'helpers.py');
  fs.writeFileSync(file, 'import requests\n\n\ndef fetch(url):\n    requests.get(url)\n    return requests.post(url)\n');
  const index = new WorkspaceIndex({ roots: [dir] });
  const api = buildApiCatalog();
  const start = index.functionOf(file, 'fetch')!;
  // DBOS206 asks first (nearest only), then the effect rules ask for every leaf
  const nearest = index.chainFrom(start, 'io', api, 5, file);
  const whole = index.chainFrom(start, 'io', api, 5, file, null, true);
  assert.ok(nearest && whole);
  assert.equal(nearest.leaf, whole.leaf, 'the same walk answers both');
  assert.equal(nearest.leaf.call.text, 'requests.get');
  assert.equal(nearest.others, undefined);
  assert.deepEqual(whole.others?.leaves.map((l) => l.call.text), ['requests.post']);
  assert.equal(index.chainFrom(start, 'io', api, 5, file), nearest, 'asked again: the same answer');
  fs.rmSync(dir, { recursive: true, force: true });
});
