// The language server's analysis thread: the engine, the project settings, the project indexes and
// the trees of open documents live here, so that the main thread, which speaks LSP, answers any
// request at once whatever is being analysed. It runs one task at a time, in the order the main
// thread sends them; a check can be abandoned midway when the main thread raises the cancel flag
// (a newer edit of the same document, or an open document waiting behind a background check).
// Nothing here imports the LSP connection: this module is loaded in a worker thread.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { analyze, initParser, mayHoldDbosCode, type AnalysisResult } from '../engine/index';
import { EDITOR_FILE_TIME_BUDGET_MS } from '../engine/budget';
import { ProjectSettings } from '../engine/settings';
import { WorkspaceIndex } from '../engine/project/index';
import { walk } from '../engine/project/walk';
import { fixAll } from '../engine/fixes/fix-all';
import { ignoreFileFix, ignoreFix } from '../engine/fixes/common';
import { sameSignature, signature, type Signature } from '../engine/facts/summary';
import type { Fix } from '../engine/types';
import type { ModuleModel } from '../engine/model/module';
import type { UserConfig } from '../engine/config';
import { TreeCache } from './incremental';
import { HeapReducer, limitHeapGrowth } from './heap';
import { installTestHooks } from '../engine/test-hooks';
import { filePath, uriToPath } from './uris';
import type { CheckOutcome, FolderConfig, FromWorker, Task, TaskResult, ToWorker } from './worker-protocol';

interface Folder {
  uri: string;
  path: string | null;
  /** The folder's real path (symbolic links resolved), for the check that fixes stay inside it. */
  realPath: string | null;
  project: ProjectSettings;
  index: WorkspaceIndex | null;
}

/** The engine state of the analysis thread. */
export class Analysis {
  private folders: Folder[] = [];
  private readonly loose = new ProjectSettings();
  readonly trees = new TreeCache();
  /** The signature of the summary each open document's dependents were last checked against. */
  private readonly announced = new Map<string, Signature | null>();

  /** The project indexes' summaries stop holding their files' texts (at idle: `HeapReducer`). */
  detachStrings(): void {
    for (const f of this.folders) f.index?.detachStrings();
  }

  configure(folders: FolderConfig[], global: UserConfig | null): void {
    const old = new Map(this.folders.map((f) => [f.uri, f]));
    this.folders = folders.map((c) => {
      // a folder kept keeps its index (summaries of every module are costly to rebuild)
      const f = old.get(c.uri) ?? {
        uri: c.uri,
        path: c.path,
        realPath: c.path === null ? null : realPath(c.path),
        project: new ProjectSettings(),
        index: c.path === null ? null : newIndex(c.path),
      };
      old.delete(c.uri);
      // per-file-ignores globs in the settings are relative to the workspace folder
      f.project.setOverrides(c.layer ? [{ ...c.layer, base: c.path ?? undefined }] : []);
      return f;
    });
    for (const gone of old.values()) gone.index?.dispose();
    this.loose.setOverrides(global ? [global] : []);
    this.invalidate();
  }

  /** pyproject.toml or a pin file changed. */
  invalidate(): void {
    this.loose.invalidate();
    for (const f of this.folders) {
      f.project.invalidate();
      // the local packages it installs changed: imports resolve elsewhere, so every summary may
      if (f.index?.importRootsChanged()) {
        f.index.dispose();
        f.index = newIndex(f.path!);
      }
    }
  }

  private folderOf(uri: string): Folder | undefined {
    const p = filePath(uri);
    if (p === null) return undefined;
    let best: Folder | undefined;
    for (const f of this.folders) {
      if (f.path !== null && (p === f.path || p.startsWith(f.path.endsWith(path.sep) ? f.path : f.path + path.sep)) && (!best || f.path!.length > best.path!.length)) best = f;
    }
    return best;
  }

  run(task: Task, cancelled: () => boolean): TaskResult {
    switch (task.kind) {
      case 'check':
        return { kind: 'checked', id: task.id, outcome: task.mode === 'open' ? this.checkOpen(task.uri, task.text, task.version, cancelled) : this.checkDisk(task.uri, cancelled) };
      case 'close':
        return { kind: 'closed', id: task.id, dependents: this.close(task.uri) };
      case 'diskChanged':
        return { kind: 'closed', id: task.id, dependents: this.forgetBuffer(task.uri) };
      case 'fixAll': {
        const r = this.fixAll(task.uri, task.text);
        return { kind: 'fixed', id: task.id, text: r.text, fixed: r.fixed };
      }
      case 'list': {
        const w = walk(task.roots);
        return { kind: 'listed', id: task.id, files: w.files.filter((f) => f.endsWith('.py') || f.endsWith('.pyi')).map((f) => path.resolve(f)), notes: w.notes };
      }
      case 'stats':
        return {
          kind: 'stats',
          id: task.id,
          stats: {
            trees: this.trees.size,
            parses: { ...this.trees.stats },
            index: this.folders.reduce(
              (a, f) => {
                const x = f.index?.stats() ?? { summaries: 0, parses: 0, functions: 0 };
                return { summaries: a.summaries + x.summaries, parses: a.parses + x.parses, functions: a.functions + x.functions };
              },
              { summaries: 0, parses: 0, functions: 0 },
            ),
            heap: (({ heapTotal, heapUsed, external, arrayBuffers }) => ({ heapTotal, heapUsed, external, arrayBuffers }))(process.memoryUsage()),
            collections: { idle: 0, afterEdits: 0, afterEditsMs: 0 },
          },
        };
    }
  }

  private options(uri: string, folder: Folder | undefined, cancelled: () => boolean) {
    const p = filePath(uri);
    const fileSettings = (folder?.project ?? this.loose).forFile(uriToPath(uri));
    const budgetMs = fileSettings.config.fileTimeBudgetMs ?? EDITOR_FILE_TIME_BUDGET_MS;
    return {
      path: uriToPath(uri),
      config: fileSettings.config,
      version: fileSettings.version,
      index: p !== null && folder?.index ? folder.index : undefined,
      budgetMs,
      cancelled,
    };
  }

  private outcome(uri: string, mode: 'open' | 'disk', r: AnalysisResult, started: number, budgetMs: number, dependents: string[] = []): CheckOutcome {
    return {
      uri,
      mode,
      cancelled: r.cancelled || undefined,
      skipped: !!r.skipped && r.skipped !== 'too-large' && r.skipped !== 'over-budget',
      findings: r.findings,
      ms: performance.now() - started,
      budgetMs,
      limit: r.limit,
      ruleFailures: r.ruleFailures,
      dependents,
    };
  }

  /** An open document: incremental parse, its buffer given to the index, its dependents when its summary changed. */
  checkOpen(uri: string, text: string, version: number, cancelled: () => boolean): CheckOutcome {
    const started = performance.now();
    const folder = this.folderOf(uri);
    const opts = this.options(uri, folder, cancelled);
    const file = filePath(uri);
    const index = opts.index;
    let dependents: string[] = [];
    let result: AnalysisResult;
    // the "ignore on this line" fix of each finding, computed while the model is at hand
    let ignores: (Fix | null)[] = [];
    const ignoresInFile: Record<string, Fix | null> = {};
    const keepIgnores = (model: ModuleModel, r: AnalysisResult) => {
      ignores = r.findings.map((f) => ignoreFix(model, f.code, f.range.start.line));
      for (const f of r.findings) if (!(f.code in ignoresInFile)) ignoresInFile[f.code] = ignoreFileFix(model, f.code);
    };
    if (index && file !== null && analysed(text, index, file)) {
      // The analysis gives the index this file's summary from its own model (no second parse); the
      // buffer is then registered with the same text, which costs only a hash. Changed or not is
      // judged against the summary its dependents last saw.
      const seen = this.announced.has(uri) ? this.announced.get(uri)! : sigOf(index.summaryOf(file));
      result = this.trees.analyze(uri, text, { ...opts, startedAt: started }, (model, r) => {
        keepIgnores(model, r);
        // the registry takes this text's registrations from this model rather than parsing it again in setText
        if (!r.cancelled) index.noteRegistrations(file, model);
      });
      if (!result.cancelled) {
        // true when its workflow or queue names changed: the files that compared names with them are re-checked
        const registrations = index.setText(file, text);
        if (result.limit?.checked === 'none') index.noteUnmodelled(file, text);
        const now = sigOf(index.summaryOf(file));
        this.announced.set(uri, now);
        if (!sameSignature(now, seen) || registrations) dependents = index.dependents(file);
      }
    } else {
      this.announced.delete(uri);
      // Not analysed (no DBOS in it, a plain helper): the index summarises it if another file reads it.
      if (index && file !== null && index.setText(file, text)) dependents = index.dependents(file);
      result = this.trees.analyze(uri, text, { ...opts, startedAt: started }, keepIgnores);
    }
    const out = this.outcome(uri, 'open', result, started, opts.budgetMs, dependents);
    out.version = version;
    out.ignoreFixes = ignores;
    out.ignoreFileFixes = ignoresInFile;
    if (folder?.realPath) this.keepInside(out, folder.realPath);
    return out;
  }

  /** Drops the fixes that would write to a file whose real path is outside the workspace folder (a symbolic link out of it). */
  private keepInside(out: CheckOutcome, root: string): void {
    const dropped: string[] = [];
    for (const f of out.findings) {
      if (!f.fixes.some((x) => x.edits.some((e) => e.file))) continue;
      f.fixes = f.fixes.filter((fix) => {
        const ok = fix.edits.every((e) => !e.file || inside(realPath(e.file), root));
        if (!ok) dropped.push(fix.title);
        return ok;
      });
    }
    if (dropped.length) out.droppedFixes = dropped;
  }

  /** A workspace file on disk (not open): no fixes kept (they are offered once the file is opened). */
  checkDisk(uri: string, cancelled: () => boolean): CheckOutcome {
    const started = performance.now();
    const file = filePath(uri);
    const folder = this.folderOf(uri);
    const opts = this.options(uri, folder, cancelled);
    let text: string | null = null;
    try {
      if (file !== null && fs.statSync(file).isFile()) text = fs.readFileSync(file, 'utf8');
    } catch {
      text = null;
    }
    if (text === null) return { ...this.outcome(uri, 'disk', { findings: [], ruleFailures: [], syntaxErrors: 0 }, started, opts.budgetMs), skipped: true, gone: true };
    const r = analyze(text, { ...opts, startedAt: started });
    const out = this.outcome(uri, 'disk', r, started, opts.budgetMs);
    out.findings = out.findings.map((f) => (f.fixes.length ? { ...f, fixes: [] } : f));
    return out;
  }

  /** An open document closed: its tree freed, the index back to the disk's text; the files to check again. */
  close(uri: string): string[] {
    this.trees.forget(uri);
    this.announced.delete(uri);
    return this.forgetBuffer(uri);
  }

  /** The index reads this file from disk again; the files whose findings read it, when its summary changed. */
  forgetBuffer(uri: string): string[] {
    const file = filePath(uri);
    const index = this.folderOf(uri)?.index;
    if (!index || file === null) return [];
    return index.forget(file) ? index.dependents(file) : [];
  }

  fixAll(uri: string, text: string): { text: string; fixed: number } {
    const folder = this.folderOf(uri);
    const opts = this.options(uri, folder, () => false);
    const started = performance.now();
    return fixAll(text, (t) => analyze(t, { ...opts, index: undefined, startedAt: started }).findings, false);
  }
}

function sigOf(summary: ReturnType<WorkspaceIndex['summaryOf']>): Signature | null {
  return summary ? signature(summary) : null;
}

/** Whether `analyze` parses this text (its own pre-checks), so the index gets its model. */
function analysed(text: string, index: WorkspaceIndex, file: string): boolean {
  return !text.includes('\u0000') && mayHoldDbosCode(text, index, file);
}

/** The project index of a workspace folder. */
function newIndex(folder: string): WorkspaceIndex {
  return new WorkspaceIndex({ roots: [folder], budgetMs: EDITOR_FILE_TIME_BUDGET_MS });
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function inside(file: string, root: string): boolean {
  return file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

const WARM_UP = [
  'import random',
  'from dbos import DBOS',
  '',
  '@DBOS.step()',
  'def roll(n: int) -> int:',
  '    return random.randint(1, n)',
  '',
  '@DBOS.workflow()',
  'def game(n: int) -> int:',
  '    DBOS.logger.info("start")',
  '    return roll(n) + random.random()',
  '',
].join('\n');

/**
 * The body of the analysis thread: `flags[0]` holds the id of the task to abandon (set by the main
 * thread with Atomics), checked by the engine during the parse and between rules.
 */
export function runAnalysisThread(port: MessagePort, flags: Int32Array): void {
  const send = (m: FromWorker) => port.postMessage(m);
  limitHeapGrowth();
  const analysis = new Analysis();
  const hooks = installTestHooks();
  // one small analysis first, so that the first file opened does not pay for compiling the engine
  const ready = initParser().then(() => {
    analyze(WARM_UP, { path: 'warm_up.py' });
  });
  // at idle, before the collection: the index's summaries stop holding their files' texts
  const heap = new HeapReducer(() => {
    analysis.detachStrings();
  });
  port.on('message', (m: ToWorker) => {
    heap.busy();
    void ready.then(() => {
      if (m.kind === 'configure') analysis.configure(m.folders, m.global);
      else if (m.kind === 'invalidate') analysis.invalidate();
      else {
        let result: TaskResult;
        try {
          result = analysis.run(m, () => Atomics.load(flags, 0) === m.id);
        } catch (e) {
          result = { kind: 'failed', id: m.id, message: (e as Error)?.stack ?? String(e) };
        }
        if (result.kind === 'stats') result.stats.collections = { idle: heap.collections, afterEdits: heap.editCollections, afterEditsMs: heap.editCollectMs };
        send(result);
      }
      heap.idle(m.kind === 'check' && m.mode === 'open');
    });
  });
  void ready.then(() => send({ kind: 'ready', hooks }));
}
