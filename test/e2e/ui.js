// The `ui` session of `npm run test:e2e`: the workbench itself, driven through Chromium the way a
// user drives it, for what the extension API cannot see: the activity-bar icon and badge, the
// sidebar rows as drawn (count badges, colours, icons), the walkthrough's steps ticking, and the
// extension host's log and the "DBOS Lint" output after window reloads.
// Run alone: `E2E_SESSIONS=ui npm run test:e2e`. On a failure the page is saved as ui-<n>.png in
// the run folder (kept).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startCodeServer, launchBrowser, copyWorkspace, waitForDbosBadge, workbench } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** Every file under `dir` whose path matches `re`. */
function filesUnder(dir, re) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(p)) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

async function runUi() {
  const cs = await startCodeServer({});
  const ws = copyWorkspace(cs.dir);
  let browser;
  let page;
  let passed = 0;
  let failed = 0;
  const started = Date.now();
  console.log('\n  The workbench as drawn (ui session)');
  const check = async (name, fn) => {
    try {
      await fn();
      passed++;
      console.log(`    ✔ ${name}`);
    } catch (e) {
      failed++;
      const shot = path.join(cs.dir, `ui-${passed + failed}.png`);
      await page?.screenshot({ path: shot }).catch(() => undefined);
      console.log(`    ✘ ${name}\n      ${String(e && e.message ? e.message : e).split('\n').join('\n      ')}\n      (${shot})`);
    }
  };
  const activity = () => page.locator('.activitybar .action-label[aria-label^="DBOS"]');
  try {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const { open: openFile, command: palette } = workbench(page);
    await page.goto(cs.url(ws, [['extensionDevelopmentPath', cs.remote(ROOT)]]));
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await activity().waitFor({ timeout: 90_000 });

    await check('the DBOS activity-bar item has its own icon, and its badge counts the problems found on folder open', async () => {
      const mask = await activity().evaluate((el) => getComputedStyle(el).maskImage || getComputedStyle(el).webkitMaskImage);
      assert(/activity\.svg/.test(mask), `activity-bar icon: ${mask}`);
      await waitForDbosBadge(page, '4', 60_000);
    });

    await check('the Rules view: the version first; rules with findings carry a coloured count, the others no severity icon', async () => {
      await activity().click({ force: true }); // the badge sits over the icon
      await page.waitForSelector('.part.sidebar .monaco-list-row:has-text("DBOS201")', { timeout: 60_000 });
      await sleep(1500);
      const rows = await page.evaluate(() =>
        [...document.querySelectorAll('.part.sidebar .monaco-list-row')].map((r) => {
          const label = r.querySelector('.label-name') ?? r;
          return {
            text: r.innerText.replace(/\s+/g, ' ').trim(),
            badges: [...r.querySelectorAll('*')].map((e) => getComputedStyle(e, '::after').content).filter((c) => /^"\d+"$/.test(c)).map((c) => c.slice(1, -1)),
            icons: [...r.querySelectorAll('.codicon')].map((e) => [...e.classList].find((c) => c.startsWith('codicon-') && c !== 'codicon-modifier-spin')),
            color: getComputedStyle(label).color,
          };
        }),
      );
      assert(/^DBOS version unknown/.test(rows[0].text), `first row: ${rows[0].text}`);
      const row = (code) => rows.find((r) => r.text.startsWith(code));
      assert(row('DBOS201')?.badges.join() === '2', `DBOS201: ${JSON.stringify(row('DBOS201'))}`);
      assert(row('DBOS109')?.badges.join() === '1', `DBOS109: ${JSON.stringify(row('DBOS109'))}`);
      assert(row('DBOS201').icons.includes('codicon-warning') && row('DBOS109').icons.includes('codicon-error'), 'severity icons on rows with findings');
      assert(row('DBOS203')?.badges.length === 0 && row('DBOS203').icons.includes('codicon-pass'), `DBOS203: ${JSON.stringify(row('DBOS203'))}`);
      assert(row('DBOS201').color !== row('DBOS203').color, 'a rule with findings is drawn in another colour');
      const loud = rows.filter((r) => /^DBOS\d{3}/.test(r.text) && !r.badges.length && r.icons.some((i) => /codicon-(error|warning|info)$/.test(i)));
      assert(!loud.length, `severity icons on rows without findings: ${loud.map((r) => r.text).join(' | ')}`);
      const workflow = rows.find((r) => /^2\. Workflow/.test(r.text));
      assert(workflow?.badges.join() === '3', `2. Workflow: ${JSON.stringify(workflow)}`);
    });

    await check('the walkthrough ticks "Open a DBOS app" when a DBOS file is opened, and "Write DBOS code faster" when a snippet is inserted', async () => {
      await palette('Welcome: Open Walkthrough');
      await page.waitForSelector('.quick-input-list .monaco-list-row[aria-label*="DBOS Lint"]', { timeout: 20_000 });
      await page.keyboard.type('DBOS Lint', { delay: 10 });
      await sleep(300);
      await page.keyboard.press('Enter');
      const step = (id) => page.locator(`.getting-started-step[data-step-id="dbos-lint.dbos-lint#gettingStarted#${id}"]`);
      await step('open').waitFor({ timeout: 20_000 });
      assert((await step('open').getAttribute('aria-checked')) === 'false', 'not ticked before');
      await sleep(1500); // the page takes the focus as it settles, which would close a quick input opened meanwhile
      await openFile('app/shop.py');
      await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 60_000 });
      // A snippet at the end of the file, chosen in the suggest widget.
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.keyboard.type('dbos-get-ev', { delay: 30 });
      await page.waitForSelector('.suggest-widget.visible .monaco-list-row[aria-label*="dbos-get-event"]', { timeout: 20_000 });
      await sleep(500);
      await page.keyboard.press('Enter');
      await page.waitForSelector('.view-lines:has-text("DBOS.get_event(")', { timeout: 10_000 });
      await page.keyboard.press('Escape');
      await page.locator('.tabs-container .tab:has-text("Welcome")').click();
      await page.waitForFunction(
        () => document.querySelector('.getting-started-step[data-step-id="dbos-lint.dbos-lint#gettingStarted#open"]')?.getAttribute('aria-checked') === 'true',
        null,
        { timeout: 20_000 },
      );
      await page.waitForFunction(
        () => document.querySelector('.getting-started-step[data-step-id="dbos-lint.dbos-lint#gettingStarted#snippets"]')?.getAttribute('aria-checked') === 'true',
        null,
        { timeout: 20_000 },
      );
      // Leave the file as it was (no save prompt on reload).
      await page.locator('.tabs-container .tab:has-text("shop.py")').click();
      await palette('File: Revert File');
      await sleep(500);
    });

    await check('window reloads: no "Channel has been closed" in the extension host, no error in the DBOS Lint output', async () => {
      const logs = path.join(cs.dir, 'ud', 'logs');
      for (let i = 0; i < 2; i++) {
        await palette('Developer: Reload Window');
        await sleep(3000);
        await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
        await activity().waitFor({ timeout: 90_000 });
        // The server up again and the workspace checked: the badge is back.
        await waitForDbosBadge(page, '4');
        await sleep(3000);
      }
      const hostLogs = filesUnder(logs, /remoteexthost\.log$/);
      assert(hostLogs.length >= 3, `${hostLogs.length} extension host logs`);
      const closed = hostLogs.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => /Channel has been closed|provider FAILED/.test(l)));
      assert(!closed.length, closed.join('\n'));
      const outputs = filesUnder(logs, /DBOS Lint\.log$/);
      assert(outputs.length >= 3, `${outputs.length} DBOS Lint output logs`);
      const bad = outputs.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => /^\[Error|exited with code/.test(l)));
      assert(!bad.length, bad.join('\n'));
      for (const f of outputs) {
        const checks = fs.readFileSync(f, 'utf8').split('\n').filter((l) => /workspace check: /.test(l));
        assert(checks.length === 1, `${f}: ${checks.length} workspace checks logged\n${checks.join('\n')}`);
      }
    });
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    cs.stop();
    if (!failed && !process.env.E2E_KEEP) setTimeout(() => fs.rmSync(cs.dir, { recursive: true, force: true }), 500).unref?.();
  }
  console.log(`harness: session ui: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s, run folder ${cs.dir})`);
  return { passed, failed };
}

module.exports = { runUi };
