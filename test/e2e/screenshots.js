#!/usr/bin/env node
// `npm run screenshots`: drives the real VS Code UI (code-server + headless Chromium) with the
// extension under development and saves, under docs/images/: the squiggle with its hover and
// lightbulb, the Quick Fix menu, the Problems panel (filled on folder open), the DBOS sidebar, the
// rule page, the status item, the snippet completion, and demo.gif: a mistake typed into a
// workflow, its squiggle, and the quick fix (frames taken with playwright-core, assembled by
// Debian's ffmpeg: `apt-get install ffmpeg`).
// Env: VSC_HARNESS_PREFIX, SHOTS_DIR (default docs/images), SHOTS=png|gif (default both), E2E_KEEP=1.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, startCodeServer, launchBrowser, copyWorkspace, waitForDbosBadge, workbench } = require('./lib');

const OUT = path.resolve(process.env.SHOTS_DIR || path.join(ROOT, 'docs', 'images'));
const WANT = process.env.SHOTS || 'png,gif';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The workflow the animation edits (written into the workspace copy). */
const DEMO = `import time

from dbos import DBOS


@DBOS.step()
def reserve(order_id: str) -> None:
    print(f"reserved {order_id}")


@DBOS.workflow()
def ship_order(order_id: str) -> str:
    reserve(order_id)
    return order_id
`;

async function session(fn, settings = {}) {
  const cs = await startCodeServer({
    settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.fontSize': 14, 'breadcrumbs.enabled': false, 'editor.quickSuggestionsDelay': 10, ...settings },
  });
  const ws = copyWorkspace(cs.dir);
  fs.mkdirSync(path.join(ws, 'demo'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'demo', 'orders.py'), DEMO);
  let browser;
  let page;
  try {
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    await page.goto(cs.url(ws, [['extensionDevelopmentPath', cs.remote(ROOT)]]));
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    const activity = page.locator('.activitybar .action-label[aria-label^="DBOS"]');
    await activity.waitFor({ timeout: 90_000 });
    // Wait for the background check of the folder (the activity badge).
    await waitForDbosBadge(page);
    await sleep(1500);
    await fn(page, activity, cs);
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

function helpers(page) {
  return {
    ...workbench(page),
    shot: async (name, options = {}) => {
      await page.screenshot({ path: path.join(OUT, name), ...options });
      console.log('saved', path.join(path.relative(ROOT, OUT), name));
    },
  };
}

async function screenshots(page, activity) {
  const h = helpers(page);
  // 1. The file with its squiggles; hover on the DBOS201 squiggle, lightbulb on the line.
  await h.open('app/shop.py');
  await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 60_000 });
  await h.goto('13:17');
  await page.waitForSelector('.lightBulbWidget, .codicon-lightbulb, .codicon-lightbulb-autofix', { timeout: 20_000 });
  const box = await page.locator('.monaco-editor .squiggly-warning').first().boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector('.monaco-hover:not(.hidden)', { timeout: 10_000 }).catch(() => undefined);
    await sleep(800);
  }
  await h.shot('squiggle-lightbulb.png');

  // 2. The Quick Fix menu on the same finding.
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');
  await h.goto('13:17');
  await sleep(300);
  await page.keyboard.press('Control+.');
  await page.waitForSelector('.action-widget', { timeout: 20_000 });
  await sleep(600);
  await h.shot('quick-fix.png');
  await page.keyboard.press('Escape');

  // 3. The status item (the `{}` of the status bar, clicked): this file's problems, the
  // workspace's, the configuration, the version.
  await page.locator('[id="status.languageStatus"], .statusbar-item:has(.codicon-bracket), .statusbar-item:has(.codicon-json)').first().click({ force: true });
  const hover = page.locator('.monaco-hover:has-text("problems in this file")').first();
  await hover.waitFor({ timeout: 10_000 });
  await sleep(800);
  const hb = await hover.boundingBox();
  const x = Math.max(0, Math.floor(hb.x) - 16);
  const y = Math.max(0, Math.floor(hb.y) - 16);
  await h.shot('status.png', { clip: { x, y, width: Math.min(1280 - x, Math.ceil(hb.width) + 32), height: 800 - y } });
  await page.keyboard.press('Escape');
  await sleep(300);

  // 4. The Problems panel: shop.py and other/background.py, which was never opened.
  await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
  await sleep(1000);
  await h.shot('problems.png');
  await page.keyboard.press('Control+J');

  // 5. A snippet in the completion list, with the imports it adds.
  await h.open('live/pricing.py');
  await sleep(800);
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('dbos-que', { delay: 60 });
  await page.waitForSelector('.suggest-widget.visible .monaco-list-row[aria-label*="dbos-queue"]', { timeout: 20_000 });
  await sleep(400);
  await page.keyboard.press('Control+Space'); // the details pane beside the list
  await sleep(1200);
  await h.shot('snippet.png');
  await page.keyboard.press('Escape');
  await h.command('File: Revert File');
  await sleep(500);

  // 6. The DBOS sidebar: the version row, the categories with findings open, their counts.
  await h.open('app/shop.py');
  await activity.click({ force: true });
  await page.locator('.part.sidebar .monaco-list-row', { hasText: 'DBOS201' }).waitFor({ timeout: 20_000 });
  const sb = await page.locator('.part.sidebar').boundingBox();
  if (sb) {
    await page.mouse.move(sb.x + sb.width + 1, sb.y + 300);
    await page.mouse.down();
    await page.mouse.move(sb.x + sb.width + 260, sb.y + 300, { steps: 8 });
    await page.mouse.up();
  }
  await sleep(1500);
  await h.shot('sidebar.png', { clip: { x: 0, y: 0, width: 640, height: 800 } });

  // 7. The rule page (selecting a rule opens it beside the editor).
  await page.locator('.part.sidebar .monaco-list-row', { hasText: 'DBOS201' }).locator('.label-name, .monaco-highlighted-label').first().click();
  await page.waitForSelector('iframe.webview', { timeout: 20_000 });
  await sleep(2500);
  await h.shot('rule-view.png');
}

/**
 * demo.gif: types `time.sleep(60)` into a workflow, waits for the squiggle, opens the Quick Fix
 * menu and applies "Replace with DBOS.sleep(...)". Frames of the editor are taken as fast as the
 * page gives them, each shown for the time it lasted.
 */
async function animation(page) {
  const h = helpers(page);
  const ffmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
  if (!ffmpeg) throw new Error('ffmpeg not found: apt-get install ffmpeg');
  await page.keyboard.press('Control+B'); // the editor alone
  await h.open('demo/orders.py');
  await sleep(1500);
  const editor = await page.locator('.part.editor').boundingBox();
  const clip = { x: Math.round(editor.x), y: Math.round(editor.y), width: 960, height: 480 };
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dbos-lint-gif-'));
  const frames = [];
  const frame = async (holdMs = 0) => {
    const file = path.join(dir, `f${String(frames.length).padStart(4, '0')}.png`);
    await page.screenshot({ path: file, clip });
    frames.push({ file, hold: holdMs });
    if (holdMs) await sleep(holdMs);
  };
  const typeSlowly = async (text) => {
    for (const ch of text) {
      await page.keyboard.type(ch);
      await frame();
    }
  };
  await h.goto('13:22');
  await sleep(300);
  await frame(1200);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await frame();
  await typeSlowly('time.sleep(60)');
  await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: 30_000 });
  await frame(800);
  await h.goto('14:10');
  await sleep(500);
  const squiggle = await page.locator('.monaco-editor .squiggly-warning').first().boundingBox();
  if (squiggle) await page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
  await page.waitForSelector('.monaco-hover:not(.hidden)', { timeout: 10_000 }).catch(() => undefined);
  await sleep(500);
  await frame(2500);
  await page.mouse.move(clip.x + clip.width - 5, clip.y + clip.height - 5);
  await page.keyboard.press('Escape');
  await sleep(300);
  await page.keyboard.press('Control+.');
  await page.waitForSelector('.action-widget', { timeout: 20_000 });
  await sleep(500);
  await frame(2000);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.monaco-editor .squiggly-warning'), null, { timeout: 20_000 });
  await sleep(400);
  await frame(3000);
  // A typed character lasts 90 ms (as a brisk typist; taking a screenshot is slower than that on a
  // busy machine), a moment to look at lasts its hold.
  const list = frames.map((f) => `file '${f.file}'\nduration ${(f.hold ? f.hold / 1000 : 0.09).toFixed(3)}`);
  fs.writeFileSync(path.join(dir, 'frames.txt'), list.join('\n') + `\nfile '${frames[frames.length - 1].file}'\n`);
  const out = path.join(OUT, 'demo.gif');
  const r = spawnSync(
    'ffmpeg',
    ['-y', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', path.join(dir, 'frames.txt'), '-vf', 'fps=12,split[a][b];[a]palettegen=max_colors=64:stats_mode=diff[p];[b][p]paletteuse=dither=none:diff_mode=rectangle', '-loop', '0', out],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  console.log(`saved ${path.relative(ROOT, out)} (${frames.length} frames, ${Math.round(fs.statSync(out).size / 1024)} KB; frames kept in ${dir})`);
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  let code = 0;
  if (WANT.includes('png')) code ||= await session((page, activity) => screenshots(page, activity));
  // No suggestions popping up while the mistake is typed.
  if (WANT.includes('gif')) code ||= await session((page) => animation(page), { 'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' }, 'editor.parameterHints.enabled': false });
  return code;
}

main().then((code) => process.exit(code));
