// An LSP session with the real server (dist/server.js over stdio), for the server tests: it
// records diagnostics, log messages and progress, answers the server's requests, and waits for
// conditions.
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { stopServer } from './stop-server';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');

export interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
}

export interface Publish {
  uri: string;
  version?: number;
  diagnostics: Diag[];
  at: number;
}

export class Session {
  readonly proc: ChildProcess;
  readonly conn: MessageConnection;
  readonly publishes: Publish[] = [];
  readonly logs: string[] = [];
  /** Times (performance.now()) at which work-done progress ended. */
  readonly progressEnds: number[] = [];
  private readonly waiters = new Set<() => void>();
  settings: Record<string, unknown> = {};

  constructor(env: Record<string, string> = {}) {
    assert.ok(fs.existsSync(SERVER), `${SERVER} missing: run node scripts/build.mjs`);
    this.proc = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    this.conn = createMessageConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Omit<Publish, 'at'>) => {
      this.publishes.push({ ...p, at: performance.now() });
      this.wake();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      this.wake();
    });
    this.conn.onNotification('$/progress', (p: { value: { kind: string } }) => {
      if (p.value.kind === 'end') this.progressEnds.push(performance.now());
      this.wake();
    });
    this.conn.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.listen();
  }

  async initialize(folder: string | null): Promise<void> {
    const uri = folder ? pathToFileURL(folder).href : null;
    await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: uri ? [{ uri, name: 'ws' }] : null,
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true },
        textDocument: { publishDiagnostics: { relatedInformation: true } },
        window: { workDoneProgress: true },
      },
    });
    await this.conn.sendNotification('initialized', {});
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `pred` holds (checked now and after every message), rejects after `ms`. */
  until<T>(what: string, pred: () => T | undefined | false, ms = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (!v) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  last(uri: string): Publish | undefined {
    for (let i = this.publishes.length - 1; i >= 0; i--) if (this.publishes[i].uri === uri) return this.publishes[i];
    return undefined;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  async close(): Promise<void> {
    await stopServer(this.conn, this.proc);
  }
}

export function codesAndLines(d: Diag[]): string[] {
  return d.map((x) => `${x.range.start.line + 1}:${x.code}`);
}

