// Neovim's built-in LSP client (Debian's nvim, headless) against the real server (dist/server.js
// --stdio): it must see our diagnostics with their codes and lines, and our code actions.
// `npm run test:nvim` installs Neovim when missing (test/nvim/setup.sh) and builds dist/ first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..', '..');
const server = path.join(root, 'dist', 'server.js');

/** The sample app shared by the language-server tests: a DBOS201, a DBOS202 and a DBOS109. */
const APP = fs.readFileSync(path.join(root, 'test', 'server', 'sample-app.py'), 'utf8');

test('Neovim (headless, built-in LSP client) shows the dbos-lint diagnostics and code actions', () => {
  assert.ok(fs.existsSync(server), `${server} missing: run node scripts/build.mjs`);
  const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, 'nvim is not installed: run bash test/nvim/setup.sh');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-nvim-'));
  try {
    const file = path.join(dir, 'app.py');
    fs.writeFileSync(file, APP);
    const result = path.join(dir, 'result.json');
    const r = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `luafile ${path.join(here, 'check.lua')}`, file], {
      cwd: dir,
      env: { ...process.env, DBOS_LINT_SERVER: server, NVIM_RESULT: result, NVIM_EXPECT: '3', XDG_STATE_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.ok(fs.existsSync(result), `nvim wrote no result (exit ${r.status}): ${r.stderr}${r.stdout}`);
    const out = JSON.parse(fs.readFileSync(result, 'utf8'));
    assert.equal(out.waited, true, JSON.stringify(out));
    assert.deepEqual(
      out.diagnostics.map((d) => `${d.line}:${d.code}:${d.source}`),
      ['12:DBOS201:dbos', '18:DBOS202:dbos', '22:DBOS109:dbos'],
    );
    assert.equal(out.diagnostics[0].col, 12);
    assert.match(out.diagnostics[0].message, /random\.random\(\)/);
    assert.ok(out.actions.some((t) => t.startsWith('Wrap in a step')), out.actions.join(' | '));
    assert.ok(out.actions.includes('Ignore DBOS201 on this line'), out.actions.join(' | '));
    console.log(`nvim ${out.nvim.major}.${out.nvim.minor}.${out.nvim.patch}: ${out.diagnostics.length} diagnostics, ${out.actions.length} code actions`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
