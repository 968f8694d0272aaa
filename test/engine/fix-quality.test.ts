// Fixes checked against the exact text they produce: defects found by bench/fix-audit.mjs on real
// code, each reproduced here in a minimal file of our own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';
import { readPyproject } from '../../src/engine/user-config';
import { applyEdits } from '../../src/engine/text';
import { ignoreFix } from '../../src/engine/fixes/common';
import { fixAll } from '../../src/engine/fixes/fix-all';
import { fitHeadline } from '../../src/engine/message';

// Ruff's formatter, as the judge of "formatted the way the file is" (a dev dependency, the bench's too)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');
function ruffFormat(text: string, lineLength: number): string {
  return new Workspace({ 'line-length': lineLength }, PositionEncoding.Utf16).format(text);
}
import type { Finding, Fix } from '../../src/engine/types';

const STRICT = resolveConfig([{ profile: 'strict' }]);

async function findings(text: string, file = 'app.py'): Promise<Finding[]> {
  await initParser();
  const r = analyze(text, { path: file, config: STRICT, version: null });
  assert.deepEqual(r.ruleFailures, []);
  return r.findings;
}

/** The fix of the first `code` finding (on `line`, 1-based, when given) whose title contains `title`. */
async function fixOf(text: string, code: string, title: string, line?: number): Promise<Fix> {
  const all = await findings(text);
  const f = all.find((x) => x.code === code && (line === undefined || x.range.start.line + 1 === line) && x.fixes.some((y) => y.title.includes(title)));
  assert.ok(f, `no ${code} finding with a fix "${title}": ${JSON.stringify(all.map((x) => [x.code, x.range.start.line + 1, x.fixes.map((y) => y.title)]))}`);
  return f.fixes.find((y) => y.title.includes(title))!;
}

async function applyFix(text: string, code: string, title: string, line?: number): Promise<string> {
  return applyEdits(text, (await fixOf(text, code, title, line)).edits);
}

const lines = (...l: string[]) => l.join('\n') + '\n';

test('DBOS902: switching to the async starter awaits the handle methods called later', async () => {
  const before = lines(
    'from dbos import DBOS, Queue',
    '',
    'jobs = Queue("jobs")',
    '',
    '',
    '@DBOS.workflow()',
    'def task(n: int) -> int:',
    '    return n',
    '',
    '',
    'async def run() -> int:',
    '    handle = jobs.enqueue(task, 1)',
    '    print(handle.get_workflow_id())',
    '    status = handle.get_status()',
    '    return handle.get_result()',
  );
  const after = await applyFix(before, 'DBOS902', 'enqueue_async');
  assert.equal(
    after,
    lines(
      'from dbos import DBOS, Queue',
      '',
      'jobs = Queue("jobs")',
      '',
      '',
      '@DBOS.workflow()',
      'def task(n: int) -> int:',
      '    return n',
      '',
      '',
      'async def run() -> int:',
      '    handle = await jobs.enqueue_async(task, 1)',
      '    print(handle.get_workflow_id())',
      '    status = await handle.get_status()',
      '    return await handle.get_result()',
    ),
  );
  assert.deepEqual((await findings(after)).filter((f) => f.code === 'DBOS902'), []);
});

test('DBOS902: only the uses of that handle, up to the next assignment of the variable, get an await', async () => {
  const before = lines(
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.workflow()',
    'def task() -> None:',
    '    pass',
    '',
    '',
    'async def run(other) -> None:',
    '    h = DBOS.start_workflow(task)',
    '    h.get_result().value',
    '    other.get_result()',
    '    h = other',
    '    h.get_result()',
  );
  const after = await applyFix(before, 'DBOS902', 'start_workflow_async');
  assert.equal(
    after,
    lines(
      'from dbos import DBOS',
      '',
      '',
      '@DBOS.workflow()',
      'def task() -> None:',
      '    pass',
      '',
      '',
      'async def run(other) -> None:',
      '    h = await DBOS.start_workflow_async(task)',
      '    (await h.get_result()).value',
      '    other.get_result()',
      '    h = other',
      '    h.get_result()',
    ),
  );
});

test('DBOS201: a helper that calls a workflow-only API is not made a step; the offending call is wrapped where it is made', async () => {
  const text = lines(
    'import time',
    'from dbos import DBOS',
    '',
    '',
    'def wait_and_stamp() -> float:',
    '    DBOS.sleep(5)',
    '    return time.time()',
    '',
    '',
    'def poll() -> float:',
    '    return wait_and_stamp()',
    '',
    '',
    '@DBOS.workflow()',
    'def flow() -> float:',
    '    return poll()',
  );
  const f = (await findings(text)).find((x) => x.code === 'DBOS201');
  assert.ok(f, 'DBOS201 is still reported');
  assert.match(f.message, /`poll` cannot be a step \(it calls `DBOS\.sleep`, which only works in a workflow\): run the `time\.time\(\)` call in `wait_and_stamp` in a step instead/);
  assert.deepEqual(f.fixes.map((x) => x.title), ['Wrap in a step: DBOS.run_step(…)']);
  assert.match(applyEdits(text, f.fixes[0].edits), /\n    return DBOS\.run_step\(\{"name": "time\.time"\}, time\.time\)\n\n\ndef poll/);
});

test('DBOS201: a helper that starts a workflow is not made a step; the offending call is wrapped where it is made', async () => {
  const text = lines(
    'import random',
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.workflow()',
    'def child(x: float) -> None:',
    '    pass',
    '',
    '',
    'def roll() -> float:',
    '    x = random.random()',
    '    DBOS.start_workflow(child, x)',
    '    return x',
    '',
    '',
    '@DBOS.workflow()',
    'def flow() -> float:',
    '    return roll()',
  );
  const f = (await findings(text)).find((x) => x.code === 'DBOS201');
  assert.ok(f, 'DBOS201 is still reported');
  assert.match(f.message, /`roll` cannot be a step \(it starts a workflow, which a step cannot do\)/);
  assert.deepEqual(f.fixes.map((x) => x.title), ['Wrap in a step: DBOS.run_step(…)']);
  assert.match(applyEdits(text, f.fixes[0].edits), /\n    x = DBOS\.run_step\(\{"name": "random\.random"\}, random\.random\)\n/);
});

test('DBOS201: a context manager, a generator or a helper that changes what its caller reads is not made a step', async () => {
  const text = lines(
    'import time',
    'from contextlib import contextmanager',
    'from dbos import DBOS',
    '',
    '',
    '@contextmanager',
    'def timed(log: list):',
    '    log.append(time.time())',
    '    yield',
    '',
    '',
    'def ticks():',
    '    yield time.time()',
    '',
    '',
    'def stamp(order: dict) -> None:',
    '    order["at"] = time.time()',
    '',
    '',
    '@DBOS.workflow()',
    'def flow(order: dict) -> dict:',
    '    with timed([]):',
    '        pass',
    '    first = next(ticks())',
    '    stamp(order)',
    '    return {**order, "first": first}',
  );
  const all = (await findings(text)).filter((x) => x.code === 'DBOS201');
  const why = all.map((f) => /cannot be a step \(([^)]*)\)/.exec(f.message)?.[1]);
  assert.deepEqual(why, ['it is a context manager', 'it is a generator', 'it changes `order["at"]`, which its caller can read']);
  for (const f of all) assert.deepEqual(f.fixes.map((x) => x.title), ['Wrap in a step: DBOS.run_step(…)']);
});

test('DBOS201: a plain helper still gets both step fixes', async () => {
  const text = lines(
    'import time',
    'from dbos import DBOS',
    '',
    '',
    'def stamp() -> float:',
    '    return time.time()',
    '',
    '',
    '@DBOS.workflow()',
    'def flow() -> float:',
    '    return stamp()',
  );
  const f = (await findings(text)).find((x) => x.code === 'DBOS201');
  assert.deepEqual(f?.fixes.map((x) => x.title), ['Make `stamp` a step (add @DBOS.step())', 'Wrap in a step: DBOS.run_step(…)']);
});

test('DBOS302: retries_allowed goes inside StepOptions(...), not before it in the run_step call', async () => {
  const before = lines(
    'from dbos import DBOS, StepOptions',
    '',
    '',
    'def fetch() -> str:',
    '    return "x"',
    '',
    '',
    '@DBOS.workflow()',
    'def flow() -> str:',
    '    return DBOS.run_step(StepOptions(name="f", max_attempts=3), fetch)',
  );
  const after = await applyFix(before, 'DBOS302', 'Add `retries_allowed=True`');
  assert.equal(after.split('\n')[9], '    return DBOS.run_step(StepOptions(retries_allowed=True, name="f", max_attempts=3), fetch)');
});

test('DBOS408: "attach" replaces a duplication_policy already given instead of repeating the keyword', async () => {
  const before = lines(
    'from dbos import DBOS, SetEnqueueOptions',
    '',
    '',
    '@DBOS.workflow()',
    'def sync(a: str) -> None:',
    '    pass',
    '',
    '',
    'def hook(a: str) -> None:',
    '    with SetEnqueueOptions(deduplication_id=a, duplication_policy="reject"):',
    '        DBOS.enqueue_workflow("sync", sync, a)',
    '',
    '',
    'def hook_dict(a: str) -> None:',
    '    DBOS.enqueue_workflow_with_options({"queue_name": "q", "workflow_name": "sync", "deduplication_id": a, "duplication_policy": "reject"}, a)',
  );
  await initParser();
  const r = analyze(before, { path: 'app.py', config: STRICT, version: [3, 0] });
  const fixes = r.findings.filter((f) => f.code === 'DBOS408').map((f) => f.fixes.find((x) => x.title.startsWith('Attach')));
  assert.equal(fixes.length, 2);
  const out = fixes.map((x) => applyEdits(before, x!.edits).split('\n'));
  assert.equal(out[0][9], '    with SetEnqueueOptions(deduplication_id=a, duplication_policy="return-existing"):');
  assert.equal(out[1][14], '    DBOS.enqueue_workflow_with_options({"queue_name": "q", "workflow_name": "sync", "deduplication_id": a, "duplication_policy": "return-existing"}, a)');
});

test('new code is indented like the file: tabs', async () => {
  const before = ['import time', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'def flow(n):', '\tif n:', '\t\treturn time.time()', '\treturn 0.0', ''].join('\n');
  const after = await applyFix(before, 'DBOS201', 'Extract into a new step');
  assert.equal(
    after,
    ['import time', 'from dbos import DBOS', '', '', '@DBOS.step()', 'def time_time_step():', '\treturn time.time()', '', '', '@DBOS.workflow()', 'def flow(n):', '\tif n:', '\t\treturn time_time_step()', '\treturn 0.0', ''].join('\n'),
  );
  const moved = await applyFix(['from dbos import DBOS', '', '', 'def helper():', '\treturn 1', '', '', 'DBOS()', 'DBOS.launch()', ''].join('\n'), 'DBOS101', 'Move');
  assert.equal(moved, ['from dbos import DBOS', '', '', 'def helper():', '\treturn 1', '', '', 'if __name__ == "__main__":', '\tDBOS()', '\tDBOS.launch()', ''].join('\n'));
});

test('new code is indented like the file: two spaces, not fooled by a docstring', async () => {
  const before = lines(
    '"""Notes:',
    '',
    '      an indented line in the docstring',
    '"""',
    'import time',
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.workflow()',
    'def flow():',
    '  return time.time()',
  );
  const after = await applyFix(before, 'DBOS201', 'Extract into a new step');
  assert.match(after, /\n@DBOS\.step\(\)\ndef time_time_step\(\):\n {2}return time\.time\(\)\n/);
});

test('DBOS109: swapping decorators keeps CRLF line endings when one carries a comment', async () => {
  const before = ['from fastapi import FastAPI', 'from dbos import DBOS', '', 'app = FastAPI()', '', '', '@DBOS.workflow()  # durable', '@app.get("/run")', 'def run():', '    return 1', ''].join('\r\n');
  const after = await applyFix(before, 'DBOS109', 'Swap decorators');
  assert.equal(after, ['from fastapi import FastAPI', 'from dbos import DBOS', '', 'app = FastAPI()', '', '', '@app.get("/run")', '@DBOS.workflow()  # durable', 'def run():', '    return 1', ''].join('\r\n'));
});

test('extract: a comprehension variable around the call becomes a parameter', async () => {
  const before = lines('import requests', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'def flow(urls):', '    return [requests.get(u).status_code for u in urls]');
  const after = await applyFix(before, 'DBOS202', 'Extract into a new step');
  assert.equal(
    after,
    lines(
      'import requests',
      'from dbos import DBOS',
      '',
      '',
      '@DBOS.step()',
      'def requests_get_step(u):',
      '    return requests.get(u)',
      '',
      '',
      '@DBOS.workflow()',
      'def flow(urls):',
      '    return [requests_get_step(u).status_code for u in urls]',
    ),
  );
});

test('async workflow: no step wrap inside a generator expression (an await there makes an async generator)', async () => {
  const text = lines('import requests', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'async def flow(urls):', '    return sum(len(requests.get(u).text) for u in urls)');
  const f = (await findings(text)).find((x) => x.code === 'DBOS202');
  assert.ok(f);
  assert.deepEqual(f.fixes.map((x) => x.title), []);
});

test('extract out of a class: private names are mangled by hand, zero-argument super() is not extracted', async () => {
  const before = lines(
    'import requests',
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.dbos_class()',
    'class Api(Base):',
    '    @DBOS.workflow()',
    '    def run(self, url):',
    '        return requests.get(url, headers=self.__headers).text',
    '',
    '    @DBOS.workflow()',
    '    def again(self, url):',
    '        return requests.get(url, headers=super().headers()).text',
  );
  const after = await applyFix(before, 'DBOS202', 'Extract into a new step', 9);
  assert.match(after, /\n@DBOS\.step\(\)\ndef requests_get_step\(url, self\):\n {4}return requests\.get\(url, headers=self\._Api__headers\)\n/);
  const again = (await findings(before)).find((x) => x.code === 'DBOS202' && x.range.start.line + 1 === 13);
  assert.ok(again);
  assert.deepEqual(
    again.fixes.map((x) => x.title),
    ['Wrap in a step: DBOS.run_step(…)'],
  );
});

test('ignore on a line that ends with a backslash: the comment goes on its own line above', async () => {
  const src = lines('import time', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'def flow():', '    y = time.time() + \\', '        2', '    z = 1 + \\', '        2 + \\', '        time.time()', '    return y + z');
  await initParser();
  const r = analyze(src, { path: 'app.py', config: STRICT, keepTree: true });
  try {
    const fix = ignoreFix(r.model!, 'DBOS201', 6)!;
    const after = applyEdits(src, fix.edits);
    assert.equal(after.split('\n').slice(6, 9).join('\n'), '    # dbos: ignore[DBOS201]\n    y = time.time() + \\\n        2');
    assert.deepEqual((await findings(after)).filter((f) => f.code === 'DBOS201').map((f) => f.range.start.line + 1), [12]);
    // a line that continues another and ends with a backslash has no place for a comment
    assert.equal(ignoreFix(r.model!, 'DBOS201', 9), null);
  } finally {
    r.tree?.delete();
  }
});

test('extract: the new step is not named like a local of the workflow, which would hide it', async () => {
  const before = lines('import requests', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'def flow(url):', '    requests_get_step = 1', '    return requests.get(url).text, requests_get_step');
  const after = await applyFix(before, 'DBOS202', 'Extract into a new step');
  assert.match(after, /\ndef requests_get_step_2\(url\):\n/);
  assert.match(after, /\n {4}return requests_get_step_2\(url\)\.text, requests_get_step\n/);
});

test('extract: the new step is named after what the value is assigned to, else after the callee', async () => {
  const before = lines('import datetime', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'def flow(order):', '    order["created_at"] = datetime.datetime.now()', '    return order');
  assert.match(await applyFix(before, 'DBOS201', 'Extract into a new step'), /\ndef get_created_at\(\):\n/);
  const bare = lines('import datetime', 'from dbos import DBOS', '', '', '@DBOS.workflow()', 'def flow():', '    return datetime.datetime.now()');
  assert.match(await applyFix(bare, 'DBOS201', 'Extract into a new step'), /\ndef datetime_now_step\(\):\n/);
});

test('DBOS202: a call on what a client method returned (the response) is not I/O again; the request is reported once', async () => {
  const text = lines(
    'import httpx',
    'import requests',
    'from dbos import DBOS',
    '',
    'session = requests.Session()',
    '',
    '',
    '@DBOS.workflow()',
    'async def fetch(client: httpx.AsyncClient, url: str) -> dict:',
    '    data = (await client.get(url)).json()',
    '    more = session.get(url).json()',
    '    return {**data, **more}',
  );
  const io = (await findings(text)).filter((f) => f.code === 'DBOS202');
  assert.deepEqual(
    io.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}`),
    ['10:19', '11:12'],
  );
  assert.match(io[0].message, /^`client\.get\(\)`/);
  assert.match(io[1].message, /^`session\.get\(\)`/);
});

test('DBOS201: an extracted step goes above a module-level DBOS.launch() that precedes the workflow', async () => {
  const before = lines(
    'import time',
    'from dbos import DBOS',
    '',
    'DBOS(config={"name": "shop"})',
    'DBOS.launch()',
    '',
    '',
    '@DBOS.workflow()',
    'def flow() -> float:',
    '    return time.time()',
  );
  const after = await applyFix(before, 'DBOS201', 'Extract into a new step');
  assert.equal(
    after,
    lines(
      'import time',
      'from dbos import DBOS',
      '',
      'DBOS(config={"name": "shop"})',
      '',
      '',
      '@DBOS.step()',
      'def time_time_step():',
      '    return time.time()',
      '',
      '',
      'DBOS.launch()',
      '',
      '',
      '@DBOS.workflow()',
      'def flow() -> float:',
      '    return time_time_step()',
    ),
  );
});

test('DBOS202: no "add @DBOS.step()" to a helper defined below a module-level DBOS.launch(); the inline wrap is the fix', async () => {
  const text = (launchAt: 'top' | 'main') =>
    lines(
      'import requests',
      'from dbos import DBOS',
      '',
      ...(launchAt === 'top' ? ['DBOS(config={"name": "shop"})', 'DBOS.launch()', ''] : []),
      '',
      'def fetch(url: str) -> str:',
      '    return requests.get(url).text',
      '',
      '',
      '@DBOS.workflow()',
      'def flow() -> str:',
      '    return fetch("https://example.com")',
      ...(launchAt === 'main' ? ['', '', 'if __name__ == "__main__":', '    DBOS(config={"name": "shop"})', '    DBOS.launch()'] : []),
    );
  const titles = async (t: string) => (await findings(t)).filter((f) => f.code === 'DBOS202').map((f) => f.fixes.map((x) => `${x.title}${x.preferred ? ' (preferred)' : ''}`));
  // registered after the launch that runs at import, the new step would be missing at recovery (DBOS105)
  const below = await titles(text('top'));
  assert.equal(below.length, 1);
  assert.ok(!below[0].some((t) => t.startsWith('Make `fetch` a step')), JSON.stringify(below));
  assert.ok(below[0].some((t) => t.startsWith('Wrap in a step: DBOS.run_step(') && t.endsWith('(preferred)')), JSON.stringify(below));
  // launched from the main block: the decorator stays the preferred fix
  const guarded = await titles(text('main'));
  assert.ok(guarded[0][0] === 'Make `fetch` a step (add @DBOS.step()) (preferred)', JSON.stringify(guarded));
});

test('DBOS215: removing one of two conflicting decorators keeps the comment on its line', async () => {
  const before = lines(
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.workflow()',
    '@DBOS.step()  # retried by the caller',
    'def job() -> None:',
    '    pass',
  );
  const fix = await fixOf(before, 'DBOS215', '(keep workflow)');
  assert.equal(
    applyEdits(before, fix.edits),
    lines('from dbos import DBOS', '', '', '@DBOS.workflow()', '# retried by the caller', 'def job() -> None:', '    pass'),
  );
});

test('fix-all: an import the fixes leave unused is removed; one still used, or unused before, stays', async () => {
  await initParser();
  const before = lines(
    'import os',
    'import time',
    'from time import monotonic, sleep',
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.workflow()',
    'def flow() -> None:',
    '    time.sleep(1)',
    '    time.sleep(2)',
    '    sleep(3)',
    '    print(monotonic())',
  );
  const out = fixAll(before, (t) => analyze(t, { path: 'app.py', config: STRICT, version: null }).findings, false);
  assert.equal(
    out.text,
    lines(
      'import os',
      'from time import monotonic',
      'from dbos import DBOS',
      '',
      '',
      '@DBOS.workflow()',
      'def flow() -> None:',
      '    DBOS.sleep(1)',
      '    DBOS.sleep(2)',
      '    DBOS.sleep(3)',
      '    print(monotonic())',
    ),
  );
});

test('wrap in a step: the call is broken over lines like Black and Ruff when it passes the line length (88, or the configured one)', async () => {
  const before = lines(
    'import requests',
    'from dbos import DBOS',
    '',
    '',
    '@DBOS.workflow()',
    'def sync(user_id: str) -> dict:',
    '    profile = requests.get(f"https://x.test/{user_id}", timeout=10)',
    '    return profile.json()',
  );
  const wrapped = await applyFix(before, 'DBOS202', 'Wrap in a step');
  assert.equal(
    wrapped.split('\n').slice(6, 10).join('\n'),
    ['    profile = DBOS.run_step(', '        {"name": "requests.get"}, requests.get, f"https://x.test/{user_id}", timeout=10', '    )', '    return profile.json()'].join('\n'),
  );
  // Ruff's formatter (Black's style) leaves the result as it is
  assert.equal(ruffFormat(wrapped, 88), wrapped);
  // a shorter configured line length: one argument per line, with a trailing comma
  await initParser();
  const narrow = resolveConfig([{ profile: 'strict', lineLength: 60 }]);
  const f = analyze(before, { path: 'app.py', config: narrow, version: null }).findings.find((x) => x.code === 'DBOS202')!;
  const fix = f.fixes.find((x) => x.title.startsWith('Wrap in a step'))!;
  assert.equal(
    applyEdits(before, fix.edits).split('\n').slice(6, 12).join('\n'),
    [
      '    profile = DBOS.run_step(',
      '        {"name": "requests.get"},',
      '        requests.get,',
      '        f"https://x.test/{user_id}",',
      '        timeout=10,',
      '    )',
    ].join('\n'),
  );
  assert.equal(ruffFormat(applyEdits(before, fix.edits), 60), applyEdits(before, fix.edits));
});

test('line length for fixes: [tool.dbos-lint] line-length, else [tool.ruff], else [tool.black], else 88', () => {
  assert.equal(readPyproject('[tool.ruff]\nline-length = 120\n[tool.black]\nline-length = 100\n', 'p').lineLength, 120);
  assert.equal(readPyproject('[tool.black]\nline-length = 100\n', 'p').lineLength, 100);
  assert.equal(readPyproject('[project]\nname = "x"\n', 'p').lineLength, undefined);
  assert.equal(resolveConfig([{ lineLength: 100 }, { lineLength: 72 }]).lineLength, 72);
  assert.equal(resolveConfig([]).lineLength, 88);
  assert.equal(readPyproject('[tool.dbos-lint]\nline-length = 79\n', 'p').config?.lineLength, 79);
  assert.throws(() => readPyproject('[tool.dbos-lint]\nline-length = "wide"\n', 'p'), /line-length/);
});

test('a first line made long by the names of the code is shortened to 100 characters; the rest of the message is kept', () => {
  const msg = '`DBOS.get_all_events()` is called in the coroutine `get_all_workflow_events_for_the_dashboard`, where an event loop is running\nDBOS raises.';
  const out = fitHeadline(msg);
  const [first, ...rest] = out.split('\n');
  assert.ok(first.length <= 100, first);
  assert.equal(first, '`DBOS.get_all_events()` is called in the coroutine `…the_dashboard`, where an event loop is running');
  assert.deepEqual(rest, ['DBOS raises.']);
  assert.equal(fitHeadline('short\nbody'), 'short\nbody');
  // whole words of the user's name go first, the DBOS name stays whole
  assert.equal(
    fitHeadline('`DBOS.retrieve_workflow()` is called in the coroutine `get_workflow_status_for_tenant`, where an event loop is running'),
    '`DBOS.retrieve_workflow()` is called in the coroutine `…for_tenant`, where an event loop is running',
  );
});
