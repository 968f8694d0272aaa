// The "DBOS Lint" output channel (the name the README gives), guarded: once the extension shuts
// down (window reload, deactivation) late messages are dropped instead of throwing VS Code's
// "Channel has been closed" inside the language client's providers. It also keeps the last lines
// written, which the e2e tests read through the extension's API.
import * as vscode from 'vscode';

export const OUTPUT_CHANNEL_NAME = 'DBOS Lint';
const KEPT_LINES = 2000;

export class Log implements vscode.OutputChannel {
  readonly name = OUTPUT_CHANNEL_NAME;
  private channel: vscode.OutputChannel | undefined = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  private readonly kept: string[] = [];
  private partial = '';

  /** The lines written so far (the last 2,000), without the one still open. */
  get lines(): readonly string[] {
    return this.kept;
  }

  /** A line with a timestamp, as the language client writes its own. */
  info(message: string): void {
    this.appendLine(`[Info  - ${new Date().toLocaleTimeString()}] ${message}`);
  }

  append(value: string): void {
    this.keep(value);
    this.write((c) => c.append(value));
  }

  appendLine(value: string): void {
    this.keep(value + '\n');
    this.write((c) => c.appendLine(value));
  }

  replace(value: string): void {
    this.kept.length = 0;
    this.partial = '';
    this.keep(value);
    this.write((c) => c.replace(value));
  }

  clear(): void {
    this.kept.length = 0;
    this.partial = '';
    this.write((c) => c.clear());
  }

  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    this.write((c) => (typeof columnOrPreserveFocus === 'boolean' ? c.show(columnOrPreserveFocus) : c.show(columnOrPreserveFocus, preserveFocus)));
  }

  hide(): void {
    this.write((c) => c.hide());
  }

  /** Closes the channel; later writes are dropped. */
  dispose(): void {
    const c = this.channel;
    this.channel = undefined;
    c?.dispose();
  }

  private write(f: (c: vscode.OutputChannel) => void): void {
    if (!this.channel) return;
    try {
      f(this.channel);
    } catch {
      this.channel = undefined; // closed under us (the extension host is shutting down)
    }
  }

  private keep(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    this.kept.push(...parts);
    if (this.kept.length > KEPT_LINES) this.kept.splice(0, this.kept.length - KEPT_LINES);
  }
}
