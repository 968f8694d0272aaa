// Per-function reuse of module summaries across edits of one file (the keystroke path).
//
// A module's summary (`summary.ts`) is, for each function, plain data computed from the model. After a
// one-character edit most functions are unchanged: this module keeps, per file, what the last summary
// was computed from, and lets `summarize` take a function's summary from it instead of computing it
// again, when that gives exactly what a fresh computation would. The unit of reuse is the top-level
// statement (a `def`, a decorated `def`, a `class` with its methods): every function nested in it has
// its own scopes, enclosing functions and class inside it.
//
// A function of an unchanged statement S is reused when all of these hold (else it is computed):
// - S's text is the same (with what precedes it on its first line), the new tree has a top-level statement at the same place
//   (shifted by the edit) with the functions at the same offsets inside it and the same qualified
//   names, and, when it holds a syntax error, the new tree was parsed incrementally from the tree of
//   the last summary and tree-sitter reports no change of structure inside S (`getChangedRanges`):
//   error recovery can read the same text differently in another context;
// - the module context allows it (`moduleContext`, in three parts): the module's name, paths and star
//   imports are equal; S's own part (every function's and class's qualified name, kinds, async-ness,
//   parameters, decorators and their targets, factory result, bases and methods) is equal; and the
//   names whose part (import, bindings: value text, annotation, `def`/`class` by qualified name)
//   changed count as changed below. What a name of S resolves to is a function of its own text, of
//   the first part and of the parts of the names it mentions. The attributes assigned on anything
//   but `self` and the keywords of every call of a class's name (what may replace an injected
//   callable's default, `injectionOverrides`) are read from anywhere in the file: they are in the
//   first part;
// - the answers the workspace index gave about other modules (`externalName`) are the same now, the
//   lists of effects are the same object, and no resolution of the old model hit the depth limit;
// - S mentions (as a bare word, or after a dot when S names this module) no module-level name whose part
//   of the context changed, nor one of a function or class defined in a changed statement
//   (or one with a syntax error), nor, by closure, a name of a statement that does, nor a module name
//   bound to a value that does. The only way a function's facts read another function's body (a value
//   forwarded to a helper, `usage.ts`) or another class (inherited methods) is through a name written
//   in its own statement or in a module binding, and a method or nested function is reached through
//   the module-level name of what holds it (`Service.run`, `svc = Service()`, `class C(Service)`).
// When the edit lies inside one method of a top-level class, that class's methods are the units
// instead (`editedMethod`, `methodsChanged`; docs/DEVELOPING.md "Facts reused across edits").
// Offsets of reused facts (definition, call ranges) move with the statement; nothing else in a
// function's facts depends on where it is. `test/engine/reuse.test.ts` checks random edit sequences
// over the fixtures against fresh summaries and analyses.
import type { Range, Tree } from 'web-tree-sitter';
import type { ModuleModel } from '../model/module';
import { injectionOverrides } from '../model/injected-callables';
import type { FunctionInfo } from '../model/types';
import type { FunctionSummary, EffectLists } from './summary';
import { movedSummary } from './signature';
import { commonEnds, escapeRegExp } from '../text';

interface StatementRecord {
  start: number;
  end: number;
  /** It holds a syntax error: reused only when the new tree's structure did not change inside it. */
  broken: boolean;
  /** Functions defined in the statement, in order: offset from the statement's start, qualname, summary (null: not summarised, a lambda). */
  fns: { rel: number; qualname: string; summary: FunctionSummary | null }[];
  /** Names of the module-level functions and classes the statement defines. */
  names: string[];
  /** What the module context says of the functions and classes inside it (`ModuleContext.statements`). */
  own: string;
  /** A class's methods (its units of reuse when an edit stays inside one of them) and whether the rest of it holds a syntax error. */
  methods: Method[] | null;
  headerBroken: boolean;
}

interface ReuseState {
  text: string;
  moduleName: string;
  lists: EffectLists;
  /** The parts of the module context compared with the next one's (a statement's own part is in its record). */
  context: Pick<ModuleContext, 'module' | 'names'>;
  externals: ReadonlyMap<string, string>;
  /** The tree the summary's model was built from: the next one may be parsed from it (`ModuleModel.previousTree`). */
  tree: WeakRef<Tree>;
  /** The top-level statements, by start offset. */
  statements: Map<number, StatementRecord>;
  /** Which state this is (`ReusedFunctions`). */
  serial: number;
}

/** The last summaries' states, by file; a few files (the documents being edited). */
const states = new Map<string, ReuseState>();
const MAX_FILES = 4;

/**
 * For tests and benches: functions summarised afresh and reused since the last `resetReuseStats`, and
 * the qualified names of those the last summary with reuse computed.
 */
export const reuseStats = { computed: 0, reused: 0, lastComputed: [] as string[] };
export function resetReuseStats(): void {
  reuseStats.computed = 0;
  reuseStats.reused = 0;
  reuseStats.lastComputed = [];
}

/** Forgets every kept state (tests). */
export function clearReuse(): void {
  states.clear();
}

/**
 * What a summary with reuse took from the last state of its file: the text of that state and, for
 * each function whose facts were reused, how far its statement (or method) moved. Read by the rules
 * whose findings are kept per function (`rules/function-findings.ts`): a function reused here sits in
 * a statement whose text, module context and mentioned names are unchanged.
 */
export interface ReusedFunctions {
  /** The state this summary kept for the next edit, and the one it was matched against (0: none). */
  serial: number;
  previous: number;
  moved: ReadonlyMap<FunctionInfo, number>;
}

let serials = 0;

const reusedByModel = new WeakMap<ModuleModel, ReusedFunctions>();

/** The functions of `model` whose facts its summary reused (undefined: no summary with reuse was made of it). */
export function reusedFunctions(model: ModuleModel): ReusedFunctions | undefined {
  return reusedByModel.get(model);
}

interface Statement {
  start: number;
  end: number;
  /** The start of its line: text before the statement on its line (`x = 1; def f(): ...`) is compared with it. */
  from: number;
  /** It holds a syntax error (or a missing node): the same text may be recovered from differently. */
  broken: boolean;
  /** A class (decorated or not): its methods, direct children of its body; null for anything else. */
  methods: Method[] | null;
  /** The class outside its methods (decorators, header, other statements of its body) holds a syntax error. */
  headerBroken: boolean;
}

/** A method of a top-level class (a `def`, a decorated `def`): offsets in its version's text. */
interface Method {
  start: number;
  end: number;
  /** The start of its line. */
  from: number;
  broken: boolean;
  /** Its name and its first parameter (`self`), what other methods may read it through. */
  name: string;
  receiver: string | null;
}

/** Old methods usable now, by new start, with their old span and the shift to apply. */
type UsableMethods = { start: number; end: number; oldStart: number; oldEnd: number; delta: number }[];

/** A class an edit changed inside one of its methods (`SummaryReuse.editedMethod`). */
interface PartialClass {
  /** Its start, its old record and its module-level names. */
  start: number;
  rec: StatementRecord;
  names: string[];
  /** Its methods that may keep their facts (text unchanged), until one must be computed again. */
  kept: (UsableMethods[number] & { text: string; method: Method })[];
  /** What other methods and statements may read of the methods computed again (`methodWords`). */
  words: Set<string>;
  /** Its text outside the edited method. */
  header: string;
}

/** One summary being built: which functions may be taken from the last state, and what to keep for the next. */
export class SummaryReuse {
  private readonly statements: Statement[];
  private readonly context: ModuleContext;
  /** Old statement records usable now, by new start offset, with the shift to apply. */
  private readonly usable = new Map<number, { rec: StatementRecord; delta: number }>();
  /** Classes the edit changed inside one method: their other methods usable now, by the class's start. */
  private readonly usableMethods = new Map<number, { rec: StatementRecord; methods: UsableMethods }>();
  private readonly records = new Map<number, StatementRecord>();
  /** The last state's serial when its statements were matched; the functions reused, with their shift and unit. */
  private previous = 0;
  private readonly moved: { fn: FunctionInfo; delta: number; statement: number; method: UsableMethods[number] | null }[] = [];

  private constructor(
    private readonly model: ModuleModel,
    private readonly file: string,
    private readonly lists: EffectLists,
  ) {
    reuseStats.lastComputed = [];
    this.statements = topLevelStatements(model);
    this.context = moduleContext(model, (offset) => this.statementAt(offset)?.start ?? null);
    const old = states.get(file);
    if (old && this.compatible(old)) this.match(old);
  }

  static begin(model: ModuleModel, file: string, lists: EffectLists): SummaryReuse {
    return new SummaryReuse(model, file, lists);
  }

  private compatible(old: ReuseState): boolean {
    if (old.moduleName !== this.model.moduleName || !sameLists(old.lists, this.lists) || old.context.module !== this.context.module) return false;
    for (const [fqn, answer] of old.externals) if (this.model.externalAnswer(fqn) !== answer) return false;
    return true;
  }

  /** Old statements whose text is unchanged, placed in the new text, then the closure of what changed. */
  private match(old: ReuseState): void {
    const a = old.text;
    const b = this.model.text;
    const { prefix, suffix } = commonEnds(a, b);
    const delta = b.length - a.length;
    const candidates: { rec: StatementRecord; delta: number; start: number }[] = [];
    const matched = new Set<StatementRecord>();
    for (const s of this.statements) {
      // before the edit (and not touching it: a character typed right after a statement extends it)
      let rec = s.end < prefix ? old.statements.get(s.start) : undefined;
      let d = 0;
      if (!rec && s.from > b.length - suffix) {
        rec = old.statements.get(s.start - delta);
        d = delta;
      }
      if (!rec || rec.end + d !== s.end || rec.broken !== s.broken || rec.own !== this.ownContext(s.start) || (s.broken && !this.sameStructure(old, s))) continue;
      candidates.push({ rec, delta: d, start: s.start });
      matched.add(rec);
    }
    // a class the edit changed inside one of its methods: its other methods may keep their facts
    const inClass = this.statements.find((s) => s.methods && s.start < prefix && s.end > b.length - suffix);
    let partial = inClass ? this.editedMethod(old, inClass, prefix, suffix) : null;
    // names of what changed: module names whose imports or bindings changed, the old statements not
    // found again, the new ones not matched (but for that class: see `partial`)
    const dirty = new Set<string>();
    for (const [name, part] of this.context.names) if (old.context.names.get(name) !== part) dirty.add(name);
    for (const name of old.context.names.keys()) if (!this.context.names.has(name)) dirty.add(name);
    for (const rec of old.statements.values()) if (!matched.has(rec) && rec !== partial?.rec) for (const n of rec.names) dirty.add(n);
    const matchedStarts = new Set(candidates.map((c) => c.start));
    for (const [start, names] of this.namesByStatement()) if (!matchedStarts.has(start) && start !== partial?.start) for (const n of names) dirty.add(n);
    let pending = candidates;
    for (let grew = true; grew; ) {
      grew = false;
      // module names bound to values that mention a changed name are changed too (`h = helper`),
      // and those that mention the partly changed class
      this.closeOverBindings(dirty, partial?.names);
      const words = this.mentions(dirty);
      // a statement that mentions the partly changed class may read it only through the words of
      // its changed methods (`Service().run()`, `class Sub(Service)` with `self.client`)
      const cls = partial ? this.mentions(new Set(partial.names)) : null;
      const methodWord = partial ? anyWord(partial.words) : null;
      const next: typeof candidates = [];
      for (const c of pending) {
        const text = b.slice(c.start, c.rec.end + c.delta);
        if (words?.(text) || (cls?.(text) && methodWord?.test(text))) {
          for (const n of c.rec.names) if (!dirty.has(n)) {
            dirty.add(n);
            grew = true;
          }
        } else next.push(c);
      }
      pending = next;
      const methods = partial ? this.methodsChanged(partial, dirty) : false;
      if (methods === 'all') {
        // every method computed again: the class's names have changed
        for (const n of partial!.names) dirty.add(n);
        partial = null;
      }
      if (methods) grew = true;
    }
    for (const c of pending) this.usable.set(c.start, { rec: c.rec, delta: c.delta });
    if (partial) this.usableMethods.set(partial.start, { rec: partial.rec, methods: partial.kept });
    this.previous = old.serial;
  }

  /**
   * The class `s` when an edit changed it inside one of its methods, all else of it unchanged (the
   * text outside that method, its part of the module context, no syntax error outside its methods):
   * its methods whose text is unchanged (before the edit, or after its line), and the words through
   * which a method or another statement may read what changed (`methodWords`). Null otherwise.
   */
  private editedMethod(old: ReuseState, s: Statement, prefix: number, suffix: number): PartialClass | null {
    const a = old.text;
    const b = this.model.text;
    const delta = b.length - a.length;
    const rec = old.statements.get(s.start);
    if (!rec?.methods || !s.methods || rec.methods.length !== s.methods.length || rec.end + delta !== s.end) return null;
    if (rec.headerBroken || s.headerBroken || rec.own !== this.ownContext(s.start)) return null;
    const oldEnd = a.length - suffix;
    const newEnd = b.length - suffix;
    const byOldStart = new Map(rec.methods.map((m) => [m.start, m]));
    const kept: PartialClass['kept'] = [];
    let edited: Method | null = null;
    const words = new Set<string>();
    for (const m of s.methods) {
      let d: number;
      if (m.end < prefix) d = 0;
      else if (m.from > newEnd) d = delta;
      else {
        // the edited method: the edit lies inside it, in both versions, so the rest of the class is unchanged
        const o = byOldStart.get(m.start);
        if (edited || !o || m.start > prefix || o.end < oldEnd || m.end < newEnd || o.end + delta !== m.end) return null;
        edited = m;
        methodWords(o, a.slice(o.start, o.end), words);
        methodWords(m, b.slice(m.start, m.end), words);
        continue;
      }
      const o = byOldStart.get(m.start - d);
      if (!o || o.end + d !== m.end || o.broken !== m.broken || (m.broken && !this.sameStructure(old, m))) return null;
      kept.push({ start: m.start, end: m.end, oldStart: o.start, oldEnd: o.end, delta: d, text: b.slice(m.start, m.end), method: m });
    }
    if (!edited) return null;
    const names = this.namesByStatement().get(s.start) ?? [];
    return { start: s.start, rec, names, kept, words, header: b.slice(s.start, edited.start) + b.slice(edited.end, s.end) };
  }

  /**
   * Drops from `partial.kept` the methods to compute again: those that mention a changed module-level
   * name (as statements do), or as any word a word of a method computed again (its facts may have
   * changed with what it reads), whose words are added in turn. Whether the words grew (other
   * statements are tested against them); 'all' when the class outside its methods (bases, class
   * attributes, which any method may read) mentions a changed name other than its own: every method
   * is then computed again.
   */
  private methodsChanged(partial: PartialClass, dirty: Set<string>): boolean | 'all' {
    const own = new Set(partial.names);
    if (this.mentions(new Set([...dirty].filter((n) => !own.has(n))))?.(partial.header)) return 'all';
    const module = this.mentions(dirty);
    const size = partial.words.size;
    for (;;) {
      const word = anyWord(partial.words);
      const next = partial.kept.filter((k) => !module?.(k.text) && !word?.test(k.text));
      if (next.length === partial.kept.length) return partial.words.size !== size;
      for (const k of partial.kept) if (!next.includes(k)) methodWords(k.method, k.text, partial.words);
      partial.kept = next;
    }
  }

  private changed: Range[] | null | undefined;
  /**
   * Whether tree-sitter reports the structure of the new tree unchanged inside `s` since the old
   * state's tree (the visible nodes from the root down, compared by symbol and position: what
   * `getChangedRanges` returns). Only when the new tree was parsed from that very tree (edited) and
   * the caller still holds it; otherwise a statement with a syntax error counts as changed.
   */
  private sameStructure(old: ReuseState, s: { start: number; end: number }): boolean {
    if (this.changed === undefined) {
      const previous = this.model.previousTree;
      this.changed = previous && old.tree.deref() === previous ? previous.getChangedRanges(this.model.tree) : null;
    }
    if (!this.changed) return false;
    // an empty range at a boundary counts: a node inserted there may belong to s
    return !this.changed.some((r) => r.startIndex <= s.end && r.endIndex >= s.start);
  }

  /**
   * Adds to `dirty` the module names whose bindings' values mention one of its names (or of `also`),
   * until none is added.
   */
  private closeOverBindings(dirty: Set<string>, also: readonly string[] = []): void {
    for (let grew = true; grew; ) {
      grew = false;
      const words = this.mentions(also.length > 0 ? new Set([...dirty, ...also]) : dirty);
      if (!words) return;
      for (const [name, texts] of this.context.values) {
        if (dirty.has(name)) continue;
        if (texts.some(words)) {
          dirty.add(name);
          grew = true;
        }
      }
    }
  }

  /**
   * Whether a text mentions one of the names: as a bare word (`helper`, `Service`), or also after a
   * dot (`app.helper`) when the text names this module (its first or last segment: an import of the
   * module itself, relative or not). Any other `x.name` is an attribute of something else: a method,
   * an attribute of an import, reached through the name of what holds it. `def name` and `class
   * name` define a name of their own statement and read nothing. Null for no names.
   */
  private mentions(names: Set<string>): ((text: string) => boolean) | null {
    if (names.size === 0) return null;
    const list = [...names].map(escapeRegExp).join('|');
    const bare = new RegExp(`(?<!\\w)(?<!\\.\\s*)(?<!\\b(?:def|class)\\s+)(?:${list})(?!\\w)`);
    const any = new RegExp(`(?<!\\w)(?<!\\b(?:def|class)\\s+)(?:${list})(?!\\w)`);
    const segments = this.model.moduleName.split('.');
    const own = new RegExp(`(?<!\\w)(?:${[...new Set([segments[0], segments[segments.length - 1]])].map(escapeRegExp).join('|')})(?!\\w)`);
    return (text) => (own.test(text) ? any.test(text) : bare.test(text));
  }

  private namesCache: Map<number, string[]> | undefined;
  /** Names of the functions and classes of each new statement, by its start. */
  private namesByStatement(): Map<number, string[]> {
    if (this.namesCache) return this.namesCache;
    const out = new Map<number, string[]>();
    const add = (offset: number, name: string) => {
      const s = this.statementAt(offset);
      if (!s) return;
      let list = out.get(s.start);
      if (!list) out.set(s.start, (list = []));
      list.push(name);
    };
    // module-level names only: a method or a nested function is reached through the name of what holds it
    for (const f of this.model.functions) if (!f.isLambda && !f.qualname.includes('.')) add(f.node.startIndex, f.name);
    for (const c of this.model.classes) if (!c.qualname.includes('.')) add(c.node.startIndex, c.name);
    return (this.namesCache = out);
  }

  /** What the module context says of the functions and classes of the statement starting at `start`. */
  private ownContext(start: number): string {
    return this.context.statements.get(start) ?? '';
  }

  private statementAt(offset: number): Statement | null {
    const list = this.statements;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid];
      if (offset < s.start) hi = mid - 1;
      else if (offset >= s.end) lo = mid + 1;
      else return s;
    }
    return null;
  }

  /**
   * The summary of `fn` (whose node starts at `start`) from the last state, moved to where it is now;
   * undefined when it must be computed. Call for every function, in the model's order, then `keep`.
   */
  reused(fn: FunctionInfo, start: number): FunctionSummary | null | undefined {
    const s = this.statementAt(start);
    if (!s) return undefined;
    const u = this.usable.get(s.start);
    if (!u) return this.reusedMethod(fn, start, s);
    const rel = start - s.start;
    const old = u.rec.fns.find((f) => f.rel === rel);
    if (!old || old.qualname !== fn.qualname) {
      this.usable.delete(s.start);
      return undefined;
    }
    this.moved.push({ fn, delta: u.delta, statement: s.start, method: null });
    return old.summary && u.delta !== 0 ? movedSummary(old.summary, u.delta) : old.summary;
  }

  /** `reused` for a function inside a method of a class the edit changed elsewhere (`matchMethods`). */
  private reusedMethod(fn: FunctionInfo, start: number, s: Statement): FunctionSummary | null | undefined {
    const u = this.usableMethods.get(s.start);
    const m = u?.methods.find((k) => k.start <= start && start < k.end);
    if (!u || !m) return undefined;
    const rel = start - m.delta - u.rec.start;
    const old = u.rec.fns.find((f) => f.rel === rel);
    // an injected callable's default outside the method (`__init__`) would not move with it
    const inside = (o: { start: number; end: number }) => o.start >= m.oldStart && o.end <= m.oldEnd;
    if (!old || old.qualname !== fn.qualname || old.summary?.calls.some((c) => c.boundAt && !inside(c.boundAt))) {
      u.methods.splice(u.methods.indexOf(m), 1);
      return undefined;
    }
    this.moved.push({ fn, delta: m.delta, statement: s.start, method: m });
    return old.summary && m.delta !== 0 ? movedSummary(old.summary, m.delta) : old.summary;
  }

  /** Records what was summarised for `fn` (null: skipped), for the next edit. */
  note(fn: FunctionInfo, start: number, summary: FunctionSummary | null): void {
    const s = this.statementAt(start);
    if (!s) return;
    this.recordOf(s).fns.push({ rel: start - s.start, qualname: fn.qualname, summary });
  }

  /** The record of a statement of this version, made (with no functions yet) when first asked for. */
  private recordOf(s: Statement): StatementRecord {
    let rec = this.records.get(s.start);
    if (!rec) {
      rec = { start: s.start, end: s.end, broken: s.broken, fns: [], names: this.namesByStatement().get(s.start) ?? [], own: this.ownContext(s.start), methods: s.methods, headerBroken: s.headerBroken };
      this.records.set(s.start, rec);
    }
    return rec;
  }

  /** Keeps this summary's state for the next edit of the file (after the whole summary was computed). */
  keep(): void {
    // statements without functions (a class without methods) still name what they define
    for (const s of this.statements) this.recordOf(s);
    states.delete(this.file);
    states.set(this.file, {
      text: this.model.text,
      moduleName: this.model.moduleName,
      lists: this.lists,
      context: { module: this.context.module, names: this.context.names },
      externals: this.model.externalAnswers(),
      tree: new WeakRef(this.model.tree),
      statements: this.records,
      serial: ++serials,
    });
    while (states.size > MAX_FILES) states.delete(states.keys().next().value!);
    // the functions reused whose whole statement (or method) stayed usable to the end
    const moved = new Map<FunctionInfo, number>();
    for (const r of this.moved) {
      const usable = r.method ? this.usableMethods.get(r.statement)?.methods.includes(r.method) : this.usable.has(r.statement);
      if (usable) moved.set(r.fn, r.delta);
    }
    reusedByModel.set(this.model, { serial: serials, previous: this.previous, moved });
  }
}

/** The module's top-level statements. */
function topLevelStatements(model: ModuleModel): Statement[] {
  const out: Statement[] = [];
  const text = model.text;
  for (const c of model.root.children) {
    if (!c) continue;
    const start = c.startIndex;
    let from = start;
    while (from > 0 && text.charCodeAt(from - 1) !== 10 && text.charCodeAt(from - 1) !== 13) from--;
    const broken = c.hasError || c.isMissing;
    const cls = c.type === 'class_definition' ? c : c.type === 'decorated_definition' ? c.childForFieldName('definition') : null;
    const body = cls?.type === 'class_definition' ? cls.childForFieldName('body') : null;
    let methods: Method[] | null = null;
    let headerBroken = broken;
    if (body) {
      methods = [];
      // the class outside its methods: a syntax error there may change what any method reads
      headerBroken = c.isMissing || cls!.isMissing || body.isMissing || c.children.some((k) => k !== cls && !!k && (k.hasError || k.isMissing)) || cls!.children.some((k) => k !== body && !!k && (k.hasError || k.isMissing));
      for (const k of body.children) {
        if (!k) continue;
        const def = k.type === 'decorated_definition' ? k.childForFieldName('definition') : k;
        if (def?.type !== 'function_definition') {
          if (k.hasError || k.isMissing) headerBroken = true;
          continue;
        }
        let mFrom = k.startIndex;
        while (mFrom > 0 && text.charCodeAt(mFrom - 1) !== 10 && text.charCodeAt(mFrom - 1) !== 13) mFrom--;
        const fn = model.functionOf(def);
        // not in the model: no method of this class is reused alone
        if (!fn) headerBroken = true;
        methods.push({ start: k.startIndex, end: k.endIndex, from: mFrom, broken: k.hasError || k.isMissing, name: fn?.name ?? '', receiver: fn?.params[0] ?? null });
      }
    }
    out.push({ start, from, end: c.endIndex, broken, methods, headerBroken });
  }
  return out;
}

/**
 * Adds to `words` what other methods of a class (and other statements) may read of a method `m`
 * (whose text is `text`) through a word: its name (its body: a call `self.m()`, a value forwarded to
 * it, `model/usage.ts`) and the attributes of its first parameter (`self`, also `cls`) it may assign
 * (`self.x =`, `self.x: T =`, `self.x +=`, `self.x, self.y =`): what `self.x` resolves to in another
 * method (`resolveSelfAttribute`). What it only reads changes nothing that another function reads.
 */
function methodWords(m: Method, text: string, words: Set<string>): void {
  if (m.name) words.add(m.name);
  const receivers = new Set(['self', 'cls']);
  if (m.receiver) receivers.add(m.receiver);
  const re = new RegExp(`(?<![\\w.])(?:${[...receivers].map(escapeRegExp).join('|')})\\s*\\.\\s*([A-Za-z_]\\w*)(?=\\s*(?:=(?!=)|:|,|\\)|\\]|[-+*/%&|^@<>]{1,3}=))`, 'g');
  for (const m of text.matchAll(re)) words.add(m[1]);
}

/** A pattern for any of the words, as a whole word (after a dot too), but where a `def` or `class` defines it; null for none. */
function anyWord(words: Set<string>): RegExp | null {
  if (words.size === 0) return null;
  return new RegExp(`(?<!\\w)(?<!\\b(?:def|class)\\s+)(?:${[...words].map(escapeRegExp).join('|')})(?!\\w)`);
}

/**
 * What every function's facts may read of the module outside its own statement (see the header),
 * in three parts, so that an edit of one module-level value computes again only what reads it.
 */
interface ModuleContext {
  /** The module's name and paths, its star imports, what may replace injected callables' defaults: any change computes every function again. */
  module: string;
  /** By module-scope name: its import and its bindings (value text, annotation; `def`/`class` by qualified name). */
  names: Map<string, string>;
  /**
   * By the start of a top-level statement: the functions and classes inside it (qualified name,
   * kinds, async-ness, parameters, decorators and what they resolve to, factory result; bases and
   * methods). Kinds and decorators' targets can change with another statement (`DBOS.step()(f)`,
   * `step = DBOS.step`): the statement is then computed again, and its names count as changed.
   */
  statements: Map<number, string>;
  /** The texts of the values module-scope names are bound to, but for `def` and `class` (what `closeOverBindings` reads). */
  values: [string, string[]][];
}

function moduleContext(model: ModuleModel, statementOf: (offset: number) => number | null): ModuleContext {
  const module = [model.moduleName, model.path, model.projectPath, model.starImports.join(',')];
  const names = new Map<string, string>();
  const add = (name: string, part: string) => names.set(name, (names.get(name) ?? '') + part + '\n');
  for (const [name, fqn] of model.module.imports) add(name, `I ${fqn}`);
  const values: [string, string[]][] = [];
  for (const [name, bindings] of model.module.bindings) {
    const texts: string[] = [];
    const parts = bindings.map((b) => {
      const v = b.value;
      const ann = b.annotation ?? '';
      if (!v) return `- ${ann}`;
      if (v.type === 'function_definition') {
        const fn = model.functionOf(v);
        return `def ${fn?.qualname ?? '?'} ${ann}`;
      }
      if (v.type === 'class_definition') return `class ${model.classes.find((c) => c.node.id === v.id)?.qualname ?? '?'} ${ann}`;
      const text = model.textOf(v);
      texts.push(text);
      return `= ${text} ${ann}`;
    });
    add(name, `B ${parts.join(' | ')}`);
    if (texts.length > 0) values.push([name, texts]);
  }
  const statements = new Map<number, string>();
  const own = (offset: number, part: string) => {
    const start = statementOf(offset);
    if (start === null) module.push(part);
    else statements.set(start, (statements.get(start) ?? '') + part + '\n');
  };
  for (const f of model.functions) {
    const decorators = f.decorators.map((d) => `${d.fqn ?? ''}/${model.textOf(d.expr)}`).join(',');
    own(f.node.startIndex, `F ${f.qualname} ${f.fqn} ${[...f.kinds].sort().join(',')} ${f.isAsync ? 'a' : ''}${f.isLambda ? 'l' : ''} (${f.params.join(',')}) ${decorators} ${model.apiFactory(f) ?? ''}`);
  }
  for (const c of model.classes) own(c.node.startIndex, `C ${c.qualname} ${c.fqn} (${c.bases.map((b) => model.textOf(b)).join(',')}) ${c.methods.map((m) => m.name).join(',')}`);
  // what may replace an injected callable's default, anywhere in the file: read by no name, so module-wide
  const o = injectionOverrides(model);
  module.push(`O ${[...o.assigned].sort().join(',')} ${[...o.constructed].map(([n, calls]) => `${n}(${calls.map((k) => k.join(',')).join(';')})`).join(' ')}`);
  return { module: module.join('\n'), names, statements, values };
}

/** The same lists of effects (each list one object per configuration: `buildApiCatalog` keeps them). */
function sameLists(a: EffectLists, b: EffectLists): boolean {
  const same = (x: readonly unknown[], y: readonly unknown[]) => x.length === y.length && x.every((l, i) => l === y[i]);
  return a === b || (same(a.all, b.all) && same(a.nondeterministic, b.nondeterministic));
}

