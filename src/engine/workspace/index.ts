// The workspace project index: per-file summaries cached by content hash, resolution of qualified
// names to functions of other modules, and effects followed through plain helpers across modules.
// Lazy: a module is summarised the first time a chain from an analysed file reaches it (parsed once,
// summarised, its tree freed), and again only when its text changes.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePython } from '../parser';
import { ModuleModel } from '../model/module';
import type { ApiCatalog, ApiEntry } from '../data/catalog';
import {
  CALL_EXPECTS_FAILURE,
  CALL_QUIET_ND,
  CALL_STARTS_WORKFLOW,
  CALL_ZERO_SLEEP,
  signature,
  summarize,
  workflowOnlyName,
  type CallSummary,
  type FunctionSummary,
  type ModuleSummary,
} from './summary';
import { importBases, moduleFiles, moduleNameOf } from './modules';
import { WorkspaceRegistry, type RegistryKind, type WorkspaceRegistrations } from './registry';

export type { CallSummary, FunctionSummary, ModuleSummary } from './summary';
export type { RegisteredName, RegistryKind, WorkspaceRegistrations } from './registry';
export { WORKFLOW_ONLY_API } from './summary';
export { positionIn, rangeIn } from './positions';

export interface WorkspaceIndexOptions {
  /** Absolute workspace folders. */
  roots: string[];
  /** Default: read from disk; null when missing, unreadable, binary or not UTF-8. */
  readFile?: (absPath: string) => string | null;
}

/** What a chain can end in: the effect rules' kinds, plus the step-side ones. */
export type ChainKind = 'nondeterministic' | 'io' | 'database' | 'sleep' | 'start' | 'workflowOnly';

/** A function of a summarised module. */
export interface IndexedFunction {
  module: ModuleSummary;
  fn: FunctionSummary;
}

export interface ChainLink extends IndexedFunction {
  /** The call that enters `fn`, in the previous link's module (`viaModule`). */
  via: CallSummary;
  viaModule: ModuleSummary;
}

export interface ChainLeaf {
  module: ModuleSummary;
  call: CallSummary;
  /** The catalog entry for the effect kinds; absent for `start` and `workflowOnly`. */
  entry?: ApiEntry;
  /** For a workflow called directly (kind `start`): that workflow, and its module. */
  workflow?: IndexedFunction;
}

/** From a helper (the first function, not a link) down to the leaf call. */
export interface Chain {
  first: IndexedFunction;
  links: ChainLink[];
  leaf: ChainLeaf;
}

export function defaultReadFile(absPath: string): string | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(absPath);
  } catch {
    return null;
  }
  if (buf.includes(0)) return null;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return null;
  }
}

function hashOf(text: string): string {
  return crypto.createHash('sha1').update(text).digest('base64');
}

const MAX_ALIAS_HOPS = 8;
/** Libraries whose functions are never the user's code: not looked up on disk. */
const EXTERNAL = /^(builtins|dbos|typing|typing_extensions|__future__)\./;

interface Entry {
  summary: ModuleSummary | null;
  hash: string | null;
}

interface Derived<T> {
  value: T;
  touched: string[];
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

const apiIds = new WeakMap<ApiCatalog, number>();
let nextApiId = 1;

export class WorkspaceIndex {
  readonly roots: string[];
  private readonly read: (absPath: string) => string | null;
  /** A custom reader (virtual files): existence is what it can read. */
  private readonly customRead: boolean;
  private readonly overrides = new Map<string, string>();
  /** Summaries by absolute path (null summary: the file is missing or unreadable). */
  private readonly entries = new Map<string, Entry>();
  private readonly existsCache = new Map<string, boolean>();
  /** folder + first segment of a name -> whether a module or package of that name may be found. */
  private readonly headCache = new Map<string, boolean>();
  private readonly headProbes = new Map<string, string[]>();
  private readonly dirCache = new Map<string, boolean>();
  private readonly moduleNames = new Map<string, string>();
  /** Resolutions and chains, each with the paths it read (summaries, and candidates probed). */
  private readonly resolveCache = new Map<string, Derived<IndexedFunction | null>>();
  private readonly chains = new Map<string, Derived<Chain | null>>();
  /** path -> keys of the resolutions and chains that read it (what a change of it invalidates). */
  private readonly resolveByFile = new Map<string, Set<string>>();
  private readonly chainsByFile = new Map<string, Set<string>>();
  /** analysed file -> paths its findings read; and the reverse. */
  private readonly reads = new Map<string, Set<string>>();
  private readonly readBy = new Map<string, Set<string>>();
  /** Paths read by the resolution or search under way. */
  private collector: Set<string> | null = null;
  /** Parses done by the index (for tests and the bench). */
  parses = 0;
  /** Workflow and queue names registered anywhere under the roots; built on first use. */
  private registryCache: WorkspaceRegistry | null = null;

  constructor(options: WorkspaceIndexOptions) {
    this.roots = options.roots.map((r) => path.resolve(r));
    this.read = options.readFile ?? defaultReadFile;
    this.customRead = !!options.readFile;
  }

  // ------------------------------------------------------------------ the server's contract

  /** The current text of a file (an open editor buffer overrides disk). True when its summary changed. */
  setText(file: string, text: string): boolean {
    const abs = path.resolve(file);
    this.overrides.set(abs, text);
    const regs = this.registryCache?.update(abs) ?? false;
    return this.refresh(abs, text) || regs;
  }

  /** Drops a buffer override or a deleted file; back to disk (or gone). True when its summary changed. */
  forget(file: string): boolean {
    const abs = path.resolve(file);
    this.overrides.delete(abs);
    const regs = this.registryCache?.update(abs) ?? false;
    return this.refresh(abs, this.read(abs)) || regs;
  }

  /** Absolute paths of files whose findings read `file`'s summary, directly or transitively (sorted). */
  dependents(file: string): string[] {
    const abs = path.resolve(file);
    const seen = new Set<string>([abs]);
    const work = [abs];
    while (work.length > 0) {
      const f = work.pop()!;
      for (const d of this.readBy.get(f) ?? []) {
        if (!seen.has(d)) {
          seen.add(d);
          work.push(d);
        }
      }
    }
    // a changed registration (a workflow or queue name) concerns every file that compared names with the registry
    for (const d of this.registryCache?.dependentsOf(abs) ?? []) seen.add(d);
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
    return this.registry().query(kind, abs, model ? { file: abs, model } : undefined);
  }

  /** Parses done by the workspace registry (for tests and benches). */
  registryParses(): number {
    return this.registryCache?.parses ?? 0;
  }

  // ------------------------------------------------------------------ engine side

  /** The path of a file relative to the innermost root that holds it (the absolute path when none does). */
  relativePath(file: string): string {
    const abs = path.resolve(file);
    let best: string | null = null;
    for (const r of this.roots) {
      if ((abs.startsWith(r + path.sep) || abs === r) && (best === null || r.length > best.length)) best = r;
    }
    return best === null ? abs : path.relative(best, abs);
  }

  /** The module name of a file under the roots (`app.helpers`). */
  moduleName(file: string): string {
    const abs = path.resolve(file);
    let m = this.moduleNames.get(abs);
    if (m === undefined) {
      m = moduleNameOf(abs, this.roots, (p) => this.exists(p), (p) => this.isDir(p));
      this.moduleNames.set(abs, m);
    }
    return m;
  }

  /**
   * Records the model of a file being analysed, so its summary costs no second parse. Called by
   * `analyze` while the tree is alive.
   */
  noteModel(file: string, text: string, model: ModuleModel): ModuleSummary {
    const abs = path.resolve(file);
    this.resetReads(abs);
    const hash = hashOf(text);
    const old = this.entries.get(abs);
    if (old?.summary && old.hash === hash && old.summary.moduleName === model.moduleName) return old.summary;
    const summary = summarize(model, abs, hash);
    this.store(abs, summary);
    return summary;
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

  /** The function a qualified name, as resolved in `fromFile`, denotes in the workspace. */
  resolve(fromFile: string, fqn: string): IndexedFunction | null {
    const abs = path.resolve(fromFile);
    return this.reading(abs, () => this.resolveFrom(abs, fqn, 0));
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
   * in which files were analysed. Allow-listed functions are not entered.
   */
  chainFrom(start: IndexedFunction, kind: ChainKind, api: ApiCatalog, maxDepth: number, reader?: string): Chain | null {
    return this.reading(reader ? path.resolve(reader) : null, () => {
      let apiId = apiIds.get(api);
      if (apiId === undefined) apiIds.set(api, (apiId = nextApiId++));
      const key = `${kind}\0${maxDepth}\0${apiId}\0${start.module.file}\0${start.fn.qualname}`;
      return this.derive(this.chains, this.chainsByFile, key, null, () => this.search(start, kind, api, maxDepth));
    });
  }

  /** Figures for the bench and tests. */
  stats(): { summaries: number; parses: number; functions: number } {
    let summaries = 0;
    let functions = 0;
    for (const e of this.entries.values()) {
      if (!e.summary) continue;
      summaries++;
      functions += e.summary.functions.size;
    }
    return { summaries, parses: this.parses, functions };
  }

  // ------------------------------------------------------------------ internals

  private registry(): WorkspaceRegistry {
    if (!this.registryCache) {
      this.registryCache = new WorkspaceRegistry({
        roots: this.roots,
        onDisk: !this.customRead,
        textOf: (abs) => this.textOf(abs),
        knownFiles: () => [...this.overrides.keys(), ...[...this.entries].filter(([, e]) => e.summary).map(([f]) => f)],
        moduleName: (abs) => this.moduleName(abs),
        relativePath: (abs) => this.relativePath(abs),
      });
    }
    return this.registryCache;
  }

  private search(start: IndexedFunction, kind: ChainKind, api: ApiCatalog, maxDepth: number): Chain | null {
    interface Node {
      at: IndexedFunction;
      links: ChainLink[];
    }
    this.touch(start.module.file);
    if (!this.enterable(start.fn, api)) return null;
    const seen = new Set<string>([start.module.file + '\0' + start.fn.qualname]);
    let layer: Node[] = [{ at: start, links: [] }];
    for (let depth = 1; layer.length > 0 && depth <= maxDepth; depth++) {
      // direct effects of this layer first: the shortest chain wins
      for (const n of layer) {
        let leaf: ChainLeaf | null = null;
        for (const call of n.at.fn.calls) {
          const entry = this.leafEntry(call, kind, api);
          if (entry === undefined) continue;
          // `client.get(url).json()`: the inner `client.get` names the effect better than the chain
          if (!leaf || (leaf.call.text.includes('(') && !call.text.includes('(') && call.start >= leaf.call.start && call.end <= leaf.call.end)) {
            leaf = { module: n.at.module, call, entry: entry ?? undefined };
          }
          if (!call.text.includes('(')) break;
        }
        if (leaf) return { first: start, links: n.links, leaf };
      }
      const next: Node[] = [];
      for (const n of layer) {
        for (const call of n.at.fn.calls) {
          const target = this.targetOf(n.at.module, call, api);
          if (!target) continue;
          if (kind === 'start' && target.fn.workflow && !(call.flags & CALL_EXPECTS_FAILURE)) {
            return { first: start, links: n.links, leaf: { module: n.at.module, call, workflow: target } };
          }
          if (depth === maxDepth || !this.enterable(target.fn, api)) continue;
          const k = target.module.file + '\0' + target.fn.qualname;
          if (seen.has(k)) continue;
          seen.add(k);
          this.touch(target.module.file);
          next.push({ at: target, links: [...n.links, { ...target, via: call, viaModule: n.at.module }] });
        }
      }
      layer = next;
    }
    return null;
  }

  private enterable(fn: FunctionSummary, api: ApiCatalog): boolean {
    return fn.plain && !api.allow.has(fn.fqn);
  }

  /** undefined: the call is not a leaf of `kind`; null or an entry: it is. */
  private leafEntry(call: CallSummary, kind: ChainKind, api: ApiCatalog): ApiEntry | null | undefined {
    switch (kind) {
      case 'start':
        return call.flags & CALL_STARTS_WORKFLOW && !(call.flags & CALL_EXPECTS_FAILURE) ? null : undefined;
      case 'workflowOnly':
        return workflowOnlyName(call.fqn) && !(call.flags & (CALL_EXPECTS_FAILURE | CALL_ZERO_SLEEP)) ? null : undefined;
      case 'sleep':
        if (!call.fqn || api.allow.has(call.fqn) || call.flags & CALL_ZERO_SLEEP) return undefined;
        return api.sleep.match(call.fqn, call.argc) ?? undefined;
      default: {
        if (!call.fqn || api.allow.has(call.fqn)) return undefined;
        if (kind === 'nondeterministic' && call.flags & CALL_QUIET_ND) return undefined;
        return api[kind].match(call.fqn, call.argc) ?? undefined;
      }
    }
  }

  /** The function a call of a summarised module enters, in the same module or another one. */
  private targetOf(module: ModuleSummary, call: CallSummary, api: ApiCatalog): IndexedFunction | null {
    if (call.local) {
      const fn = module.functions.get(call.local);
      return fn ? { module, fn } : null;
    }
    if (!call.fqn || api.allow.has(call.fqn)) return null;
    return this.resolveFrom(module.file, call.fqn, 0);
  }

  /**
   * `moduleFirst`: the name comes from a module's own binding (`x = Cls()` after `from .mod import
   * Cls`), whose dotted prefix names modules: the longest module prefix wins. Otherwise (a name as a
   * caller wrote it, `from pkg import name`) a package's `__init__` is asked first, as Python does.
   */
  private resolveFrom(fromFile: string, fqn: string, hops: number, moduleFirst = false): IndexedFunction | null {
    if (hops > MAX_ALIAS_HOPS || EXTERNAL.test(fqn) || !fqn.includes('.')) return null;
    if (!this.mayBeLocal(fromFile, fqn)) return null;
    const key = fromFile + (moduleFirst ? '\0m\0' : '\0a\0') + fqn;
    return this.derive(this.resolveCache, this.resolveByFile, key, null, () => this.resolveUncached(fromFile, fqn, hops, moduleFirst));
  }

  /**
   * False when no import base of `fromFile` holds a module or package named like the first segment
   * of `fqn` (`requests.get` with no `requests.py` or `requests/` around): most library calls stop here.
   * The probed paths are still read (a `requests.py` created later is noticed).
   */
  private mayBeLocal(fromFile: string, fqn: string): boolean {
    const dot = fqn.indexOf('.');
    const head = fqn.slice(0, dot).replace(/\(\)$/, '');
    const own = this.entries.get(fromFile)?.summary;
    if (own && (own.moduleName === head || own.moduleName.startsWith(head + '.'))) return true;
    const dir = path.dirname(fromFile);
    const key = dir + '\0' + head;
    let hit = this.headCache.get(key);
    if (hit === undefined) {
      hit = false;
      const probed: string[] = [];
      for (const base of importBases(fromFile, this.roots, (p) => this.exists(p), (p) => this.isDir(p))) {
        const file = path.join(base, head + '.py');
        const pkg = path.join(base, head);
        probed.push(file, path.join(pkg, '__init__.py'));
        if (this.exists(file) || this.isDir(pkg)) {
          hit = true;
          break;
        }
      }
      this.headCache.set(key, hit);
      if (!hit) this.headProbes.set(key, probed);
    }
    if (!hit) for (const p of this.headProbes.get(key) ?? []) this.touch(p);
    return hit;
  }

  /**
   * A memoised value with the paths its computation read: a hit adds them to the computation under
   * way; `cycle` is what a key being computed gives to itself (an alias or import cycle).
   */
  private derive<T>(cache: Map<string, Derived<T>>, byFile: Map<string, Set<string>>, key: string, cycle: T, compute: () => T): T {
    const hit = cache.get(key);
    if (hit) {
      for (const t of hit.touched) this.touch(t);
      return hit.value;
    }
    const outer = this.collector;
    const mine = new Set<string>();
    cache.set(key, { value: cycle, touched: [] });
    this.collector = mine;
    let value: T;
    try {
      value = compute();
    } finally {
      this.collector = outer;
    }
    const touched = [...mine];
    cache.set(key, { value, touched });
    for (const t of touched) {
      addTo(byFile, t, key);
      outer?.add(t);
    }
    return value;
  }

  private touch(file: string): void {
    this.collector?.add(file);
  }

  /** Runs a query on behalf of an analysed file: the paths it reads become that file's reads. */
  private reading<T>(reader: string | null, query: () => T): T {
    if (!reader || this.collector) return query();
    const mine = new Set<string>();
    this.collector = mine;
    try {
      return query();
    } finally {
      this.collector = null;
      for (const t of mine) {
        if (t === reader) continue;
        addTo(this.reads, reader, t);
        addTo(this.readBy, t, reader);
      }
    }
  }

  private resetReads(reader: string): void {
    const old = this.reads.get(reader);
    if (!old) return;
    for (const t of old) this.readBy.get(t)?.delete(reader);
    this.reads.delete(reader);
  }

  private resolveUncached(fromFile: string, fqn: string, hops: number, moduleFirst: boolean): IndexedFunction | null {
    const segs = splitFqn(fqn);
    if (!segs) return null;
    const own = this.entries.get(fromFile)?.summary;
    if (moduleFirst) return this.resolveModuleFirst(fromFile, own, segs, hops);
    // a namespace package (a folder without __init__.py) in a package is found module-first
    return this.resolveAttributeFirst(fromFile, own, segs, fqn, hops) ?? this.resolveModuleFirst(fromFile, own, segs, hops);
  }

  private resolveAttributeFirst(fromFile: string, own: ModuleSummary | null | undefined, segs: string[], fqn: string, hops: number): IndexedFunction | null {
    if (own && fqn.startsWith(own.moduleName + '.')) {
      this.touch(fromFile);
      const rest = splitFqn(fqn.slice(own.moduleName.length + 1));
      return rest ? this.lookupIn(own, rest, hops) : null;
    }
    const bases = importBases(fromFile, this.roots, (p) => this.exists(p), (p) => this.isDir(p));
    // the shortest prefix that is a module: a package's `__init__` is asked first, as Python does
    // for `from pkg import name` (a name bound there wins over a submodule of the same name)
    for (let i = 1; i < segs.length; i++) {
      const modParts = segs.slice(0, i);
      if (modParts.some((s) => s.endsWith('()'))) break;
      const moduleName = modParts.join('.');
      for (const base of bases) {
        for (const candidate of moduleFiles(base, moduleName)) {
          if (candidate === fromFile) continue;
          this.touch(candidate);
          if (!this.exists(candidate)) continue;
          const summary = this.summaryOf(candidate);
          return summary ? this.lookupIn(summary, segs.slice(i), hops) : null;
        }
      }
    }
    return null;
  }

  private resolveModuleFirst(fromFile: string, own: ModuleSummary | null | undefined, segs: string[], hops: number): IndexedFunction | null {
    const bases = importBases(fromFile, this.roots, (p) => this.exists(p), (p) => this.isDir(p));
    for (let i = segs.length - 1; i >= 1; i--) {
      const modParts = segs.slice(0, i);
      if (modParts.some((s) => s.endsWith('()'))) continue;
      const moduleName = modParts.join('.');
      if (own && moduleName === own.moduleName) {
        this.touch(fromFile);
        return this.lookupIn(own, segs.slice(i), hops);
      }
      for (const base of bases) {
        for (const candidate of moduleFiles(base, moduleName)) {
          if (candidate === fromFile) continue;
          this.touch(candidate);
          if (!this.exists(candidate)) continue;
          const summary = this.summaryOf(candidate);
          return summary ? this.lookupIn(summary, segs.slice(i), hops) : null;
        }
      }
    }
    return null;
  }

  /** `rest` inside a module: a function, a method (`Cls.m`, `Cls().m`), or a name bound to another. */
  private lookupIn(module: ModuleSummary, rest: string[], hops: number): IndexedFunction | null {
    const head = rest[0];
    const isInstance = head.endsWith('()');
    const name = isInstance ? head.slice(0, -2) : head;
    const plainRest = rest.map((s) => s.replace(/\(\)$/, ''));
    if (!isInstance) {
      const fn = module.functions.get(plainRest.join('.'));
      if (fn) return { module, fn };
    }
    if (module.classes.has(name)) {
      // `Cls()` runs `Cls.__init__`; `Cls().m` and `Cls.m` are the method
      const q = rest.length === 1 ? `${name}.__init__` : rest.length === 2 ? `${name}.${plainRest[1]}` : null;
      const fn = q ? module.functions.get(q) : undefined;
      return fn ? { module, fn } : null;
    }
    const alias = module.aliases.get(name);
    if (alias) {
      const target = alias + (isInstance ? '()' : '') + (rest.length > 1 ? '.' + rest.slice(1).join('.') : '');
      return this.resolveFrom(module.file, target, hops + 1, true);
    }
    for (const star of module.starImports) {
      const r = this.resolveFrom(module.file, `${star}.${rest.join('.')}`, hops + 1, true);
      if (r) return r;
    }
    // a package: the name is one of its submodules
    if (!isInstance && rest.length > 1 && path.basename(module.file) === '__init__.py') {
      const dir = path.dirname(module.file);
      for (const candidate of [path.join(dir, name + '.py'), path.join(dir, name, '__init__.py')]) {
        this.touch(candidate);
        if (!this.exists(candidate)) continue;
        const sub = this.summaryOf(candidate);
        return sub ? this.lookupIn(sub, rest.slice(1), hops) : null;
      }
    }
    return null;
  }

  private textOf(abs: string): string | null {
    const o = this.overrides.get(abs);
    if (o !== undefined) return o;
    return this.read(abs);
  }

  private exists(abs: string): boolean {
    if (this.overrides.has(abs)) return true;
    const e = this.entries.get(abs);
    if (e) return e.summary !== null;
    let hit = this.existsCache.get(abs);
    if (hit === undefined) {
      if (this.customRead) hit = this.read(abs) !== null;
      else {
        try {
          hit = fs.statSync(abs).isFile();
        } catch {
          hit = false;
        }
      }
      this.existsCache.set(abs, hit);
    }
    return hit;
  }

  private isDir(abs: string): boolean {
    if (this.customRead) return true; // a virtual workspace: every candidate folder is tried
    let hit = this.dirCache.get(abs);
    if (hit === undefined) {
      try {
        hit = fs.statSync(abs).isDirectory();
      } catch {
        hit = false;
      }
      this.dirCache.set(abs, hit);
    }
    return hit;
  }

  private build(abs: string, text: string): ModuleSummary | null {
    if (text.includes('\u0000')) return null;
    const tree = parsePython(text);
    this.parses++;
    try {
      const model = new ModuleModel(text, tree, { path: abs, testPath: this.relativePath(abs), moduleName: this.moduleName(abs) });
      return summarize(model, abs, hashOf(text));
    } catch {
      return null; // a module the model cannot read is a module without helpers, never a crash
    } finally {
      tree.delete();
    }
  }

  private store(abs: string, summary: ModuleSummary | null): boolean {
    const old = this.entries.get(abs);
    this.entries.set(abs, { summary, hash: summary?.hash ?? null });
    const changed = !old?.summary || !summary ? (old?.summary ?? null) !== (summary ?? null) : signature(old.summary) !== signature(summary);
    // a first summary nobody has looked for yet invalidates nothing (the CLI's usual case)
    if (changed && (old || this.watched(abs))) this.invalidate(abs, !old || !old.summary || !summary);
    return changed;
  }

  /** Drops what was derived from the summaries; `appeared`: a file came or went (names can change). */
  private invalidate(abs: string, appeared: boolean): void {
    for (const [cache, byFile] of [
      [this.chains, this.chainsByFile],
      [this.resolveCache, this.resolveByFile],
    ] as const) {
      for (const key of byFile.get(abs) ?? []) cache.delete(key);
      byFile.delete(abs);
    }
    if (appeared) {
      this.existsCache.delete(abs);
      this.headCache.clear();
      this.headProbes.clear();
      this.dirCache.clear();
      if (path.basename(abs) === '__init__.py') this.moduleNames.clear();
    }
  }

  /** Whether some analysed file's findings, or a memoised resolution or chain, read this path. */
  private watched(abs: string): boolean {
    return (this.readBy.get(abs)?.size ?? 0) > 0 || (this.resolveByFile.get(abs)?.size ?? 0) > 0 || (this.chainsByFile.get(abs)?.size ?? 0) > 0;
  }

  /** After a text change: the new summary when someone reads this file, else just drop the old one. */
  private refresh(abs: string, text: string | null): boolean {
    const old = this.entries.get(abs);
    const hash = text === null ? null : hashOf(text);
    if (old && old.hash === hash) return false;
    if (!this.watched(abs)) {
      // nothing reads it: summarised again when first needed
      if (old) {
        this.entries.delete(abs);
        this.invalidate(abs, true);
      } else {
        this.existsCache.delete(abs);
        // a new __init__.py makes its folder a package: the names of the modules in it change
        if (path.basename(abs) === '__init__.py') {
          this.moduleNames.clear();
          this.headCache.clear();
          this.headProbes.clear();
        }
      }
      return false;
    }
    return this.store(abs, text === null ? null : this.build(abs, text)) || !old;
  }
}

/** `a.b.C().m` -> ['a', 'b', 'C()', 'm']; null for shapes that name no function (`f()()`). */
function splitFqn(fqn: string): string[] | null {
  const segs = fqn.split('.');
  for (const s of segs) if (!/^[A-Za-z_]\w*(\(\))?$/.test(s)) return null;
  return segs;
}
