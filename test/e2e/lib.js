// Starts a throwaway code-server (VS Code 1.139 server + Node extension host + web workbench,
// installed by test/e2e/setup.sh) and a headless Debian Chromium through playwright-core.
// Everything a run writes stays in its own folder under test/e2e/runs/ (or $E2E_RUNS_DIR).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PREFIX = process.env.VSC_HARNESS_PREFIX || '/tmp/dbos-lint-vsc';
const CODE_SERVER = process.env.CODE_SERVER_BIN || path.join(PREFIX, 'code-server/node_modules/.bin/code-server');
const NODE24_BIN = process.env.NODE24_DIR || path.join(PREFIX, 'bin');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** User settings of every run: quiet, no network, no trust prompt, no restored state. */
const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'files.autoSave': 'off',
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.auxiliaryBar.visible': false,
  'editor.minimap.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function status(url) {
  return new Promise((resolve) => {
    http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', () => resolve(0));
  });
}

function checkInstall() {
  const missing = [];
  if (!fs.existsSync(CODE_SERVER)) missing.push(`code-server (${CODE_SERVER})`);
  if (!fs.existsSync(path.join(NODE24_BIN, 'node'))) missing.push(`node 24 (${NODE24_BIN}/node)`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`chromium (${CHROMIUM})`);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run test/e2e/setup.sh (VSC_HARNESS_PREFIX=${PREFIX})`);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js missing: run `npm run build` first');
}

/** A fresh copy of test/e2e/workspace for one run (tests write settings into it). */
function copyWorkspace(runDir, src = path.join(__dirname, 'workspace')) {
  const ws = path.join(runDir, 'ws');
  fs.cpSync(src, ws, { recursive: true });
  return ws;
}

/** Whether this code-server takes `--vscode-option` (added after 4.17). */
function supportsVscodeOption() {
  let version = '999';
  // the bin links to out/node/entry.js of the package
  for (let d = path.dirname(fs.realpathSync(CODE_SERVER)); d !== path.dirname(d); d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'code-server') {
      version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
      break;
    }
  }
  const [major, minor] = version.split('.').map(Number);
  return major > 4 || (major === 4 && minor > 17);
}

async function startCodeServer({ settings = {}, env = {} } = {}) {
  checkInstall();
  // Outside the repository: the workspace copy must not sit under the repo's .gitignore'd folders.
  const runsDir = process.env.E2E_RUNS_DIR || path.join(require('node:os').tmpdir(), 'dbos-lint-e2e');
  fs.mkdirSync(runsDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(runsDir, 'run-'));
  const userData = path.join(dir, 'ud');
  const extDir = path.join(dir, 'ext');
  const tmp = path.join(dir, 't');
  for (const d of [path.join(userData, 'User'), extDir, tmp]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...settings }, null, 2));
  const port = await freePort();
  const childEnv = {
    ...process.env,
    PATH: `${NODE24_BIN}:${process.env.PATH}`, // code-server needs node 24 at run time
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    TMPDIR: tmp, // ipc sockets; keep short (108-byte limit)
    EXTENSIONS_GALLERY: '{}', // no marketplace queries
    HARNESS_RESULTS_FILE: path.join(dir, 'results.json'),
    ...env,
  };
  const args = [
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--disable-proxy', '--ignore-last-opened',
    '--user-data-dir', userData, '--extensions-dir', extDir,
  ];
  // Without it the built workbench of recent code-servers ignores the extensionDevelopmentPath /
  // extensionTestsPath payload; code-server 4.17 (the oldest VS Code tested) has no such option
  // and honours the payload without it.
  if (supportsVscodeOption()) args.push('--vscode-option', 'enable-smoke-test-driver');
  const log = fs.openSync(path.join(dir, 'code-server.log'), 'a');
  // E2E_VSIX: the .vsix is installed as a user installs it, and the suite runs against that copy
  let installedExtension = null;
  if (process.env.E2E_VSIX) {
    const r = spawnSync(CODE_SERVER, ['--user-data-dir', userData, '--extensions-dir', extDir, '--install-extension', path.resolve(process.env.E2E_VSIX), '--force'], { env: childEnv, encoding: 'utf8' });
    fs.writeSync(log, (r.stdout || '') + (r.stderr || ''));
    if (r.status !== 0) throw new Error(`installing ${process.env.E2E_VSIX} failed: ${r.stderr || r.stdout}`);
    const installed = fs.readdirSync(extDir).find((d) => d.startsWith('dbos-lint.dbos-lint-'));
    if (!installed) throw new Error(`installing ${process.env.E2E_VSIX}: no dbos-lint.dbos-lint-* folder in ${extDir}`);
    installedExtension = path.join(extDir, installed);
  }
  const child = spawn(CODE_SERVER, args, { env: childEnv, detached: true, stdio: ['ignore', log, log] });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM'); // its own process group: server, extension host, language server
    } catch {
      /* already gone */
    }
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if ((await status(`${base}/healthz`)) === 200) break;
    if (child.exitCode !== null || i > 600) {
      stop();
      throw new Error(`code-server did not start; see ${dir}/code-server.log`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const authority = `127.0.0.1:${port}`;
  return {
    dir,
    base,
    stop,
    resultsFile: childEnv.HARNESS_RESULTS_FILE,
    /** The folder of the extension installed from E2E_VSIX, else null. */
    installedExtension,
    remote: (p) => `vscode-remote://${authority}${path.resolve(p)}`,
    /** The workbench URL opening a folder, or a multi-root workspace (a `.code-workspace` file). */
    url(folder, payload) {
      const where = folder.endsWith('.code-workspace') ? 'workspace' : 'folder';
      let u = `${base}/?${where}=${encodeURIComponent(path.resolve(folder))}`;
      if (payload) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return u;
    },
  };
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.env.E2E_HEADFUL,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Waits until the DBOS activity-bar item shows a badge (`text`, or any count). */
function waitForDbosBadge(page, text, timeout = 90_000) {
  return page.waitForFunction(
    (want) => {
      const item = [...document.querySelectorAll('.activitybar .action-item')].find((i) => i.querySelector('.action-label[aria-label^="DBOS"]'));
      const badge = item?.querySelector('.badge-content')?.textContent ?? '';
      return want ? badge === want : /^\d+$/.test(badge);
    },
    text ?? null,
    { timeout },
  );
}

/** Keyboard driving of the workbench through its quick input: open a file, run a command, go to a line. */
function workbench(page) {
  // A quick input closes when something else takes the focus while it opens (a walkthrough page
  // settling, a notification): the whole sequence is tried again, up to three times.
  const quickInput = async (keys, text, row) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await page.keyboard.press(keys);
        await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 10_000 });
        await page.keyboard.type(text, { delay: 10 });
        if (row) await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${row}"]`, { timeout: 15_000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        // Escape only for a quick input still open: with the focus on a walkthrough page, Escape
        // would take the page back to its overview.
        if (await page.$('.quick-input-widget:not([style*="display: none"])')) await page.keyboard.press('Escape');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await new Promise((r) => setTimeout(r, 400));
    await page.keyboard.press('Enter');
  };
  return {
    /** Quick Open (Ctrl+P) on a workspace-relative path. */
    open: (file) => quickInput('Control+P', file, path.basename(file)),
    /** Go to Line (Ctrl+G), e.g. '13:17'. */
    goto: (pos) => quickInput('Control+G', pos),
    /** A Command Palette command by its title. */
    command: (title) => quickInput('F1', title, title),
  };
}

module.exports = { ROOT, startCodeServer, launchBrowser, copyWorkspace, waitForDbosBadge, workbench };
