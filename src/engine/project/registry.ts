// The workspace registry: every workflow name and queue name the workspace registers (and the
// application names it configures and the files that construct DBOS, read with the workflows), in every file
// under the roots (not only the modules that an analysed file imports), for the rules that compare a
// name written in one file with registrations made anywhere (DBOS406, DBOS806, DBOS905).
// Built lazily on the first query, for the kind of name asked (queues or workflows): the roots are
// walked (the CLI's walk: .gitignore, venvs and caches skipped), test files are left out, a file whose
// text cannot register that kind (no `dbos`; no `register_queue`/`Queue`, or no `.workflow`, `DBOS(`
// or `DBOSConfig`) is never parsed, the others are parsed by the index once per content (cached by
// hash; the index frees each tree, or keeps it for the file's own analysis in a batch run).
import { detachStrings } from '../detach';
import { hashOf } from './hash';
import { isTestFilePath, type ModuleModel } from '../model/module';
import { configuredAppNames, registeredWorkflows } from '../model/registered-workflows';
import { registrations } from '../model/registrations';
import { queueDeclarations } from '../model/queues';
import { lifecycleFacts } from '../model/lifecycle';
import { workspaceFiles } from './walk';
import { isOutOfTime } from '../budget';

/** A workflow registered somewhere in the workspace. */
export interface RegisteredName {
  /** The name DBOS records (`name=`, else the function's `__qualname__`). */
  name: string;
  /** The function's own name (for messages). */
  fnName: string;
  method: 'static' | 'class' | 'instance' | null;
  /** The name DBOS registers the class under; null for functions or when not a literal. */
  className: string | null;
  file: string;
}

/** What one file registers. */
export interface FileRegistrations {
  workflows: RegisteredName[];
  queues: string[];
  /** Application names the file configures (`DBOS(config={"name": ...})`, `DBOSConfig(name=...)`), read with the workflows. */
  appNames: string[];
  /** A workflow (or queue) registered under a name that is not a literal: the set of names is open. */
  dynamicWorkflows: boolean;
  dynamicQueues: boolean;
  /** The file constructs DBOS (`DBOS(...)` anywhere in it, any alias, or a call written `DBOS(...)` that may be a re-export), read with the workflows. */
  constructsDbos: boolean;
}

/** The workspace's registrations, merged. */
export interface WorkspaceRegistrations {
  workflows: Map<string, RegisteredName[]>;
  /** Queue name -> files that register it. */
  queues: Map<string, string[]>;
  /** Application name -> files that configure DBOS with it (complete with the workflows). */
  appNames: Map<string, string[]>;
  /** Files registering workflows / queues under names that are not literals (then names are not known). */
  dynamicWorkflowFiles: string[];
  dynamicQueueFiles: string[];
  /** Files that construct DBOS (complete with the workflows). */
  constructingFiles: string[];
}

const EMPTY: FileRegistrations = { workflows: [], queues: [], appNames: [], dynamicWorkflows: false, dynamicQueues: false, constructsDbos: false };

/** What the registry is asked about: queue names (DBOS406) or workflow names (DBOS806, DBOS905). */
export type RegistryKind = 'queues' | 'workflows';

/** Which kinds of names a text can register at all (a file that can register neither is never parsed). */
export function mayRegister(text: string): { queues: boolean; workflows: boolean } {
  if (!/dbos/i.test(text)) return { queues: false, workflows: false };
  return { queues: /register_queue|\bQueue\b/.test(text), workflows: /\.workflow\b|\bDBOSConfig\b|\bDBOS\s*\(|\bDBOS\s+as\b/.test(text) };
}

/** The registrations of one file, from its model (the tree must be alive). */
export function registrationsOf(model: ModuleModel, file: string): FileRegistrations {
  const workflows: RegisteredName[] = [];
  let dynamicWorkflows = false;
  const seen = new Set<string>();
  for (const w of registeredWorkflows(model)) {
    if (w.name === null) {
      dynamicWorkflows = true;
      continue;
    }
    seen.add(w.name);
    workflows.push({ name: w.name, fnName: w.fn.name, method: w.method, className: w.className, file });
  }
  // functional registrations, `job = DBOS.workflow(name="job")(impl)`
  for (const r of registrations(model)) {
    if (r.kind !== 'workflow' || seen.has(r.name) || !r.fn) continue;
    seen.add(r.name);
    workflows.push({ name: r.name, fnName: r.fn.name, method: null, className: null, file });
  }
  const queues: string[] = [];
  let dynamicQueues = false;
  for (const d of queueDeclarations(model)) {
    if (d.name === null) dynamicQueues = true;
    else if (!queues.includes(d.name)) queues.push(d.name);
  }
  // a construction the model sees (any alias of `dbos.DBOS`), or a call written `DBOS(...)` / `x.DBOS(...)` (a re-export)
  const constructsDbos = lifecycleFacts(model).constructions.length > 0 || model.calls.some((c) => /(^|\.)\s*DBOS$/.test(model.textOf(c.callee)));
  return { workflows, queues, appNames: [...configuredAppNames(model)], dynamicWorkflows, dynamicQueues, constructsDbos };
}

function signatureOf(r: FileRegistrations): string {
  const w = r.workflows.map((x) => `${x.name}|${x.fnName}|${x.method}|${x.className}`).join(',');
  return `${w};${r.queues.join(',')};${r.appNames.join(',')};${r.dynamicWorkflows};${r.dynamicQueues};${r.constructsDbos}`;
}


/** What the registry knows of one file, as plain data (a batch run's threads exchange these). */
export interface RegistryEntry {
  file: string;
  hash: string | null;
  regs: FileRegistrations;
  /** The text may register names of these kinds; `parsed`: its registrations were read. */
  may: { queues: boolean; workflows: boolean };
  parsed: boolean;
}

/** A file's entry as the registry keeps it: by path, with the signature of its registrations. */
interface FileEntry extends Omit<RegistryEntry, 'file'> {
  sig: string;
}

/** No name registered anywhere (also the answer of a deferred registry, see WorkspaceIndex). */
export function noRegistrations(): WorkspaceRegistrations {
  return { workflows: new Map(), queues: new Map(), appNames: new Map(), dynamicWorkflowFiles: [], dynamicQueueFiles: [], constructingFiles: [] };
}

export interface RegistryHost {
  roots: string[];
  /** Whether the files can be listed from disk (false for a virtual workspace). */
  onDisk: boolean;
  /** The current text of a file (editor buffer, else disk); null when gone or unreadable. */
  textOf(abs: string): string | null;
  /** Files known without listing the disk (open buffers, analysed files). */
  knownFiles(): Iterable<string>;
  /** The Python files under the roots when the caller has listed them already (else the roots are walked). */
  listedFiles?(): readonly string[] | undefined;
  /** The path from the folder holding the innermost root (see WorkspaceIndex.relativePath). */
  relativePath(abs: string): string;
  /** `use` applied to a model of the file parsed from `text`; `fallback` when the text or the model cannot be read. */
  withModel<T>(abs: string, text: string, use: (model: ModuleModel) => T, fallback: T): T;
}

export class WorkspaceRegistry {
  private readonly files = new Map<string, FileEntry>();
  /** The files under the roots, listed on the first query. */
  private listed: Set<string> | null = null;
  /** Kinds asked for so far: only files that may register those are parsed. */
  private readonly built = new Set<RegistryKind>();
  private merged: WorkspaceRegistrations | null = null;
  /** Analysed files whose findings read the registry. */
  private readonly readers = new Set<string>();
  /** Files whose registrations changed at their last update (their change concerns every reader). */
  private readonly changed = new Set<string>();
  /** Parses done by the registry (for tests and benches). */
  parses = 0;

  constructor(private readonly host: RegistryHost) {}

  /**
   * The merged registrations (complete for `kind`); `reader` (an analysed file) is re-checked when
   * they change. `own`: the reader's current model (its registrations are read from it).
   */
  query(kind: RegistryKind, reader: string | null, own?: { file: string; model: ModuleModel }): WorkspaceRegistrations {
    if (reader) this.readers.add(reader);
    if (own) this.noteModel(own.file, own.model);
    if (!this.built.has(kind)) this.build(kind);
    if (!this.merged) this.merged = this.merge();
    return this.merged;
  }

  /** The file's registrations from a model already built (no second parse). */
  noteModel(abs: string, model: ModuleModel): void {
    if (this.isTest(abs)) return;
    const hash = hashOf(model.text);
    const old = this.files.get(abs);
    if (old && old.hash === hash && old.parsed) return;
    const may = mayRegister(model.text);
    this.put(abs, hash, may, true, may.queues || may.workflows ? this.readFrom(model, abs) : EMPTY);
  }

  /** The registrations a model gives; none when it cannot be read (never a crash). */
  private readFrom(model: ModuleModel, abs: string): FileRegistrations {
    try {
      return registrationsOf(model, abs);
    } catch (e) {
      // the analysed file's time ran out: nothing is recorded (its registrations are not known to be none)
      if (isOutOfTime(e)) throw e;
      return EMPTY;
    }
  }

  /**
   * `update` after an analysed file's text changed, its registrations read from the analysis's model
   * of that text instead of a parse of its own. True when they changed.
   */
  noteAnalysed(abs: string, model: ModuleModel): boolean {
    if (this.built.size === 0 || !/\.pyi?$/.test(abs) || this.isTest(abs)) return false;
    return this.load(abs, model.text, false, model);
  }

  /**
   * A file a batch run read but did not analyse (no DBOS code): what it can register is read from
   * its text (nothing, without `dbos`), so that the registry need not read it again.
   */
  noteText(abs: string, text: string): void {
    if (this.isTest(abs) || this.files.has(abs)) return;
    this.load(abs, text);
  }

  /** Every file's entry (a batch run's threads send theirs to each other). */
  snapshot(): RegistryEntry[] {
    return [...this.files].map(([file, e]) => ({ file, hash: e.hash, regs: e.regs, may: e.may, parsed: e.parsed }));
  }

  /** Entries read by another thread of a batch run, for files this registry has not read itself. */
  preload(entries: readonly RegistryEntry[]): void {
    for (const e of entries) {
      if (this.files.has(e.file) || this.isTest(e.file)) continue;
      this.put(e.file, e.hash, e.may, e.parsed, e.regs);
    }
  }

  /** After a text change (setText/forget): re-read the file if the registry exists. True when its registrations changed. */
  update(abs: string): boolean {
    if (this.built.size === 0 || !/\.pyi?$/.test(abs) || this.isTest(abs)) return false;
    return this.load(abs, this.host.textOf(abs));
  }

  /** The readers to re-check after `abs` changed, when its registrations did. */
  dependentsOf(abs: string): string[] {
    if (!this.changed.has(abs)) return [];
    return [...this.readers].filter((r) => r !== abs);
  }

  private build(kind: RegistryKind): void {
    this.built.add(kind);
    this.listed ??= workspaceFiles(this.host.roots, this.host.onDisk, this.host.knownFiles(), this.host.listedFiles?.());
    try {
      for (const abs of this.listed) {
        if (this.isTest(abs)) continue;
        const e = this.files.get(abs);
        if (!e) this.load(abs, this.host.textOf(abs));
        else if (!e.parsed && e.may[kind]) this.load(abs, this.host.textOf(abs), true);
      }
    } catch (e) {
      // stopped by the asking file's time budget: the files read so far are kept, the next query goes on
      this.built.delete(kind);
      throw e;
    }
    this.changed.clear();
  }

  /**
   * Test files (`test_*.py`, `*_test.py`, `conftest.py`, under `tests/`, relative to their root) are
   * left out: the rules are quiet in tests, and what a test registers says nothing of what the
   * application registers (DBOS's own suite registers hundreds of workflows, some from variables).
   */
  private isTest(abs: string): boolean {
    return isTestFilePath(this.host.relativePath(abs));
  }

  /** Reads a file's text: parsed when it may register a kind already asked for. */
  private load(abs: string, text: string | null, force = false, model?: ModuleModel): boolean {
    const hash = text === null ? null : hashOf(text);
    const old = this.files.get(abs);
    if (!force && old && old.hash === hash) return false;
    const may = text === null ? { queues: false, workflows: false } : mayRegister(text);
    const wanted = (may.queues && this.built.has('queues')) || (may.workflows && this.built.has('workflows'));
    const regs = text !== null && wanted ? this.parse(abs, text, model) : EMPTY;
    return this.put(abs, hash, may, wanted, regs);
  }

  private put(abs: string, hash: string | null, may: FileEntry['may'], parsed: boolean, regs: FileRegistrations): boolean {
    const old = this.files.get(abs);
    // kept for the session: its names, and the signature made of them, must not hold the file's text (detach.ts)
    const own = detachStrings(regs);
    const sig = signatureOf(own);
    this.files.set(abs, { hash, regs: own, sig, may, parsed });
    this.listed?.add(abs);
    const changed = (old?.sig ?? signatureOf(EMPTY)) !== sig;
    if (changed) {
      this.merged = null;
      this.changed.add(abs);
    } else this.changed.delete(abs);
    return changed;
  }

  /** A file's registrations: from `model` when given (a model of `text`), else from a parse of the text. */
  private parse(abs: string, text: string, model?: ModuleModel): FileRegistrations {
    if (text.includes('\u0000')) return EMPTY;
    if (model) return this.readFrom(model, abs);
    this.parses++;
    // a file the model cannot read registers nothing, never a crash
    return this.host.withModel(abs, text, (model) => registrationsOf(model, abs), EMPTY);
  }

  private merge(): WorkspaceRegistrations {
    const out = noRegistrations();
    for (const abs of [...this.files.keys()].sort()) {
      const r = this.files.get(abs)!.regs;
      for (const w of r.workflows) {
        const list = out.workflows.get(w.name);
        if (list) list.push(w);
        else out.workflows.set(w.name, [w]);
      }
      for (const q of r.queues) {
        const list = out.queues.get(q);
        if (list) list.push(abs);
        else out.queues.set(q, [abs]);
      }
      for (const a of r.appNames) {
        const list = out.appNames.get(a);
        if (list) list.push(abs);
        else out.appNames.set(a, [abs]);
      }
      if (r.dynamicWorkflows) out.dynamicWorkflowFiles.push(abs);
      if (r.dynamicQueues) out.dynamicQueueFiles.push(abs);
      if (r.constructsDbos) out.constructingFiles.push(abs);
    }
    return out;
  }
}
