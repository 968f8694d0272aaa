// The file's time budget holds inside a rule: the long loops of the engine check it (`checkTime`), a
// rule stopped mid-way gives none of its findings, and the file is reported once as partly checked.
// No timed assertion: the clock is moved forward by the test (a rule whose cost is forced), so the
// outcome does not depend on the machine's load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initParser, IMPLEMENTED_RULES } from '../../src/engine/index';
import { TimeBox, checkTime } from '../../src/engine/budget';
import { resolveConfig } from '../../src/engine/config';
import { WorkspaceIndex } from '../../src/engine/project/index';
import type { Rule } from '../../src/engine/rules/rule';

const APP = [
  'import random',
  'import requests',
  'from dbos import DBOS',
  '',
  'DBOS.launch()',
  '',
  '@DBOS.workflow()',
  'def wf():',
  '    a = random.random()',
  '    b = random.randint(1, 6)',
  '    requests.get("https://example.com")',
  '    return a + b',
  '',
].join('\n');

/** Moves `performance.now()` forward by `ms` until `restore()` is called. */
function clockJump(ms: number): { restore(): void } {
  const now = performance.now.bind(performance);
  performance.now = () => now() + ms;
  return { restore: () => void (performance.now = now) };
}

/**
 * Runs `f` with `code`'s rule replaced: the real rule runs (its findings are reported), then the
 * clock jumps past the budget and the rule goes on looping through `checkTime`, as a rule stuck in a
 * long walk would.
 */
function withStalledRule<T>(code: string, f: () => T, after?: () => void): T {
  const rule = IMPLEMENTED_RULES.find((r) => r.code === code) as Rule;
  const original = rule.check;
  let jump: { restore(): void } | null = null;
  rule.check = (ctx) => {
    original.call(rule, ctx);
    after?.();
    jump = clockJump(1e9);
    for (;;) checkTime();
  };
  try {
    return f();
  } finally {
    rule.check = original;
    (jump as { restore(): void } | null)?.restore();
  }
}

test('a rule stopped by the budget mid-way gives none of its findings; the file is partly checked, once', async () => {
  await initParser();
  const full = analyze(APP, { path: 'app.py', budgetMs: 60_000 });
  const codes = new Set(full.findings.map((f) => f.code));
  assert.ok(codes.has('DBOS201') && codes.has('DBOS202') && codes.has('DBOS101'), [...codes].join(' '));
  assert.equal(full.limit, undefined);

  let reportedBeforeStop = 0;
  const r = withStalledRule(
    'DBOS201',
    () => analyze(APP, { path: 'app.py', budgetMs: 60_000 }),
    () => (reportedBeforeStop = 1),
  );
  assert.equal(reportedBeforeStop, 1, 'the stalled rule ran its real check (and reported) before being stopped');
  // none of the stopped rule's findings, though it had reported two before the time ran out
  assert.deepEqual(r.findings.filter((f) => f.code === 'DBOS201'), []);
  // the rules before it kept theirs, the rules after it did not run
  assert.deepEqual(
    r.findings.filter((f) => f.code < 'DBOS201'),
    full.findings.filter((f) => f.code < 'DBOS201'),
  );
  assert.deepEqual(r.findings.filter((f) => f.code > 'DBOS201'), []);
  assert.deepEqual(r.ruleFailures, [], 'a stopped rule is no failure');
  assert.equal(r.cancelled, undefined);
  assert.ok(r.limit);
  assert.equal(r.limit.reason, 'over-budget');
  assert.equal(r.limit.checked, 'partial');
  assert.equal(r.limit.phase, 'rules');
  assert.equal(r.limit.limit, 60_000);
  const enabled = resolveConfig().enabled;
  const enabledFrom201 = IMPLEMENTED_RULES.filter((x) => x.code >= 'DBOS201' && enabled.has(x.code)).length;
  assert.match(r.limit.message, new RegExp(`^partly checked: ${enabledFrom201} rules were skipped \\(\\d+ ms, over the 60000 ms budget per file: file-time-budget-ms\\)$`));

  // nothing is left behind: the same analysis afterwards is whole again
  assert.deepEqual(analyze(APP, { path: 'app.py', budgetMs: 60_000 }).findings, full.findings);
});

test('a rule stopped by a cancel gives an abandoned analysis, not a partial one', async () => {
  await initParser();
  let cancel = false;
  const rule = IMPLEMENTED_RULES.find((r) => r.code === 'DBOS202') as Rule;
  const original = rule.check;
  rule.check = (ctx) => {
    original.call(rule, ctx);
    cancel = true;
    for (;;) checkTime();
  };
  try {
    const r = analyze(APP, { path: 'app.py', budgetMs: 60_000, cancelled: () => cancel });
    assert.equal(r.cancelled, true);
    assert.deepEqual(r.findings, []);
    assert.equal(r.limit, undefined);
  } finally {
    rule.check = original;
  }
});

test('the model stopped by the budget: not checked, the time ran out before the rules', async () => {
  await initParser();
  // a long module: the clock jumps once the model's pass has begun
  const text = APP + Array.from({ length: 400 }, (_, i) => `x${i} = random.random()\n`).join('');
  const realNow = performance.now.bind(performance);
  for (const keepTree of [false, true]) {
    let calls = 0;
    const started = realNow();
    // the first readings (the parse's progress, the deadline) see real time; later ones are a day on
    performance.now = () => (++calls > 40 ? realNow() + 86_400_000 : realNow());
    let r;
    try {
      r = analyze(text, { path: 'app.py', budgetMs: 60_000, startedAt: started, keepTree });
    } finally {
      performance.now = realNow;
    }
    assert.equal(r.limit?.reason, 'over-budget');
    assert.equal(r.limit?.checked, 'none');
    assert.ok(r.limit?.phase === 'model' || r.limit?.phase === 'parse', r.limit?.message);
    assert.deepEqual(r.findings, []);
    // a caller that keeps trees (the server) gets the sound tree of a stopped model, never a leaked one
    if (keepTree && r.limit?.phase === 'model') {
      assert.ok(r.tree);
      r.tree.delete();
    }
  }
});

test('checkTime outside any box does nothing; a nested box pauses the outer one and a cancel goes through it', () => {
  for (let i = 0; i < 1000; i++) checkTime();
  const realNow = performance.now.bind(performance);
  let offset = 0;
  performance.now = () => realNow() + offset;
  try {
    let cancel = false;
    const outer = new TimeBox(performance.now() + 60_000, 60_000, () => cancel);
    const before = outer.deadline;
    const inner = outer.run(() => {
      const box = TimeBox.nested()!;
      assert.ok(box, 'a nested box exists while a box runs');
      // the inner box runs out of its own time (two minutes pass): it owns that, the outer one is paused
      let thrown: unknown = null;
      try {
        box.run(() => {
          for (;;) {
            offset += 1000;
            checkTime();
          }
        });
      } catch (e) {
        thrown = e;
      }
      assert.ok(box.owns(thrown));
      assert.equal(outer.owns(thrown), false);
      return box;
    });
    assert.ok(outer.deadline - before >= 60_000, 'the outer deadline moved on by the time the inner box took');
    assert.ok(outer.pausedMs >= 60_000);
    assert.equal(outer.expired(), false);
    // a cancel of the outer box stops work in an inner one, and only the outer box owns it
    let stopped: unknown = null;
    try {
      outer.run(() =>
        TimeBox.nested()!.run(() => {
          cancel = true;
          for (;;) checkTime();
        }),
      );
    } catch (e) {
      stopped = e;
    }
    assert.ok(outer.owns(stopped) && stopped.cancelled);
    assert.equal(inner.owns(stopped), false);
  } finally {
    performance.now = realNow;
  }
  assert.equal(TimeBox.nested(), null, 'no box left running');
});

test('an imported module over its own budget is a module without helpers; the importing file keeps its budget', async () => {
  await initParser();
  const root = '/virtual-ws';
  const files: Record<string, string> = {
    [`${root}/app.py`]: 'from dbos import DBOS\nfrom helpers import fetch\n\n@DBOS.workflow()\ndef wf():\n    return fetch()\n',
    // long enough for its model to read the clock several times
    [`${root}/helpers.py`]:
      'import requests\n\ndef fetch():\n    return requests.get("https://example.com").text\n\n' +
      Array.from({ length: 3000 }, (_, i) => `V${i} = ${i}\n`).join(''),
  };
  const analyseApp = (slowHelpers: boolean) => {
    const index = new WorkspaceIndex({ roots: [root], readFile: (p: string) => files[p] ?? null, files: Object.keys(files) });
    const realNow = performance.now.bind(performance);
    const realRun = TimeBox.prototype.run;
    let depth = 0;
    let ahead = 0;
    // while a nested box runs (the index reading helpers.py for app.py), each clock reading is 10 s later
    performance.now = () => realNow() + (slowHelpers && depth >= 2 ? (ahead += 10_000) : ahead);
    TimeBox.prototype.run = function <T>(this: TimeBox, work: () => T): T {
      depth++;
      try {
        return realRun.call(this, work) as T;
      } finally {
        depth--;
      }
    };
    try {
      const r = analyze(files[`${root}/app.py`], { path: `${root}/app.py`, index, budgetMs: 60_000 });
      return { r, helpers: index.summaryOf(`${root}/helpers.py`), ahead };
    } finally {
      performance.now = realNow;
      TimeBox.prototype.run = realRun;
    }
  };
  const whole = analyseApp(false);
  assert.ok(whole.r.findings.some((f) => f.code === 'DBOS202'), 'through the helper: requests.get in a workflow');
  assert.ok(whole.helpers);
  const slow = analyseApp(true);
  assert.ok(slow.ahead >= 60_000, 'the helpers module ran past its own budget');
  assert.equal(slow.r.limit, undefined, 'app.py was not charged for it');
  assert.deepEqual(slow.r.findings.filter((f) => f.code === 'DBOS202'), []);
  assert.equal(slow.helpers, null, 'helpers.py is a module without helpers, like one over the size limit');
});
