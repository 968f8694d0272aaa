// Cross-module resolution for the workspace index: the function of another module (or of the same
// one) a qualified name denotes, through packages, `__init__` re-exports, aliases and star imports.
import * as path from 'node:path';
import type { FunctionSummary, ModuleSummary } from '../facts/summary';
import { importBases, moduleFiles } from './modules';
import type { ReadTracker } from './tracking';
import { PLAIN_BASES } from '../model/configured-classes';
import { EXTERNAL } from '../facts/calls';

/** A function of a summarised module. */
export interface IndexedFunction {
  module: ModuleSummary;
  fn: FunctionSummary;
  /**
   * For a method a class inherits (`CardChannel().request` defined by its base `Channel`): the class it
   * was looked up on, by a name `file` can resolve, so that `self.m()` in its body enters that class's `m`.
   */
  receiver?: { file: string; cls: string };
  /**
   * For a method found by `dispatch` instead of the one a call names: that one (`module`, its module's
   * name; `qualname`), which this method overrides (`override`) or whose class a factory returns
   * among others (`returned`: `qualname` is then the factory's).
   */
  insteadOf?: { kind: 'override' | 'returned'; module: string; qualname: string };
}

/** What resolution reads of the index's files and summaries. */
export interface ResolutionFiles {
  /** The summary the index holds for a file, without summarising it (undefined: none yet). */
  held(abs: string): ModuleSummary | null | undefined;
  /** The summary of a file, summarising it now if needed. */
  summaryOf(abs: string): ModuleSummary | null;
  exists(abs: string): boolean;
  isDir(abs: string): boolean;
  /**
   * The project modules that may define subclasses of a class defined in `file`, named `name`: the
   * Python files of its folder and of the folders under it (SUBCLASS_FOLDER_DEPTH levels, at most
   * SUBCLASS_FOLDER_FILES files) whose text mentions `name`, `file` itself excluded.
   */
  subclassCandidates(file: string, name: string): string[];
}

/** How many overriding methods a call on a base type is followed into at most (ModuleResolver.dispatch). */
export const MAX_OVERRIDES = 8;
/** How many levels of subfolders under a base class's folder are looked at for its subclasses. */
export const SUBCLASS_FOLDER_DEPTH = 2;
/** How many files of those folders are looked at, at most (in name order, the folder's own first). */
export const SUBCLASS_FOLDER_FILES = 64;
/** The key under which a listing of a folder's modules is recorded as read (tracking.ts). */
export function folderKey(dir: string): string {
  return dir + path.sep;
}

/** The folders whose listing for subclasses holds `abs` (its own and those above it, SUBCLASS_FOLDER_DEPTH levels). */
export function listedFoldersOf(abs: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(abs), i = 0; i <= SUBCLASS_FOLDER_DEPTH; i++, d = path.dirname(d)) out.push(d);
  return out;
}

/** How many levels of subclasses of subclasses are followed. */
const SUBCLASS_LEVELS = 3;

const MAX_ALIAS_HOPS = 8;

export class ModuleResolver {
  /** folder + first segment of a name -> whether a module or package of that name may be found. */
  private readonly headCache = new Map<string, boolean>();
  private readonly headProbes = new Map<string, string[]>();

  constructor(
    private readonly roots: string[],
    private readonly tracker: ReadTracker,
    private readonly files: ResolutionFiles,
  ) {}

  /** Forgets which module names may be found where (a module or package came or went). */
  clearHeads(): void {
    this.headCache.clear();
    this.headProbes.clear();
  }

  /**
   * `moduleFirst`: the name comes from a module's own binding (`x = Cls()` after `from .mod import
   * Cls`), whose dotted prefix names modules: the longest module prefix wins. Otherwise (a name as a
   * caller wrote it, `from pkg import name`) a package's `__init__` is asked first, as Python does.
   */
  resolveFrom(fromFile: string, fqn: string, hops: number, moduleFirst = false): IndexedFunction | null {
    if (hops > MAX_ALIAS_HOPS || EXTERNAL.test(fqn) || !fqn.includes('.')) return null;
    if (!this.mayBeLocal(fromFile, fqn)) return null;
    const key = fromFile + (moduleFirst ? '\0m\0' : '\0a\0') + fqn;
    return this.tracker.resolution(key, () => this.resolveUncached(fromFile, fqn, hops, moduleFirst));
  }

  /**
   * False when no import base of `fromFile` holds a module or package named like the first segment
   * of `fqn` (`requests.get` with no `requests.py` or `requests/` around): most library calls stop here.
   * The probed paths are still read (a `requests.py` created later is noticed).
   */
  private mayBeLocal(fromFile: string, fqn: string): boolean {
    const dot = fqn.indexOf('.');
    const head = fqn.slice(0, dot).replace(/\(\)$/, '');
    const own = this.files.held(fromFile);
    if (own && (own.moduleName === head || own.moduleName.startsWith(head + '.'))) return true;
    const dir = path.dirname(fromFile);
    const key = dir + '\0' + head;
    let hit = this.headCache.get(key);
    if (hit === undefined) {
      hit = false;
      const probed: string[] = [];
      for (const base of importBases(fromFile, this.roots, (p) => this.files.exists(p), (p) => this.files.isDir(p))) {
        const file = path.join(base, head + '.py');
        const pkg = path.join(base, head);
        probed.push(file, path.join(pkg, '__init__.py'));
        if (this.files.exists(file) || this.files.isDir(pkg)) {
          hit = true;
          break;
        }
      }
      this.headCache.set(key, hit);
      if (!hit) this.headProbes.set(key, probed);
    }
    if (!hit) for (const p of this.headProbes.get(key) ?? []) this.tracker.touch(p);
    return hit;
  }

  private resolveUncached(fromFile: string, fqn: string, hops: number, moduleFirst: boolean): IndexedFunction | null {
    const own = this.files.held(fromFile);
    const segs = splitFqn(fqn);
    if (!segs) {
      // a name of the module itself, whose own name is no identifier (`my-script.py`)
      if (!own || !fqn.startsWith(own.moduleName + '.')) return null;
      this.tracker.touch(fromFile);
      const rest = splitFqn(fqn.slice(own.moduleName.length + 1));
      return rest ? this.lookupIn(own, rest, hops) : null;
    }
    if (moduleFirst) return this.resolveModuleFirst(fromFile, own, segs, hops);
    // a namespace package (a folder without __init__.py) in a package is found module-first
    return this.resolveAttributeFirst(fromFile, own, segs, fqn, hops) ?? this.resolveModuleFirst(fromFile, own, segs, hops);
  }

  private resolveAttributeFirst(fromFile: string, own: ModuleSummary | null | undefined, segs: string[], fqn: string, hops: number): IndexedFunction | null {
    if (own && fqn.startsWith(own.moduleName + '.')) {
      this.tracker.touch(fromFile);
      const rest = splitFqn(fqn.slice(own.moduleName.length + 1));
      return rest ? this.lookupIn(own, rest, hops) : null;
    }
    const bases = importBases(fromFile, this.roots, (p) => this.files.exists(p), (p) => this.files.isDir(p));
    // the shortest prefix that is a module: a package's `__init__` is asked first, as Python does
    // for `from pkg import name` (a name bound there wins over a submodule of the same name)
    for (let i = 1; i < segs.length; i++) {
      const modParts = segs.slice(0, i);
      if (modParts.some((s) => s.endsWith('()'))) break;
      const moduleName = modParts.join('.');
      const hit = this.inModuleFile(fromFile, bases, moduleName, segs, i, hops);
      if (hit !== undefined) return hit;
    }
    return null;
  }

  private resolveModuleFirst(fromFile: string, own: ModuleSummary | null | undefined, segs: string[], hops: number): IndexedFunction | null {
    const bases = importBases(fromFile, this.roots, (p) => this.files.exists(p), (p) => this.files.isDir(p));
    for (let i = segs.length - 1; i >= 1; i--) {
      const modParts = segs.slice(0, i);
      if (modParts.some((s) => s.endsWith('()'))) continue;
      const moduleName = modParts.join('.');
      if (own && moduleName === own.moduleName) {
        this.tracker.touch(fromFile);
        return this.lookupIn(own, segs.slice(i), hops);
      }
      const hit = this.inModuleFile(fromFile, bases, moduleName, segs, i, hops);
      if (hit !== undefined) return hit;
    }
    return null;
  }

  /**
   * `segs.slice(from)` looked up in the first file of `moduleName` under the import bases (other
   * than `fromFile`); undefined when no such file exists, so the caller tries another split.
   */
  private inModuleFile(fromFile: string, bases: string[], moduleName: string, segs: string[], from: number, hops: number): IndexedFunction | null | undefined {
    const summary = this.moduleAt(fromFile, bases, moduleName);
    return summary ? this.lookupIn(summary, segs.slice(from), hops) : summary;
  }

  /**
   * The summary of the first file of `moduleName` under the import bases (other than `fromFile`),
   * every candidate probed recorded as read: undefined when no such file exists, null when it cannot
   * be summarised.
   */
  private moduleAt(fromFile: string, bases: string[], moduleName: string): ModuleSummary | null | undefined {
    for (const base of bases) {
      for (const candidate of moduleFiles(base, moduleName)) {
        if (candidate === fromFile) continue;
        this.tracker.touch(candidate);
        if (!this.files.exists(candidate)) continue;
        return this.files.summaryOf(candidate);
      }
    }
    return undefined;
  }

  /**
   * The DBOS API a project name denotes when a module of the project binds it to one
   * (`dbos_step = DBOS.step`, `def dbos_step(**kw): return DBOS.step(**kw)`), followed through
   * re-exports (`from ._runtime import dbos_step` in an `__init__`); null for anything else.
   */
  dbosName(fromFile: string, fqn: string, hops: number): string | null {
    if (fqn.includes('()')) return null;
    const value = this.valueOf(fromFile, fqn, hops);
    return value && value.startsWith('dbos.') ? value : null;
  }

  /**
   * What a project name denotes when a module of the project binds its head to a value known there
   * (`http = httpx.Client()` in `app/clients.py`: `app.clients.http.get` -> `httpx.Client().get`),
   * followed through re-exports and further project names; null when no module binds it to one (a
   * function, a class, a library name).
   */
  valueOf(fromFile: string, fqn: string, hops: number): string | null {
    if (hops > MAX_ALIAS_HOPS || EXTERNAL.test(fqn) || !fqn.includes('.')) return null;
    if (!this.mayBeLocal(fromFile, fqn)) return null;
    return this.tracker.alias(fromFile + '\0v\0' + fqn, () => {
      const segs = splitFqn(fqn);
      if (!segs) return null;
      const bases = importBases(fromFile, this.roots, (p) => this.files.exists(p), (p) => this.files.isDir(p));
      // the longest prefix that is a module, as for a name bound by `from pkg.mod import name`
      for (let i = segs.length - 1; i >= 1; i--) {
        if (segs.slice(0, i).some((s) => s.endsWith('()'))) continue;
        const summary = this.moduleAt(fromFile, bases, segs.slice(0, i).join('.'));
        if (summary === undefined) continue;
        const head = segs[i].replace(/\(\)$/, '');
        if (!summary) return null;
        // a class's method that makes DBOS decorators (`ballast.durable.Durable.workflow`)
        const member = head === segs[i] && segs.length === i + 2 ? summary.aliases.get(`${head}.${segs[i + 1]}`) : undefined;
        if (member) return member;
        const alias = summary.aliases.get(head);
        if (!alias) return null;
        const target = [alias + segs[i].slice(head.length), ...segs.slice(i + 1)].join('.');
        return this.valueOf(summary.file, target, hops + 1) ?? target;
      }
      return null;
    });
  }

  /**
   * The class a project name denotes (`durable_swarm.DurableSwarm`, re-exports followed), with the
   * module that defines it; null when it is no class of the project.
   */
  classOf(fromFile: string, fqn: string, hops: number): { module: ModuleSummary; qualname: string } | null {
    if (hops > MAX_ALIAS_HOPS || EXTERNAL.test(fqn) || !fqn.includes('.') || !this.mayBeLocal(fromFile, fqn)) return null;
    const segs = splitFqn(fqn);
    if (!segs || segs.some((s) => s.endsWith('()'))) return null;
    const bases = importBases(fromFile, this.roots, (p) => this.files.exists(p), (p) => this.files.isDir(p));
    const own = this.files.held(fromFile);
    for (let i = segs.length - 1; i >= 1; i--) {
      const moduleName = segs.slice(0, i).join('.');
      const summary = own && own.moduleName === moduleName ? own : this.moduleAt(fromFile, bases, moduleName);
      if (summary === undefined) continue;
      if (!summary) return null;
      const qualname = segs.slice(i).join('.');
      if (summary.classes.has(qualname)) return { module: summary, qualname };
      const alias = summary.aliases.get(segs[i]);
      return alias ? this.classOf(summary.file, [alias, ...segs.slice(i + 1)].join('.'), hops + 1) : null;
    }
    return null;
  }

  /**
   * Whether a class of the project inherits `DBOSConfiguredInstance`, through its bases in any
   * module: 'yes', 'no', or 'unknown' (a base that cannot be followed).
   */
  inheritsConfigured(fromFile: string, fqn: string, depth = 0): 'yes' | 'no' | 'unknown' {
    if (fqn === 'dbos.DBOSConfiguredInstance') return 'yes';
    if (depth > MAX_ALIAS_HOPS) return 'unknown';
    const c = this.classOf(fromFile, fqn, 0);
    if (!c) return PLAIN_BASES.test(fqn) ? 'no' : 'unknown';
    let result: 'yes' | 'no' | 'unknown' = 'no';
    for (const base of c.module.classBases.get(c.qualname) ?? []) {
      if (!base) {
        result = 'unknown';
        continue;
      }
      const r = this.inheritsConfigured(c.module.file, base, depth + 1);
      if (r === 'yes') return 'yes';
      if (r === 'unknown') result = 'unknown';
    }
    return result;
  }

  /**
   * The functions a call of a method on a value of a project type may enter besides the one
   * `resolveFrom` gives, when that one is no body that runs (`fqn` is `<value>.m`, the value a call):
   * - a project function whose returns give several classes (`returnsEach`: `make().m` with `make`
   *   returning `OpenAIProvider()` or `EchoProvider()`): each class's `m`, or the overrides below
   *   when that `m` is abstract;
   * - a method that is abstract in its class (`@abstractmethod`, `...`, `raise
   *   NotImplementedError`), the value typed by an annotation, a return annotation or a return
   *   (`typed`: `fqn` as chains.ts `typedFqn` writes it): the overrides of `m` in the project's
   *   subclasses of that class, subclasses of subclasses included, found in the class's module and
   *   in the modules of its folder and the folders under it; at most MAX_OVERRIDES, in the order
   *   found. A subclass that does not override `m` adds nothing.
   * Empty otherwise (a concrete method: the call enters it, and only it).
   */
  dispatch(fromFile: string, fqn: string, typed: () => string | null): IndexedFunction[] {
    const dot = fqn.lastIndexOf('.');
    if (dot < 0) return [];
    const head = fqn.slice(0, dot);
    const member = fqn.slice(dot + 1);
    // a library's instance (`requests.Session().get`): no module of the project is named like its head
    if (!head.endsWith('()') || !/^[A-Za-z_]\w*$/.test(member) || EXTERNAL.test(fqn) || !this.mayBeLocal(fromFile, fqn)) return [];
    return this.tracker.dispatch(fromFile + '\0d\0' + fqn, () => {
      const out: IndexedFunction[] = [];
      const add = (f: IndexedFunction) => {
        if (out.length < MAX_OVERRIDES && !out.some((o) => o.module === f.module && o.fn === f.fn)) out.push(f);
      };
      const factory = this.resolveFrom(fromFile, head.slice(0, -2), 0);
      if (factory?.fn.returnsEach) {
        for (const made of factory.fn.returnsEach) {
          const m = this.resolveFrom(factory.module.file, `${made}.${member}`, 0, true);
          if (!m) continue;
          if (m.fn.abstract) for (const o of this.overrides(m, member)) add(o);
          else add({ ...m, insteadOf: { kind: 'returned', module: factory.module.moduleName, qualname: factory.fn.qualname } });
        }
        return out;
      }
      // the value's class: named by the call itself (`Base().m`, an annotated parameter), or by what
      // the project function called returns (its annotation, or its one returned class)
      const base = factory ? this.resolveFrom(fromFile, typed() ?? fqn, 0) : this.resolveFrom(fromFile, fqn, 0);
      if (base?.fn.abstract) for (const o of this.overrides(base, member)) add(o);
      return out;
    });
  }

  /** The overrides of `member` below the class of the abstract method `m` (its receiver's when inherited). */
  private overrides(m: IndexedFunction, member: string): IndexedFunction[] {
    const top = m.receiver ? this.classOf(m.receiver.file, m.receiver.cls, 0) : { module: m.module, qualname: m.fn.qualname.slice(0, -(member.length + 1)) };
    if (!top || !top.module.classes.has(top.qualname)) return [];
    const out: IndexedFunction[] = [];
    const seen = new Set<string>([top.module.file + '\0' + top.qualname]);
    let level: { module: ModuleSummary; qualname: string }[] = [top];
    for (let depth = 0; depth < SUBCLASS_LEVELS && level.length > 0 && out.length < MAX_OVERRIDES; depth++) {
      const next: { module: ModuleSummary; qualname: string }[] = [];
      for (const cls of level) {
        for (const sub of this.subclassesOf(cls.module, cls.qualname)) {
          const key = sub.module.file + '\0' + sub.qualname;
          if (seen.has(key)) continue;
          seen.add(key);
          next.push(sub);
          const fn = sub.module.functions.get(`${sub.qualname}.${member}`);
          if (fn && !fn.abstract && out.length < MAX_OVERRIDES) {
            out.push({ module: sub.module, fn, receiver: { file: sub.module.file, cls: `${sub.module.moduleName}.${sub.qualname}` }, insteadOf: { kind: 'override', module: m.module.moduleName, qualname: m.fn.qualname } });
          }
        }
      }
      level = next;
    }
    return out;
  }

  /** The classes of the class's module and of the candidate modules (`subclassCandidates`) whose bases name it. */
  private subclassesOf(module: ModuleSummary, qualname: string): { module: ModuleSummary; qualname: string }[] {
    const name = qualname.slice(qualname.lastIndexOf('.') + 1);
    const out: { module: ModuleSummary; qualname: string }[] = [];
    const modules: ModuleSummary[] = [module];
    for (const f of this.files.subclassCandidates(module.file, name)) {
      this.tracker.touch(f);
      const s = this.files.summaryOf(f);
      if (s && s !== module) modules.push(s);
    }
    for (const candidate of modules) {
      for (const [cls, bases] of candidate.classBases) {
        if (!bases.some((b) => b && (b === `${module.moduleName}.${qualname}` || b.endsWith('.' + name) || b === name))) continue;
        const named = bases.some((b) => {
          if (!b) return false;
          if (candidate === module && b === `${module.moduleName}.${qualname}`) return true;
          const c = this.classOf(candidate.file, b, 0);
          return !!c && c.module === module && c.qualname === qualname;
        });
        if (named) out.push({ module: candidate, qualname: cls });
      }
    }
    return out;
  }

  /**
   * The summary of the module `moduleName` as imported from `fromFile`: undefined when no module or
   * package named like its first segment is near (a library), null when that module has no readable file.
   */
  moduleSummary(fromFile: string, moduleName: string): ModuleSummary | null | undefined {
    if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(moduleName) || EXTERNAL.test(moduleName + '.')) return undefined;
    if (!this.mayBeLocal(fromFile, moduleName + '.x')) return undefined;
    const bases = importBases(fromFile, this.roots, (p) => this.files.exists(p), (p) => this.files.isDir(p));
    return this.moduleAt(fromFile, bases, moduleName) ?? null;
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
      // `Cls()` runs `Cls.__init__`; `Cls().m` and `Cls.m` are the method, its own or inherited
      const member = rest.length === 1 ? '__init__' : rest.length === 2 ? plainRest[1] : null;
      if (!member) return null;
      const fn = module.functions.get(`${name}.${member}`);
      return fn ? { module, fn } : this.inheritedMethod(module, name, member, hops);
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
        this.tracker.touch(candidate);
        if (!this.files.exists(candidate)) continue;
        const sub = this.files.summaryOf(candidate);
        return sub ? this.lookupIn(sub, rest.slice(1), hops) : null;
      }
    }
    return null;
  }

  /**
   * The method `member` the class `name` of `module` inherits: the first of its bases (in order, each
   * followed up its own bases, in this module or another) that defines it; `receiver` names `name`.
   */
  private inheritedMethod(module: ModuleSummary, name: string, member: string, hops: number): IndexedFunction | null {
    for (const base of module.classBases.get(name) ?? []) {
      if (!base || base.endsWith('()')) continue;
      const r = this.resolveFrom(module.file, `${base}.${member}`, hops + 1, true);
      if (r) return { module: r.module, fn: r.fn, receiver: { file: module.file, cls: `${module.moduleName}.${name}` } };
    }
    return null;
  }
}

/** `a.b.C().m` -> ['a', 'b', 'C()', 'm']; null for shapes that name no function (`f()()`). */
function splitFqn(fqn: string): string[] | null {
  const segs = fqn.split('.');
  for (const s of segs) if (!/^[A-Za-z_]\w*(\(\))?$/.test(s)) return null;
  return segs;
}
