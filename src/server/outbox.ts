// Diagnostics and the state notifications (status, findings changed) go out through here: when the
// client stops reading (node-ipc, VS Code's transport, queues in memory what the parent does not
// read; a stdout pipe Node writes asynchronously can too), only the newest diagnostics of each
// document and the newest of each notification wait, and they are sent once the transport drains. A
// client that never reads can no longer grow the server's memory without bound (3,000 edits took it
// from 82 to 461 MB). On Linux, Node writes a stdout pipe synchronously: the write waits instead
// (the pipe holds 64 KiB; test/server/transport.test.ts checks both transports).
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { connection } from './connection';

/** Bytes queued on stdout above which diagnostics wait (the pipe itself holds 64 KiB). */
const HIGH_WATER = 4 * 1024 * 1024;
/** Messages sent over node-ipc (VS Code's transport) and not yet written, above which diagnostics wait. */
const IPC_HIGH_WATER = 16;

/** What waits, by key (`d:` and a document URI, `n:` and a notification method), in the order it came. */
const waiting = new Map<string, () => void>();
let draining = false;
/** Messages handed to process.send whose write has not completed (node-ipc). */
let ipcPending = 0;
let ipcDrained: (() => void) | null = null;

/**
 * Over node-ipc, `process.send` queues in memory whatever the parent does not read: count the
 * messages not yet written (the connection sends through process.send with a callback).
 */
if (process.argv.includes('--node-ipc') && typeof process.send === 'function') {
  const send = process.send.bind(process) as (...args: unknown[]) => boolean;
  (process as { send: unknown }).send = (...args: unknown[]) => {
    const last = args.length - 1;
    const cb = typeof args[last] === 'function' ? (args[last] as (e: Error | null) => void) : undefined;
    ipcPending++;
    const done = (e: Error | null) => {
      ipcPending--;
      cb?.(e);
      if (ipcPending < IPC_HIGH_WATER / 2 && ipcDrained) {
        const d = ipcDrained;
        ipcDrained = null;
        d();
      }
    };
    return cb ? send(...args.slice(0, last), done) : send(...args, done);
  };
}

/** The stream the connection writes to, when it is stdio. */
function out(): NodeJS.WriteStream | null {
  return process.argv.includes('--stdio') ? process.stdout : null;
}

function congested(): boolean {
  if (ipcPending >= IPC_HIGH_WATER) return true;
  const o = out();
  return !!o && o.writableLength > HIGH_WATER;
}

/** Calls `f` once the transport has room again. */
function onDrain(f: () => void): void {
  if (ipcPending >= IPC_HIGH_WATER) ipcDrained = f;
  else out()?.once('drain', f);
}

/** Publishes diagnostics now, or, while the client is not reading, keeps only the newest per document. */
export function publishDiagnostics(p: PublishDiagnosticsParams): void {
  queue(`d:${p.uri}`, () => void connection.sendDiagnostics(p));
}

/** Sends a notification whose newest value is all the client needs (a state), now or once the client reads again. */
export function sendLatest(method: string, params: unknown): void {
  queue(`n:${method}`, () => void connection.sendNotification(method, params));
}

function queue(key: string, send: () => void): void {
  waiting.delete(key);
  waiting.set(key, send);
  flush();
}

function flush(): void {
  for (const [key, send] of waiting) {
    // over the mark, a write has returned false: 'drain' will come
    if (congested()) break;
    waiting.delete(key);
    send();
  }
  if (waiting.size && !draining) {
    draining = true;
    onDrain(() => {
      draining = false;
      flush();
    });
  }
}

/** Messages waiting for the client to read (for the stats request). */
export function waitingMessages(): number {
  return waiting.size;
}
