#!/usr/bin/env node
// `npm run test:e2e`: runs the mocha suites (out/e2e/test/e2e/suite) inside the Node extension host of a real
// VS Code (code-server 4.139.1 = VS Code 1.139.1) with this repository as the extension under
// development, one code-server per session:
//   main        test/e2e/workspace (a folder with a DBOS app): activation on folder open, diagnostics,
//               fixes, sidebar, status, commands, rule page, snippets, live updates, resilience;
//   multi-root  test/e2e/workspace-multiroot/shop.code-workspace (three folders, each its own config);
//   plain       test/e2e/workspace-plain (Python without DBOS: nothing starts until a file is opened);
//   ui          test/e2e/ui.js: the workbench itself driven through Chromium (what the sidebar rows,
//               the activity bar, the walkthrough show; a window reload's extension-host log).
// Exit 0: all passed; 1: failures; 2: harness error or timeout.
// Env: VSC_HARNESS_PREFIX (setup prefix), E2E_SESSIONS (comma list, default all), E2E_TIMEOUT_MS
// (per session, default 240000), E2E_GREP (mocha grep), E2E_VERBOSE=1 (browser console),
// E2E_KEEP=1 (keep the run folders), E2E_TIMINGS_FILE (the activation test writes the extension's
// timings there as JSON; bench/activation.mjs reads it), E2E_BULK_LINES / E2E_BULK_FROM (a large
// main workspace: see addBulk), E2E_VSIX (install this .vsix and run the sessions against the
// installed copy instead of the repository; the ui session always uses the repository).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startCodeServer, launchBrowser, copyWorkspace } = require('./lib');

/**
 * E2E_BULK_LINES=N: adds bulk/ to the workspace copy, real Python copied from E2E_BULK_FROM (default
 * $DBOS_LINT_CORPUS when set, else test/fixtures) until N lines, so the suite runs under the
 * background check of a large workspace.
 */
function addBulk(ws) {
  const want = Number(process.env.E2E_BULK_LINES || 0);
  if (!want) return null;
  const from = process.env.E2E_BULK_FROM || process.env.DBOS_LINT_CORPUS || path.join(ROOT, 'test', 'fixtures');
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!/^(\.|node_modules|__pycache__|venv)/.test(e.name)) walk(p);
      } else if (e.name.endsWith('.py')) files.push(p);
    }
  };
  walk(from);
  if (!files.length) throw new Error(`E2E_BULK_FROM ${from}: no Python files`);
  let lines = 0;
  let n = 0;
  for (; lines < want; n++) {
    const text = fs.readFileSync(files[n % files.length], 'utf8');
    const dir = path.join(ws, 'bulk', `p${Math.floor(n / 50)}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `m${n}.py`), text);
    lines += text.split('\n').length;
  }
  return { files: n, lines, from };
}

const SESSIONS = {
  main: {
    files: 'activation,extension,live,resilience,workbench',
    // A test hook makes one rule slow on one workspace file (slow/budget.py) for the time-budget test.
    env: { DBOS_LINT_TEST_HOOKS: 'slow:DBOS603:1200:slow/budget.py' },
    workspace(dir) {
      const ws = copyWorkspace(dir);
      const bulk = addBulk(ws);
      if (bulk) console.log(`harness: workspace with bulk/: ${bulk.files} files, ${bulk.lines} lines copied from ${bulk.from}`);
      return ws;
    },
  },
  'multi-root': {
    files: 'multiroot',
    workspace: (dir) => path.join(copyWorkspace(dir, path.join(__dirname, 'workspace-multiroot')), 'shop.code-workspace'),
  },
  plain: {
    files: 'plain',
    workspace: (dir) => copyWorkspace(dir, path.join(__dirname, 'workspace-plain')),
  },
};

/** One mocha session in its own code-server; resolves with {passed, failed} or throws on a harness error. */
async function runSession(name) {
  const session = SESSIONS[name];
  const suite = path.join(ROOT, 'out', 'e2e', 'test', 'e2e', 'suite', 'index.js');
  if (!fs.existsSync(suite)) throw new Error(`${suite} missing: run \`tsc -p test/e2e/tsconfig.json\``);
  const cs = await startCodeServer({
    env: { E2E_GREP: process.env.E2E_GREP || '', E2E_FILES: session.files, E2E_TIMINGS_FILE: process.env.E2E_TIMINGS_FILE || '', ...(session.env ?? {}) },
  });
  const ws = session.workspace(cs.dir);
  let browser;
  let passed = false;
  const started = Date.now();
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    if (process.env.E2E_VERBOSE) page.on('console', (m) => console.log('[browser]', m.text()));
    const exited = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code))));
    // the repository itself, or (E2E_VSIX) the extension as the .vsix installed it
    const extension = cs.installedExtension ?? ROOT;
    if (cs.installedExtension) console.log(`harness: extension installed from ${process.env.E2E_VSIX} into ${extension}`);
    await page.goto(cs.url(ws, [['extensionDevelopmentPath', cs.remote(extension)], ['extensionTestsPath', cs.remote(suite)]]));
    const timeoutMs = Number(process.env.E2E_TIMEOUT_MS || 240000);
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), timeoutMs))]);
    if (code === 'timeout') {
      await page.screenshot({ path: path.join(cs.dir, 'timeout.png') }).catch(() => undefined);
      throw new Error(`session ${name}: timeout after ${timeoutMs} ms; see ${cs.dir}`);
    }
    const log = cs.resultsFile + '.log';
    if (fs.existsSync(log)) process.stdout.write(fs.readFileSync(log, 'utf8'));
    if (!fs.existsSync(cs.resultsFile)) {
      const e = new Error(`session ${name}: the suite did not report results (exit ${code}); see ${cs.dir}`);
      e.lost = true;
      throw e;
    }
    const r = JSON.parse(fs.readFileSync(cs.resultsFile, 'utf8'));
    for (const f of r.failures) console.log(`\nFAILED: ${f.title}\n${f.error}`);
    console.log(`harness: session ${name}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s, run folder ${cs.dir})`);
    passed = r.failed === 0 && code === 0;
    return { passed: r.passed, failed: r.failed + (r.failed === 0 && code !== 0 ? 1 : 0) };
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    cs.stop();
    if (passed && !process.env.E2E_KEEP) setTimeout(() => fs.rmSync(cs.dir, { recursive: true, force: true }), 500).unref?.();
  }
}

async function main() {
  const wanted = (process.env.E2E_SESSIONS || [...Object.keys(SESSIONS), 'ui'].join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  let passed = 0;
  let failed = 0;
  let harnessError = false;
  const retried = [];
  const started = Date.now();
  for (const name of wanted) {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = name === 'ui' ? await require('./ui').runUi() : SESSIONS[name] ? await runSession(name) : null;
        if (!r) throw new Error(`unknown session ${name} (sessions: ${Object.keys(SESSIONS).join(', ')}, ui)`);
        passed += r.passed;
        failed += r.failed;
      } catch (e) {
        // A session whose extension host went away before the suite wrote its results (code-server has been
        // seen cancelling the host after a file-watcher restart on a loaded machine) is run once more, and the
        // summary says so; a second loss, a timeout or a failing test is not retried.
        if (e && e.lost && attempt === 1) {
          console.error(`harness: ${e.message}; running session ${name} once more`);
          retried.push(name);
          continue;
        }
        harnessError = true;
        console.error('harness error:', e && e.stack ? e.stack : e);
      }
      break;
    }
  }
  const again = retried.length ? `; run again after losing its results: ${retried.join(', ')}` : '';
  console.log(`harness: ${passed} passed, ${failed} failed (${wanted.join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)} s${again})`);
  return harnessError ? 2 : failed ? 1 : 0;
}

main().then(
  (code) => setTimeout(() => process.exit(code), 700),
  (e) => {
    console.error('harness error:', e && e.stack ? e.stack : e);
    process.exit(2);
  },
);
