// The main thread's side of the analysis thread (analysis-worker.ts): a queue of tasks by priority,
// one task sent at a time so that urgent work never waits behind more than the check in progress,
// and a cancel flag (shared memory) that abandons that check midway when it is stale or when an
// open document waits behind background work. The thread is restarted if it dies.
import { Worker } from 'node:worker_threads';
import type { FromWorker, Task, TaskResult, ToWorker } from './worker-protocol';

/** 0: a request waits on it (fix-all, stats); 1: an open document; 2: a document closed or changed on disk; 3: background (scan, dependents). */
export type Priority = 0 | 1 | 2 | 3;
export const BACKGROUND: Priority = 3;

interface Queued {
  priority: Priority;
  /** A check still running this long after it started is ended with the thread (its budget is long gone). */
  limitMs?: number;
  /** Builds the task when it is sent (so that it carries the newest text); null: nothing to do any more. */
  make: (id: number) => Task | null;
  resolve: (r: TaskResult | null) => void;
}

/**
 * A task asked to stop has this long to do so (the engine checks between its phases and rules);
 * past it, the thread is ended and started again: a single slow rule on a background file must not
 * delay the file being edited.
 */
export const HARD_STOP_MS = 250;

/**
 * The analysis thread's young generation (V8's nursery, where each check's short-lived objects go).
 * V8's default on 64-bit machines (48 MB, whose semi-spaces stay resident once used) was a sixth of
 * the server's memory after a workspace scan. 16 MB: 8 MB made a keystroke's re-check about a third
 * slower (what one check keeps until it ends was promoted and collected with the old generation).
 */
const YOUNG_GENERATION_MB = 16;

/** Restarts after a crash allowed in RESTART_WINDOW_MS before the thread is given up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export class AnalysisThread {
  private worker: Worker | null = null;
  private readonly flags = new Int32Array(new SharedArrayBuffer(4));
  private readonly queues: Queued[][] = [[], [], [], []];
  private running: { id: number; task: Task; q: Queued } | null = null;
  private nextId = 1;
  private config: ToWorker | null = null;
  private restarts: number[] = [];
  private dead = false;
  /** The thread is being ended on purpose (a task that did not stop when asked). */
  private stopping = false;
  private hardStop: NodeJS.Timeout | undefined;
  /** Threads ended because a task did not stop in time (for the stats). */
  hardStops = 0;
  /** The id of the task whose thread was ended for running past its limit. */
  private overrun = 0;

  constructor(
    private readonly script: string,
    private readonly events: {
      ready(hooks: string[]): void;
      failed(what: string, e: unknown): void;
      /** True while background tasks must wait (edits pending their check). */
      holdBackground(): boolean;
      /** A new thread replaced the old one: what it held (trees, open buffers in the indexes) is gone. */
      restarted(): void;
    },
  ) {
    this.start();
  }

  private start(): void {
    const w = new Worker(this.script, { workerData: { dbosLintAnalysis: true, flags: this.flags }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    this.worker = w;
    w.on('message', (m: FromWorker) => {
      if (m.kind === 'ready') this.events.ready(m.hooks);
      else this.finished(m);
    });
    w.on('error', (e) => this.events.failed('the analysis thread', e));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = null;
      clearTimeout(this.hardStop);
      const lost = this.running;
      this.running = null;
      const deliberate = this.stopping;
      this.stopping = false;
      if (lost) {
        const t = lost.task;
        // a check ended on purpose comes back as abandoned: its submitter queues it again
        const overrun = this.overrun === lost.id;
        lost.q.resolve(
          deliberate && t.kind === 'check'
            ? { kind: 'checked', id: lost.id, outcome: { uri: t.uri, mode: t.mode, cancelled: !overrun, overrun, skipped: true, findings: [], ms: 0, budgetMs: 0, ruleFailures: [], dependents: [] } }
            : { kind: 'failed', id: lost.id, message: `the analysis thread stopped (exit code ${code})` },
        );
      }
      if (!deliberate) {
        const now = Date.now();
        this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
        if (this.restarts.length >= MAX_RESTARTS) {
          this.dead = true;
          this.events.failed('the analysis thread', new Error(`it stopped ${MAX_RESTARTS} times in a minute; restart the server`));
          for (const q of this.queues.flatMap((x) => x.splice(0))) q.resolve(null);
          return;
        }
        this.restarts.push(now);
      }
      this.start();
      if (this.config) (this.worker as Worker | null)?.postMessage(this.config);
      this.events.restarted();
      this.pump();
    });
  }

  /** A configuration message: applied by the thread before its next task (kept, and sent again after a restart). */
  post(m: ToWorker): void {
    if (m.kind === 'configure') this.config = m;
    this.worker?.postMessage(m);
  }

  /**
   * Queues a task; resolves with its result, or null when `make` found nothing to do or the thread
   * is gone. An open document's check (priority 1) or a request (0) abandons a background check in
   * progress: its submitter gets it back as cancelled and queues it again.
   */
  submit(priority: Priority, make: (id: number) => Task | null, limitMs?: number): Promise<TaskResult | null> {
    if (this.dead) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.queues[priority].push({ priority, make, resolve, limitMs });
      if (priority <= 1 && this.running && this.running.q.priority === BACKGROUND) this.cancelRunning(() => true);
      this.pump();
    });
  }

  /**
   * Ends the thread if the task is still running after `ms`: one rule that runs far past the file's
   * budget (the engine checks the budget only between rules) must not hold the thread. The check
   * comes back with `overrun` set.
   */
  private watch(run: { id: number; task: Task; q: Queued }, ms: number): void {
    const timer = setTimeout(() => {
      if (this.running !== run || !this.worker) return;
      this.overrun = run.id;
      this.stopping = true;
      this.hardStops++;
      void this.worker.terminate();
    }, ms);
    run.q.resolve = ((resolve) => (r: TaskResult | null) => {
      clearTimeout(timer);
      resolve(r);
    })(run.q.resolve);
  }

  /** Abandons the task in progress if `pred` holds for it (it comes back with `cancelled`). */
  cancelRunning(pred: (task: Task) => boolean): void {
    const run = this.running;
    if (!run || !pred(run.task) || Atomics.load(this.flags, 0) === run.id) return;
    Atomics.store(this.flags, 0, run.id);
    clearTimeout(this.hardStop);
    this.hardStop = setTimeout(() => {
      if (this.running !== run || !this.worker) return;
      this.stopping = true;
      this.hardStops++;
      void this.worker.terminate();
    }, HARD_STOP_MS);
  }

  /** Tasks queued or in progress. */
  get pending(): number {
    return this.queues.reduce((n, q) => n + q.length, 0) + (this.running ? 1 : 0);
  }

  /** Sends the most urgent task when the thread is free (background ones only while no edit waits). */
  pump(): void {
    while (!this.running && this.worker) {
      const priority = this.queues.findIndex((q, p) => q.length > 0 && (p < BACKGROUND || !this.events.holdBackground()));
      if (priority < 0) return;
      const q = this.queues[priority].shift()!;
      const id = this.nextId++;
      let task: Task | null;
      try {
        task = q.make(id);
      } catch (e) {
        this.events.failed('preparing a check', e);
        task = null;
      }
      if (!task) {
        q.resolve(null);
        continue;
      }
      this.running = { id, task, q };
      this.worker.postMessage(task);
      if (q.limitMs !== undefined) this.watch(this.running, q.limitMs);
    }
  }

  private finished(r: TaskResult): void {
    const run = this.running;
    if (!run || run.id !== r.id) return;
    this.running = null;
    clearTimeout(this.hardStop);
    if (r.kind === 'failed') this.events.failed(`checking (${run.task.kind})`, new Error(r.message));
    run.q.resolve(r);
    // after the submitter has taken the result (its reaction is queued first), so the next task sees it
    queueMicrotask(() => this.pump());
  }

  dispose(): void {
    const w = this.worker;
    this.worker = null;
    this.dead = true;
    void w?.terminate();
  }
}
