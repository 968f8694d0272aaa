#!/usr/bin/env node
// `npm run test:electron`: the same mocha suite (out/e2e/test/e2e/suite) in desktop VS Code through
// @vscode/test-electron. It downloads VS Code from update.code.visualstudio.com (not possible on
// offline machines: use `npm run test:e2e` there). VSCODE_VERSION picks the build (default 1.139.1).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runTests } = require('@vscode/test-electron');

const ROOT = path.resolve(__dirname, '..', '..');

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-electron-'));
  const ws = path.join(dir, 'ws');
  fs.cpSync(path.join(__dirname, 'workspace'), ws, { recursive: true });
  const results = path.join(dir, 'results.json');
  try {
    await runTests({
      version: process.env.VSCODE_VERSION || '1.139.1',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out', 'e2e', 'test', 'e2e', 'suite', 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${path.join(dir, 'ud')}`],
      extensionTestsEnv: { HARNESS_RESULTS_FILE: results, E2E_GREP: process.env.E2E_GREP || '' },
    });
    return 0;
  } catch (e) {
    console.error(String(e && e.message ? e.message : e));
    return fs.existsSync(results) ? 1 : 2;
  } finally {
    if (fs.existsSync(results)) {
      const r = JSON.parse(fs.readFileSync(results, 'utf8'));
      console.log(`electron: ${r.passed} passed, ${r.failed} failed`);
    }
  }
}

main().then((code) => process.exit(code));
