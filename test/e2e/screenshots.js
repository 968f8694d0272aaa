#!/usr/bin/env node
// `npm run screenshots`: drives the real VS Code UI (code-server + headless Chromium) with the
// extension under development and saves screenshots under docs/images/: the squiggle with its
// hover and lightbulb, the Quick Fix menu, the Problems panel, the DBOS sidebar and the rule view.
// Env: VSC_HARNESS_PREFIX, SHOTS_DIR (default docs/images), E2E_KEEP=1.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startCodeServer, launchBrowser, copyWorkspace } = require('./lib');

const OUT = path.resolve(process.env.SHOTS_DIR || path.join(ROOT, 'docs', 'images'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const cs = await startCodeServer({ settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.fontSize': 14, 'breadcrumbs.enabled': false } });
  const ws = copyWorkspace(cs.dir);
  let browser;
  let page;
  try {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(cs.url(ws, [['extensionDevelopmentPath', cs.remote(ROOT)]]));
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await sleep(3000);
    const activity = page.locator('.activitybar .action-label[aria-label^="DBOS"]');
    await activity.waitFor({ timeout: 90_000 });
    const shot = async (name) => {
      await page.screenshot({ path: path.join(OUT, name) });
      console.log('saved', path.join(path.relative(ROOT, OUT), name));
    };
    const palette = async (keys, text) => {
      await page.keyboard.press(keys);
      await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 10_000 });
      await page.keyboard.type(text, { delay: 20 });
      if (keys === 'Control+P') await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${text}"]`, { timeout: 20_000 });
      await sleep(500);
      await page.keyboard.press('Enter');
    };

    // 1. The file with its squiggles; hover on the DBOS201 squiggle, lightbulb on the line.
    await palette('Control+P', 'shop.py');
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 60_000 });
    await palette('Control+G', '13:17');
    await page.waitForSelector('.lightBulbWidget, .codicon-lightbulb, .codicon-lightbulb-autofix', { timeout: 20_000 });
    const squiggle = page.locator('.monaco-editor .squiggly-warning').first();
    const box = await squiggle.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForSelector('.monaco-hover:not(.hidden)', { timeout: 10_000 }).catch(() => undefined);
      await sleep(600);
    }
    await shot('squiggle-lightbulb.png');

    // 2. The Quick Fix menu on the same finding.
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await palette('Control+G', '13:17');
    await sleep(300);
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget', { timeout: 20_000 });
    await sleep(500);
    await shot('quick-fix.png');
    await page.keyboard.press('Escape');

    // 3. The Problems panel.
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
    await sleep(800);
    await shot('problems.png');
    await page.keyboard.press('Control+J');

    // 4. The DBOS sidebar with the Workflow category and DBOS201 expanded.
    await activity.click({ force: true });
    const rows = page.locator('.part.sidebar .monaco-list-row');
    await rows.first().waitFor({ timeout: 20_000 });
    await page.locator('.part.sidebar .monaco-list-row', { hasText: '2. Workflow' }).click();
    const r201 = page.locator('.part.sidebar .monaco-list-row', { hasText: 'DBOS201' });
    await r201.waitFor({ timeout: 10_000 });
    await r201.locator('.monaco-tl-twistie').click();
    await sleep(1000);
    // Widen the side bar so rule titles are readable.
    const sb = await page.locator('.part.sidebar').boundingBox();
    if (sb) {
      await page.mouse.move(sb.x + sb.width + 1, sb.y + 300);
      await page.mouse.down();
      await page.mouse.move(sb.x + sb.width + 220, sb.y + 300, { steps: 8 });
      await page.mouse.up();
    }
    await sleep(1000);
    await shot('sidebar.png');

    // 5. The rule view (selecting a rule opens it beside the editor).
    await r201.locator('.label-name, .monaco-highlighted-label').first().click();
    await page.waitForSelector('iframe.webview', { timeout: 20_000 });
    await sleep(2500);
    await shot('rule-view.png');
    return 0;
  } catch (e) {
    if (page) await page.screenshot({ path: path.join(cs.dir, 'error.png') }).catch(() => undefined);
    console.error('screenshots failed:', e && e.stack ? e.stack : e, `\n(see ${cs.dir})`);
    return 2;
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    cs.stop();
  }
}

main().then((code) => process.exit(code));
