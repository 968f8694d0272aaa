// vscode-languageclient, bundled on its own (dist/languageclient.js): the extension requires it only
// when it starts the server, after activation, so activating reads and compiles ~15 KB instead of
// ~370 KB (scripts/build.mjs).
import { LanguageClient } from 'vscode-languageclient/node';

export * from 'vscode-languageclient/node';

/**
 * The language client, with one change: the server process exiting with code 0 is how it ends
 * when asked to (Restart, a window reload, VS Code closing), and is logged as information, not as
 * the error `Server process exited with code 0` that vscode-languageclient writes for any exit.
 */
export class DbosLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    if (/^Server process exited with code 0\.?$/.test(message)) {
      this.info('The language server process ended normally (exit code 0).', undefined, false);
      return;
    }
    super.error(message, data, showNotification);
  }
}
