// Custom requests and notifications between the language server and the VS Code client (sidebar,
// rule view, status item). Plain data only: this file imports nothing, so both sides can share it.

export const Requests = {
  /** The rule catalog with the effective severity of each rule. Params: { uri?: string }. */
  catalog: 'dbosLint/catalog',
  /** Number of findings per rule code in the workspace (open documents + workspace scan). */
  counts: 'dbosLint/counts',
  /** Findings of one rule across the workspace. Params: { code: string }. */
  findings: 'dbosLint/findings',
  /** Documentation and metadata of one rule. Params: { code: string }. */
  ruleDocs: 'dbosLint/ruleDocs',
  /** Server state for the language status item. Params: { uri?: string }. */
  status: 'dbosLint/status',
  /** Check every workspace file that mentions dbos now; resolves with the totals. */
  checkWorkspace: 'dbosLint/checkWorkspace',
  /** Server figures for benchmarks and bug reports: memory, kept trees, last analysis time. Params: { uri?: string }. */
  stats: 'dbosLint/stats',
} as const;

export const Notifications = {
  /** Findings changed somewhere (debounced); the client refreshes its views. */
  findingsChanged: 'dbosLint/findingsChanged',
  /** Server state changed (scan started/finished, slow file, config error). */
  status: 'dbosLint/status',
  /** Settings or configuration files changed and the open documents were checked again. */
  configChanged: 'dbosLint/configChanged',
} as const;

export interface CatalogRule {
  code: string;
  name: string;
  title: string;
  defaultSeverity: string;
  /** Effective severity (configuration applied) or 'off'. */
  severity: string;
  /** Whether the engine has an implementation for the code yet. */
  implemented: boolean;
  docsUrl: string;
}

export interface CatalogCategory {
  id: string;
  title: string;
  priority: number;
  impact: string;
  description: string;
  rules: CatalogRule[];
}

export interface CatalogResult {
  categories: CatalogCategory[];
}

export interface FindingInfo {
  uri: string;
  code: string;
  severity: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export interface RuleDocsResult {
  code: string;
  name: string;
  title: string;
  category: string;
  impact: string;
  defaultSeverity: string;
  severity: string;
  implemented: boolean;
  docsUrl: string;
  what: string;
  why: string;
  bad: string;
  good: string;
  fixes: string;
}

export interface StatusResult {
  state: 'starting' | 'ready' | 'scanning';
  /** Findings across the workspace. */
  findings: number;
  /** Files with findings / files checked. */
  filesWithFindings: number;
  filesChecked: number;
  configFile: string | null;
  dbosVersion: string | null;
  versionSource: string | null;
  /**
   * Files over their time budget or size limit (slowest first): the time in ms, the budget, whether
   * rules were skipped (or the whole file), and the message shown once in the output channel.
   */
  slowFiles: { uri: string; ms: number; budgetMs: number; stopped: boolean; message: string }[];
  configErrors: string[];
  /**
   * Failures of the server itself (a request or notification handler that threw, a file it could not
   * read), once each: the server went on, but something the user expects may be missing.
   */
  errors: string[];
  enabled: boolean;
  /**
   * For the `uri` asked about, when it is open: whether it was checked (it uses DBOS and checking
   * is enabled). Null for no `uri` or a document that is not open.
   */
  fileChecked: boolean | null;
  /** The server's process id (shown in the output; used by the restart test). */
  pid: number;
}

export interface StatsResult {
  /** process.memoryUsage() of the server, bytes. */
  memory: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** The analysis thread's heap (bytes): its V8 heap, and what it holds outside it (`external`: mostly the parser's wasm memory, reserved, resident only where used). */
  analysisHeap: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number } | null;
  /** The analysis thread's full collections (`heap.ts`): at idle, and after the checks of open documents (count, total ms). */
  collections: { idle: number; afterEdits: number; afterEditsMs: number } | null;
  /** Open documents whose tree is kept for incremental parsing. */
  trees: number;
  /** Parses of open documents so far: incremental (reused a tree) and full. */
  parses: { incremental: number; full: number };
  /** Files whose findings are held (open and workspace files). */
  files: number;
  /** The last analysis of the document `uri` (ms, version), if it is open and was analysed. */
  last: { ms: number; version: number } | null;
  /** The project indexes of the workspace folders: module summaries held, parses done, functions. */
  index: { summaries: number; parses: number; functions: number };
  /** Messages (diagnostics of a document, a state notification) waiting for the client to read. */
  outbox: number;
}
