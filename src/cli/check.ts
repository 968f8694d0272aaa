// Checks a list of files: read, (fix), analyse. Runs in the main thread or in worker threads.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import { analyze, initParser, type FileLimitNotice } from '../engine/index';
import { ProjectSettings } from '../engine/settings';
import { fixAll } from '../engine/fixes/fix-all';
import type { UserConfig } from '../engine/config';
import type { Finding } from '../engine/types';
import { WorkspaceIndex, type RegistryEntry } from '../engine/project/index';

export interface CheckOptions {
  cliLayer: UserConfig;
  fix: boolean;
  unsafeFixes: boolean;
  /** Workspace roots for the project index (cross-file chains); see `workspaceRoots`. */
  roots: string[];
  /** Every Python file under the roots, absolute, when the walk of the command line covered them all (see `rootsListing`). */
  rootFiles?: string[];
}

/**
 * The roots of the project index for the paths given on the command line: for each, the nearest
 * folder at or above it holding a pyproject.toml, else the folder itself (a file's folder).
 */
export function workspaceRoots(paths: string[]): string[] {
  const roots = new Set<string>();
  for (const p of paths) {
    const abs = path.resolve(p);
    let start = abs;
    try {
      if (!fs.statSync(abs).isDirectory()) start = path.dirname(abs);
    } catch {
      continue;
    }
    let root = start;
    for (let dir = start; ; ) {
      if (fs.existsSync(path.join(dir, 'pyproject.toml'))) {
        root = dir;
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    roots.add(root);
  }
  return [...roots].sort();
}

/** Whether a path names a folder (false when it is missing or unreadable). */
export function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The files of the command line's walk, absolute, when that walk listed everything under the roots
 * (every root is a folder given on the command line or inside one, and .gitignore files were
 * honoured like the registry's own walk does): the registry then needs no walk of its own.
 */
export function rootsListing(paths: string[], roots: string[], files: string[], respectGitignore: boolean): string[] | undefined {
  if (!respectGitignore) return undefined;
  // a missing path covers nothing
  const dirs = paths.filter(isFolder).map((p) => path.resolve(p));
  const covered = roots.every((r) => dirs.some((d) => r === d || r.startsWith(d + path.sep)));
  return covered ? files.map((f) => path.resolve(f)) : undefined;
}

/** What checking one file gave: findings, messages for stderr, fixes applied. */
export interface FileOutcome {
  file: string;
  findings: Finding[];
  /** Lines for stderr, without the `dbos-lint: ` prefix. */
  messages: string[];
  /** Configuration errors (reported once per run, whatever the number of files). */
  configErrors: string[];
  /** Warnings about the project's settings files (reported once per run): a pin file that cannot be read. */
  settingsNotes: string[];
  /**
   * Set when the file was skipped (over the size limit, or out of time before its rules) or only
   * partly checked (out of time during its rules): what to tell the user once (`limit.message`).
   */
  limit?: FileLimitNotice;
  internalError: boolean;
  fixed: number;
}

export function readSource(file: string): { text?: string; error?: string } {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { error: `cannot read file (${err.code ?? err.message})` };
  }
  if (buf.includes(0)) return { error: 'skipped: binary file' };
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    return { error: 'skipped: not valid UTF-8' };
  }
}

/**
 * Pools the registrations one thread read with those of the others and returns theirs (the threads
 * of `checkInParallel`); absent in a run on one thread.
 */
export type RegistryExchange = (mine: RegistryEntry[]) => Promise<RegistryEntry[]>;

/**
 * Checks files one after the other in this thread. Without fixes, in two passes: every file, with
 * the workspace registry deferred (its registrations come from the models the analysis builds, so no
 * file is parsed for it), then again the few files whose rules compared names with the registry
 * (DBOS406, DBOS806, DBOS905), against the complete registry. With `exchange`, the threads of a
 * parallel run pool their registrations between the passes.
 */
export async function checkFiles(files: string[], options: CheckOptions, exchange?: RegistryExchange): Promise<FileOutcome[]> {
  await initParser();
  const settings = new ProjectSettings([options.cliLayer]);
  // a fix must never be chosen against an incomplete registry: with --fix the registry is built when first asked
  const defer = !options.fix;
  // one index per thread: summaries depend only on file contents, so every thread sees the same chains
  const index = new WorkspaceIndex({ roots: options.roots, batch: true, files: options.rootFiles, deferRegistry: defer });
  try {
    let outcomes = files.map((file) => checkOne(file, settings, options, index));
    if (defer) {
      if (exchange) index.preloadRegistry(await exchange(index.registrySnapshot()));
      const again = new Set(index.endDeferral());
      if (again.size > 0) outcomes = outcomes.map((o) => (again.has(path.resolve(o.file)) ? checkOne(o.file, settings, options, index) : o));
    }
    return outcomes;
  } finally {
    index.dispose();
  }
}

function checkOne(file: string, settings: ProjectSettings, options: CheckOptions, index: WorkspaceIndex): FileOutcome {
  const startedAt = performance.now();
  const out: FileOutcome = { file, findings: [], messages: [], configErrors: [], settingsNotes: [], internalError: false, fixed: 0 };
  const src = readSource(file);
  if (src.error !== undefined || src.text === undefined) {
    out.messages.push(`${file}: ${src.error}`);
    return out;
  }
  const fileSettings = settings.forFile(file);
  if (fileSettings.errors.length > 0) {
    out.configErrors.push(...fileSettings.errors);
    out.internalError = true;
  }
  out.settingsNotes = fileSettings.notes;
  // one budget for the whole file: its read, the fix passes and the analysis
  const opts = { path: file, config: fileSettings.config, version: fileSettings.version, index, startedAt };
  let text = src.text;
  try {
    if (options.fix) {
      const r = fixAll(text, (t) => analyze(t, opts).findings, options.unsafeFixes);
      if (r.fixed > 0 && r.text !== text) {
        fs.writeFileSync(file, r.text);
        text = r.text;
        out.fixed = r.fixed;
      }
    }
    const result = analyze(text, opts);
    if (result.skipped === 'no-dbos') index.noteUnanalysed(file, text);
    for (const f of result.ruleFailures) {
      out.messages.push(`internal error in ${f.code} on ${file} (other rules still ran):\n${f.message}`);
      out.internalError = true;
    }
    out.findings = result.findings;
    if (result.limit) {
      out.limit = result.limit;
      out.messages.push(`${file}: ${result.limit.message}`);
    }
  } catch (e) {
    out.messages.push(`${file}: internal error: ${(e as Error).stack ?? e}`);
    out.internalError = true;
  }
  return out;
}

/**
 * Files per thread at least, unless the number of threads is set: each worker thread loads its own
 * checker and parser and warms up its own JIT (about half a second of CPU on a 2,000-file run), which
 * a share smaller than this does not repay.
 */
export const MIN_FILES_PER_WORKER = 150;

/** Messages between `checkInParallel` and its worker threads. */
export type WorkerMessage =
  | { kind: 'registrations'; entries: RegistryEntry[] }
  | { kind: 'done'; outcomes: FileOutcome[] };

/** The cores this process may use. */
export function coreCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Worker threads for `checkInParallel`, up to `limit` of them. A few start before the command line's
 * paths are walked, so that they load the checker and the parser while this thread lists the files;
 * `take` starts the others it is asked for, and `close` ends those not taken.
 */
export class WorkerPool {
  private readonly idle: Worker[];

  constructor(
    private readonly script: string,
    readonly limit: number,
    /** Files per thread at least (MIN_FILES_PER_WORKER; 1 when the number of threads was set). */
    readonly minShare = MIN_FILES_PER_WORKER,
    early = Math.min(limit, EARLY_WORKERS),
  ) {
    this.idle = Array.from({ length: early }, () => this.start());
  }

  private start(): Worker {
    return new Worker(this.script, { workerData: { dbosLintWorker: true } });
  }

  /** `count` workers (at most `limit`): the early ones first. */
  take(count: number): Worker[] {
    const n = Math.max(0, Math.min(count, this.limit));
    const out = this.idle.splice(0, n);
    while (out.length < n) out.push(this.start());
    return out;
  }

  close(): void {
    for (const w of this.idle.splice(0)) void w.terminate();
  }
}

/** Workers started before the walk (more start after it when a large folder needs them). */
const EARLY_WORKERS = 3;

/**
 * Checks files on all cores: the list is split into interleaved shares, the first checked by this
 * thread and each other by a worker of `pool`. Between their two passes (see `checkFiles`) the
 * threads send the registrations they read, and each gets those of all the others, so that no file
 * is parsed by more than one thread. Results come back in the order of `files`.
 */
export async function checkInParallel(files: string[], options: CheckOptions, pool: WorkerPool): Promise<FileOutcome[]> {
  const count = Math.min(pool.limit + 1, Math.floor(files.length / pool.minShare));
  const workers = pool.take(count - 1);
  // the workers not needed end now, not after the check
  pool.close();
  if (count < 2) return checkFiles(files, options);
  const shares: string[][] = Array.from({ length: count }, () => []);
  files.forEach((f, i) => shares[i % count].push(f));
  // the pool of registrations: complete when every thread, this one included, has sent its own
  const pooled: RegistryEntry[] = [];
  let missing = count;
  let complete: (entries: RegistryEntry[]) => void = () => {};
  const whole = new Promise<RegistryEntry[]>((resolve) => (complete = resolve));
  const add = (entries: RegistryEntry[]): void => {
    pooled.push(...entries);
    if (--missing === 0) {
      for (const w of workers) w.postMessage(pooled);
      complete(pooled);
    }
  };
  try {
    const outcomes = workers.map(
      (w, i) =>
        new Promise<FileOutcome[]>((resolve, reject) => {
          w.on('message', (m: WorkerMessage) => (m.kind === 'done' ? resolve(m.outcomes) : add(m.entries)));
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with code ${code}`));
          });
          w.postMessage({ files: shares[i + 1], options } satisfies WorkerShare);
        }),
    );
    const parts = await Promise.all([
      checkFiles(shares[0], options, (mine) => {
        add(mine);
        return whole;
      }),
      ...outcomes,
    ]);
    const byFile = new Map<string, FileOutcome>();
    for (const p of parts) for (const o of p) byFile.set(o.file, o);
    return files.map((f) => byFile.get(f)!);
  } finally {
    // a failed worker must not leave the others waiting for the pool forever
    for (const w of workers) void w.terminate();
  }
}

/** What a worker of `checkInParallel` is given to check. */
export interface WorkerShare {
  files: string[];
  options: CheckOptions;
}

/**
 * The body of a worker thread of `checkInParallel`: loads the parser at once, checks the share it is
 * sent, and sends the outcomes back.
 */
export function runWorker(port: MessagePort): void {
  void initParser();
  port.once('message', ({ files, options }: WorkerShare) => {
    const exchange: RegistryExchange = (entries) =>
      new Promise((resolve) => {
        port.once('message', (pooled: RegistryEntry[]) => resolve(pooled));
        port.postMessage({ kind: 'registrations', entries } satisfies WorkerMessage);
      });
    checkFiles(files, options, exchange).then((outcomes) => port.postMessage({ kind: 'done', outcomes } satisfies WorkerMessage));
  });
}
