// Messages between the server's main thread (LSP) and its analysis thread. Plain data only.
import type { UserConfig } from '../engine/config';
import type { FileLimitNotice } from '../engine/budget';
import type { Fix, Finding } from '../engine/types';

/** A workspace folder as the analysis thread needs it: where it is and the editor settings' layer. */
export interface FolderConfig {
  uri: string;
  /** Local path (null: a folder of another scheme, which holds no file of ours). */
  path: string | null;
  layer: UserConfig | null;
}

/** Work the main thread asks for; each task has an id and gets exactly one `TaskResult` back. */
export type Task =
  | { kind: 'check'; id: number; uri: string; mode: 'open'; text: string; version: number }
  | { kind: 'check'; id: number; uri: string; mode: 'disk' }
  | { kind: 'close'; id: number; uri: string }
  | { kind: 'diskChanged'; id: number; uri: string }
  | { kind: 'fixAll'; id: number; uri: string; text: string }
  | { kind: 'list'; id: number; roots: string[] }
  | { kind: 'stats'; id: number };

/** Messages to the analysis thread: a task, or a change of configuration (applied before the next task). */
export type ToWorker = Task | { kind: 'configure'; folders: FolderConfig[]; global: UserConfig | null } | { kind: 'invalidate' };

export interface CheckOutcome {
  uri: string;
  mode: 'open' | 'disk';
  /** The document version checked (open documents). */
  version?: number;
  /** A newer edit or more urgent work interrupted the check: nothing to publish, check again. */
  cancelled?: boolean;
  /** The check ran far past its budget (one slow rule) and was ended with its thread: nothing checked. */
  overrun?: boolean;
  /** Not analysed at all: no DBOS in it, binary, or (disk) gone or unreadable. */
  skipped: boolean;
  /** The file could not be read from disk (deleted meanwhile). */
  gone?: boolean;
  findings: Finding[];
  /** For open documents: the "ignore on this line" fix of each finding (same order), null where none. */
  ignoreFixes?: (Fix | null)[];
  /** For open documents: the "ignore in this file" fix of each code found. */
  ignoreFileFixes?: Record<string, Fix | null>;
  ms: number;
  budgetMs: number;
  limit?: FileLimitNotice;
  ruleFailures: { code: string; message: string }[];
  /** Files whose findings read this one and must be checked again (its summary changed). */
  dependents: string[];
  /** Fixes left out because they would write outside the workspace folder (their titles). */
  droppedFixes?: string[];
}

export interface WorkerStats {
  trees: number;
  parses: { incremental: number; full: number };
  index: { summaries: number; parses: number; functions: number };
  /** The analysis thread's V8 heap and what its isolate holds outside it (`external`: mostly the parser's wasm memory), bytes. */
  heap: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Full collections made by the thread (`heap.ts`): at idle, and after the checks of open documents (with their total ms). */
  collections: { idle: number; afterEdits: number; afterEditsMs: number };
}

export type TaskResult =
  | { kind: 'checked'; id: number; outcome: CheckOutcome }
  | { kind: 'closed'; id: number; dependents: string[] }
  | { kind: 'fixed'; id: number; text: string; fixed: number }
  | { kind: 'listed'; id: number; files: string[]; notes: string[] }
  | { kind: 'stats'; id: number; stats: WorkerStats }
  | { kind: 'failed'; id: number; message: string };

/** Messages from the analysis thread. */
export type FromWorker = TaskResult | { kind: 'ready'; hooks: string[] };
