// Name resolution (catalog §2.1) and function classification (§2.2) of the module model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initParser, parsePython } from '../../src/engine/syntax/parser';
import { ModuleModel } from '../../src/engine/model/module';
import { WordCounts, WordScanner } from '../../src/engine/words';
import { commonEnds } from '../../src/engine/text';
import { rng } from './seeded';
import { passedArgs } from '../../src/engine/facts/fallback';

async function model(src: string, path = 'app.py'): Promise<ModuleModel> {
  await initParser();
  return new ModuleModel(src, parsePython(src), { path });
}

/** Qualified name of every call, in order, as `callee text => fqn`. */
function calls(m: ModuleModel): string[] {
  return m.calls.map((c) => `${m.textOf(c.callee)} => ${m.calleeFqn(c)}`);
}

test('import and alias forms resolve to qualified names', async () => {
  const m = await model(
    [
      'import time as t',
      'from time import sleep as nap',
      'import datetime',
      'from datetime import datetime as dt',
      'import numpy as np',
      'import dbos',
      'import dbos as d',
      'from dbos import DBOS as D',
      'from dbos._dbos import DBOS as Private',
      'from dbos import error as dboserror',
      'import os.path',
      't.time()',
      'nap(1)',
      'datetime.datetime.now()',
      'dt.now()',
      'np.random.rand()',
      'dbos.DBOS.launch()',
      'd.DBOS.launch()',
      'D.launch()',
      'Private.launch()',
      'dboserror.DBOSException()',
      'os.path.exists("x")',
      '',
    ].join('\n'),
  );
  assert.deepEqual(calls(m), [
    't.time => time.time',
    'nap => time.sleep',
    'datetime.datetime.now => datetime.datetime.now',
    'dt.now => datetime.datetime.now',
    'np.random.rand => numpy.random.rand',
    'dbos.DBOS.launch => dbos.DBOS.launch',
    'd.DBOS.launch => dbos.DBOS.launch',
    'D.launch => dbos.DBOS.launch',
    'Private.launch => dbos.DBOS.launch',
    'dboserror.DBOSException => dbos.error.DBOSException',
    'os.path.exists => os.path.exists',
  ]);
});

test('instances, DBOS instance alias, datasources and clients', async () => {
  const m = await model(
    [
      'import requests, asyncio',
      'from dbos import DBOS, SQLAlchemyDatasource, AsyncSQLAlchemyDatasource, DBOSClient',
      'x = DBOS(config=cfg)',
      's = requests.Session()',
      'ds = SQLAlchemyDatasource.create(url)',
      'ads = asyncio.run(AsyncSQLAlchemyDatasource.create(url))',
      'c = DBOSClient(system_database_url=u)',
      'x.launch()',
      's.get("u")',
      'c.enqueue(opts)',
      '@ds.transaction()',
      'def tx(): pass',
      '@ads.transaction',
      'async def atx(): pass',
      '',
    ].join('\n'),
  );
  const byText = new Map(m.calls.map((c) => [m.textOf(c.callee), m.calleeFqn(c)]));
  assert.equal(byText.get('x.launch'), 'dbos.DBOS.launch');
  assert.equal(byText.get('s.get'), 'requests.Session().get');
  assert.equal(byText.get('c.enqueue'), 'dbos.DBOSClient().enqueue');
  const fn = (name: string) => m.functions.find((f) => f.name === name)!;
  assert.deepEqual([...fn('tx').kinds], ['dstransaction']);
  assert.deepEqual([...fn('atx').kinds], ['dstransaction']);
});

test('locals shadow imports; unknown names resolve to null', async () => {
  const m = await model(
    ['import random', 'def f(random):', '    return random.choice([1])', 'def g():', '    return self.client.get()', ''].join('\n'),
  );
  assert.deepEqual(calls(m), ['random.choice => null', 'self.client.get => null']);
});

test('function kinds: decorators, functional registration, run_step lambdas, entry points, tests', async () => {
  const m = await model(
    [
      'from dbos import DBOS',
      'from fastapi import FastAPI',
      'from contextlib import asynccontextmanager',
      'import pytest',
      'app = FastAPI(lifespan=lifespan)',
      'wf = DBOS.workflow()',
      '@wf',
      'def a(): pass',
      '@DBOS.step()',
      'def b(): pass',
      'def impl(): pass',
      'job = DBOS.workflow(name="job")(impl)',
      '@app.post("/x")',
      'async def route(): pass',
      '@asynccontextmanager',
      'async def lifespan(app):',
      '    yield',
      '@DBOS.workflow()',
      'def w():',
      '    return DBOS.run_step(None, lambda: 1)',
      'def main():',
      '    helper()',
      'def helper(): pass',
      '@pytest.fixture',
      'def fx(): pass',
      'def test_it(): pass',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n'),
    'tests/test_app.py',
  );
  const kinds = Object.fromEntries(m.functions.map((f) => [f.name === '<lambda>' ? 'lambda' : f.name, [...f.kinds].sort().join(',')]));
  assert.deepEqual(kinds, {
    a: 'workflow',
    b: 'step',
    impl: 'workflow',
    route: 'http',
    lifespan: 'entry,lifespan',
    w: 'workflow',
    lambda: 'step',
    main: 'entry',
    helper: 'entry',
    fx: 'fixture',
    test_it: 'test',
  });
});

test('scopes: decorator arguments and defaults are not in the body; the main guard is marked', async () => {
  const m = await model(
    [
      'import random',
      'from dbos import DBOS',
      '@DBOS.workflow(name=str(random.random()))',
      'def w(x=random.random()):',
      '    return random.random()',
      'if __name__ == "__main__":',
      '    DBOS.launch()',
      '',
    ].join('\n'),
  );
  const where = m.calls.map((c) => `${m.lines.positionAt(c.start).line + 1}:${m.textOf(c.callee)}:${c.scope.fn?.name ?? (c.scope.mainGuard ? 'main' : 'module')}`);
  assert.deepEqual(where, [
    '3:DBOS.workflow:module',
    '3:str:module',
    '3:random.random:module',
    '4:random.random:module',
    '5:random.random:w',
    '7:DBOS.launch:main',
  ]);
});

test('self attributes resolve through the assignments of the class', async () => {
  const m = await model(
    [
      'from openai import OpenAI',
      'class Agent:',
      '    def __init__(self):',
      '        self.client = OpenAI()',
      '    def run(self):',
      '        return self.client.chat.completions.create()',
      '',
    ].join('\n'),
  );
  assert.equal(m.calleeFqn(m.calls[1]), 'openai.OpenAI().chat.completions.create');
});

test('snippets without imports: DBOS and well-known modules are assumed', async () => {
  const m = await model(['@DBOS.workflow()', 'def w():', '    return requests.get(u)', ''].join('\n'));
  assert.deepEqual(calls(m), ['DBOS.workflow => dbos.DBOS.workflow', 'requests.get => requests.get']);
  assert.deepEqual([...m.functions[0].kinds], ['workflow']);
});

test('a parameter annotated with a class resolves to an instance of it', async () => {
  const m = await model(
    [
      'from __future__ import annotations',
      'import random',
      'import typing',
      'import typing as t',
      'from typing import Annotated, Optional, Union',
      'import requests, httpx',
      'from sqlalchemy.orm import Session',
      'from sqlalchemy.orm import Session as OrmSession',
      'from dbos import DBOS',
      'from fastapi import Depends',
      'def a(s: requests.Session): s.get(u)',
      'def b(c: httpx.AsyncClient = None): c.post(u)',
      'def c(db: Session, *rest: Session, **kw: Session): db.execute(q)',
      'def d(db: Optional[Session]): db.commit()',
      'def e(db: Session | None): db.add(x)',
      'def f(db: None | OrmSession): db.query(x)',
      'def g(db: "Session"): db.flush()',
      'def h(db: typing.Optional["Session"]): db.get(x)',
      'def i(db: t.Union[Session, None]): db.merge(x)',
      'def j(db: Annotated[Session, Depends(get_db)]): db.scalar(q)',
      'def k(rng: random.Random): rng.random()',
      'def l(d: DBOS): d.sleep(1)',
      'def n(x: Union[Session, requests.Session]): x.get(u)',
      'def o(x: list[Session]): x.pop()',
      'def p(x: Unknown): x.get(u)',
      'def q(x: requests.Session):',
      '    x = make()',
      '    x.get(u)',
      'def r(s: requests.Session = requests.Session()): s.get(u)',
      'def s(x=requests.Session()): x.get(u)',
      'class Api:',
      '    def __init__(self, http: httpx.Client):',
      '        self.http = http',
      '    def fetch(self):',
      '        return self.http.get(u)',
      'lambda x: x.get(u)',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    calls(m).filter((c) => !c.startsWith('Depends')),
    [
      's.get => requests.Session().get',
      'c.post => httpx.AsyncClient().post',
      'db.execute => sqlalchemy.orm.Session().execute',
      'db.commit => sqlalchemy.orm.Session().commit',
      'db.add => sqlalchemy.orm.Session().add',
      'db.query => sqlalchemy.orm.Session().query',
      'db.flush => sqlalchemy.orm.Session().flush',
      'db.get => sqlalchemy.orm.Session().get',
      'db.merge => sqlalchemy.orm.Session().merge',
      'db.scalar => sqlalchemy.orm.Session().scalar',
      'rng.random => random.Random().random',
      'd.sleep => dbos.DBOS.sleep',
      // several classes, other generics, unknown names: unknown, as before
      'x.get => null',
      'x.pop => null',
      'x.get => null',
      // a parameter assigned in the body is no longer only the annotated instance
      'make => null',
      'x.get => null',
      // the default value does not count; without an annotation the parameter stays unknown
      'requests.Session => requests.Session',
      's.get => requests.Session().get',
      'requests.Session => requests.Session',
      'x.get => null',
      'self.http.get => httpx.Client().get',
      'x.get => null',
    ],
  );
  // `*rest: Session` and `**kw: Session` are a tuple and a dict, not sessions
  assert.equal(m.resolveDotted('rest', { fn: m.functions.find((f) => f.name === 'c')!, cls: null, mainGuard: false }), null);
  assert.equal(m.resolveDotted('kw', { fn: m.functions.find((f) => f.name === 'c')!, cls: null, mainGuard: false }), null);
});

test('WordCounts finds exactly the words that occur as substrings (one pass, overlapping words; a new version scanned around its edit)', async () => {
  const words = ['enqueue', 'nqueue', 'queue', 'Queue', '.options', 'step', 'steps', 'st', 'é', 'ab', 'bab', 'abab'];
  const scanner = new WordScanner(words);
  const naive = (t: string) => new Set(words.filter((w) => t.includes(w)));
  const texts = ['', 'client.enqueue(x)', 'q = Queue("a")', 'opts.options', 'babab', 'a step', 'ste', 'café', 'xxabx', 'enqueu', 'Enqueue'];
  // and random texts over the words' characters, where overlaps are frequent
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const alphabet = 'abenqustpoi.Q é';
  for (let k = 0; k < 500; k++) texts.push(Array.from({ length: Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
  const counts = new WordCounts(scanner);
  texts.forEach((t, i) => assert.deepEqual([...counts.present(`t${i}`, t)].sort(), [...naive(t)].sort(), JSON.stringify(t)));
  // a document's versions, each scanned around its edit from the last one's counts
  for (let doc = 0; doc < 40; doc++) {
    let t = texts[12 + doc];
    counts.present('doc', t);
    for (let k = 0; k < 30; k++) {
      const at = Math.floor(rand() * (t.length + 1));
      const cut = Math.min(t.length - at, Math.floor(rand() * 4));
      const piece = Array.from({ length: Math.floor(rand() * 5) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      t = t.slice(0, at) + piece + t.slice(at + cut);
      assert.deepEqual([...counts.present('doc', t)].sort(), [...naive(t)].sort(), JSON.stringify(t));
    }
  }
});

test('passedArgs reads a call\'s arguments from its text: strings, brackets, comments, keywords, None, forwarding and unpacking', async () => {
  await initParser();
  const text = [
    'def caller(a, day=None, *, when=None):',
    '    f(1, "x, y", [2, 3], key=(4, 5), other={"k": 6})',
    "    f(None, day, '''a, # b''', flag=None, at=when, n=a == 1)  # trailing",
    '    f(',
    '        a,  # first, with a comma',
    '        b=lambda x=1: x,',
    '    )',
    '    f(*args)',
    '    f(a, **kw)',
    '    f()',
    '    f(x for x in a)',
    '',
  ].join('\n');
  const tree = parsePython(text);
  try {
    const model = new ModuleModel(text, tree, { path: 'm.py' });
    const calls = model.calls.filter((c) => model.textOf(c.callee) === 'f');
    assert.deepEqual(
      calls.map((c) => passedArgs(model, c)),
      [
        { positional: 3, nones: [], keywords: ['key', 'other'], forwards: [] },
        { positional: 3, nones: [0, 1], keywords: ['n'], forwards: [{ at: 1, param: 'day' }, { at: 'at', param: 'when' }] },
        { positional: 1, nones: [], keywords: ['b'], forwards: [] },
        null,
        null,
        { positional: 0, nones: [], keywords: [], forwards: [] },
        { positional: 1, nones: [], keywords: [], forwards: [] },
      ],
    );
  } finally {
    tree.delete();
  }
});

test('commonEnds gives the common prefix and the non-overlapping common suffix, across its chunks', () => {
  const next = rng(42);
  const naive = (a: string, b: string) => {
    const max = Math.min(a.length, b.length);
    let prefix = 0;
    while (prefix < max && a[prefix] === b[prefix]) prefix++;
    let suffix = 0;
    while (suffix < max - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
    return { prefix, suffix };
  };
  for (let k = 0; k < 300; k++) {
    // long texts of few characters (repeats make the suffix able to reach into the prefix)
    const a = Array.from({ length: Math.floor(next() * 3000) }, () => 'ab\n'[Math.floor(next() * 3)]).join('');
    const at = Math.floor(next() * (a.length + 1));
    const cut = Math.min(a.length - at, Math.floor(next() * 1200));
    const piece = Array.from({ length: Math.floor(next() * 3) * Math.floor(next() * 700) }, () => 'ab'[Math.floor(next() * 2)]).join('');
    const b = a.slice(0, at) + piece + a.slice(at + cut);
    assert.deepEqual(commonEnds(a, b), naive(a, b), `${k}`);
    assert.deepEqual(commonEnds(b, a), naive(b, a), `${k}`);
  }
  assert.deepEqual(commonEnds('x'.repeat(2000), 'x'.repeat(2000)), { prefix: 2000, suffix: 0 });
  assert.deepEqual(commonEnds('x'.repeat(1500), 'x'.repeat(2600)), { prefix: 1500, suffix: 0 });
});

test('attributeStores: what the build collects equals the targets of every assignment read from the tree (every fixture, and random edits)', async () => {
  await initParser();
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures');
  const files: string[] = [];
  for (const code of fs.readdirSync(dir).sort()) {
    const sub = path.join(dir, code);
    if (fs.statSync(sub).isDirectory()) for (const f of fs.readdirSync(sub).sort()) if (f.endsWith('.py')) files.push(path.join(sub, f));
  }
  const next = rng(13);
  const sources = files.map((f) => fs.readFileSync(f, 'utf8'));
  // half-typed shapes: the build's reading from the text must still agree with the tree's
  for (const src of sources.slice(0, 80)) {
    const at = Math.floor(next() * src.length);
    sources.push(src.slice(0, at) + ['.', ' = ', ':', '\n', 'x.'][Math.floor(next() * 5)] + src.slice(at));
  }
  sources.push('a . b = 1\nself.c = 2\nd[0].e: int\nf.g = h.i = 3\nx, y.z = 1, 2\n(j).k = 4\n');
  let stores = 0;
  for (const src of sources) {
    const m = await model(src);
    const expected = new Set<string>();
    for (const a of m.assignments) {
      const left = a.childForFieldName('left');
      const obj = left?.type === 'attribute' ? left.childForFieldName('object') : null;
      const attr = obj ? left!.childForFieldName('attribute') : null;
      if (obj && attr && m.textOf(obj) !== 'self') expected.add(m.textOf(attr));
    }
    assert.deepEqual([...m.attributeStores].sort(), [...expected].sort(), src.slice(0, 200));
    stores += expected.size;
    m.tree.delete();
  }
  assert.ok(stores >= 10, `${stores} attribute stores`);
});
