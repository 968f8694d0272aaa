// Ends a language-server session of the tests without ever waiting forever: a server that is busy,
// gone, or whose pipe is closed must not keep the test process alive (an unbounded wait on the
// `exit` notification once hung a CI run after every test had passed).
import type { ChildProcess } from 'node:child_process';
import type { MessageConnection } from 'vscode-jsonrpc/node';

/** `p` settled or `ms` passed, whichever comes first; never rejects. */
function bounded(p: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
}

export async function stopServer(conn: MessageConnection | undefined, proc: ChildProcess | undefined): Promise<void> {
  if (conn) {
    try {
      await bounded(conn.sendRequest('shutdown'), 5000);
      await bounded(conn.sendNotification('exit'), 1000);
    } catch {
      /* already gone */
    }
    conn.dispose();
  }
  proc?.kill();
  proc?.stdin?.destroy();
  proc?.stdout?.destroy();
}
