// The workspace registry: every workflow name and queue name the workspace registers, in every file
// under the roots (not only the modules that an analysed file imports), for the rules that compare a
// name written in one file with registrations made anywhere (DBOS406, DBOS806, DBOS905).
// Built lazily on the first query: the roots are walked (the CLI's walk: .gitignore, venvs and caches
// skipped), a file whose text cannot register anything (no `dbos`, no `workflow`/`queue`) is never
// parsed, the others are parsed once per content (cached by hash) and their trees freed at once.
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { parsePython } from '../parser';
import { ModuleModel } from '../model/module';
import { registeredWorkflows } from '../analysis/registrations';
import { registrations } from '../analysis/registration';
import { queueDeclarations } from '../analysis/steps-queues';
import { walk } from '../../cli/walk';

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
  /** A workflow (or queue) registered under a name that is not a literal: the set of names is open. */
  dynamicWorkflows: boolean;
  dynamicQueues: boolean;
}

/** The workspace's registrations, merged. */
export interface WorkspaceRegistrations {
  workflows: Map<string, RegisteredName[]>;
  /** Queue name -> files that register it. */
  queues: Map<string, string[]>;
  /** Files registering workflows / queues under names that are not literals (then names are not known). */
  dynamicWorkflowFiles: string[];
  dynamicQueueFiles: string[];
}

const EMPTY: FileRegistrations = { workflows: [], queues: [], dynamicWorkflows: false, dynamicQueues: false };

/** Whether a text can register a workflow or a queue at all (no parse for the others). */
export function mayRegister(text: string): boolean {
  return /dbos/i.test(text) && /workflow|queue/i.test(text);
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
  return { workflows, queues, dynamicWorkflows, dynamicQueues };
}

function signatureOf(r: FileRegistrations): string {
  const w = r.workflows.map((x) => `${x.name}|${x.fnName}|${x.method}|${x.className}`).join(',');
  return `${w};${r.queues.join(',')};${r.dynamicWorkflows};${r.dynamicQueues}`;
}

function hashOf(text: string): string {
  return crypto.createHash('sha1').update(text).digest('base64');
}

interface FileEntry {
  hash: string | null;
  regs: FileRegistrations;
  sig: string;
}

export interface RegistryHost {
  roots: string[];
  /** Whether the files can be listed from disk (false for a virtual workspace). */
  onDisk: boolean;
  /** The current text of a file (editor buffer, else disk); null when gone or unreadable. */
  textOf(abs: string): string | null;
  /** Files known without listing the disk (open buffers, analysed files). */
  knownFiles(): Iterable<string>;
  moduleName(abs: string): string;
}

export class WorkspaceRegistry {
  private readonly files = new Map<string, FileEntry>();
  private built = false;
  private merged: WorkspaceRegistrations | null = null;
  /** Analysed files whose findings read the registry. */
  private readonly readers = new Set<string>();
  /** Files whose registrations changed at their last update (their change concerns every reader). */
  private readonly changed = new Set<string>();
  /** Parses done by the registry (for tests). */
  parses = 0;

  constructor(private readonly host: RegistryHost) {}

  /** The merged registrations; `reader` (an analysed file) is re-checked when they change. */
  query(reader: string | null, own?: { file: string; model: ModuleModel }): WorkspaceRegistrations {
    if (reader) this.readers.add(reader);
    if (own) this.noteModel(own.file, own.model);
    if (!this.built) this.build();
    if (!this.merged) this.merged = this.merge();
    return this.merged;
  }

  /** The file's registrations from a model already built (no second parse). */
  noteModel(abs: string, model: ModuleModel): void {
    const hash = hashOf(model.text);
    const old = this.files.get(abs);
    if (old && old.hash === hash) return;
    let regs = EMPTY;
    if (mayRegister(model.text)) {
      try {
        regs = registrationsOf(model, abs);
      } catch {
        regs = EMPTY;
      }
    }
    this.put(abs, hash, regs);
  }

  /** After a text change (setText/forget): re-read the file if the registry exists. True when its registrations changed. */
  update(abs: string): boolean {
    if (!this.built) return false;
    if (!/\.pyi?$/.test(abs)) return false;
    return this.load(abs, this.host.textOf(abs));
  }

  /** The readers to re-check after `abs` changed, when its registrations did. */
  dependentsOf(abs: string): string[] {
    if (!this.changed.has(abs)) return [];
    return [...this.readers].filter((r) => r !== abs);
  }

  private build(): void {
    this.built = true;
    const all = new Set<string>(this.host.knownFiles());
    if (this.host.onDisk && this.host.roots.length > 0) {
      try {
        for (const f of walk(this.host.roots).files) all.add(path.resolve(f));
      } catch {
        // an unreadable root lists nothing more
      }
    }
    for (const abs of all) if (!this.files.has(abs)) this.load(abs, this.host.textOf(abs));
    this.changed.clear();
  }

  private load(abs: string, text: string | null): boolean {
    const hash = text === null ? null : hashOf(text);
    const old = this.files.get(abs);
    if (old && old.hash === hash) return false;
    let regs = EMPTY;
    if (text !== null && mayRegister(text)) regs = this.parse(abs, text);
    return this.put(abs, hash, regs);
  }

  private put(abs: string, hash: string | null, regs: FileRegistrations): boolean {
    const old = this.files.get(abs);
    const sig = signatureOf(regs);
    this.files.set(abs, { hash, regs, sig });
    const changed = (old?.sig ?? signatureOf(EMPTY)) !== sig;
    if (changed) {
      this.merged = null;
      this.changed.add(abs);
    } else this.changed.delete(abs);
    return changed;
  }

  private parse(abs: string, text: string): FileRegistrations {
    if (text.includes('\u0000')) return EMPTY;
    this.parses++;
    const tree = parsePython(text);
    try {
      const model = new ModuleModel(text, tree, { path: abs, moduleName: this.host.moduleName(abs) });
      return registrationsOf(model, abs);
    } catch {
      return EMPTY; // a file the model cannot read registers nothing, never a crash
    } finally {
      tree.delete();
    }
  }

  private merge(): WorkspaceRegistrations {
    const out: WorkspaceRegistrations = { workflows: new Map(), queues: new Map(), dynamicWorkflowFiles: [], dynamicQueueFiles: [] };
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
      if (r.dynamicWorkflows) out.dynamicWorkflowFiles.push(abs);
      if (r.dynamicQueues) out.dynamicQueueFiles.push(abs);
    }
    return out;
  }
}
