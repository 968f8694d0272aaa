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
import { unifiedDiff } from './diff';
import type { RunProblem } from './formats/report';

export interface CheckOptions {
  cliLayer: UserConfig;
  fix: boolean;
  unsafeFixes: boolean;
  /** Compute what `fix` would change as a unified diff instead of writing it (`--diff`). */
  diff?: boolean;
  /** Keep the analysed text of files with findings in their outcome (formats that show source lines). */
  keepSource?: boolean;
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

/** What checking one file gave: findings, messages for stderr, problems, fixes applied. */
export interface FileOutcome {
  file: string;
  findings: Finding[];
  /** Notes for stderr (a skipped binary file), without the `dbos-lint: ` prefix; they do not fail the run. */
  messages: string[];
  /** What kept the file from being checked in full: reported in every format, and the run exits 2. */
  problems: RunProblem[];
  /** Warnings about the project's settings files (reported once per run): a pin file that cannot be read. */
  settingsNotes: string[];
  /**
   * Set when the file was skipped (over the size limit, or out of time before its rules) or only
   * partly checked (out of time during its rules): what to tell the user once (`limit.message`).
   */
  limit?: FileLimitNotice;
  fixed: number;
  /** The analysed text (after fixes), with `keepSource`, when there are findings. */
  source?: string;
  /** With `diff`: what the fixes would change, as a unified diff (absent when nothing). */
  diff?: string;
}

/** Why a file could not be read, in words, from the system's error code. */
const READ_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOENT: 'no such file (removed during the run, or a dangling symbolic link)',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
};

/** `bom`: the file starts with a UTF-8 byte order mark, which `text` leaves out and a fix writes back. */
export type SourceRead = { text: string; bom: boolean } | { unreadable: string } | { skipped: string };

/** A Python file's text (UTF-8, without a byte order mark), or why it cannot be checked. */
export function readSource(file: string): SourceRead {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = (err.code && READ_ERRORS[err.code]) ?? err.code ?? err.message;
    return { unreadable: `cannot read the file: ${why}${err.code && READ_ERRORS[err.code] ? ` (${err.code})` : ''}` };
  }
  return decodeSource(buf);
}

/** Bytes as Python source: UTF-8 without NUL bytes, the byte order mark dropped. */
export function decodeSource(buf: Buffer): SourceRead {
  if (buf.includes(0)) return { skipped: 'skipped: binary file' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    const bom = text.charCodeAt(0) === 0xfeff;
    return { text: bom ? text.slice(1) : text, bom };
  } catch {
    return { skipped: 'skipped: not valid UTF-8' };
  }
}

/**
 * What `checkFiles` reports as files complete: a file's final outcome, or that its outcome waits for
 * the workspace registry (it comes at the end of the run, after the registry is complete).
 */
export type CheckEvent = { file: string; outcome: FileOutcome } | { file: string; deferred: true };

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
export async function checkFiles(
  files: string[],
  options: CheckOptions,
  exchange?: RegistryExchange,
  onEvent?: (e: CheckEvent) => void,
): Promise<FileOutcome[]> {
  await initParser();
  const settings = new ProjectSettings([options.cliLayer]);
  // a fix must never be chosen against an incomplete registry: with --fix (or --diff) the registry is built when first asked
  const defer = !options.fix && !options.diff;
  // one index per thread: summaries depend only on file contents, so every thread sees the same chains
  const index = new WorkspaceIndex({ roots: options.roots, batch: true, files: options.rootFiles, deferRegistry: defer });
  try {
    let outcomes: FileOutcome[] = [];
    let lastYield = performance.now();
    for (const file of files) {
      const o = checkOne(file, settings, options, index);
      outcomes.push(o);
      if (!onEvent) continue;
      onEvent(index.askedDeferredRegistry(file) ? { file, deferred: true } : { file, outcome: o });
      // let the messages of other threads in (their findings are printed as they come)
      if (performance.now() - lastYield > 50) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
    if (defer) {
      if (exchange) index.preloadRegistry(await exchange(index.registrySnapshot()));
      const again = new Set(index.endDeferral());
      if (again.size > 0) {
        outcomes = outcomes.map((o) => {
          if (!again.has(path.resolve(o.file))) return o;
          const redone = checkOne(o.file, settings, options, index);
          onEvent?.({ file: o.file, outcome: redone });
          return redone;
        });
      }
    }
    return outcomes;
  } finally {
    index.dispose();
  }
}

/**
 * Checks text that is not read from disk (standard input) as the file `file`, in this thread: the
 * project index sees this text in place of the file's, and the registry is complete from the start.
 */
export async function checkText(file: string, text: string, options: CheckOptions): Promise<FileOutcome> {
  await initParser();
  const settings = new ProjectSettings([options.cliLayer]);
  const index = new WorkspaceIndex({ roots: options.roots, batch: true });
  try {
    index.setText(file, text);
    return checkOne(file, settings, { ...options, fix: false }, index, text, options.fix);
  } finally {
    index.dispose();
  }
}

/**
 * Reads (unless `given`), fixes or diffs, and analyses one file. With `fixInMemory` (standard input),
 * fixes are applied to the text only: the outcome's `source` is the fixed text, nothing is written.
 */
function checkOne(file: string, settings: ProjectSettings, options: CheckOptions, index: WorkspaceIndex, given?: string, fixInMemory = false): FileOutcome {
  const startedAt = performance.now();
  const out: FileOutcome = { file, findings: [], messages: [], problems: [], settingsNotes: [], fixed: 0 };
  let text: string;
  let bom = false;
  if (given !== undefined) text = given;
  else {
    const src = readSource(file);
    if ('unreadable' in src) {
      out.problems.push({ kind: 'read-error', file, message: src.unreadable });
      return out;
    }
    if ('skipped' in src) {
      out.messages.push(`${file}: ${src.skipped}`);
      return out;
    }
    text = src.text;
    bom = src.bom;
  }
  const fileSettings = settings.forFile(file);
  for (const message of fileSettings.errors) out.problems.push({ kind: 'config-error', message });
  out.settingsNotes = fileSettings.notes;
  // one budget for the whole file: its read, the fix passes and the analysis
  const opts = { path: file, config: fileSettings.config, version: fileSettings.version, index, startedAt };
  try {
    if (options.fix || options.diff || fixInMemory) {
      const r = fixAll(text, (t) => analyze(t, opts).findings, options.unsafeFixes);
      if (r.fixed > 0 && r.text !== text) {
        out.fixed = r.fixed;
        if (options.diff) out.diff = unifiedDiff(file, text, r.text);
        else {
          if (!fixInMemory) fs.writeFileSync(file, bom ? '\ufeff' + r.text : r.text);
          text = r.text;
        }
      }
    }
    const result = analyze(text, opts);
    if (result.skipped === 'no-dbos') index.noteUnanalysed(file, text);
    for (const f of result.ruleFailures) {
      out.problems.push({ kind: 'internal-error', file, message: `internal error in ${f.code} (the other rules still ran)`, detail: f.message });
    }
    out.findings = result.findings;
    if (result.limit) {
      out.limit = result.limit;
      out.messages.push(`${file}: ${result.limit.message}`);
    }
  } catch (e) {
    out.problems.push({ kind: 'internal-error', file, message: 'internal error: the file could not be checked', detail: String((e as Error).stack ?? e) });
  }
  if (fixInMemory || (options.keepSource && out.findings.length > 0)) out.source = text;
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
  | { kind: 'event'; event: CheckEvent }
  | { kind: 'done' };

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
export async function checkInParallel(files: string[], options: CheckOptions, pool: WorkerPool, onEvent?: (e: CheckEvent) => void): Promise<FileOutcome[]> {
  const count = Math.min(pool.limit + 1, Math.floor(files.length / pool.minShare));
  const workers = pool.take(count - 1);
  // the workers not needed end now, not after the check
  pool.close();
  if (count < 2) return checkFiles(files, options, undefined, onEvent);
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
  const byFile = new Map<string, FileOutcome>();
  const note = (e: CheckEvent): void => {
    if ('outcome' in e) byFile.set(e.file, e.outcome);
    onEvent?.(e);
  };
  try {
    const finished = workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          w.on('message', (m: WorkerMessage) => {
            if (m.kind === 'done') resolve();
            else if (m.kind === 'event') note(m.event);
            else add(m.entries);
          });
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with code ${code}`));
          });
          w.postMessage({ files: shares[i + 1], options } satisfies WorkerShare);
        }),
    );
    await Promise.all([
      checkFiles(
        shares[0],
        options,
        (mine) => {
          add(mine);
          return whole;
        },
        note,
      ),
      ...finished,
    ]);
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
 * sent, and sends each outcome back as its file completes.
 */
export function runWorker(port: MessagePort): void {
  void initParser();
  port.once('message', ({ files, options }: WorkerShare) => {
    const exchange: RegistryExchange = (entries) =>
      new Promise((resolve) => {
        port.once('message', (pooled: RegistryEntry[]) => resolve(pooled));
        port.postMessage({ kind: 'registrations', entries } satisfies WorkerMessage);
      });
    const send = (event: CheckEvent): void => port.postMessage({ kind: 'event', event } satisfies WorkerMessage);
    checkFiles(files, options, exchange, send).then(() => port.postMessage({ kind: 'done' } satisfies WorkerMessage));
  });
}
