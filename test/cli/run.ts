// Running the CLI as a user does (the bundled dist/cli.js in a child process) on temporary workspaces.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repo = process.env.DBOS_LINT_ROOT ?? process.cwd();
export const cli = path.join(repo, 'dist', 'cli.js');

export interface Run {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], cwd: string, options: { env?: Record<string, string>; input?: string; uid?: number; gid?: number } = {}): Run {
  const spawnOptions: SpawnSyncOptions = {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    input: options.input,
    uid: options.uid,
    gid: options.gid,
    maxBuffer: 64 * 1024 * 1024,
  };
  const r = spawnSync(process.execPath, [cli, ...args], spawnOptions);
  return { code: r.status ?? -1, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbos-lint-cli-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** A workflow with a non-deterministic call (DBOS201, a warning). */
export const NONDET = ['import random', 'from dbos import DBOS', '', '@DBOS.workflow()', 'def pick(items):', '    return random.choice(items)', ''].join('\n');

/** A step with nothing to report. */
export const CLEAN = ['from dbos import DBOS', '', '@DBOS.step()', 'def ok():', '    return 1', ''].join('\n');
