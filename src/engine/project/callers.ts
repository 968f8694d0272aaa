// When a module-level function of the project runs by its callers in other modules: after
// `DBOS.launch()`, repeatedly, in a loop (model/run-time.ts answers for one module; this follows the
// calls that cross modules). The callers are found by the text first: only a file whose text names
// the function (a word: an import, a call, an attribute) can call it, so only those are parsed, and
// their calls resolved through the project (an alias, a package re-export) to the function asked
// about. The answers depend on the texts of the workspace's files alone, never on which files were
// analysed before, and are kept until a file they read, or one that comes to name the function,
// changes.
import * as path from 'node:path';
import type { ModuleModel } from '../model/module';
import type { CallInfo } from '../model/types';
import { callTimeOf, calledByName, type CallTime, type Elsewhere, type RunReason } from '../model/run-time';
import { startedFunction } from '../model/thread-runners';
import { lastSegment } from '../model/names';
import { detachStrings } from '../detach';
import { checkTime, checkTimeNow } from '../budget';
import type { IndexedFunction } from './resolution';

export interface CallersHost {
  /** Every Python file of the workspace (absolute paths), listed on the first question. */
  listFiles(): Iterable<string>;
  /** The current text of a file; null when gone or unreadable. */
  textOf(abs: string): string | null;
  /** Test files call functions their own way (in loops, after launch): they say nothing of the application. */
  isTest(abs: string): boolean;
  /** The last segment of the file's module name (`setup` for `app/setup.py`, `app` for `app/__init__.py`). */
  moduleOf(abs: string): string;
  /** The file as messages name it (`app/main.py`). */
  shownPath(abs: string): string;
  /** `use` applied to a model of the file parsed from `text`; `fallback` when it cannot be read. */
  withModel<T>(abs: string, text: string, use: (model: ModuleModel) => T, fallback: T): T;
  /** The project function a qualified name of `fromFile` denotes. */
  resolve(fromFile: string, fqn: string): IndexedFunction | null;
  /** The path is read by the question under way (tracking.ts: its change re-checks the asker). */
  touch(abs: string): void;
}

/** The answer for one function, with what it read. */
interface Answer {
  time: CallTime | null;
  /** The files read for it (the callers' files, those of the functions they run in, recursively). */
  files: Set<string>;
  /** The functions whose callers it looked for, as `file\0qualname` (a file that comes to name one of them may change it). */
  asked: Set<string>;
  /** A call cycle across modules was cut under it: the answer holds for this question only. */
  cut: boolean;
}

/**
 * Whether `text` may call the module-level function `name` of the module whose name ends in `module`
 * (`setup` for `app.setup`): it names the function as a whole word in a `from ... import` list (`from
 * app.setup import register as reg`, in parentheses over several lines too), or after the module's
 * name and a dot (`setup.register()`, `app.setup.register`; `s.register` with `import app.setup as
 * s`). A file that only names its own `main`, or `asyncio.run`, is not parsed for another module's
 * `main` or `run`.
 */
export function mayCall(text: string, name: string, module: string): boolean {
  let named: boolean | null = null;
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    if (!wordAt(text, i, name.length)) continue;
    if (text.charCodeAt(i - 1) !== 46) {
      if (importedAt(text, i)) return true;
      continue;
    }
    // `setup.register`, or `s.register` with the module imported `as s`
    let j = i - 1;
    while (j > 0 && isWordChar(text.charCodeAt(j - 1))) j--;
    const owner = text.slice(j, i - 1);
    if (owner === module || ((named ??= namesWord(text, module)) && namesWord(text, `as ${owner}`))) return true;
  }
  return false;
}

/** Whether `text` names `word` as a whole word. */
function namesWord(text: string, word: string): boolean {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) if (wordAt(text, i, word.length)) return true;
  return false;
}

/** Whether the `length` characters at `i` are a whole word (no identifier character either side). */
function wordAt(text: string, i: number, length: number): boolean {
  return !(i > 0 && isWordChar(text.charCodeAt(i - 1))) && !(i + length < text.length && isWordChar(text.charCodeAt(i + length)));
}

/** A `from m import a, b` statement from its start up to a name of its list (in parentheses: over several lines). */
const IMPORT_LIST = /^[ \t]*from[ \t]+[\w.]+[ \t]+import[ \t]+(?:\([^()]*|[^\n()#;]*)$/;

/** Whether the name at `at` stands in the list of a `from ... import` statement. */
function importedAt(text: string, at: number): boolean {
  let start = text.lastIndexOf('\n', at - 1) + 1;
  // in parentheses: the statement starts on the line of the `(`
  const open = text.lastIndexOf('(', at);
  if (open > text.lastIndexOf(')', at) && at - open < 4000) start = text.lastIndexOf('\n', open - 1) + 1;
  return IMPORT_LIST.test(text.slice(start, at));
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

export class ProjectCallers {
  private files: Set<string> | null = null;
  /** `module\0name` -> the files whose text may call a function of that name of that module (`mayCall`), for those asked so far. */
  private readonly naming = new Map<string, Set<string>>();
  /** `file\0qualname` -> the answer (computed again after a change of what it read). */
  private readonly answers = new Map<string, Answer>();
  /**
   * What the answers each analysed file read covered: the callers' files and the functions asked about
   * (kept when an answer is dropped, until the file is analysed again); and the reverse, by file.
   */
  private readonly readsOf = new Map<string, { files: Set<string>; asked: Set<string> }>();
  private readonly readersOf = new Map<string, Set<string>>();
  /** A changed file -> the analysed files to check again (until its next change). */
  private readonly changed = new Map<string, Set<string>>();

  constructor(private readonly host: CallersHost) {}

  /**
   * When the module-level function `qualname` of `file` runs by its calls in the other files of the
   * workspace (test files left out), for `reader`, the analysed file: null when none calls it.
   */
  timeOf(file: string, qualname: string, reader: string): CallTime | null {
    const a = this.answer(file, qualname, new Set());
    let reads = this.readsOf.get(reader);
    if (!reads) this.readsOf.set(reader, (reads = { files: new Set(), asked: new Set() }));
    for (const f of a.files) {
      this.host.touch(f);
      reads.files.add(f);
      let set = this.readersOf.get(f);
      if (!set) this.readersOf.set(f, (set = new Set()));
      set.add(reader);
    }
    for (const k of a.asked) reads.asked.add(k);
    return a.time;
  }

  /** `reader` is analysed again: what its last analysis read is forgotten. */
  resetReader(reader: string): void {
    const reads = this.readsOf.get(reader);
    if (!reads) return;
    for (const f of reads.files) this.readersOf.get(f)?.delete(reader);
    this.readsOf.delete(reader);
  }

  /**
   * After a file's text changed (null: gone): true when an analysed file's answers read it, or asked
   * about a function it now names (it may call it now); those files are then `dependentsOf` it.
   */
  update(abs: string, text: string | null): boolean {
    if (text !== null) this.files?.add(abs);
    if (this.naming.size === 0) return false;
    for (const [key, set] of this.naming) {
      const [module, name] = key.split('\0');
      if (text !== null && mayCall(text, name, module)) set.add(abs);
      else set.delete(abs);
    }
    // a file that may call a function (not its own)
    const names = (key: string): boolean => {
      const [owner, qualname] = key.split('\0');
      return owner !== abs && text !== null && mayCall(text, qualname, this.host.moduleOf(owner));
    };
    for (const [key, a] of this.answers) if (a.files.has(abs) || [...a.asked].some(names)) this.answers.delete(key);
    const readers = new Set<string>(this.readersOf.get(abs));
    for (const [reader, reads] of this.readsOf) if (!readers.has(reader) && [...reads.asked].some(names)) readers.add(reader);
    if (readers.size === 0) {
      this.changed.delete(abs);
      return false;
    }
    this.changed.set(abs, readers);
    return true;
  }

  /** The analysed files whose answers the last change of `abs` concerns. */
  dependentsOf(abs: string): string[] {
    return [...(this.changed.get(abs) ?? [])];
  }

  /** A module's summary changed: a call elsewhere may resolve to another function now (the answers are computed again when asked). */
  dropAnswers(): void {
    this.answers.clear();
  }

  private answer(file: string, qualname: string, visiting: Set<string>): Answer {
    const key = `${file}\0${qualname}`;
    const hit = this.answers.get(key);
    if (hit) return hit;
    if (visiting.has(key)) return { time: null, files: new Set(), asked: new Set(), cut: true };
    visiting.add(key);
    try {
      const a = this.compute(file, qualname, visiting);
      // an answer under a cycle cut misses what the cut function gives: kept only for the question asked
      if (!a.cut || visiting.size === 1) {
        detachStrings(a.time);
        this.answers.set(key, a);
      }
      return a;
    } finally {
      visiting.delete(key);
    }
  }

  private compute(file: string, qualname: string, visiting: Set<string>): Answer {
    const out: Answer = { time: null, files: new Set(), asked: new Set([`${file}\0${qualname}`]), cut: false };
    const time: CallTime = { late: null, repeated: null, loop: null };
    for (const other of this.namingFiles(qualname, this.host.moduleOf(file))) {
      if (other === file || this.host.isTest(other)) continue;
      out.files.add(other);
      const text = this.host.textOf(other);
      if (text === null) continue;
      // the callers of a function of `other` that a call enters, in their turn (their own module's callers are model/run-time.ts's)
      const outer: Elsewhere = (fn) => {
        if (!calledByName(fn)) return null;
        const a = this.answer(other, fn.qualname, visiting);
        for (const f of a.files) out.files.add(f);
        for (const k of a.asked) out.asked.add(k);
        out.cut ||= a.cut;
        return a.time;
      };
      this.host.withModel(
        other,
        text,
        (model) => {
          for (const { call, how } of this.callsOf(model, other, file, qualname)) {
            const t = callTimeOf(model, call, how, outer, this.host.shownPath(other));
            time.late ??= at(t.late, other, model, call, how);
            time.repeated ??= at(t.repeated, other, model, call, how);
            time.loop ??= at(t.loop, other, model, call, how);
            if (time.late && time.repeated && time.loop) return;
          }
        },
        undefined,
      );
      if (time.late && time.repeated && time.loop) break;
    }
    if (time.late || time.repeated || time.loop) out.time = time;
    return out;
  }

  /** The calls of `model` (the module `other`) that run the function `qualname` of `file`: called, or handed to a thread or task runner. */
  private callsOf(model: ModuleModel, other: string, file: string, qualname: string): { call: CallInfo; how: string }[] {
    const out: { call: CallInfo; how: string }[] = [];
    const enters = (c: CallInfo): boolean => {
      const fqn = model.calleeFqn(c);
      if (!fqn || lastSegment(fqn) !== qualname) return false;
      const target = this.host.resolve(other, fqn);
      return !!target && target.module.file === file && target.fn.qualname === qualname;
    };
    for (const call of model.calls) {
      checkTime();
      if (enters(call)) out.push({ call, how: 'called' });
      else {
        const ref = startedFunction(model, call);
        if (ref && enters(ref)) out.push({ call, how: `handed to \`${model.textOf(call.callee)}\`` });
      }
    }
    return out;
  }

  /** The files whose text may call a function named `name` (sorted: the first caller found does not depend on the order files were listed in). */
  private namingFiles(name: string, module: string): string[] {
    const key = `${module}\0${name}`;
    let set = this.naming.get(key);
    if (!set) {
      set = new Set();
      this.files ??= new Set(this.host.listFiles());
      for (const f of this.files) {
        // the asking file's time: a pass over every text of the workspace (a read is a long step: the clock is read each time)
        checkTimeNow();
        const text = this.host.textOf(f);
        if (text !== null && mayCall(text, name, module)) set.add(f);
      }
      this.naming.set(key, set);
    }
    return [...set].sort();
  }
}

/** A reason found in another module, its call there as a site (the model of that module is not kept). */
function at(r: RunReason | null, file: string, model: ModuleModel, call: CallInfo, how: string): RunReason | null {
  return r ? { why: r.why, at: null, root: r.root, site: { file, range: model.lines.range(call.start, call.end), how } } : null;
}

/** The path of a file from the innermost root that holds it, with `/` (what messages show). */
export function pathFromRoot(roots: readonly string[], abs: string): string {
  let best: string | null = null;
  for (const r of roots) if (abs.startsWith(r + path.sep) && (best === null || r.length > best.length)) best = r;
  return (best === null ? abs : path.relative(best, abs)).split(path.sep).join('/');
}
