// The binder's shapes, on the fixture workspace test/fixtures/workspace/binder/: DBOS decorators
// re-exported under other names from a project module, optional imports, super() and inherited
// methods across modules, framework decorators that register the undecorated function, a workflow
// defined inside a method, configured instances created after a launch in another module, and a class
// whose static methods wrap the DBOS decorators (`@Durable.workflow()`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { WorkspaceIndex } from '../../src/engine/project/index';
import { parsePython } from '../../src/engine/syntax/parser';
import { ModuleModel } from '../../src/engine/model/module';

const root = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'test/fixtures/workspace/binder');

function check(index: WorkspaceIndex, rel: string): string[] {
  const file = path.join(root, rel);
  const r = analyze(fs.readFileSync(file, 'utf8'), { path: file, index, config: resolveConfig(), version: [2, 10] });
  return r.findings.map((f) => `${f.range.start.line + 1}:${f.code}`);
}

function messages(index: WorkspaceIndex, rel: string, code: string): string[] {
  const file = path.join(root, rel);
  const r = analyze(fs.readFileSync(file, 'utf8'), { path: file, index, config: resolveConfig(), version: [2, 10] });
  return r.findings.filter((f) => f.code === code).map((f) => f.message);
}

test('1. decorators re-exported from a project module: `dbos_workflow = DBOS.workflow` and a factory returning DBOS.step(...)', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(check(index, 'app/flows.py'), ['14:DBOS201', '15:DBOS203']);
  const flows = path.join(root, 'app/flows.py');
  assert.equal(index.dbosNameOf(flows, 'app._runtime.dbos_workflow'), 'dbos.DBOS.workflow');
  assert.equal(index.dbosNameOf(flows, 'app._runtime.dbos_step'), 'dbos.DBOS.step');
  assert.equal(index.dbosNameOf(flows, 'app._runtime._identity'), null);
  // editing the runtime module re-checks its importers
  assert.ok(index.dependents(path.join(root, 'app/_runtime.py')).includes(flows));
});

test('1b. without the index the names stay unknown (nothing is guessed)', async () => {
  await initParser();
  const file = path.join(root, 'app/flows.py');
  const r = analyze(fs.readFileSync(file, 'utf8'), { path: file, config: resolveConfig() });
  assert.deepEqual(r.findings.map((f) => f.code), []);
});

test('2. optional import: `except ImportError: DBOS = None` keeps DBOS, a conditional DBOS(config=...) at import is found', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(check(index, 'app/config.py'), ['7:DBOS102']);
  const text = 'try:\n    from dbos import DBOS\nexcept ImportError:\n    DBOS = None\n\nx = DBOS.workflow\n';
  const tree = parsePython(text);
  const model = new ModuleModel(text, tree, { path: 'm.py' });
  assert.equal(model.resolveDotted('x', { fn: null, cls: null, mainGuard: false }), 'dbos.DBOS.workflow');
  tree.delete();
});

test('3. super() and inherited methods of a base class in another module are followed', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(check(index, 'app/child.py'), ['13:DBOS201', '13:DBOS201']);
  const msgs = messages(index, 'app/child.py', 'DBOS201');
  assert.ok(msgs[0].includes('\nrun → base.Agent.run → uuid.uuid4: '), msgs[0]);
  assert.ok(msgs[1].includes('\nrun → base.Agent.label → uuid.uuid4: '), msgs[1]);
});

test('4. @DBOS.step() above a pydantic-ai @agent.tool: the agent registers the undecorated function', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(check(index, 'app/tools.py'), ['8:DBOS109']);
  assert.match(messages(index, 'app/tools.py', 'DBOS109')[0], /^Tool decorator `agent.tool` is below `DBOS.step`/);
});

test('5. a workflow defined inside a method is registered anew on every call', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  assert.deepEqual(check(index, 'app/late.py'), ['7:DBOS105']);
  assert.match(messages(index, 'app/late.py', 'DBOS105')[0], /inside method `Service.handle`/);
});

test('6. configured instances created after launch, the class in another module (package re-export too)', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  // the file names no DBOS API at all: it is analysed because it imports a module that uses DBOS
  assert.deepEqual(check(index, 'app/use_swarm.py'), ['3:DBOS105']);
  assert.match(messages(index, 'app/use_swarm.py', 'DBOS105')[0], /\(when `app\.swarm` was imported: it calls `DBOS\.launch\(\)` at module level\)/);
  assert.deepEqual(check(index, 'scripts/run.py'), ['8:DBOS105']);
});

test('7. a facade over the DBOS decorators in another module, and a method inherited across modules whose `self.deliver()` is overridden', async () => {
  await initParser();
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/approvals.py');
  assert.equal(index.dbosNameOf(file, 'app.durable.Durable.workflow'), 'dbos.DBOS.workflow');
  // `traced` names DBOS.workflow in its docstring only: its decorator registers nothing
  assert.equal(index.dbosNameOf(file, 'app.durable.Durable.traced'), null);
  assert.deepEqual(check(index, 'app/approvals.py'), ['11:DBOS201']);
  const msg = messages(index, 'app/approvals.py', 'DBOS201')[0];
  assert.ok(msg.includes('\napprove → base.Channel.request → card.CardChannel.deliver → datetime.now: '), msg);
});

test('declared and inferred types: self attributes, return annotations, unpacked tuples, unannotated factories, lazy getters', async () => {
  await initParser();
  const text = [
    'import asyncpg',
    'from contextlib import contextmanager',
    'from typing import Iterator',
    'from openai import OpenAI',
    'from sqlalchemy.orm import Session',
    '_client = None',
    'def get_client():',
    '    global _client',
    '    if _client is None:',
    '        _client = OpenAI()',
    '    return _client',
    'def session(engine) -> Session:',
    '    return Session(engine)',
    '@contextmanager',
    'def scope(engine) -> Iterator[Session]:',
    '    yield Session(engine)',
    'def pair() -> tuple[Session, int]:',
    '    return Session(None), 1',
    'def either(flag):',
    '    return OpenAI() if flag else None',
    'class Db:',
    '    def __init__(self) -> None:',
    '        self.pool: asyncpg.Pool | None = None',
    '        self.client = None',
    '    def connect(self) -> None:',
    '        self.client = OpenAI()',
    '    def run(self):',
    '        s, n = pair()',
    '        return self.pool.acquire(), self.client.models.list(), s.execute, self.make().commit',
    '    def make(self) -> Session:',
    '        return Session(None)',
    'a = get_client().models.list',
    'b = session(None).execute',
    'c = scope(None)',
    'd = either(True)',
  ].join('\n');
  const tree = parsePython(text);
  const model = new ModuleModel(text, tree, { path: 'm.py' });
  const at = { fn: null, cls: null, mainGuard: false };
  assert.equal(model.resolveDotted('a', at), 'openai.OpenAI().models.list');
  assert.equal(model.resolveDotted('b', at), 'sqlalchemy.orm.Session().execute');
  assert.equal(model.resolveDotted('c', at), 'sqlalchemy.orm.Session()'); // what `with scope(e) as s` binds
  // OpenAI() or None: a method called on the value is OpenAI's (on None it raises), as after a type checker's narrowing
  assert.equal(model.resolveDotted('d', at), 'openai.OpenAI()');
  const run = model.functions.find((f) => f.qualname === 'Db.run')!;
  const names = run.calls.map((c) => model.calleeFqn(c));
  assert.ok(names.includes('asyncpg.Pool().acquire'), names.join(', '));
  assert.ok(names.includes('openai.OpenAI().models.list'), names.join(', '));
  const inRun = { fn: run, cls: null, mainGuard: false };
  assert.equal(model.resolveDotted('s.execute', inRun), 'sqlalchemy.orm.Session().execute');
  tree.delete();
});

test('a resolution asked in another scope than the node\'s is not answered from, nor given to, the node\'s own', async () => {
  await initParser();
  const text = 'import requests as r\n\n\ndef f():\n    import time as r\n    return r\n';
  const tree = parsePython(text);
  const model = new ModuleModel(text, tree, { path: 'm.py' });
  const ret = tree.rootNode.descendantsOfType('return_statement')[0]!.namedChildren[0]!;
  const moduleScope = { fn: null, cls: null, mainGuard: false };
  assert.equal(model.resolve(ret, moduleScope), 'requests');
  assert.equal(model.resolve(ret), 'time');
  assert.equal(model.resolve(ret, moduleScope), 'requests');
  assert.equal(model.resolve(ret, model.scopeOf(ret)), 'time');
  tree.delete();
});

/**
 * What the expression written at the `n`th occurrence of `needle` (0-based) resolves to, as a rule asks
 * it (its node); `length`: the expression is only the needle's first characters.
 */
function resolvedAt(text: string, needle: string, n = 0, length = needle.length): string | null {
  const tree = parsePython(text);
  try {
    const model = new ModuleModel(text, tree, { path: 'm.py' });
    let at = -1;
    for (let i = 0; i <= n; i++) at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, needle);
    let node = tree.rootNode.descendantForIndex(at, at + length);
    while (node && node.endIndex - node.startIndex < length && node.parent) node = node.parent;
    return model.resolve(node);
  } finally {
    tree.delete();
  }
}

test('a local name bound several times resolves through the binding that reaches its use', async () => {
  await initParser();
  const fn = (body: string) => `import requests\nclass Other:\n    pass\n\ndef f(url, flag, items):\n${body.replace(/^/gm, '    ')}\n`;
  // rebound after the use
  assert.equal(resolvedAt(fn('s = None\ns = requests.Session()\nr = s.get(url)\ns = {"r": r}'), 's.get'), 'requests.Session().get');
  // rebound before the use to another type
  assert.equal(resolvedAt(fn('s = requests.Session()\ns = Other()\ns.get(url)'), 's.get'), 'm.Other().get');
  // the earlier use still sees the first binding
  assert.equal(resolvedAt(fn('s = requests.Session()\ns.get(url)\ns = Other()\ns.get(url)'), 's.get'), 'requests.Session().get');
  // if/else that disagree: unknown; a None placeholder before a branch that binds: the branch's value
  assert.equal(resolvedAt(fn('if flag:\n    s = requests.Session()\nelse:\n    s = Other()\ns.get(url)'), 's.get'), null);
  assert.equal(resolvedAt(fn('s = Other()\nif flag:\n    s = requests.Session()\ns.get(url)'), 's.get'), null);
  assert.equal(resolvedAt(fn('s = None\nif flag:\n    s = requests.Session()\ns.get(url)\ns = 1'), 's.get'), 'requests.Session().get');
  // a `with` body runs whole: its binding reaches the code after it
  assert.equal(resolvedAt(fn('s = Other()\nwith open(url) as fh:\n    s = requests.Session()\ns.get(url)'), 's.get'), 'requests.Session().get');
  // a try body may stop early: the binding before it may reach the handler
  assert.equal(resolvedAt(fn('s = Other()\ntry:\n    s = requests.Session()\nexcept OSError:\n    s.get(url)'), 's.get'), null);
  // in a loop, a later binding reaches the next pass; one bound before the use in the same pass does not
  assert.equal(resolvedAt(fn('s = Other()\nfor i in items:\n    s.get(url)\n    s = requests.Session()'), 's.get'), null);
  assert.equal(resolvedAt(fn('s = Other()\nfor i in items:\n    s = requests.Session()\n    s.get(url)\n    s = Other()'), 's.get'), 'requests.Session().get');
  // a value that reads the name reads the binding before it
  assert.equal(resolvedAt(fn('s = requests.Session()\ns = s.get(url)\ns.json()'), 's.json'), 'requests.Session().get().json');
  // a value that reaches its own binding (in a loop) is unknown, and the walk ends
  assert.equal(resolvedAt(fn('s = requests.Session()\nfor i in items:\n    s = s.get(url)\n    s = s.next()\ns.json()'), 's.json'), null);
  // a binding's target is what it binds
  assert.equal(resolvedAt(fn('s = Other()\ns = requests.Session()'), 's = requests', 0, 1), 'requests.Session()');
  // module level (the main guard), and a name read in a function (it runs later: all bindings count)
  const mod = 'import requests\nclass Other:\n    pass\ns = None\ns = requests.Session()\ndef g():\n    return s.get("u")\nif __name__ == "__main__":\n    s.get("u")\n    s = Other()\n';
  assert.equal(resolvedAt(mod, 's.get', 1), 'requests.Session().get');
  assert.equal(resolvedAt(mod, 's.get', 0), null);
});
