// Outgoing buffers when the client stops reading: over stdio (a pipe nobody reads) and over node-ipc
// (VS Code's transport, whose messages Node queues in memory while the parent does not read). The
// server's memory stays bounded, and once the client reads again it answers at once, with the
// newest diagnostics of each document.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');
const APP = fs.readFileSync(path.join(ROOT, 'test', 'server', 'sample-app.py'), 'utf8');

const procs: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const p of procs) p.kill();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Message = { id?: number; method?: string; params?: { uri?: string; version?: number; diagnostics?: unknown[] }; result?: unknown };

/** The messages a client reads, by a reader it feeds; `until` waits for one that matches. */
class Inbox {
  readonly messages: Message[] = [];
  private waiters: (() => void)[] = [];
  push(m: Message): void {
    this.messages.push(m);
    for (const w of this.waiters.splice(0)) w();
  }
  async until(what: string, pred: (m: Message) => boolean, ms = 30_000): Promise<Message> {
    const end = performance.now() + ms;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  lastDiagnostics(uri: string): Message | undefined {
    return this.messages.filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params?.uri === uri).pop();
  }
}

/** Edits that each give the document a new version and new diagnostics (the lines move). */
async function edits(send: (m: object) => unknown, uri: string, from: number, to: number): Promise<void> {
  for (let v = from; v <= to; v++) {
    await send({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [{ text: '\n'.repeat(v % 40) + APP }] } });
    // each version checked (no debounce): diagnostics for every one, more than the transport holds
    await sleep(10);
  }
}

/**
 * Initializes a server (no debounce), opens 30 documents once the client stopped reading (`pause`),
 * edits the first 299 times and sends a status request: the server's RSS before the edits and after.
 */
async function unreadSession(send: (m: object) => unknown, inbox: Inbox, name: string, pause: () => void, pid: number): Promise<{ uris: string[]; before: number; during: number }> {
  await send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: {}, initializationOptions: { debounceMs: 0 } } });
  await inbox.until('initialize', (m) => m.id === 1);
  await send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  const uris = Array.from({ length: 30 }, (_, i) => `file:///virtual/${name}_${i}.py`);
  pause();
  for (const uri of uris) await send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'python', version: 1, text: APP } } });
  await sleep(1500);
  const before = rssMb(pid);
  await edits(send, uris[0], 2, 300);
  await send({ jsonrpc: '2.0', id: 2, method: 'dbosLint/status', params: {} });
  await sleep(1500);
  return { uris, before, during: rssMb(pid) };
}

test('stdio: a client that stops reading stdout: the server neither grows without bound nor loses the newest diagnostics', async () => {
  const proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  procs.push(proc);
  const writer = new StreamMessageWriter(proc.stdin!);
  const send = (m: object) => writer.write(m as never);
  const inbox = new Inbox();
  let buf = Buffer.alloc(0);
  proc.stdout!.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const head = buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, head).toString())![1]);
      if (buf.length < head + 4 + len) return;
      inbox.push(JSON.parse(buf.subarray(head + 4, head + 4 + len).toString()));
      buf = buf.subarray(head + 4 + len);
    }
  });
  // the client stops reading: the pipe (64 KiB) fills with the diagnostics of 30 documents and the edits
  const { uris, before, during } = await unreadSession(send, inbox, 'unread', () => proc.stdout!.pause(), proc.pid!);
  assert.ok(during - before < 60, `RSS ${before.toFixed(0)} -> ${during.toFixed(0)} MB while stdout is not read`);
  // reading again: the request is answered and the edited document ends at its newest version
  proc.stdout!.resume();
  await inbox.until('the status request answered', (m) => m.id === 2);
  await inbox.until('the newest version published', () => inbox.lastDiagnostics(uris[0])?.params?.version === 300);
  assert.equal(inbox.lastDiagnostics(uris[0])!.params!.diagnostics!.length, 3);
  for (const uri of uris) assert.ok(inbox.lastDiagnostics(uri), uri);
  proc.kill();
});

test('node-ipc: a parent that stops reading: diagnostics wait in the outbox (the newest per document), the server stays bounded and answers', async () => {
  // the parent's end of the IPC channel is an ordinary socket here, so it can stop reading (Node's own
  // child.send channel cannot): the server gets the other end as its channel (NODE_CHANNEL_FD)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-ipc-'));
  dirs.push(dir);
  const sockPath = path.join(dir, 'ipc.sock');
  const accepted = new Promise<net.Socket>((resolve) => {
    const srv = net.createServer((s) => {
      srv.close();
      resolve(s);
    });
    srv.listen(sockPath);
  });
  await new Promise((r) => setTimeout(r, 50));
  const parentEnd = net.connect(sockPath);
  const childEnd = await accepted;
  const proc = spawn(process.execPath, [SERVER, '--node-ipc'], {
    stdio: ['ignore', 'ignore', 'inherit', childEnd],
    env: { ...process.env, NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json' },
  });
  procs.push(proc);
  childEnd.destroy();
  const inbox = new Inbox();
  let text = '';
  parentEnd.setEncoding('utf8');
  parentEnd.on('data', (d: string) => {
    text += d;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (line) inbox.push(JSON.parse(line));
    }
  });
  const send = (m: object) => new Promise<void>((r) => (parentEnd.write(JSON.stringify(m) + '\n') ? r() : parentEnd.once('drain', () => r())));
  const { uris, before, during } = await unreadSession(send, inbox, 'ipc', () => parentEnd.pause(), proc.pid!);
  assert.ok(during - before < 60, `RSS ${before.toFixed(0)} -> ${during.toFixed(0)} MB while the channel is not read`);
  parentEnd.resume();
  await inbox.until('the status request answered', (m) => m.id === 2);
  await inbox.until('the newest version published', () => inbox.lastDiagnostics(uris[0])?.params?.version === 300);
  // only the newest diagnostics of the edited document waited: what the socket's kernel buffer took
  // before the parent stopped reading, then one (about 80 here; without the outbox, 289)
  const publishes = inbox.messages.filter((m) => m.method === 'textDocument/publishDiagnostics' && m.params?.uri === uris[0]).length;
  assert.ok(publishes < 200, `${publishes} publishes for 300 versions`);
  // and the other notifications (status, findings changed) did not pile up either
  const notes = inbox.messages.filter((m) => m.method === 'dbosLint/status' || m.method === 'dbosLint/findingsChanged').length;
  assert.ok(notes < 100, `${notes} status notifications`);
  for (const uri of uris) assert.ok(inbox.lastDiagnostics(uri), uri);
  proc.kill();
  parentEnd.destroy();
});
