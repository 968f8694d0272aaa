// Diagnostics go out through here: when the client stops reading (the pipe to it is full and Node
// starts buffering in memory), only the newest diagnostics of each document wait, and they are sent
// once the pipe drains. A client that never reads can no longer grow the server's memory without
// bound (3,000 edits took it from 82 to 461 MB).
import type { PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { connection } from './connection';

/** Bytes queued on stdout above which diagnostics wait (the pipe itself holds 64 KiB). */
const HIGH_WATER = 4 * 1024 * 1024;

const waiting = new Map<string, PublishDiagnosticsParams>();
let draining = false;

/** The stream the connection writes to, when it is stdio (other transports have their own flow control). */
function out(): NodeJS.WriteStream | null {
  return process.argv.includes('--stdio') ? process.stdout : null;
}

function congested(): boolean {
  const o = out();
  return !!o && o.writableLength > HIGH_WATER;
}

/** Publishes diagnostics now, or, while the client is not reading, keeps only the newest per document. */
export function publishDiagnostics(p: PublishDiagnosticsParams): void {
  waiting.delete(p.uri);
  waiting.set(p.uri, p);
  flush();
}

function flush(): void {
  for (const [uri, p] of waiting) {
    // over the mark, a write has returned false: 'drain' will come
    if (congested()) break;
    waiting.delete(uri);
    void connection.sendDiagnostics(p);
  }
  if (waiting.size && !draining) {
    draining = true;
    out()?.once('drain', () => {
      draining = false;
      flush();
    });
  }
}

/** Diagnostics waiting for the client to read (for the stats request and tests). */
export function waitingDiagnostics(): number {
  return waiting.size;
}
