// Severities under the default profile for fixtures whose findings are kept but downgraded (the
// fixture test checks lines and codes only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, initParser } from '../../src/engine/index';
import { resolveConfig } from '../../src/engine/config';

const root = path.resolve(process.env.DBOS_LINT_ROOT ?? process.cwd(), 'test/fixtures');

function severities(rel: string, code: string): string[] {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  const r = analyze(text, { path: path.basename(rel), config: resolveConfig([]) });
  return r.findings.filter((f) => f.code === code).map((f) => `${f.range.start.line + 1}:${f.severity}`);
}

test('DBOS802: a client made in a script main() that runs once is information; a helper a handler also calls, or a client made in a loop, stays a warning', async () => {
  await initParser();
  assert.deepEqual(severities('DBOS802/info-script-main.py', 'DBOS802'), ['14:information', '20:warning', '26:warning']);
});

test('DBOS102: module-level construction launched by a runtime in main() or by a process target of the main block is information', async () => {
  await initParser();
  assert.deepEqual(severities('DBOS102/info-runtime-launch.py', 'DBOS102'), ['9:information']);
  assert.deepEqual(severities('DBOS102/info-process-target.py', 'DBOS102'), ['7:information']);
  assert.deepEqual(severities('DBOS102/bad-launch-elsewhere.py', 'DBOS102'), ['4:warning']);
});

test('DBOS102: a runnable script that never calls DBOS.launch() itself (an integration launches it) is information; a library module stays a warning', async () => {
  await initParser();
  assert.deepEqual(severities('DBOS102/info-integration-server.py', 'DBOS102'), ['9:information']);
  assert.deepEqual(severities('DBOS102/bad-library-module.py', 'DBOS102'), ['5:warning']);
});
