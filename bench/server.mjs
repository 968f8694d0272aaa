#!/usr/bin/env node
// Language-server figures with the real bundled server (dist/server.js) over stdio, as an editor
// runs it. Figures, not a test:
//   1. a workspace of about 100,000 lines of real Python (copied from a corpus folder into a temp
//      folder) is scanned in the background; printed: scan time and the server's memory after it;
//   2. a 2,000-line DBOS file is opened and edited one character at a time (insert, then delete):
//      median didChange -> publishDiagnostics round trip (debounce set to 0 for the bench) and
//      median server-side analysis time of the same edits (incremental parse + rules); the server's
//      memory right after them (by kind of mapping, on Linux) and 2.5 s later;
//   3. the same edits again, 250 ms apart (a check per pause, as the editor's debounce has it): the
//      server's memory after them.
// Usage: npm run bench:server [-- corpus-folder [lines]]   (default: $DBOS_LINT_CORPUS when set, else
// test/fixtures and examples; 100000 lines). BENCH_NODE_ARGS adds node flags to the server process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const rpc = require('vscode-jsonrpc/node');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
// BENCH_DIST: another build's dist folder (to compare builds, interleaved)
const server = path.join(process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : path.join(root, 'dist'), 'server.js');
const defaultCorpus = process.env.DBOS_LINT_CORPUS && fs.existsSync(process.env.DBOS_LINT_CORPUS) ? process.env.DBOS_LINT_CORPUS : null;
const sources = process.argv[2] ? [path.resolve(process.argv[2])] : defaultCorpus ? [defaultCorpus] : [path.join(root, 'test/fixtures'), path.join(root, 'examples')];
const targetLines = Number(process.argv[3] || 100_000);
const EDITS = 60;

if (!fs.existsSync(server)) throw new Error(`${server} missing: npm run build`);

function pyFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!/^(\.|node_modules|__pycache__|venv|\.venv)/.test(e.name)) walk(p);
      } else if (e.name.endsWith('.py')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

// ---- the workspace: real files copied (round-robin, renamed) until targetLines
const files = sources.flatMap(pyFiles).map((f) => ({ f, text: fs.readFileSync(f, 'utf8') })).filter((x) => !x.text.includes('\u0000'));
if (!files.length) throw new Error(`no Python files under ${sources.join(', ')}`);
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-bench-ws-'));
let lines = 0;
let copied = 0;
let dbosFiles = 0;
for (let i = 0; lines < targetLines; i++) {
  const { text } = files[i % files.length];
  const dir = path.join(ws, `pkg${Math.floor(copied / 50)}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `m${copied}.py`), text);
  lines += text.split('\n').length;
  copied++;
  if (/\bdbos\b/i.test(text)) dbosFiles++;
}
// ---- the 2,000-line file: DBOS files of the corpus one after the other
const dbos = files.filter((x) => /\bdbos\b/i.test(x.text));
let big = '';
for (let i = 0; big.split('\n').length < 2000; i++) big += dbos[i % dbos.length].text.replace(/\n*$/, '\n\n');
const bigLines = big.split('\n');
big = bigLines.slice(0, 2000).join('\n') + '\n';
const bigPath = path.join(ws, 'editing', 'big.py');
fs.mkdirSync(path.dirname(bigPath), { recursive: true });
fs.writeFileSync(bigPath, big);
const bigUri = pathToFileURL(bigPath).href;

// ---- the server
const nodeArgs = (process.env.BENCH_NODE_ARGS || '').split(' ').filter(Boolean);
const proc = spawn(process.execPath, [...nodeArgs, server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
const waiters = new Set();
const wake = () => {
  for (const w of [...waiters]) w();
};
let scanEnded = 0;
const published = new Map();
conn.onNotification('$/progress', (p) => {
  if (p.value.kind === 'end') scanEnded = performance.now();
  wake();
});
conn.onNotification('textDocument/publishDiagnostics', (p) => {
  published.set(p.uri, { version: p.version, n: p.diagnostics.length, at: performance.now() });
  wake();
});
conn.onRequest('workspace/configuration', (p) => p.items.map(() => ({})));
conn.onRequest('client/registerCapability', () => null);
conn.onRequest('window/workDoneProgress/create', () => null);
conn.listen();
const until = (pred, ms = 600_000) =>
  new Promise((resolve, reject) => {
    const check = () => {
      const v = pred();
      if (v) {
        waiters.delete(check);
        clearTimeout(t);
        resolve(v);
      }
    };
    const t = setTimeout(() => reject(new Error('bench: timed out')), ms);
    waiters.add(check);
    check();
  });

const wsUri = pathToFileURL(ws).href;
const t0 = performance.now();
await conn.sendRequest('initialize', {
  processId: process.pid,
  rootUri: wsUri,
  workspaceFolders: [{ uri: wsUri, name: 'bench' }],
  capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
  initializationOptions: { debounceMs: 0 },
});
await conn.sendNotification('initialized', {});
await until(() => scanEnded);
const scanMs = scanEnded - t0;
const mb = (b) => (b / 1024 / 1024).toFixed(1);
// the analysis thread gives memory back after a second of idleness (src/server/heap.ts)
await new Promise((r) => setTimeout(r, 2500));
const afterScan = await conn.sendRequest('dbosLint/stats', {});
const residentAfterScan = resident(proc.pid);

// ---- keystrokes on the 2,000-line file
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: bigUri, languageId: 'python', version: 1, text: big } });
await until(() => published.get(bigUri)?.version === 1);
const line = 1000;
const col = bigLines[line].length;
const roundTrips = [];
const serverMs = [];
/** Edit `v` (a space inserted, then deleted) and its round trip; `pauseMs` after its findings. */
async function edit(v, pauseMs) {
  const insert = v % 2 === 0;
  const change = insert
    ? { range: { start: { line, character: col }, end: { line, character: col } }, text: ' ' }
    : { range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '' };
  const sent = performance.now();
  await conn.sendNotification('textDocument/didChange', { textDocument: { uri: bigUri, version: v }, contentChanges: [change] });
  const got = await until(() => published.get(bigUri)?.version === v && published.get(bigUri));
  const s = await conn.sendRequest('dbosLint/stats', { uri: bigUri });
  await new Promise((r) => setTimeout(r, pauseMs));
  return { roundTrip: got.at - sent, serverMs: s.last.ms };
}
for (let v = 2; v <= EDITS + 1; v++) {
  const e = await edit(v, 20);
  roundTrips.push(e.roundTrip);
  serverMs.push(e.serverMs);
}
const afterEdits = await conn.sendRequest('dbosLint/stats', { uri: bigUri });
const residentAfterEdits = resident(proc.pid);
// and once the server has been idle as long as after the scan (what a user who stops typing sees)
await new Promise((r) => setTimeout(r, 2500));
const idleAfterEdits = await conn.sendRequest('dbosLint/stats', { uri: bigUri });
const residentIdleAfterEdits = resident(proc.pid);
// typing as the editor has the server check it: with the default debounce (200 ms) a check runs in
// each pause of the typing, so checks come at most every 200 ms or so; 60 of them, 250 ms apart
for (let v = EDITS + 2; v <= 2 * EDITS + 1; v++) await edit(v, 250);
const pacedEdits = await conn.sendRequest('dbosLint/stats', { uri: bigUri });
await conn.sendRequest('shutdown');
await conn.sendNotification('exit');
proc.kill();
fs.rmSync(ws, { recursive: true, force: true });

/**
 * Where the server's resident memory is, from /proc/<pid>/smaps (Linux; null elsewhere), in kB by
 * kind of mapping: the node binary's pages in use (its code, and the ICU data it embeds: a first
 * `Intl.DateTimeFormat` alone adds 6 MB of them), V8's heap pages (256 KB each, both threads), the
 * parser's WebAssembly memory (the writable start of an 8 GB reservation), malloc (the main arena and
 * the 64 MB arenas of other threads: V8's compiler and collector threads, the analysis thread),
 * compiled code, and the rest.
 */
function resident(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  const maps = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) maps.push({ start: parseInt(m[1], 16), end: parseInt(m[2], 16), perms: m[3], name: m[4], rss: 0 });
    else if (maps.length && line.startsWith('Rss:')) maps[maps.length - 1].rss = Number(/(\d+)/.exec(line)[1]);
  }
  const kb = {};
  const add = (k, v) => (kb[k] = (kb[k] ?? 0) + v);
  const ARENA = 64 << 20;
  const nodeBinary = fs.realpathSync(process.execPath);
  maps.forEach((x, i) => {
    const next = maps[i + 1];
    const reservedAfter = next && !next.name && next.perms === '---p' && next.start === x.end ? next.end - next.start : 0;
    if (x.name === '[heap]') add('malloc', x.rss);
    else if (x.name.startsWith('/')) add(x.name === nodeBinary ? 'node binary' : 'libraries', x.rss);
    else if (x.name) add('other', x.rss);
    else if (x.perms.includes('x')) add('compiled code', x.rss);
    else if (x.perms === 'rw-p' && reservedAfter > 4 * 1024 ** 3) add('wasm', x.rss);
    else if (x.perms === 'rw-p' && x.start % ARENA === 0 && (x.end - x.start === ARENA || x.end - x.start + reservedAfter === ARENA)) add('malloc', x.rss);
    else if (x.perms === 'rw-p' && x.end - x.start === 256 * 1024) add('V8 heap pages', x.rss);
    else add('other', x.rss);
  });
  return kb;
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const p90 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length * 0.9)];
console.log(`workspace: ${copied} files, ${lines} lines (${dbosFiles} files mention dbos), copied from ${sources.join(', ')}`);
console.log(`  background scan (initialize to progress end): ${(scanMs / 1000).toFixed(2)} s`);
console.log(
  `  server memory 2.5 s after the scan: RSS ${mb(afterScan.memory.rss)} MB, heap used ${mb(afterScan.memory.heapUsed)} MB of ${mb(afterScan.memory.heapTotal)} MB, external ${mb(afterScan.memory.external)} MB (wasm and buffers; target: under 150 MB)`,
);
const byKind = (kb) => Object.entries(kb).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / 1024).toFixed(1)}`).join(', ');
if (residentAfterScan) console.log(`  resident memory by kind (/proc smaps): ${byKind(residentAfterScan)} MB`);
if (afterScan.analysisHeap) {
  const h = afterScan.analysisHeap;
  console.log(`  the analysis thread: heap used ${mb(h.heapUsed)} MB of ${mb(h.heapTotal)} MB, external ${mb(h.external)} MB (mostly the parser's wasm memory, reserved: resident only where used)`);
}
console.log(`  project index after the scan: ${afterScan.index.summaries} module summaries, ${afterScan.index.functions} functions, ${afterScan.index.parses} parses of its own`);
console.log(`keystrokes: ${EDITS} one-character edits (insert/delete a space) on line ${line + 1} of a ${bigLines.slice(0, 2000).length}-line DBOS file, ${published.get(bigUri).n} findings`);
console.log(`  server-side re-analysis (incremental parse + rules): median ${median(serverMs).toFixed(2)} ms, p90 ${p90(serverMs).toFixed(2)} ms (target: median under 5 ms)`);
console.log(`  didChange -> publishDiagnostics round trip over stdio (debounce 0): median ${median(roundTrips).toFixed(2)} ms, p90 ${p90(roundTrips).toFixed(2)} ms`);
console.log(`  parses: ${afterEdits.parses.incremental} incremental, ${afterEdits.parses.full} full; server RSS after the edits ${mb(afterEdits.memory.rss)} MB`);
if (residentAfterEdits) console.log(`  resident memory by kind after the edits: ${byKind(residentAfterEdits)} MB`);
if (afterEdits.analysisHeap) console.log(`  the analysis thread after the edits: heap used ${mb(afterEdits.analysisHeap.heapUsed)} MB of ${mb(afterEdits.analysisHeap.heapTotal)} MB`);
if (afterEdits.collections) console.log(`  the analysis thread's full collections after checks of the open document: ${afterEdits.collections.afterEdits} (${afterEdits.collections.afterEditsMs.toFixed(0)} ms in all)`);
console.log(`  server memory 2.5 s after the edits: RSS ${mb(idleAfterEdits.memory.rss)} MB${idleAfterEdits.analysisHeap ? `, the analysis thread's heap used ${mb(idleAfterEdits.analysisHeap.heapUsed)} MB of ${mb(idleAfterEdits.analysisHeap.heapTotal)} MB` : ''}`);
if (residentIdleAfterEdits) console.log(`  resident memory by kind 2.5 s after the edits: ${byKind(residentIdleAfterEdits)} MB`);
console.log(
  `then ${EDITS} edits 250 ms apart (one check per pause in the typing, as with the editor's 200 ms debounce): server RSS after them ${mb(pacedEdits.memory.rss)} MB${pacedEdits.collections ? `; full collections in the pauses after checks ${pacedEdits.collections.afterEdits - afterEdits.collections.afterEdits} (${(pacedEdits.collections.afterEditsMs - afterEdits.collections.afterEditsMs).toFixed(0)} ms in all)` : ''}`,
);
