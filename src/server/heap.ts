// Gives the analysis thread's memory back once it is idle. A workspace scan leaves V8's old
// generation several times larger than what the index keeps alive (pages of garbage from hundreds
// of analyses), and V8 has no reason to collect it while nothing more is allocated: the server then
// held twice the memory it needs for as long as it ran. After a pause in the work, if the heap grew
// well past what was alive after the last collection, one full compacting collection is made
// (about 100 ms after a 100,000-line scan, in this thread while it is idle: the thread that answers
// the editor never waits; a check that arrives meanwhile starts when it ends).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Work paused this long: the heap is looked at. */
const IDLE_MS = 1000;
/** Growth of the heap since the last collection that is worth a full collection. */
const SLACK_BYTES = 24 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/**
 * V8's `gc()`, made available to this thread: `--expose-gc` set at run time applies to contexts
 * created afterwards, so a new context hands the function over. Null if V8 refuses.
 */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      // A full, synchronous collection that also compacts: without it the pages of garbage stay,
      // each holding a few live objects (after a scan: 87 MB of old generation for 29 MB alive). The
      // flag is set for this one collection only; V8 reads it at each collection. Then a "last
      // resort" one (V8's low-memory notification) gives the freed pages back to the system instead
      // of keeping them pooled for later allocations (alone, in a worker thread, it did not collect
      // what the plain one does): without it the server's RSS after a 100,000-line scan stayed at
      // 150-155 MB.
      collect =
        typeof gc === 'function'
          ? () => {
              v8.setFlagsFromString('--compact-on-every-full-gc');
              try {
                (gc as (options?: object) => void)();
                (gc as (options?: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
              } finally {
                v8.setFlagsFromString('--no-compact-on-every-full-gc');
              }
            }
          : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/** Call `busy()` when a task starts and `idle()` when it ends. */
export class HeapReducer {
  private timer: NodeJS.Timeout | undefined;
  /** The heap's size after the last collection made here (or when the thread started). */
  private base = v8.getHeapStatistics().total_heap_size;
  /** Full collections made (for the stats). */
  collections = 0;

  /**
   * `beforeCollect`: drops what the thread need not keep, just before a collection. `slackBytes`:
   * growth of the heap since the last collection that is worth one.
   */
  constructor(
    private readonly beforeCollect?: () => void,
    private readonly slackBytes = SLACK_BYTES,
  ) {}

  busy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  idle(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reduce(), IDLE_MS);
    this.timer.unref();
  }

  private reduce(): void {
    this.timer = undefined;
    if (v8.getHeapStatistics().total_heap_size < this.base + this.slackBytes) return;
    const gc = collector();
    if (!gc) return;
    this.beforeCollect?.();
    gc();
    this.collections++;
    this.base = v8.getHeapStatistics().total_heap_size;
  }
}
