// Every handler of the server runs through here: a request before `initialize` gets the protocol's
// error -32002, and a handler that throws (or rejects) costs one message in the output channel and
// one line in the status (`StatusResult.errors`), never the process: an unhandled rejection used to
// end the server, and VS Code gives up after three restarts.
import { ResponseError } from 'vscode-languageserver/node';
import { connection } from './connection';

/** LSP's ServerNotInitialized. */
export const SERVER_NOT_INITIALIZED = -32002;

let initialized = false;
/** Failures of the server's own handlers, once per handler and message. */
const failures = new Map<string, string>();
let onFailure: () => void = () => {};

export function markInitialized(): void {
  initialized = true;
}

/** Called after a new failure is recorded (the checker sends the status). */
export function onHandlerFailure(f: () => void): void {
  onFailure = f;
}

/** The failures so far, for the status item (oldest first, at most 10). */
export function handlerFailures(): string[] {
  return [...failures.values()].slice(0, 10);
}

/** Records a failure: one message in the output channel and in the status, once per `what` and message. */
export function reportFailure(what: string, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  const key = `${what}\u0000${message}`;
  if (failures.has(key)) return;
  if (failures.size < 100) failures.set(key, `${what} failed: ${message}`);
  connection.console.error(`dbos-lint: ${what} failed (reported once; the server goes on): ${e instanceof Error ? (e.stack ?? message) : message}`);
  onFailure();
}

/** A request handler: -32002 before initialize; a failure becomes a reported ResponseError. */
export function request<P, R>(method: string, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
  return async (params: P) => {
    if (!initialized) throw new ResponseError(SERVER_NOT_INITIALIZED, `dbos-lint: ${method} before initialize`);
    try {
      return await handler(params);
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      reportFailure(method, e);
      throw new ResponseError(-32603, `dbos-lint: ${method} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

/** A notification (or event) handler: ignored before initialize; a failure is reported, never thrown. */
export function notification<P>(method: string, handler: (params: P) => void | Promise<void>): (params: P) => void {
  return (params: P) => {
    if (!initialized) return;
    try {
      const r = handler(params);
      if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e: unknown) => reportFailure(method, e));
    } catch (e) {
      reportFailure(method, e);
    }
  };
}

/** Last resort: whatever escapes a handler is reported instead of ending the process. */
export function guardProcess(): void {
  process.on('unhandledRejection', (e) => reportFailure('a background task', e));
  process.on('uncaughtException', (e) => reportFailure('a background task', e));
}
