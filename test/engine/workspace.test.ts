// The workspace index: cross-module call resolution, chains to effects, step-side chains, fixes in
// other files, live updates (setText/forget/dependents) and bad helper modules.
// Fixture workspaces live in test/fixtures/workspace/<name>/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig, type UserConfig } from '../../src/engine/config';
import { userConfigFrom, ConfigError } from '../../src/engine/user-config';
import { WorkspaceIndex } from '../../src/engine/project/index';
import { moduleNameOf } from '../../src/engine/project/modules';
import { memberFolders } from '../../src/engine/project/members';
import { WorkspaceFiles } from '../../src/engine/project/files';
import { walk } from '../../src/engine/project/walk';
import { Parser } from 'web-tree-sitter';
import { applyEdits } from '../../src/engine/text';
import { chooseFix, collectEdits, fixAll } from '../../src/engine/fixes/fix-all';
import type { Finding } from '../../src/engine/types';
import { readSettings, settingsLayer } from '../../src/server/settings';

const fixtures = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'test/fixtures/workspace');

function ws(name: string): string {
  return path.join(fixtures, name);
}

function run(index: WorkspaceIndex, file: string, layers: UserConfig[] = [], text?: string): Finding[] {
  const src = text ?? fs.readFileSync(file, 'utf8');
  return analyze(src, { path: file, index, config: resolveConfig(layers), version: [2, 10] }).findings;
}

/** `line:CODE` (1-based lines) of the findings. */
function codes(findings: Finding[]): string[] {
  return findings.map((f) => `${f.range.start.line + 1}:${f.code}`);
}

/** The chain text of a finding's message: the `a → b → c` that opens its second line, or is inside `(... → ...)`. */
function chainOf(f: Finding): string {
  const m = /\n([^\n:]*→[^\n:]*): /.exec(f.message) ?? /\(([^()]*→[^()]*)\)/.exec(f.message);
  return m ? m[1] : '';
}

/** Related locations as `file:line:col message` with files relative to the workspace. */
function related(f: Finding, root: string, self: string): string[] {
  return f.related.map((r) => `${path.relative(root, r.file ?? self)}:${r.range.start.line + 1}:${r.range.start.character + 1} ${r.message}`);
}

test('shop: every import form reaches the helper in its module, with the chain and a location for every link', async () => {
  await initParser();
  const root = ws('shop');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/checkout.py');
  const findings = run(index, file);
  assert.deepEqual(codes(findings), ['13:DBOS202', '14:DBOS202', '15:DBOS201', '16:DBOS201', '17:DBOS201', '18:DBOS201', '25:DBOS206']);
  assert.deepEqual(findings.map(chainOf), [
    'checkout → pricing.quote → http.fetch → http._get → requests.get', // from . import pricing; depth 3
    'checkout → helpers.load → open', // from .helpers import load
    'checkout → util.stamp → time.time', // import app.util as u
    'checkout → util.token → uuid.uuid4', // from app import util
    'checkout → service.Service.fetch → service.Service._pick → random.random', // module-level instance, self method
    'checkout → service.Service.fetch → service.Service._pick → random.random', // imported class
    'charge → util.kick → DBOS.start_workflow', // a step reaching start_workflow
  ]);
  const quote = findings[0];
  assert.equal(
    quote.message,
    '`pricing.quote` does HTTP I/O in a workflow, outside a step\n' +
      'checkout → pricing.quote → http.fetch → http._get → requests.get: `requests.get()` runs again every time the workflow is recovered, ' +
      'and its result is not checkpointed. Make `pricing.quote` a step (`@DBOS.step()`), or call it in one.',
  );
  assert.deepEqual(quote.range, { start: { line: 12, character: 12 }, end: { line: 12, character: 35 } });
  assert.deepEqual(related(quote, root, file), [
    'app/pricing.py:4:1 `pricing.quote` is defined here',
    'app/pricing.py:5:13 calls `http.fetch`',
    'app/lib/http.py:5:12 calls `http._get`',
    'app/lib/http.py:9:12 `requests.get` is called here',
  ]);
  assert.ok(quote.related.every((r) => r.file && path.isAbsolute(r.file)), 'other files are absolute paths');
  assert.deepEqual(related(findings[6], root, file), ['app/util.py:15:1 `util.kick` is defined here', 'app/util.py:16:5 `DBOS.start_workflow` is called here']);
  // the step `stamp_step` and the logged-only clock in `audited` give nothing (lines 28-36)
  assert.ok(findings.every((f) => f.range.start.line < 27));
});

test('shop: fixes at the call site (same file) and at the helper (another file, unsafe, never in fix-all)', async () => {
  await initParser();
  const root = ws('shop');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/checkout.py');
  const text = fs.readFileSync(file, 'utf8');
  const stamp = run(index, file).find((f) => f.range.start.line === 14)!;
  assert.deepEqual(
    stamp.fixes.map((f) => [f.title, f.safe, !!f.preferred, !!f.crossFile]),
    [
      ['Wrap in a step: DBOS.run_step(…)', false, true, false],
      ['Make `stamp` a step in util.py (add @DBOS.step())', false, false, true],
    ],
  );
  // the wrap, applied here, removes the finding
  const wrapped = applyEdits(text, stamp.fixes[0].edits);
  assert.match(wrapped, /DBOS\.run_step\(\{"name": "stamp"\}, u\.stamp\)/);
  assert.ok(!codes(run(index, file, [], wrapped)).includes('15:DBOS201'));
  // the decoration lives in util.py: applying it there (as an editor would) also removes the finding
  const utilFile = path.join(root, 'app/util.py');
  const edits = stamp.fixes[1].edits;
  assert.ok(edits.every((e) => e.file === utilFile));
  const newUtil = applyEdits(fs.readFileSync(utilFile, 'utf8'), edits);
  assert.match(newUtil, /\n@DBOS\.step\(\)\ndef stamp\(\):/);
  assert.equal(index.setText(utilFile, newUtil), true);
  assert.ok(!codes(run(index, file)).includes('15:DBOS201'));
  // a helper module without the DBOS import gets it with the decoration
  const load = run(index, file).find((f) => f.range.start.line === 13)!;
  const helpersFile = path.join(root, 'app/helpers.py');
  const newHelpers = applyEdits(fs.readFileSync(helpersFile, 'utf8'), load.fixes.find((f) => f.crossFile)!.edits);
  assert.equal(newHelpers, 'import os\nfrom dbos import DBOS\n\n\n@DBOS.step()\ndef load(order_id):\n    with open(os.path.join("/data", order_id)) as f:\n        return f.read()\n');
  // a method of another module's class gets the wrap only (its class may need more than a decorator)
  const method = run(index, file).find((f) => f.range.start.line === 16)!;
  assert.deepEqual(method.fixes.map((f) => f.title), ['Wrap in a step: DBOS.run_step(…)']);
  // fix-all (the CLI's --fix, the editor's fix all) never applies a cross-file fix
  const fresh = new WorkspaceIndex({ roots: [root] });
  const r = fixAll(text, (t) => analyze(t, { path: file, index: fresh, version: [2, 10] }).findings, true);
  assert.match(r.text, /DBOS\.run_step\(\{"name": "stamp"\}, u\.stamp\)/);
  const onlyCross = { ...stamp, fixes: stamp.fixes.filter((f) => f.crossFile) };
  assert.equal(chooseFix(onlyCross, true), undefined);
  assert.deepEqual(collectEdits([onlyCross], true), { edits: [], applied: 0 });
});

test('cycles and recursion: cut, and an effect behind a recursive helper is still found', async () => {
  await initParser();
  const root = ws('cycles');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'proj/flows.py');
  const findings = run(index, file);
  assert.deepEqual(codes(findings), ['13:DBOS201']);
  assert.equal(chainOf(findings[0]), 'spin → a.loop → b.clock → time.monotonic');
});

test('layouts: src/ layout with relative imports, a script importing its sibling, a namespace package', async () => {
  await initParser();
  const root = ws('layouts');
  const index = new WorkspaceIndex({ roots: [root] });
  const exists = (p: string) => fs.existsSync(p);
  const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  assert.equal(moduleNameOf(path.join(root, 'src/svc/jobs/run.py'), [root], exists, isDir), 'svc.jobs.run');
  assert.equal(moduleNameOf(path.join(root, 'src/svc/__init__.py'), [root], exists, isDir), 'svc');
  assert.equal(moduleNameOf(path.join(root, 'ns/tools/net.py'), [root], exists, isDir), 'ns.tools.net');
  assert.equal(moduleNameOf(path.join(root, 'scripts/job.py'), [root], exists, isDir), 'scripts.job');
  assert.equal(index.moduleName(path.join(root, 'src/svc/store.py')), 'svc.store');
  const run1 = run(index, path.join(root, 'src/svc/jobs/run.py'));
  assert.deepEqual(codes(run1), ['9:DBOS201', '10:DBOS304']);
  assert.deepEqual(run1.map(chainOf), ['nightly → clock.now → datetime.now', 'nightly → store.save → sqlite3.connect']);
  const job = run(index, path.join(root, 'scripts/job.py'));
  assert.deepEqual(codes(job), ['9:DBOS202', '10:DBOS201']);
  assert.deepEqual(job.map(chainOf), ['job → net.post → httpx.post', 'job → helpers.jitter → random.uniform']);
});

test('layouts: a service whose `src` folder is a package (`from src.breaker import ...`), checked from the monorepo root', async () => {
  await initParser();
  const root = ws('src-package');
  const index = new WorkspaceIndex({ roots: [root] });
  const exists = (p: string) => fs.existsSync(p);
  const isDir = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();
  // `src/__init__.py`: `src` is the top package, not a src/ layout folder
  assert.equal(moduleNameOf(path.join(root, 'server/src/workflows/scan.py'), [root], exists, isDir), 'src.workflows.scan');
  const found = run(index, path.join(root, 'server/src/workflows/scan.py'));
  assert.deepEqual(codes(found), ['9:DBOS201']);
  assert.deepEqual(found.map(chainOf), ['scan → breaker.Breaker.check → time.time']);
});

test('steps: start_workflow, a direct workflow call and recv through helpers; send/set_event/write_stream are legal', async () => {
  await initParser();
  const root = ws('steps');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/charge.py');
  const findings = run(index, file);
  // line 10 (notify.report: set_event, send, write_stream) and the workflow `order` give nothing
  assert.deepEqual(codes(findings), ['9:DBOS206', '15:DBOS207', '20:DBOS206', '21:DBOS206']);
  assert.deepEqual(findings.map(chainOf), [
    'charge → notify.send_receipt → DBOS.start_workflow',
    'await_payment → notify.wait_payment → DBOS.recv',
    'direct → flows.ship',
    'direct → notify.ship_now → flows.ship',
  ]);
  assert.match(findings[1].message, /^Step `await_payment` calls `notify\.wait_payment`, which calls workflow-only `DBOS\.recv\(\)`\n[^]*DBOSException: recv\(\) must be called from within a workflow/);
  assert.match(findings[2].message, /^Step `direct` calls workflow `flows\.ship` directly\n/);
  assert.deepEqual(related(findings[3], root, file), [
    'app/notify.py:20:1 `notify.ship_now` is defined here',
    'app/notify.py:21:12 calls workflow `flows.ship` here',
  ]);
  // without the index, the step-side rules see only this file, where no workflow is defined
  const single = analyze(fs.readFileSync(file, 'utf8'), { path: file, version: [2, 10] }).findings;
  assert.deepEqual(codes(single), []);
});

test('a helper reached only from steps is fine; allow-list and max-call-depth', async () => {
  await initParser();
  const root = ws('shop');
  const file = path.join(root, 'app/checkout.py');
  const allow = run(new WorkspaceIndex({ roots: [root] }), file, [{ allow: ['app.util.stamp', 'app.lib.http._get'] }]);
  assert.deepEqual(codes(allow), ['14:DBOS202', '16:DBOS201', '17:DBOS201', '18:DBOS201', '25:DBOS206']);
  // depth 2: pricing.quote → http.fetch → http._get (3 helpers) and Service.fetch → _pick (2) are cut at 1
  const depth = run(new WorkspaceIndex({ roots: [root] }), file, [{ maxCallDepth: 1 }]);
  assert.deepEqual(codes(depth), ['14:DBOS202', '15:DBOS201', '16:DBOS201', '25:DBOS206']);
  const depth2 = run(new WorkspaceIndex({ roots: [root] }), file, [{ maxCallDepth: 2 }]);
  assert.deepEqual(codes(depth2), ['14:DBOS202', '15:DBOS201', '16:DBOS201', '17:DBOS201', '18:DBOS201', '25:DBOS206']);
  assert.equal(resolveConfig().maxCallDepth, 5);
  assert.deepEqual(userConfigFrom({ 'max-call-depth': 3 }, 'pyproject.toml'), { maxCallDepth: 3 });
  for (const bad of [0, 65, 2.5, '3']) {
    assert.throws(() => userConfigFrom({ 'max-call-depth': bad }, 'pyproject.toml'), (e: unknown) => e instanceof ConfigError && /max-call-depth/.test((e as Error).message));
  }
});

test('without an index nothing changes: the same file gives only same-file findings', async () => {
  await initParser();
  const file = path.join(ws('shop'), 'app/checkout.py');
  const single = analyze(fs.readFileSync(file, 'utf8'), { path: file, version: [2, 10] }).findings;
  assert.deepEqual(codes(single), []);
});

/** A temporary copy of a fixture workspace, to edit. */
function copy(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbos-lint-ws-${name}-`));
  fs.cpSync(ws(name), dir, { recursive: true });
  return dir;
}

test('live: a helper edited so the effect disappears (setText true, dependents listed, finding gone), then back', async () => {
  await initParser();
  const root = copy('shop');
  const index = new WorkspaceIndex({ roots: [root] });
  const checkout = path.join(root, 'app/checkout.py');
  const http = path.join(root, 'app/lib/http.py');
  const pricing = path.join(root, 'app/pricing.py');
  assert.ok(codes(run(index, checkout)).includes('13:DBOS202'));
  // the files whose findings read http.py: checkout.py (pricing.py is summarised, not analysed)
  assert.deepEqual(index.dependents(http), [checkout]);
  assert.deepEqual(index.dependents(pricing), [checkout]);
  assert.deepEqual(index.dependents(checkout), []);
  const old = fs.readFileSync(http, 'utf8');
  // an edit that changes nothing other files see: a comment at the end
  assert.equal(index.setText(http, old + '# note\n'), false);
  assert.equal(index.setText(http, old + '# note\n'), false);
  const edited = old.replace('return requests.get(url).json()', 'return {"url": url}');
  assert.equal(index.setText(http, edited), true);
  assert.ok(!codes(run(index, checkout)).includes('13:DBOS202'));
  assert.equal(index.forget(http), true); // back to disk
  assert.ok(codes(run(index, checkout)).includes('13:DBOS202'));
  // deleting the helper module: the call is no longer resolved
  fs.rmSync(path.join(root, 'app/helpers.py'));
  assert.equal(index.forget(path.join(root, 'app/helpers.py')), true);
  assert.ok(!codes(run(index, checkout)).includes('14:DBOS202'));
  // a module that appears where a probe found nothing is picked up
  fs.writeFileSync(path.join(root, 'app/helpers.py'), 'import os\n\n\ndef load(order_id):\n    return os.listdir(order_id)\n');
  assert.equal(index.forget(path.join(root, 'app/helpers.py')), true);
  assert.ok(codes(run(index, checkout)).includes('14:DBOS202'));
});

test('live: after detachStrings (the server, when idle), the memoised chains still answer and a helper edit still drops them', async () => {
  await initParser();
  const root = copy('shop');
  const index = new WorkspaceIndex({ roots: [root] });
  const checkout = path.join(root, 'app/checkout.py');
  const http = path.join(root, 'app/lib/http.py');
  const before = run(index, checkout);
  assert.ok(codes(before).includes('13:DBOS202'));
  index.detachStrings();
  const again = run(index, checkout);
  assert.deepEqual(again.map((f) => [f.code, f.range, f.message, f.related]), before.map((f) => [f.code, f.range, f.message, f.related]));
  assert.deepEqual(index.dependents(http), [checkout]);
  const old = fs.readFileSync(http, 'utf8');
  assert.equal(index.setText(http, old.replace('return requests.get(url).json()', 'return {"url": url}')), true);
  assert.ok(!codes(run(index, checkout)).includes('13:DBOS202'));
  index.detachStrings();
  assert.equal(index.forget(http), true);
  assert.ok(codes(run(index, checkout)).includes('13:DBOS202'));
});

test('live: a virtual workspace through readFile, and a file nothing reads is not parsed on setText', async () => {
  await initParser();
  const root = path.resolve('/virtual/ws');
  const files = new Map<string, string>([
    [path.join(root, 'flow.py'), 'from dbos import DBOS\nfrom tools import roll\n\n\n@DBOS.workflow()\ndef wf():\n    return roll()\n'],
    [path.join(root, 'tools.py'), 'import random\n\n\ndef roll():\n    return random.randint(1, 6)\n'],
  ]);
  const index = new WorkspaceIndex({ roots: [root], readFile: (p) => files.get(p) ?? null });
  const flow = path.join(root, 'flow.py');
  const first = run(index, flow, [], files.get(flow));
  assert.deepEqual(codes(first), ['7:DBOS201']);
  assert.equal(first[0].related[0].file, path.join(root, 'tools.py'));
  assert.equal(index.stats().parses, 1); // tools.py; flow.py's summary came from its analysis
  const parses = index.stats().parses;
  assert.equal(index.setText(path.join(root, 'unrelated.py'), 'x = 1\n'), false);
  assert.equal(index.stats().parses, parses);
  // the same content again is not parsed again
  assert.equal(index.setText(path.join(root, 'tools.py'), files.get(path.join(root, 'tools.py'))!), false);
  assert.equal(index.stats().parses, parses);
  assert.equal(index.setText(path.join(root, 'tools.py'), 'def roll():\n    return 4\n'), true);
  assert.deepEqual(codes(run(index, flow, [], files.get(flow))), []);
});

test('bad helper modules: a syntax error keeps its valid functions; a binary one is skipped; no throw', async () => {
  await initParser();
  const root = ws('broken');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'flow.py');
  const result = analyze(fs.readFileSync(file, 'utf8'), { path: file, index, version: [2, 10] });
  assert.deepEqual(result.ruleFailures, []);
  assert.deepEqual(codes(result.findings), ['9:DBOS201']);
  assert.equal(chainOf(result.findings[0]), 'run → bad.fine → time.time');
  assert.equal(index.summaryOf(path.join(root, 'blob.py')), null);
  // an unreadable module (a folder where a file is expected) is a missing module
  assert.equal(index.summaryOf(root), null);
});

test('resolution results do not depend on the order files are analysed in', async () => {
  await initParser();
  const root = ws('shop');
  const files = ['app/checkout.py', 'app/util.py', 'app/pricing.py', 'app/lib/http.py'].map((f) => path.join(root, f));
  const a = new WorkspaceIndex({ roots: [root] });
  const b = new WorkspaceIndex({ roots: [root] });
  const ra = files.map((f) => run(a, f));
  const rb = [...files].reverse().map((f) => run(b, f)).reverse();
  assert.deepEqual(JSON.stringify(ra), JSON.stringify(rb));
});

test('packages: an instance re-exported by a package __init__, a namespace sub-package, a sleep through a helper', async () => {
  await initParser();
  const root = ws('pkgs');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'orders/flows.py');
  const findings = run(index, file);
  assert.deepEqual(codes(findings), ['9:DBOS202', '10:DBOS203']);
  assert.deepEqual(findings.map(chainOf), [
    // the inner call names the effect, not `client.post(...).json`
    'pay → payments.PaymentClient.charge → client.post',
    'pay → sleepy.nap → time.sleep',
  ]);
  assert.equal(
    findings[1].message,
    '`sleepy.nap` sleeps in a workflow with a non-durable `time.sleep(...)`\n' +
      'pay → sleepy.nap → time.sleep: the delay is not durable, so when the ' +
      'workflow is recovered the whole wait starts again from zero. Use `DBOS.sleep(...)` in the workflow instead, or make `sleepy.nap` a step.',
  );
  // orders/tasks/ has no __init__.py: a namespace sub-package of the package orders
  assert.equal(index.moduleName(path.join(root, 'orders/tasks/sleepy.py')), 'orders.tasks.sleepy');
  // `from .payments import PaymentClient` in orders/services/__init__.py is orders.services.payments
  assert.equal(index.summaryOf(path.join(root, 'orders/services/__init__.py'))!.aliases.get('PaymentClient'), 'orders.services.payments.PaymentClient');
});

test('the editor setting dbosLint.maxCallDepth becomes max-call-depth (0: the project value)', () => {
  assert.deepEqual(settingsLayer(readSettings({ maxCallDepth: 3 })).layer, { maxCallDepth: 3 });
  assert.equal(settingsLayer(readSettings({ maxCallDepth: 0 })).layer, null);
  const wrong = settingsLayer(readSettings({ maxCallDepth: 'x' }));
  assert.equal(wrong.layer, null);
  assert.deepEqual(wrong.errors, ['settings (dbosLint): "maxCallDepth" must be a whole number from 1 to 64, not a string']);
  const { errors } = settingsLayer(readSettings({ maxCallDepth: 99 }));
  assert.deepEqual(errors, ['settings (dbosLint): "maxCallDepth" must be a whole number from 1 to 64, not the number 99']);
});

test('alias and star-import cycles across modules, and odd names, end without a finding or a hang', async () => {
  await initParser();
  const root = path.resolve('/virtual/cyc');
  const files = new Map<string, string>([
    [path.join(root, 'flow.py'), 'from dbos import DBOS\nimport a\nfrom b import *\n\n\n@DBOS.workflow()\ndef wf():\n    a.x.go()\n    a.y()\n    z()\n    a.C()()\n    a.__dict__.get("k")()\n'],
    [path.join(root, 'a.py'), 'from b import y as x\nfrom b import *\n'],
    [path.join(root, 'b.py'), 'from a import x as y\nfrom a import *\nfrom b import z\n'],
  ]);
  const index = new WorkspaceIndex({ roots: [root], readFile: (p) => files.get(p) ?? null });
  const flow = path.join(root, 'flow.py');
  const r = analyze(files.get(flow)!, { path: flow, index, version: [2, 10] });
  assert.deepEqual(r.ruleFailures, []);
  assert.deepEqual(codes(r.findings), []);
});

test('a project kept under a folder named tests is not all tests: test folders count from the root', async () => {
  await initParser();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-tests-'));
  const root = path.join(base, 'tests', 'shop');
  fs.mkdirSync(path.join(root, 'tests'), { recursive: true });
  const src = 'import os\nfrom dbos import DBOSClient\n\ndef enqueue_job(x):\n    client = DBOSClient(system_database_url=os.environ["DB"])\n    client.enqueue({"queue_name": "q", "workflow_name": "job"}, x)\n';
  fs.writeFileSync(path.join(root, 'jobs.py'), src);
  fs.writeFileSync(path.join(root, 'tests', 'helpers.py'), src);
  try {
    const index = new WorkspaceIndex({ roots: [root] });
    const app = run(index, path.join(root, 'jobs.py')).filter((f) => f.code === 'DBOS802');
    const inTests = run(index, path.join(root, 'tests', 'helpers.py')).filter((f) => f.code === 'DBOS802');
    assert.deepEqual(app.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['5:warning']);
    assert.deepEqual(inTests.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['5:information']);
    // rules that skip test code (DBOS101 through isTestLike) report in the project, not in its tests/
    const launch = 'from dbos import DBOS\n\nDBOS(config={"name": "shop"})\nDBOS.launch()\n';
    fs.writeFileSync(path.join(root, 'boot.py'), launch);
    fs.writeFileSync(path.join(root, 'tests', 'boot.py'), launch);
    assert.deepEqual(codes(run(index, path.join(root, 'boot.py'))).filter((c) => c.endsWith('DBOS101')), ['4:DBOS101']);
    assert.deepEqual(codes(run(index, path.join(root, 'tests', 'boot.py'))).filter((c) => c.endsWith('DBOS101')), []);
    assert.equal(index.relativePath(path.join(root, 'tests', 'helpers.py')), path.join('shop', 'tests', 'helpers.py'));
    // a root that is itself a tests folder (`dbos-lint tests/` without a pyproject.toml) is test code
    const testsRoot = new WorkspaceIndex({ roots: [path.join(root, 'tests')] });
    assert.deepEqual(run(testsRoot, path.join(root, 'tests', 'helpers.py')).filter((f) => f.code === 'DBOS802').map((f) => f.severity), ['information']);
    assert.equal(index.relativePath(path.join(base, 'elsewhere.py')), path.join(base, 'elsewhere.py'));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});

test('batch index (the CLI): no file with DBOS code is parsed twice, and the findings are those of a plain index', async () => {
  await initParser();
  const original = Parser.prototype.parse;
  for (const name of ['shop', 'registry', 'pkgs', 'steps']) {
    const root = ws(name);
    const files = walk([root]).files.sort();
    const plain = new WorkspaceIndex({ roots: [root] });
    const expected = files.map((f) => codes(run(plain, f, [{ profile: 'strict' }])).join(' '));
    const parsed = new Map<string, number>();
    Parser.prototype.parse = function (this: InstanceType<typeof Parser>, ...args: Parameters<typeof original>) {
      const text = args[0];
      if (typeof text === 'string' && /\bdbos\b/i.test(text)) parsed.set(text, (parsed.get(text) ?? 0) + 1);
      return original.apply(this, args);
    };
    const batch = new WorkspaceIndex({ roots: [root], batch: true });
    let actual: string[];
    try {
      actual = files.map((f) => codes(run(batch, f, [{ profile: 'strict' }])).join(' '));
    } finally {
      Parser.prototype.parse = original;
      batch.dispose();
    }
    assert.deepEqual(actual, expected, name);
    assert.deepEqual([...parsed].filter(([, n]) => n > 1), [], `${name}: a file parsed twice`);
    assert.ok(parsed.size > 0, name);
  }
  // main.py's rules ask the registry, which parses queues.py and workers.py: their analyses take those trees
  const root = ws('registry');
  const batch = new WorkspaceIndex({ roots: [root], batch: true });
  for (const f of walk([root]).files.sort()) run(batch, f, [{ profile: 'strict' }]);
  assert.equal(batch.stats().handedOver, 2);
  batch.dispose();
});

test('deferred registry (the CLI without --fix): the askers are analysed again, and pooled threads agree with a plain index', async () => {
  await initParser();
  const root = ws('registry');
  const files = walk([root]).files.sort();
  const plain = new WorkspaceIndex({ roots: [root] });
  const expected = files.map((f) => codes(run(plain, f, [{ profile: 'strict' }])).join(' '));
  const main = path.join(root, 'app', 'main.py');
  // one thread: the first pass records main.py, which compared names; its second pass sees every registration
  const one = new WorkspaceIndex({ roots: [root], batch: true, deferRegistry: true });
  try {
    const first = files.map((f) => codes(run(one, f, [{ profile: 'strict' }])).join(' '));
    assert.deepEqual(one.endDeferral(), [main]);
    assert.equal(one.registryParses(), 0);
    const second = files.map((f, i) => (f === main ? codes(run(one, f, [{ profile: 'strict' }])).join(' ') : first[i]));
    assert.deepEqual(second, expected);
    assert.notDeepEqual(first, expected);
    assert.equal(one.registryParses(), 0, 'every registration came from a model the analysis built');
  } finally {
    one.dispose();
  }
  // two threads: each analyses half the files, then takes the other's registrations before its second pass
  const shares = [files.filter((_, i) => i % 2 === 0), files.filter((_, i) => i % 2 === 1)];
  const threads = shares.map(() => new WorkspaceIndex({ roots: [root], batch: true, deferRegistry: true }));
  try {
    shares.forEach((share, t) => share.forEach((f) => run(threads[t], f, [{ profile: 'strict' }])));
    const snapshots = threads.map((t) => t.registrySnapshot());
    threads.forEach((t) => t.preloadRegistry(snapshots.flat()));
    const actual = new Map<string, string>();
    shares.forEach((share, t) => {
      const again = new Set(threads[t].endDeferral());
      for (const f of share) if (again.has(f)) actual.set(f, codes(run(threads[t], f, [{ profile: 'strict' }])).join(' '));
      assert.equal(threads[t].registryParses(), 0);
    });
    assert.deepEqual([...actual.keys()], [main]);
    assert.equal(actual.get(main), expected[files.indexOf(main)]);
  } finally {
    for (const t of threads) t.dispose();
  }
});

test('a helper of another module that reads the clock only when its caller leaves an argument out', async () => {
  await initParser();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-ws-fallback-'));
  fs.mkdirSync(path.join(root, 'app'));
  fs.writeFileSync(path.join(root, 'app', '__init__.py'), '');
  fs.writeFileSync(
    path.join(root, 'app', 'stamps.py'),
    [
      'from datetime import date',
      '',
      '',
      'def stamp(doc, *, day=None):',
      '    return (day or date.today()).isoformat()',
      '',
      '',
      'def label(doc, day=None):',
      '    return stamp(doc, day=day)',
      '',
      '',
      'def label_today(doc):',
      '    return stamp(doc)',
      '',
    ].join('\n'),
  );
  const flow = path.join(root, 'app', 'flow.py');
  fs.writeFileSync(
    flow,
    [
      'from datetime import date',
      '',
      'from dbos import DBOS',
      '',
      'from app.stamps import label, label_today, stamp',
      '',
      '',
      '@DBOS.workflow()',
      'def flow(doc, day: date):',
      '    a = stamp(doc, day=day)',
      '    b = stamp(doc)',
      '    c = label(doc, day)',
      '    d = label(doc)',
      '    e = label_today(doc)',
      '    f = stamp(doc, day=None)',
      '    return a, b, c, d, e, f',
      '',
    ].join('\n'),
  );
  try {
    const index = new WorkspaceIndex({ roots: [root] });
    const found = run(index, flow).filter((f) => f.code === 'DBOS201');
    // given (a), or given to a helper that forwards it (c): quiet; left out directly (b, f), left out of the
    // forwarding helper (d), or never passed (e): reported
    assert.deepEqual(found.map((f) => `${f.range.start.line + 1}:${chainOf(f)}`), [
      '11:flow → stamps.stamp → date.today',
      '13:flow → stamps.label → stamps.stamp → date.today',
      '14:flow → stamps.label_today → stamps.stamp → date.today',
      '15:flow → stamps.stamp → date.today',
    ]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('typed parameters: a helper of another module that calls its annotated client or session', async () => {
  await initParser();
  const root = ws('typed');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/flows.py');
  const findings = run(index, file);
  // the step at line 22 is where such a call belongs: nothing there
  assert.deepEqual(codes(findings), ['13:DBOS202', '14:DBOS202', '15:DBOS304', '16:DBOS202']);
  assert.deepEqual(findings.map(chainOf), [
    'refresh → net.fetch → s.get', // s: requests.Session
    'refresh → net.push → ws.send_text', // ws: Optional[WebSocket]
    'refresh → net.store → db.add', // db: "Session" (sqlalchemy.orm)
    'refresh → net.restock → api.Inventory.level → self.http.get', // a project class; its http: httpx.Client
  ]);
  // without the index the helpers are out of sight
  const single = analyze(fs.readFileSync(file, 'utf8'), { path: file, version: [2, 10] }).findings;
  assert.deepEqual(codes(single), []);
});

test('helpers of other modules: sync DBOS calls reached from coroutines, DBOS constructed by a function called at import, a session from a return annotation', async () => {
  await initParser();
  const root = ws('async-helpers');
  const index = new WorkspaceIndex({ roots: [root] });
  const at = (rel: string) => path.join(root, 'app', rel);
  // the call in a coroutine is reported; the thread hand-off and the sync handler are not
  const routes = run(index, at('routes.py'));
  assert.deepEqual(codes(routes), ['12:DBOS902']);
  assert.equal(chainOf(routes[0]), 'update_settings → runtime.apply_schedules → DBOS.list_schedules');
  assert.deepEqual(related(routes[0], root, at('routes.py')), [
    'app/runtime.py:10:1 `runtime.apply_schedules` is defined here',
    'app/runtime.py:11:21 `DBOS.list_schedules` is called here',
    'app/runtime.py:13:13 `DBOS.delete_schedule` is also called here',
  ]);
  // a method of an instance of another module's class; the step is no coroutine and checkpointed
  const flows = run(index, at('flows.py'));
  assert.deepEqual(codes(flows), ['10:DBOS304', '11:DBOS901']);
  assert.deepEqual(flows.map(chainOf), [
    'checkout → store.record → session.execute', // session: app.db.get_session() -> Session
    'checkout → runtime.Notifier.notify → runtime.Notifier._send → DBOS.send',
  ]);
  assert.equal(flows[1].severity, 'error');
  // before DBOS 2.10 the same send only blocks the loop
  const old = analyze(fs.readFileSync(at('flows.py'), 'utf8'), { path: at('flows.py'), index, config: resolveConfig([]), version: [2, 7] }).findings;
  assert.deepEqual(codes(old), ['10:DBOS304', '11:DBOS902']);
  const main = run(index, at('main.py'));
  assert.deepEqual(codes(main), ['4:DBOS102']);
  assert.deepEqual(related(main[0], root, at('main.py')), [
    'app/runtime.py:6:1 `runtime.configure_dbos` is defined here',
    'app/runtime.py:7:5 DBOS is constructed here',
  ]);
  assert.equal(main[0].severity, 'warning');
  // a function that also launches: DBOS101, the construction not reported twice
  const worker = run(index, at('worker.py'));
  assert.deepEqual(codes(worker), ['3:DBOS101']);
  assert.equal(chainOf(worker[0]), 'runtime.start_dbos → DBOS.launch()');
  assert.deepEqual(related(worker[0], root, at('worker.py')).slice(-1), ['app/runtime.py:26:5 DBOS is launched here']);
  // values other modules bind: a client and a queue imported from app/clients.py, used directly
  const notify = run(index, at('notify.py'));
  assert.deepEqual(codes(notify), ['8:DBOS202', '12:DBOS902']);
  assert.match(notify[0].message, /^`http\.post\(\)` does HTTP I\/O in a workflow/);
  assert.deepEqual(notify[1].fixes.map((f) => f.title), ['Use `await emails.enqueue_async(...)`']);
});

test('DBOS902: an async def workflow of another module started with the sync start_workflow from a coroutine is a warning; a sync one stays information', async () => {
  await initParser();
  const root = ws('async-start');
  const index = new WorkspaceIndex({ roots: [root] });
  const api = run(index, path.join(root, 'app', 'api.py')).filter((f) => f.code === 'DBOS902');
  assert.deepEqual(api.map((f) => `${f.range.start.line + 1}:${f.severity}`), ['12:warning', '13:information']);
  assert.match(api[0].message, /Started synchronously, the `async def` workflow `ingest` runs in one of DBOS's worker threads/);
  assert.doesNotMatch(api[1].message, /Started synchronously/);
  // editing the workflow's module re-checks the caller
  assert.ok(index.dependents(path.join(root, 'app', 'flows.py')).includes(path.join(root, 'app', 'api.py')));
});

test('DBOS901/902: a sync WorkflowHandle returned by a coroutine of another module, directly or through a relay', async () => {
  await initParser();
  const root = ws('async-handles');
  const index = new WorkspaceIndex({ roots: [root] });
  const api = run(index, path.join(root, 'app', 'api.py'));
  // `await start_report(n)` returns `DBOS.start_workflow(...)`; `await relay(n)` returns `await jobs.start_report(n)`;
  // an async handle and a handle whose workflow ID only is read stay quiet
  assert.deepEqual(
    api.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}:${f.code}:${f.severity}`),
    ['9:12:DBOS901:error', '14:12:DBOS902:warning'],
  );
  assert.match(api[0].message, /^`handle\.get_status\(\)` on a sync `WorkflowHandle` raises in the coroutine `status`\n`handle` comes from `DBOS\.start_workflow\(\.\.\.\)`/);
  assert.match(api[1].message, /^`handle\.get_result\(\)` of a sync handle blocks the event loop of `result` until the workflow ends\n/);
  // editing the module that makes the handle re-checks the file that uses it
  assert.ok(index.dependents(path.join(root, 'app', 'jobs.py')).includes(path.join(root, 'app', 'api.py')));
});

test('a method of a module-level instance imported from another module: DBOS602 and the effect rules follow it by the same walk', async () => {
  await initParser();
  const root = ws('instances');
  const index = new WorkspaceIndex({ roots: [root] });
  const flows = run(index, path.join(root, 'app', 'flows.py'));
  assert.deepEqual(codes(flows), ['8:DBOS602', '9:DBOS201']);
  assert.equal(flows[0].severity, 'error');
  assert.equal(chainOf(flows[0]), 'reconcile → scheduling.Scheduler.sync → DBOS.apply_schedules');
  assert.deepEqual(related(flows[0], root, path.join(root, 'app', 'flows.py')), [
    'app/scheduling.py:7:5 `scheduling.Scheduler.sync` is defined here',
    'app/scheduling.py:8:9 `DBOS.apply_schedules` is called here',
  ]);
});

test('sessions of SQLAlchemy session factories bound in another module: async_sessionmaker, sessionmaker, a getter', async () => {
  await initParser();
  const root = ws('sessions');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/flows.py');
  const findings = run(index, file);
  assert.deepEqual(codes(findings), ['12:DBOS304', '17:DBOS304', '22:DBOS304', '28:DBOS304', '29:DBOS304']);
  assert.deepEqual(findings.slice(0, 3).map(chainOf), [
    'flow_a → repo.save_row → session.add', // async with AsyncSessionFactory() as session (app.db)
    'flow_b → repo.load_rows → session.execute', // with SessionLocal() as session
    'flow_c → repo.load_other → s.query', // s = get_session(), which returns SessionLocal()
  ]);
  assert.deepEqual(related(findings[0], root, file), [
    'app/repo.py:4:1 `repo.save_row` is defined here',
    'app/repo.py:6:9 `session.add` is called here',
    'app/repo.py:7:15 `session.commit` is also called here',
  ]);
});

test('a method of the object a getter of another module returns, typed by its return annotation, imported at the top or inside the workflow', async () => {
  await initParser();
  const root = ws('getters');
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/flows.py');
  const findings = run(index, file);
  // the step's call is checkpointed, and `describe` touches nothing: quiet
  assert.deepEqual(codes(findings), ['11:DBOS304', '17:DBOS304']);
  assert.deepEqual(findings.map(chainOf), ['run_task → store.Store.mark_running → self._conn.execute', 'rerun_task → store.Store.mark_running → self._conn.execute']);
  assert.match(findings[0].message, /^`store\.Store\.mark_running` accesses the database in a workflow, outside a transaction or step/);
  assert.deepEqual(related(findings[0], root, file), [
    'app/store.py:10:5 `store.Store.mark_running` is defined here',
    'app/store.py:11:9 `self._conn.execute` is called here',
    'app/store.py:12:9 `self._conn.commit` is also called here',
  ]);
  assert.equal(findings[0].severity, 'warning');
});

test('class hierarchy: a call on a base type enters the overrides of the project subclasses in the base class folder; a new subclass file is noticed', async () => {
  await initParser();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-hierarchy-'));
  fs.cpSync(ws('hierarchy'), root, { recursive: true });
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/flows.py');
  const findings = run(index, file);
  assert.deepEqual(codes(findings), ['10:DBOS202', '19:DBOS202']);
  assert.deepEqual(findings.map(chainOf), [
    'ask → openai_p.OpenAIProvider.complete → self.client.chat.completions.create', // get_provider returns one of two classes
    'ask2 → summarize → openai_p.OpenAIProvider.complete → self.client.chat.completions.create', // p: LLMProvider, complete abstract
  ]);
  assert.deepEqual(related(findings[1], root, file), [
    'app/flows.py:13:1 `summarize` is defined here',
    'app/flows.py:14:12 calls `openai_p.OpenAIProvider.complete` (it overrides `base.LLMProvider.complete`)',
    'app/providers/openai_p.py:11:13 `self.client.chat.completions.create` is called here',
  ]);
  assert.match(related(findings[0], root, file)[0], /is defined here \(its class is one `providers\.get_provider` returns\)$/);
  // without the OpenAI provider the annotated call is quiet; a new subclass file in the folder brings it back
  const openai = path.join(root, 'app/providers/openai_p.py');
  const moved = fs.readFileSync(openai, 'utf8');
  fs.rmSync(openai);
  index.forget(openai);
  assert.deepEqual(codes(run(index, file)), []);
  const added = path.join(root, 'app/providers/sub/remote.py');
  fs.mkdirSync(path.dirname(added));
  fs.writeFileSync(added, moved.replace('OpenAIProvider', 'RemoteProvider'));
  assert.ok(index.dependents(added).includes(file));
  index.forget(added);
  assert.deepEqual(findings.length, 2);
  assert.deepEqual(run(index, file).map(chainOf), ['ask2 → summarize → remote.RemoteProvider.complete → self.client.chat.completions.create']);
  fs.rmSync(root, { recursive: true, force: true });
});

test('uv workspace members and path sources: their modules are imported by name from the root, an excluded member is not; a layout edit is noticed', async () => {
  await initParser();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-members-'));
  fs.cpSync(ws('uv-members'), root, { recursive: true });
  const index = new WorkspaceIndex({ roots: [root] });
  const file = path.join(root, 'app/main.py');
  const findings = run(index, file);
  // `tools_pkg` is a path source (libs/tools), `runner_pkg` a member with a src/ layout; `skipped_pkg`'s member is excluded
  assert.deepEqual(codes(findings), ['9:DBOS201', '22:DBOS105']);
  assert.equal(chainOf(findings[0]), 'place_order → ids.new_id → uuid.uuid4');
  assert.deepEqual(related(findings[0], root, file), ['libs/tools/tools_pkg/ids.py:4:1 `ids.new_id` is defined here', 'libs/tools/tools_pkg/ids.py:5:16 `uuid.uuid4` is called here']);
  assert.equal(findings[0].severity, 'warning');
  assert.match(findings[1].message, /^Configured instance of `Runner` is created after `DBOS\.launch\(\)`, too late for recovery\n/);
  assert.equal(findings[1].severity, 'warning');
  assert.equal(index.importRootsChanged(), false);
  // the workspace stops listing the packages: another index is needed, and there nothing resolves
  const pyproject = path.join(root, 'pyproject.toml');
  fs.writeFileSync(pyproject, '[project]\nname = "shop"\nversion = "0.1.0"\n');
  assert.equal(index.importRootsChanged(), true);
  assert.deepEqual(codes(run(new WorkspaceIndex({ roots: [root] }), file)), []);
  // a broken pyproject.toml lists nothing (the configuration reader reports it)
  fs.writeFileSync(pyproject, '[tool.uv.workspace\nmembers = [');
  assert.deepEqual(codes(run(new WorkspaceIndex({ roots: [root] }), file)), []);
});

test('member globs: `*` per folder, `**` at any depth, literal folders, Poetry path dependencies; missing folders are left out', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-globs-'));
  for (const d of ['packages/a', 'packages/b', 'services/x/y/z', 'libs/one', 'tools/t']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'pyproject.toml'),
    [
      '[tool.uv.workspace]',
      'members = ["packages/*", "services/**/z", "./tools/t/", "missing/*"]',
      'exclude = ["packages/b"]',
      '[tool.poetry.dependencies]',
      'one = { path = "libs/one", develop = true }',
      'gone = { path = "libs/gone" }',
      'requests = "^2.0"',
      '[tool.poetry.group.dev.dependencies]',
      'two = { path = "packages/b" }',
    ].join('\n'),
  );
  const files = new WorkspaceFiles();
  assert.deepEqual(
    memberFolders(root, files).map((f) => path.relative(root, f).split(path.sep).join('/')),
    ['libs/one', 'packages/a', 'packages/b', 'services/x/y/z', 'tools/t'],
  );
});
