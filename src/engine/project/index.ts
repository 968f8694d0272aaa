// The workspace project index: per-file summaries cached by content hash, resolution of qualified
// names to functions of other modules (`resolution.ts`), and effects followed through plain helpers
// across modules (`chains.ts`), with what each result read kept for live updates (`tracking.ts`).
// Lazy: a module is summarised the first time a chain from an analysed file reaches it (parsed once,
// summarised, its tree freed), and again only when its text changes.
import { detachStrings } from '../detach';
import { hashOf } from './hash';
import { INDEXED_FILE_BYTES, WorkspaceFiles } from './files';
import * as path from 'node:path';
import type { Tree } from '../syntax/parser';
import { DEFAULT_FILE_TIME_BUDGET_MS } from '../budget';
import type { ModuleModel } from '../model/module';
import { ModuleParses } from './module-parses';
import { mentionsDbos } from '../text';
import type { ApiCatalog, ApiList } from '../data/catalog';
import { DEFAULT_EFFECT_LISTS, sameSignature, signature, summarize, type EffectLists, type ModuleSummary } from '../facts/summary';
import { importBases, importedModules, moduleFiles, moduleNameOf } from './modules';
import { importRootsOf } from './members';
import { noRegistrations, WorkspaceRegistry, type RegistryEntry, type RegistryKind, type WorkspaceRegistrations } from './registry';
import { calledFunction, handedInto, nearestOf, searchChain, typedFqn, type Chain, type ChainKind } from './chains';
import type { PassedArgs } from '../facts/fallback';
import type { HandedReference } from '../facts/handed-callables';
import { folderKey, listedFoldersOf, ModuleResolver, SUBCLASS_FOLDER_DEPTH, SUBCLASS_FOLDER_FILES, type IndexedFunction } from './resolution';
import { ReadTracker } from './tracking';
import { pathFromRoot, ProjectCallers } from './callers';
import { workspaceFiles } from './walk';
import { isTestFilePath } from '../model/module';
import type { CallTime } from '../model/run-time';
import { lastSegment } from '../model/names';

export type { CallSummary, FunctionSummary, ModuleSummary } from '../facts/summary';
export type { RegisteredName, RegistryEntry, RegistryKind, WorkspaceRegistrations } from './registry';
export type { Chain, ChainKind, ChainLeaf, ChainLink } from './chains';
export type { IndexedFunction } from './resolution';
export { WORKFLOW_ONLY_API } from '../facts/summary';
export { positionIn, rangeIn } from '../facts/positions';

export interface WorkspaceIndexOptions {
  /** Absolute workspace folders. */
  roots: string[];
  /** Default: read from disk; null when missing, unreadable, binary or not UTF-8. */
  readFile?: (absPath: string) => string | null;
  /**
   * A batch run that analyses every file anyway (the CLI), so that no file is parsed twice: the
   * trees the index parses for its own needs (a helper's summary, the registry) are kept for
   * `takeTree` (up to BATCH_HAND_OVER_CHARS characters of source), and the registrations of every
   * analysed file are recorded at once, before a registry exists to ask for them.
   */
  batch?: boolean;
  /**
   * Every Python file under the roots, when the caller has walked them already (the CLI, when the
   * roots lie inside the folders it walked): the registry takes this list instead of walking again.
   */
  files?: readonly string[];
  /**
   * With `batch`: the registry is not built while the files are analysed. A query answers with no
   * registrations and records the file that asked; after the pass, `endDeferral` lists those files
   * so that the caller analyses them again against the complete registry. The registrations come
   * from the models the analysis builds anyway, so that no file is parsed or modelled for the
   * registry, and the threads of a batch run can pool them (`registrySnapshot`, `preloadRegistry`).
   * Not for runs that apply fixes: a fix must not be chosen from an incomplete registry.
   */
  deferRegistry?: boolean;
  /**
   * The time budget (ms) of a module the index reads for its own needs outside any analysis (a
   * summary asked for by the host, the registry): over it, the module has no helpers, like one over
   * the size limit. During an analysis, the analysed file's budget applies (`TimeBox.nested`).
   * Default: DEFAULT_FILE_TIME_BUDGET_MS.
   */
  budgetMs?: number;
}

/** Source characters whose trees a batch index keeps for `takeTree` (about 60 MB of trees). */
const BATCH_HAND_OVER_CHARS = 2_000_000;

interface Entry {
  summary: ModuleSummary | null;
  hash: string | null;
}

const apiIds = new WeakMap<ApiCatalog, number>();
let nextApiId = 1;

/** The kinds the effect rules ask with `all` (DBOS201, DBOS202, DBOS304): their walks always list every leaf. */
const WALKED_WHOLE: ReadonlySet<ChainKind> = new Set<ChainKind>(['nondeterministic', 'nondeterministicTolerated', 'io', 'database']);


export class WorkspaceIndex {
  readonly roots: string[];
  /**
   * Where absolute imports are looked up from, besides a file's own folder and package: the roots and
   * the local packages their pyproject.toml installs (`members.ts`), each with its `src/`.
   */
  private readonly importRoots: string[];
  /** File texts (open buffers over disk) and whether files and folders exist. */
  private readonly files: WorkspaceFiles;
  /** Summaries by absolute path (null summary: the file is missing or unreadable). */
  private readonly entries = new Map<string, Entry>();
  private readonly moduleNames = new Map<string, string>();
  /** What each resolution, chain and analysed file read: what a change invalidates. */
  private readonly tracker = new ReadTracker();
  private readonly resolver: ModuleResolver;
  /** Parses done by the index (for tests and the bench). */
  parses = 0;
  /** Workflow and queue names registered anywhere under the roots; built on first use. */
  private registryCache: WorkspaceRegistry | null = null;
  /** Files whose registrations `noteRegistrations` found changed, until their `setText`. */
  private readonly registrationsChanged = new Set<string>();
  /** The index's own parses, and the trees a batch index keeps for `takeTree`. */
  private readonly parsesOwn: ModuleParses;
  private readonly batch: boolean;
  /** Summaries whose strings are their own (`detachStrings`). */
  private readonly detached = new WeakSet<ModuleSummary>();
  private readonly listedFiles: readonly string[] | undefined;
  /** The lists the summaries' call facts are computed against (defaults, plus what configurations add). */
  private effectLists: EffectLists = DEFAULT_EFFECT_LISTS;
  private readonly catalogsSeen = new WeakSet<ApiCatalog>();
  /** Files whose summary is being built (an import cycle asks for one of them again). */
  private readonly building = new Set<string>();
  /** See `WorkspaceIndexOptions.budgetMs`. */
  private readonly budgetMs: number;
  /** While the registry is deferred: the analysed files that asked it (see `deferRegistry`). */
  private deferred: Set<string> | null;
  /** The callers of functions in other modules (`runTimeElsewhere`); made on the first question. */
  private callersCache: ProjectCallers | null = null;

  constructor(options: WorkspaceIndexOptions) {
    this.roots = options.roots.map((r) => path.resolve(r));
    this.files = new WorkspaceFiles(options.readFile);
    this.importRoots = importRootsOf(this.roots, this.files);
    this.batch = !!options.batch;
    this.budgetMs = options.budgetMs ?? DEFAULT_FILE_TIME_BUDGET_MS;
    this.listedFiles = options.files?.filter((f) => this.roots.some((r) => f.startsWith(r + path.sep)));
    this.parsesOwn = new ModuleParses(options.batch ? BATCH_HAND_OVER_CHARS : 0, this.budgetMs, (abs) => ({
      path: abs,
      testPath: this.relativePath(abs),
      moduleName: this.moduleName(abs),
      externalName: (fqn) => this.resolver.dbosName(abs, fqn, 0),
    }));
    this.deferred = options.batch && options.deferRegistry ? new Set() : null;
    this.resolver = new ModuleResolver(this.importRoots, this.tracker, {
      held: (abs) => this.entries.get(abs)?.summary,
      summaryOf: (abs) => this.summaryOf(abs),
      exists: (abs) => this.exists(abs),
      isDir: (abs) => this.files.isDir(abs),
      subclassCandidates: (file, name) => {
        const dir = path.dirname(file);
        // what a new or changed file of the folder may add: see `refresh` and `dependents`
        this.tracker.touch(folderKey(dir));
        return this.files.pythonFilesUnder(dir, SUBCLASS_FOLDER_DEPTH, SUBCLASS_FOLDER_FILES).filter((f) => f !== file && (this.textOf(f)?.includes(name) ?? false));
      },
    });
  }

  // ------------------------------------------------------------------ the server's contract

  /** The current text of a file (an open editor buffer overrides disk). True when its summary changed. */
  setText(file: string, text: string): boolean {
    const abs = path.resolve(file);
    this.files.override(abs, text);
    // registrations read from the analysis's model just before (noteRegistrations) count as this change's
    const noted = this.registrationsChanged.delete(abs);
    const regs = (this.registryCache?.update(abs) ?? false) || noted;
    // true when an answer of runTimeElsewhere read this file, or this text may now change one
    const calls = this.callersCache?.update(abs, text) ?? false;
    return this.refresh(abs, text) || regs || calls;
  }

  /**
   * The registrations of an open document's new text read from the model its analysis just built,
   * before `setText` with that text: the registry (once queried) would otherwise parse the file
   * again. What it records is what that parse would give: a model of the same text, with the same
   * module name, test path and DBOS names (the registry's own queries read the analysed file's
   * registrations from this model too, `query(..., own)`). The file's registry entry is then current
   * when `setText` comes, which returns whether they changed as before.
   */
  noteRegistrations(file: string, model: ModuleModel): void {
    if (model.text.length > INDEXED_FILE_BYTES) return;
    if (this.registryCache?.noteAnalysed(path.resolve(file), model)) this.registrationsChanged.add(path.resolve(file));
  }

  /** Drops a buffer override or a deleted file; back to disk (or gone). True when its summary changed. */
  forget(file: string): boolean {
    const abs = path.resolve(file);
    this.files.dropOverride(abs);
    const regs = this.registryCache?.update(abs) ?? false;
    const stored = this.files.stored(abs);
    const calls = this.callersCache?.update(abs, stored) ?? false;
    return this.refresh(abs, stored) || regs || calls;
  }

  /** Absolute paths of files whose findings read `file`'s summary, directly or transitively (sorted). */
  dependents(file: string): string[] {
    const abs = path.resolve(file);
    const seen = this.tracker.readersOf(abs);
    // a file of a folder listed for subclasses (ModuleResolver.dispatch) may add or drop one
    for (const dir of listedFoldersOf(abs)) for (const d of this.tracker.readersOf(folderKey(dir))) if (!d.endsWith(path.sep)) seen.add(d);
    // a changed registration (a workflow or queue name) concerns every file that compared names with the registry
    for (const d of this.registryCache?.dependentsOf(abs) ?? []) seen.add(d);
    // a caller of a function of another file changed, or came
    for (const d of this.callersCache?.dependentsOf(abs) ?? []) seen.add(d);
    seen.delete(abs);
    return [...seen].sort();
  }

  /**
   * The queue or workflow names registered in the workspace (all Python files under the roots, not
   * only imported modules); the result is complete for `kind`. `reader`, the analysed file, is listed
   * by `dependents()` when a registration changes; `model` is its current model (its registrations
   * are read from it).
   */
  registrations(kind: RegistryKind, reader: string, model?: ModuleModel): WorkspaceRegistrations {
    const abs = path.resolve(reader);
    if (this.deferred) {
      // the file's own registrations were noted with its model (a batch index notes every model)
      this.deferred.add(abs);
      return noRegistrations();
    }
    return this.registry().query(kind, abs, model ? { file: abs, model } : undefined);
  }

  /** While the registry is deferred: whether the analysis of `file` asked it (it is to be analysed again). */
  askedDeferredRegistry(file: string): boolean {
    return this.deferred?.has(path.resolve(file)) ?? false;
  }

  /**
   * Ends a deferred registry (`deferRegistry`): the registry answers from now on, and the files that
   * asked it while it was deferred are returned (absolute, sorted), to be analysed again.
   */
  endDeferral(): string[] {
    const asked = [...(this.deferred ?? [])].sort();
    this.deferred = null;
    return asked;
  }

  /**
   * A batch file that was read but not analysed (it has no DBOS code): noted so that the registry
   * does not read it again.
   */
  noteUnanalysed(file: string, text: string): void {
    if (this.batch) this.registry().noteText(path.resolve(file), text);
  }

  /** What the registry has read so far, as plain data for another thread of a batch run. */
  registrySnapshot(): RegistryEntry[] {
    return this.registry().snapshot();
  }

  /** Registrations read by other threads of a batch run (files this index has not read itself). */
  preloadRegistry(entries: readonly RegistryEntry[]): void {
    this.registry().preload(entries);
  }

  /**
   * A tree of `file` the index parsed from exactly `text` for its own needs and kept (a `batch`
   * index); the caller owns it from now on and must `delete()` it. Null when none.
   */
  takeTree(file: string, text: string): Tree | null {
    return this.parsesOwn.take(path.resolve(file), text);
  }

  /** Frees the trees still kept for `takeTree`. */
  dispose(): void {
    this.parsesOwn.dispose();
  }

  /** Parses done by the workspace registry (for tests and benches). */
  registryParses(): number {
    return this.registryCache?.parses ?? 0;
  }

  // ------------------------------------------------------------------ engine side

  /**
   * The path of a file from the folder that holds the innermost root (so `shop/app.py`, the root's
   * own name included: a root given as `tests` still marks its files as tests, a project kept under
   * some `/home/me/tests/` does not); the absolute path when no root holds it.
   */
  relativePath(file: string): string {
    const abs = path.resolve(file);
    let best: string | null = null;
    for (const r of this.roots) {
      if ((abs.startsWith(r + path.sep) || abs === r) && (best === null || r.length > best.length)) best = r;
    }
    return best === null ? abs : path.relative(path.dirname(best), abs);
  }

  /**
   * Whether the local packages the roots' pyproject.toml install (`members.ts`) are no longer those
   * this index looks imports up in: the caller then builds a new index (a rare edit of the project's layout).
   */
  importRootsChanged(): boolean {
    const now = importRootsOf(this.roots, this.files);
    return now.length !== this.importRoots.length || now.some((r, i) => r !== this.importRoots[i]);
  }

  /** The module name of a file under the roots (`app.helpers`). */
  moduleName(file: string): string {
    const abs = path.resolve(file);
    let m = this.moduleNames.get(abs);
    if (m === undefined) {
      m = moduleNameOf(abs, this.importRoots, (p) => this.exists(p), (p) => this.files.isDir(p));
      this.moduleNames.set(abs, m);
    }
    return m;
  }

  /**
   * The API catalog an analysis uses (the defaults and the configuration's additions): the call
   * facts of every summary are computed against all the lists seen, so a catalog with new lists
   * drops the summaries made without them. Called by `analyze`.
   */
  useCatalog(api: ApiCatalog): void {
    if (this.catalogsSeen.has(api)) return;
    this.catalogsSeen.add(api);
    const nd = this.effectLists.nondeterministic.includes(api.nondeterministic) ? [] : [api.nondeterministic];
    const more = [api.nondeterministic, api.io, api.database, api.sleep].filter((l) => !this.effectLists.all.includes(l));
    // a list equal to one already used adds nothing (the default catalog is one object per process)
    const added = more.filter((l) => !this.effectLists.all.some((k: ApiList) => k.size === l.size && k.sameAs(l)));
    if (added.length === 0) return;
    this.effectLists = {
      nondeterministic: [...this.effectLists.nondeterministic, ...nd.filter((l) => added.includes(l))],
      all: [...this.effectLists.all, ...added],
    };
    if (this.entries.size === 0) return;
    for (const abs of [...this.entries.keys()]) {
      this.entries.delete(abs);
      this.tracker.dropDerived(abs);
    }
  }

  /**
   * Starts the analysis of a file: what its previous analysis read is forgotten (the reads of this
   * one, from its model on, are recorded again).
   */
  beginAnalysis(file: string): void {
    this.tracker.resetReads(path.resolve(file));
    this.callersCache?.resetReader(path.resolve(file));
  }

  /**
   * The DBOS API that a qualified name of another project module denotes, as `fromFile` imports it
   * (`app._runtime.dbos_step` -> `dbos.DBOS.step`); null when it is not one (see `ModuleOptions.externalName`).
   */
  dbosNameOf(fromFile: string, fqn: string): string | null {
    const abs = path.resolve(fromFile);
    return this.tracker.reading(abs, () => this.resolver.dbosName(abs, fqn, 0));
  }

  /**
   * Whether a file that does not name dbos imports a module of the project that does
   * (`from durable_swarm import DurableSwarm`): its code can then use DBOS through that module (a
   * configured instance, a re-exported decorator), so it is analysed too. Only the file's import
   * lines are read, and only the existence and text of the modules they name.
   */
  importsDbosModule(file: string, text: string): boolean {
    const abs = path.resolve(file);
    if (!/\bimport\b/.test(text)) return false;
    return this.tracker.reading(abs, () => {
      const bases = importBases(abs, this.importRoots, (p) => this.exists(p), (p) => this.files.isDir(p));
      for (const name of importedModules(abs, text, this.moduleName(abs))) {
        for (const base of bases) {
          for (const candidate of moduleFiles(base, name)) {
            if (candidate === abs) continue;
            this.tracker.touch(candidate);
            if (!this.exists(candidate)) continue;
            const t = this.textOf(candidate);
            if (t !== null && mentionsDbos(t)) return true;
          }
        }
      }
      return false;
    });
  }

  /**
   * A class of the project as `fromFile` names it (`durable_swarm.DurableSwarm`): whether it inherits
   * `DBOSConfiguredInstance` (through bases in any module) and whether its module launches DBOS when
   * imported. Null when the name is no class of the project.
   */
  projectClass(fromFile: string, fqn: string): { configured: 'yes' | 'no' | 'unknown'; launchesAtImport: boolean; module: ModuleSummary; qualname: string } | null {
    const abs = path.resolve(fromFile);
    return this.tracker.reading(abs, () => {
      const c = this.resolver.classOf(abs, fqn, 0);
      if (!c) return null;
      return { configured: this.resolver.inheritsConfigured(abs, fqn), launchesAtImport: c.module.launchesAtImport, module: c.module, qualname: c.qualname };
    });
  }

  /**
   * Records the model of a file being analysed, so its summary costs no second parse. Called by
   * `analyze` while the tree is alive.
   */
  noteModel(file: string, text: string, model: ModuleModel): ModuleSummary {
    const abs = path.resolve(file);
    // a batch run would otherwise parse this file again when the registry is first asked for
    if (this.batch) this.registry().noteModel(abs, model);
    const hash = hashOf(text);
    const old = this.entries.get(abs);
    if (old?.summary && old.hash === hash && old.summary.moduleName === model.moduleName) return old.summary;
    // an analysed document: the functions its last edit did not touch keep their facts (facts/reuse.ts)
    const summary = summarize(model, abs, hash, this.effectLists, { reuse: !this.batch });
    this.store(abs, summary);
    return summary;
  }

  /**
   * The analysis of `file` with this text stopped before its model (over its size limit or time
   * budget): it is a module without helpers until its text changes, not read again for a summary
   * (which would cost another budget). Call after `setText`.
   */
  noteUnmodelled(file: string, text: string): void {
    const abs = path.resolve(file);
    this.store(abs, null);
    this.entries.set(abs, { summary: null, hash: hashOf(text) });
  }

  /** The summary of a file, summarising it now if needed; null when it is missing or unreadable. */
  summaryOf(file: string): ModuleSummary | null {
    const abs = path.resolve(file);
    const hit = this.entries.get(abs);
    if (hit) return hit.summary;
    const text = this.textOf(abs);
    const summary = text === null ? null : this.build(abs, text);
    this.entries.set(abs, { summary, hash: summary?.hash ?? null });
    return summary;
  }

  /**
   * The function a qualified name, as resolved in `fromFile`, denotes in the workspace, a method of
   * what a project function returns included (chains.ts `calledFunction`).
   */
  resolve(fromFile: string, fqn: string): IndexedFunction | null {
    const abs = path.resolve(fromFile);
    return this.tracker.reading(abs, () => calledFunction(abs, fqn, this.resolver));
  }

  /**
   * The functions a call of a method on a value of a project type may enter when the method it names
   * is abstract, or the value comes from a factory returning several classes (ModuleResolver.dispatch).
   */
  dispatch(fromFile: string, fqn: string): IndexedFunction[] {
    const abs = path.resolve(fromFile);
    return this.tracker.reading(abs, () => this.resolver.dispatch(abs, fqn, () => typedFqn(abs, fqn, this.resolver)));
  }

  /**
   * A qualified name as resolved in `fromFile`, with the values project modules bind and the calls
   * of project functions replaced by what they give (`app.clients.http.get` -> `httpx.Client().get`,
   * `app.db.get_session().execute` -> `sqlalchemy.orm.Session().execute`; see chains.ts `typedFqn`).
   */
  typedName(fromFile: string, fqn: string): string {
    if (!fqn.includes('.')) return fqn;
    const abs = path.resolve(fromFile);
    return this.tracker.reading(abs, () => typedFqn(abs, fqn, this.resolver)) ?? fqn;
  }

  /** The summary of a module as `fromFile` imports it; undefined when it is not a workspace module (a library). */
  moduleSummary(fromFile: string, moduleName: string): ModuleSummary | null | undefined {
    const abs = path.resolve(fromFile);
    return this.tracker.reading(abs, () => this.resolver.moduleSummary(abs, moduleName));
  }

  /**
   * The functions a call in `file` hands to `target` that `target` calls (`fetch_optional(store.read, key)`
   * with `def fetch_optional(func, *a): return func(*a)`; `refs` from facts/handed-callables.ts).
   */
  handedInto(file: string, refs: readonly HandedReference[] | undefined, target: IndexedFunction): IndexedFunction[] {
    const module = this.summaryOf(file);
    if (!module || !refs) return [];
    return this.tracker.reading(module.file, () => handedInto(module, refs, target, this.resolver));
  }

  /** A function of a file by its qualified name inside the module (`helper`, `Svc.fetch`). */
  functionOf(file: string, qualname: string): IndexedFunction | null {
    const module = this.summaryOf(file);
    const fn = module?.functions.get(qualname);
    return module && fn ? { module, fn } : null;
  }

  /**
   * The shortest chain from a plain helper to a call of `kind`, through plain helpers only (steps and
   * workflows end a chain: their bodies are checkpointed or run as their own workflow), at most
   * `maxDepth` functions long counting `start`. Recursion and import cycles are cut by a visited set;
   * the search is breadth-first, so the result is the shortest chain and does not depend on the order
   * in which files were analysed. Allow-listed functions are not entered. `passed`: the arguments of
   * the call that enters `start`; a call that only runs when one of them is left out
   * (`when or date.today()`) is no leaf when the caller gives it (see analysis/fallback.ts). `all`:
   * the chain also lists the other calls of the kind the walk reaches (`Chain.others`).
   */
  chainFrom(start: IndexedFunction, kind: ChainKind, api: ApiCatalog, maxDepth: number, reader?: string, passed?: PassedArgs | null, all = false): Chain | null {
    return this.tracker.reading(reader ? path.resolve(reader) : null, () => {
      let apiId = apiIds.get(api);
      if (apiId === undefined) apiIds.set(api, (apiId = nextApiId++));
      // the effect kinds are always walked whole: the effect rules ask for every leaf, and the walk
      // that lists them gives the shortest chain too, so DBOS206's question is no second walk
      const walkAll = all || WALKED_WHOLE.has(kind);
      const key = `${kind}\0${maxDepth}\0${apiId}\0${start.module.file}\0${start.fn.qualname}\0${start.receiver?.cls ?? ''}${walkAll ? '\0all' : ''}`;
      let chain = this.tracker.chain(key, () => searchChain(start, kind, api, maxDepth, this.tracker, this.resolver, undefined, walkAll));
      // the caller's arguments matter only when the chain ends at a call that stands in for a
      // parameter, or goes through one that needs a parameter given (rare)
      if (chain && passed && (chain.leaf.call.fallback || chain.leaf.call.onlyIf || chain.links.some((l) => l.via.onlyIf))) {
        const args = JSON.stringify(passed);
        chain = this.tracker.chain(`${key}\0${args}`, () => searchChain(start, kind, api, maxDepth, this.tracker, this.resolver, passed, walkAll));
      }
      return all ? chain : nearestOf(chain);
    });
  }

  /**
   * When the module-level function `qualname` of `file`, the analysed file, runs by its calls in the
   * other files of the workspace (after `DBOS.launch()`, repeatedly, in a loop; `project/callers.ts`):
   * null when no other file calls it. The answer's reasons name the caller's file and carry the call
   * as a `site`; `dependents()` lists `file` when a file it read, or one that comes to name the
   * function, changes.
   */
  runTimeElsewhere(file: string, qualname: string): CallTime | null {
    const abs = path.resolve(file);
    return this.tracker.reading(abs, () => this.callers().timeOf(abs, qualname, abs));
  }

  /**
   * Makes the strings of the summaries kept so far, and the keys of the memoised resolutions and
   * chains, copies of their own (`detach.ts`), so that the texts of the files they were cut from can
   * be collected. For an idle moment (the server calls it before giving memory back): it costs about
   * 0.5 ms per 2,000 lines, too much for each keystroke.
   */
  detachStrings(): void {
    const table = new Map<string, string>();
    for (const e of this.entries.values()) {
      if (!e.summary || this.detached.has(e.summary)) continue;
      detachStrings(e.summary, table);
      this.detached.add(e.summary);
    }
    this.tracker.detachKeys(table);
  }

  /** Figures for the bench and tests. */
  stats(): { summaries: number; parses: number; functions: number; handedOver: number } {
    let summaries = 0;
    let functions = 0;
    for (const e of this.entries.values()) {
      if (!e.summary) continue;
      summaries++;
      functions += e.summary.functions.size;
    }
    return { summaries, parses: this.parses, functions, handedOver: this.parsesOwn.handedOver };
  }

  // ------------------------------------------------------------------ internals

  private registry(): WorkspaceRegistry {
    if (!this.registryCache) {
      this.registryCache = new WorkspaceRegistry({
        roots: this.roots,
        onDisk: !this.files.custom,
        listedFiles: () => this.listedFiles,
        textOf: (abs) => this.textOf(abs),
        knownFiles: () => this.knownFiles(),
        relativePath: (abs) => this.relativePath(abs),
        withModel: (abs, text, use, fallback) => this.parsesOwn.withModel(abs, text, use, fallback),
      });
    }
    return this.registryCache;
  }

  private callers(): ProjectCallers {
    this.callersCache ??= new ProjectCallers({
      listFiles: () => workspaceFiles(this.roots, !this.files.custom, this.knownFiles(), this.listedFiles),
      textOf: (abs) => this.textOf(abs),
      isTest: (abs) => isTestFilePath(this.relativePath(abs)),
      moduleOf: (abs) => lastSegment(this.moduleName(abs)),
      shownPath: (abs) => pathFromRoot(this.roots, abs),
      withModel: (abs, text, use, fallback) => this.parsesOwn.withModel(abs, text, use, fallback),
      resolve: (fromFile, fqn) => calledFunction(fromFile, fqn, this.resolver),
      touch: (abs) => this.tracker.touch(abs),
    });
    return this.callersCache;
  }

  /** Files known without listing the disk: open buffers, summarised files. */
  private knownFiles(): string[] {
    return [...this.files.overridden(), ...[...this.entries].filter(([, e]) => e.summary).map(([f]) => f)];
  }

  private textOf(abs: string): string | null {
    return this.files.textOf(abs);
  }

  /** An open buffer exists; a summarised file when it has a summary; others are asked to the files. */
  private exists(abs: string): boolean {
    if (this.files.isOpen(abs)) return true;
    const e = this.entries.get(abs);
    if (e) return e.summary !== null;
    return this.files.exists(abs);
  }

  private build(abs: string, text: string): ModuleSummary | null {
    if (text.includes('\u0000')) return null;
    // two modules that import each other's names: the one asked again while it is being built has no summary yet
    if (this.building.has(abs)) return null;
    this.parses++;
    this.building.add(abs);
    try {
      // a module the model cannot read is a module without helpers, never a crash
      return this.parsesOwn.withModel(abs, text, (model) => summarize(model, abs, hashOf(text), this.effectLists), null);
    } finally {
      this.building.delete(abs);
    }
  }

  private store(abs: string, summary: ModuleSummary | null): boolean {
    const old = this.entries.get(abs);
    this.entries.set(abs, { summary, hash: summary?.hash ?? null });
    const changed = !old?.summary || !summary ? (old?.summary ?? null) !== (summary ?? null) : !sameSignature(signature(old.summary), signature(summary));
    // a first summary nobody has looked for yet invalidates nothing (the CLI's usual case)
    if (changed && (old || this.tracker.watched(abs))) this.invalidate(abs, !old || !old.summary || !summary);
    return changed;
  }

  /** Drops what was derived from the summaries; `appeared`: a file came or went (names can change). */
  private invalidate(abs: string, appeared: boolean): void {
    this.tracker.dropDerived(abs);
    this.callersCache?.dropAnswers();
    if (appeared) {
      this.files.changed(abs, true);
      this.resolver.clearHeads();
      if (path.basename(abs) === '__init__.py') this.moduleNames.clear();
    }
  }

  /** After a text change: the new summary when someone reads this file, else just drop the old one. */
  private refresh(abs: string, text: string | null): boolean {
    const old = this.entries.get(abs);
    const hash = text === null ? null : hashOf(text);
    if (old && old.hash === hash) return false;
    for (const dir of listedFoldersOf(abs)) this.tracker.dropDerived(folderKey(dir));
    if (!this.tracker.watched(abs)) {
      // nothing reads it: summarised again when first needed
      if (old) {
        this.entries.delete(abs);
        this.invalidate(abs, true);
      } else {
        this.files.changed(abs, false);
        // a new __init__.py makes its folder a package: the names of the modules in it change
        if (path.basename(abs) === '__init__.py') {
          this.moduleNames.clear();
          this.resolver.clearHeads();
        }
      }
      return false;
    }
    return this.store(abs, text === null ? null : this.build(abs, text)) || !old;
  }
}
