// The full-size probes of issue 16, run against the built CLI and server: each prints its wall time,
// the peak memory (max RSS) of the process, and what a user sees. Figures, not a test (the tests
// run the same shapes at sizes CI can afford); the README states the ceiling they must stay under.
//   npm run bench:robustness                 (all probes; about 3 minutes on 2 cores)
//   npm run bench:robustness -- sum5000 lsp  (the probes whose name contains a word)
// Inputs are generated in a temporary folder, removed at the end (ROBUST_KEEP=1 keeps it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist', 'cli.js');
const server = path.join(root, 'dist', 'server.js');
const rpc = require('vscode-jsonrpc/node');
const only = process.argv.slice(2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-robust-'));
// the peak RSS of a child, written by this preload when it exits (worker threads included)
const preload = path.join(tmp, 'maxrss.cjs');
fs.writeFileSync(preload, "process.on('exit', () => { if (process.env.ROBUST_RSS) require('fs').writeFileSync(process.env.ROBUST_RSS, String(process.resourceUsage().maxRSS)); });\n");

const HEAD = 'from dbos import DBOS\nimport random, time\n\n';
const WF = HEAD + '@DBOS.workflow()\ndef wf():\n';
const NORMAL = HEAD + '@DBOS.workflow()\ndef ok():\n    return random.random()\n';
const ORDINARY = fs.readFileSync(path.join(root, 'test', 'server', 'sample-app.py'), 'utf8');

function folder(name, files) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [f, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), body);
  }
  return dir;
}

function lines(n, line) {
  let s = '';
  for (let i = 0; i < n; i++) s += line(i);
  return s;
}

/** CLI probes: a folder with the probe and `normal.py` (whose finding must always be printed). */
const cliProbes = [
  ['sum800: a workflow of 800 random.random() terms (14 KB)', () => ({ 'app.py': WF + '    x = ' + Array(800).fill('random.random()').join(' + ') + '\n    return x\n' })],
  ['sum5000: 5,000 terms (90 KB)', () => ({ 'app.py': WF + '    x = ' + Array(5000).fill('random.random()').join(' + ') + '\n    return x\n' })],
  ['nest4000: f(f(...)) 4,000 deep', () => ({ 'app.py': WF + '    x = ' + 'f('.repeat(4000) + ')'.repeat(4000) + '\n    return x\n' })],
  ['nest8000: random.choice(...) 8,000 deep', () => ({ 'app.py': WF + '    x = ' + 'random.choice('.repeat(8000) + ')'.repeat(8000) + '\n    return x\n' })],
  ['lines20k: 20,000 lines in one workflow', () => ({ 'app.py': WF + '    total = 0\n' + lines(20000, (i) => (i % 100 ? `    total = total + helper(${i})\n` : `    t${i} = random.random()\n`)) + '    return total\n' })],
  ['lines200k: 200,000 lines in one workflow (6.9 MB)', () => ({ 'app.py': WF + '    total = 0\n' + lines(200000, (i) => (i % 100 ? `    total = total + helper(${i})\n` : `    t${i} = random.random()\n`)) + '    return total\n' })],
  ['list5mb: a 5 MB one-line list', () => ({ 'app.py': NORMAL + 'DATA = [' + Array.from({ length: 700000 }, (_, i) => i).join(', ') + ']\n' })],
  ['unterminated: an unterminated """ in 4.8 MB', () => ({ 'app.py': NORMAL + 'DOC = """\n' + 'x = call(1, 2)  # text\n'.repeat(220000) })],
  ['ordinary2mb: 1.9 MB of ordinary DBOS code (under the size limit; its model once took 180 s)', () => ({ 'app.py': ORDINARY.repeat(Math.ceil(1.9e6 / ORDINARY.length)) })],
  ['ordinary50mb: 50 MB of ordinary DBOS code', () => ({ 'app.py': ORDINARY.repeat(Math.ceil(50e6 / ORDINARY.length)) })],
  ['big47mb: a 47 MB file next to a normal one', () => ({ 'big.py': NORMAL + '# ' + 'x'.repeat(78) + '\n'.repeat(1) + ('y = "' + 'b'.repeat(70) + '"\n').repeat(620000) })],
  ['requirements40k: requirements.txt of 40,000 blank lines', () => ({ 'requirements.txt': '\n'.repeat(40000) + 'dbos==2.30.0\n' })],
  ['globs: "**/" x12 + "x" and "*a" x8 + "b" in per-file-ignores', () => ({ 'pyproject.toml': `[tool.dbos-lint]\nper-file-ignores = { "${'**/'.repeat(12)}x" = ["DBOS201"], "${'*a'.repeat(8)}b" = ["DBOS201"] }\n` })],
  ['extraio130k: extra-io with 130,000 entries', () => ({ 'pyproject.toml': `[tool.dbos-lint]\nextra-io = [${Array.from({ length: 130000 }, (_, i) => `"pkg.m${i}.f"`).join(', ')}]\n` })],
  ['braces: extra-io = ["pkg.{a,b}.{a,b}..."] with 40 brace groups (2^40 names)', () => ({ 'pyproject.toml': `[tool.dbos-lint]\nextra-io = ["pkg${'.{a,b}'.repeat(40)}"]\n` })],
  ['config: select DBOS999, ignore "", target-version 2.30, a severity sub-table', () => ({ 'pyproject.toml': '[tool.dbos-lint]\nselect = ["DBOS999"]\nignore = [""]\ntarget-version = 2.30\n[tool.dbos-lint.severity.DBOS201]\nlevel = "error"\n' })],
  ['pins: requirements.txt a folder, a dangling requirements-dev.txt', (dir) => {
    fs.mkdirSync(path.join(dir, 'requirements.txt'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'gone.txt'), path.join(dir, 'requirements-dev.txt'));
    return {};
  }],
];

function runCli(dir) {
  const rss = path.join(tmp, 'rss.txt');
  fs.rmSync(rss, { force: true });
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-r', preload, cli, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ROBUST_RSS: rss }, timeout: 900_000, maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  const mb = fs.existsSync(rss) ? Number(fs.readFileSync(rss, 'utf8')) / 1024 : NaN;
  return { ms, mb, code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const rows = [];
function row(name, ms, mb, what) {
  rows.push({ name, ms, mb, what });
  console.log(`${name.padEnd(72)} ${(ms / 1000).toFixed(2).padStart(7)} s ${mb.toFixed(0).padStart(6)} MB  ${what}`);
}

const wanted = (name) => only.length === 0 || only.some((w) => name.includes(w));

console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log('CLI (dist/cli.js on a folder holding the probe and normal.py):');
for (const [name, make] of cliProbes) {
  if (!wanted(name)) continue;
  const dir = path.join(tmp, name.split(':')[0]);
  fs.mkdirSync(dir, { recursive: true });
  const files = make(dir);
  folder(name.split(':')[0], { ...files, 'normal.py': NORMAL });
  const r = runCli(dir);
  const normalSeen = /normal\.py:6:12: DBOS201/.test(r.stdout);
  const message = r.stderr.split('\n').find((l) => l.startsWith('dbos-lint: ') && !l.includes('normal.py')) ?? '';
  row(name, r.ms, r.mb, `exit ${r.code}, normal.py ${normalSeen ? 'reported' : 'LOST'}${message ? ' | ' + message.slice(11, 150) : ''}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// The language server over stdio

function startServer(env = {}) {
  const rss = path.join(tmp, `server-rss-${Date.now()}.txt`);
  const proc = spawn(process.execPath, ['-r', preload, server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ROBUST_RSS: rss, ...env } });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const published = new Map();
  conn.onNotification('textDocument/publishDiagnostics', (p) => published.set(p.uri, { at: performance.now(), n: p.diagnostics.length, version: p.version }));
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.listen();
  return { proc, conn, published, rss };
}

async function init(s, dir) {
  const uri = dir ? pathToFileURL(dir).href : null;
  await s.conn.sendRequest('initialize', { processId: process.pid, rootUri: uri, workspaceFolders: uri ? [{ uri, name: 'ws' }] : null, capabilities: { workspace: { configuration: true } } });
  await s.conn.sendNotification('initialized', {});
}

async function stop(s) {
  try {
    await Promise.race([s.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
    await s.conn.sendNotification('exit');
  } catch {
    /* gone */
  }
  await new Promise((r) => (s.proc.exitCode !== null ? r() : s.proc.once('exit', r)));
  return fs.existsSync(s.rss) ? Number(fs.readFileSync(s.rss, 'utf8')) / 1024 : NaN;
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

const until = async (pred, ms) => {
  const end = performance.now() + ms;
  while (!pred() && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  return pred();
};

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const serverProbes = [
  ['lsp latency: requests while the 5,000-term workflow and the 4.8 MB file are analysed', async () => {
    const s = startServer();
    await init(s, null);
    const small = 'file:///virtual/small.py';
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: small, languageId: 'python', version: 1, text: ORDINARY } });
    await until(() => s.published.has(small), 30000);
    const t0 = performance.now();
    const heavy = [
      ['file:///virtual/sum5000.py', WF + '    x = ' + Array(5000).fill('random.random()').join(' + ') + '\n    return x\n'],
      ['file:///virtual/unterminated.py', NORMAL + 'DOC = """\n' + 'x = call(1, 2)  # text\n'.repeat(220000)],
    ];
    for (const [uri, text] of heavy) await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const lat = [];
    const range = { start: { line: 11, character: 12 }, end: { line: 11, character: 27 } };
    while (performance.now() - t0 < 4000) {
      for (const [m, p] of [
        ['dbosLint/status', {}],
        ['textDocument/hover', { textDocument: { uri: small }, position: { line: 0, character: 0 } }],
        ['textDocument/codeAction', { textDocument: { uri: small }, range, context: { diagnostics: [] } }],
      ]) {
        const t = performance.now();
        await s.conn.sendRequest(m, p);
        lat.push(performance.now() - t);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => heavy.every(([u]) => s.published.has(u)), 60000);
    const firsts = heavy.map(([u]) => ((s.published.get(u)?.at ?? NaN) - t0).toFixed(0)).join(' / ');
    const rss = rssOf(s.proc.pid);
    const peak = await stop(s);
    row('lsp latency: requests while two heavy files are analysed', performance.now() - t0, peak, `${lat.length} requests: median ${pct(lat, 0.5).toFixed(1)} ms, p99 ${pct(lat, 0.99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms; heavy files published after ${firsts} ms (budget 1000 ms); RSS ${rss.toFixed(0)} MB`);
  }],
  ['lsp model: a 1.9 MB file of ordinary code opened in a folder (its model took 180 s)', async () => {
    const dir = folder('model', { 'other.py': NORMAL });
    const s = startServer();
    await init(s, dir);
    const uri = pathToFileURL(path.join(dir, 'ordinary.py')).href;
    const t0 = performance.now();
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: ORDINARY.repeat(Math.ceil(1.9e6 / ORDINARY.length)) } });
    await until(() => s.published.has(uri), 120000);
    const at = (s.published.get(uri)?.at ?? NaN) - t0;
    const status = await s.conn.sendRequest('dbosLint/status', { uri });
    const slow = status.slowFiles.find((f) => f.uri === uri);
    const other = pathToFileURL(path.join(dir, 'other.py')).href;
    const t1 = performance.now();
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: other, languageId: 'python', version: 1, text: NORMAL } });
    await until(() => s.published.has(other), 60000);
    const otherAt = (s.published.get(other)?.at ?? NaN) - t1;
    const peak = await stop(s);
    row('lsp model: a 1.9 MB file of ordinary code, then a normal one', performance.now() - t0, peak, `published after ${at.toFixed(0)} ms (budget 1000 ms): ${slow ? slow.message : 'no notice'}; the next file ${otherAt.toFixed(0)} ms`);
  }],
  ['lsp scan: an edited file while the scan meets 200,000 lines and an unterminated """', async () => {
    const dir = folder('scan', {
      'a_lines200k.py': WF + '    total = 0\n' + lines(200000, (i) => (i % 100 ? `    total = total + helper(${i})\n` : `    t${i} = random.random()\n`)) + '    return total\n',
      'a_unterminated.py': NORMAL + 'DOC = """\n' + 'x = call(1, 2)  # text\n'.repeat(220000),
    });
    const s = startServer();
    const t0 = performance.now();
    await init(s, dir);
    await new Promise((r) => setTimeout(r, 1000));
    const uri = pathToFileURL(path.join(dir, 'editing.py')).href;
    const opened = performance.now();
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: ORDINARY } });
    await until(() => s.published.has(uri), 60000);
    const waited = s.published.get(uri).at - opened;
    await until(() => s.published.has(pathToFileURL(path.join(dir, 'a_unterminated.py')).href) && s.published.has(pathToFileURL(path.join(dir, 'a_lines200k.py')).href), 120000);
    const peak = await stop(s);
    row('lsp scan: the edited file while the scan meets two huge files', performance.now() - t0, peak, `edited file published ${waited.toFixed(0)} ms after it was opened`);
  }],
  ['lsp unread: 3,000 edits from a client that never reads stdout', async () => {
    const proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    // nothing reads proc.stdout: the pipe fills and the server must not buffer without limit
    proc.stdout.pause();
    const w = new rpc.StreamMessageWriter(proc.stdin);
    const send = (method, params, id) => w.write(id === undefined ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id, method, params });
    await send('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {} }, 1);
    await send('initialized', {});
    const uri = 'file:///virtual/unread.py';
    await send('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: ORDINARY } });
    await new Promise((r) => setTimeout(r, 1500));
    const before = rssOf(proc.pid);
    const t0 = performance.now();
    for (let v = 2; v <= 3001; v++) {
      await send('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: ORDINARY + `# ${v}\n`.repeat(v % 50) }] });
      if (v % 100 === 0) await new Promise((r) => setTimeout(r, 250)); // let checks run
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = rssOf(proc.pid);
    proc.kill();
    row('lsp unread: 3,000 edits, stdout never read', performance.now() - t0, after, `RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB`);
  }],
  ['lsp open-close: 40,000 distinct documents opened and closed', async () => {
    const s = startServer();
    await init(s, null);
    const text = 'from dbos import DBOS\n\n@DBOS.workflow()\ndef wf():\n    return 1\n';
    const rssAt = [];
    const t0 = performance.now();
    for (let i = 0; i < 40000; i++) {
      const uri = `file:///virtual/many/doc_${i}.py`;
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      await s.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
      if (i % 500 === 499) await s.conn.sendRequest('dbosLint/status', {});
      if (i % 10000 === 9999) rssAt.push(rssOf(s.proc.pid).toFixed(0));
    }
    await s.conn.sendRequest('dbosLint/status', {});
    const peak = await stop(s);
    row('lsp open-close: 40,000 documents opened and closed', performance.now() - t0, peak, `RSS after 10k/20k/30k/40k: ${rssAt.join(' / ')} MB`);
  }],
];

console.log('\nLanguage server (dist/server.js over stdio; MB is the peak RSS of the server):');
for (const [name, run] of serverProbes) if (wanted(name)) await run();

if (!process.env.ROBUST_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`\ninputs kept in ${tmp}`);
const worst = rows.reduce((a, r) => Math.max(a, r.mb), 0);
const slowest = rows.reduce((a, r) => Math.max(a, r.ms), 0);
console.log(`\npeak RSS of any probe ${worst.toFixed(0)} MB, slowest probe ${(slowest / 1000).toFixed(1)} s`);
