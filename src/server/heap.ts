// Gives the analysis thread's memory back once it is idle. A workspace scan leaves V8's old
// generation several times larger than what the index keeps alive (pages of garbage from hundreds
// of analyses), and V8 has no reason to collect it while nothing more is allocated: the server then
// held twice the memory it needs for as long as it ran. After a pause in the work, if the heap grew
// well past what was alive after the last collection, one full compacting collection is made
// (about 100 ms after a 100,000-line scan, in this thread while it is idle: the thread that answers
// the editor never waits; a check that arrives meanwhile starts when it ends). While the user types,
// each check of the open document promotes part of its model to the old generation, which V8 let
// grow to four times what is alive: once it grew by EDIT_SLACK_BYTES, a plain full collection is
// made in the next short pause after a check. The idle collection ends with V8's low-memory
// collection, asked through the thread's own inspector session: the only way Node 20 gives to shrink
// the young generation back (otherwise its 16 MB stay resident for good once a scan has filled them).
import * as inspector from 'node:inspector';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Work paused this long: the heap is looked at. */
const IDLE_MS = 1000;
/** Growth of the heap since the last collection that is worth a full collection. */
const SLACK_BYTES = 24 * 1024 * 1024;
/**
 * Growth of the heap in use, since the last collection, after which a pause of EDIT_IDLE_MS after
 * the check of an open document is used for a full collection (`idle(true)`). Each keystroke's
 * check promotes about 2 MB, mostly its module model, to the old generation (the model lives
 * through the two or three scavenges of its check), and V8 let the old generation grow to four
 * times what is alive (26 MB after a 100,000-line scan) before collecting it: the server's RSS rose
 * by 60-70 MB while the user typed without stopping for IDLE_MS.
 */
const EDIT_SLACK_BYTES = 16 * 1024 * 1024;
/**
 * The pause after the check of an open document that is used for that collection: the editor
 * debounces its checks (200 ms), so the thread is idle between two of them; a collection made at
 * once after a check (or while checks follow each other without a pause) made the next checks
 * slower (the sweeping it leaves, on a machine with two busy cores).
 */
const EDIT_IDLE_MS = 100;

/** The low-memory collection is taken as done (or as never coming) after this long. */
const LOW_MEMORY_ANSWER_MS = 10_000;

/** A full collection; `reduce`: compacting. */
let collect: ((reduce: boolean) => void) | null | undefined;

/**
 * V8's `gc()`, made available to this thread: `--expose-gc` set at run time applies to contexts
 * created afterwards, so a new context hands the function over. Null if V8 refuses.
 */
function collector(): ((reduce: boolean) => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      // A full, synchronous collection that also compacts: without it the pages of garbage stay,
      // each holding a few live objects (after a scan: 87 MB of old generation for 29 MB alive). The
      // flag is set for this one collection only; V8 reads it at each collection.
      collect =
        typeof gc === 'function'
          ? (reduce: boolean) => {
              if (!reduce) {
                (gc as () => void)();
                return;
              }
              v8.setFlagsFromString('--compact-on-every-full-gc');
              try {
                (gc as () => void)();
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

/**
 * V8's low-memory collection (`Isolate::LowMemoryNotification`: full collections that reduce the
 * footprint), run as a task of this thread, then `done()`; false if it cannot be asked. It is what
 * gives memory back to the system: it shrinks the young generation to its initial size (1 MB; after
 * a scan its 16 MB stayed resident: V8 shrinks it only in such a collection, and `gc()` with
 * `flavor: 'last-resort'` is a plain full collection in Node 20) and frees the pages V8 pools for
 * later allocations. Node gives JavaScript no other way to ask for it than the inspector protocol's
 * `HeapProfiler.collectGarbage`, over a session with this thread's own inspector (no domain enabled;
 * connected for the collection only, and disconnected after its answer, not inside it: a session
 * disconnected from its own callback blocks the thread).
 */
function collectLowMemory(done: () => void): boolean {
  let session: inspector.Session;
  try {
    session = new inspector.Session();
    session.connect();
  } catch {
    return false;
  }
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    clearTimeout(late);
    done();
  };
  // a runtime whose inspector never answers must not stop the idle collections for good
  const late = setTimeout(answer, LOW_MEMORY_ANSWER_MS);
  late.unref();
  session.post('HeapProfiler.collectGarbage', () => {
    setImmediate(() => session.disconnect());
    answer();
  });
  return true;
}

/**
 * How far V8 lets the old generation grow past what was alive after its last full collection
 * before the next one, in percent (V8 computes 1.1x to 4x from the collection's speed; for this
 * server's heaps, mostly 4x). Checks that follow each other with no pause (a held key, a paste in
 * several steps) each promote about 2 MB of their model to the old generation, and no pause comes
 * for `HeapReducer` to collect it: the RSS rose by 60 MB over 60 such checks of a 2,000-line file.
 * With 50%, V8 collects them itself (incrementally, on its own threads) as the heap grows: RSS after
 * 60 of them 131-155 MB (median 150) against 142-218 (median 161) in nine interleaved runs of
 * `bench/server.mjs` at load average 8-15, the checks not slower there.
 * V8 reads the flag each time it sets the next limit; it applies to every thread of the process.
 */
const HEAP_GROWING_PERCENT = 50;

/** Sets HEAP_GROWING_PERCENT for the process (from the analysis thread, when it starts). */
export function limitHeapGrowth(): void {
  try {
    v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  } catch {
    // V8 refused the flag: its own growing factor applies
  }
}

/** Call `busy()` when a task starts and `idle()` when it ends (`idle(true)` after the check of an open document). */
export class HeapReducer {
  private timer: NodeJS.Timeout | undefined;
  private editTimer: NodeJS.Timeout | undefined;
  /** The heap's size after the last collection made here (or when the thread started). */
  private base = v8.getHeapStatistics().total_heap_size;
  /** Full collections made at idle (for the stats). */
  collections = 0;
  /** Collections made after the checks of open documents, and their total time (for the stats). */
  editCollections = 0;
  editCollectMs = 0;
  /** The heap in use after the last collection. */
  private editBase = v8.getHeapStatistics().used_heap_size;
  /** An open document was checked since the last pause of EDIT_IDLE_MS. */
  private edited = false;
  /** Collections after edits were made since the last one at idle: V8 keeps the pages they freed. */
  private pagesToGiveBack = false;
  /** The low-memory collection was asked for and has not run yet. */
  private reducing = false;

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
    clearTimeout(this.editTimer);
    this.editTimer = undefined;
  }

  /**
   * `edited`: the task was the check of an open document (the user is typing). The pause after a
   * later task (a request of the editor, a dependent's check) counts too.
   */
  idle(edited = false): void {
    this.busy();
    this.timer = setTimeout(() => this.reduce(), IDLE_MS);
    this.timer.unref();
    if (edited) this.edited = true;
    if (this.edited) {
      this.editTimer = setTimeout(() => this.afterEdits(), EDIT_IDLE_MS);
      this.editTimer.unref();
    }
  }

  /**
   * A pause in typing: a full collection when the heap in use grew EDIT_SLACK_BYTES since the last
   * one (every 6 to 8 checks of the bench's 2,000-line file). Without compaction or "last resort":
   * the freed pages are used again by the next checks, so the heap stays near what is alive plus
   * the slack; the idle collection gives them back once typing stops.
   */
  private afterEdits(): void {
    this.editTimer = undefined;
    this.edited = false;
    if (v8.getHeapStatistics().used_heap_size < this.editBase + EDIT_SLACK_BYTES) return;
    const gc = collector();
    if (!gc) return;
    const t = performance.now();
    gc(false);
    this.editCollectMs += performance.now() - t;
    this.editCollections++;
    this.pagesToGiveBack = true;
    this.editBase = v8.getHeapStatistics().used_heap_size;
  }

  private reduce(): void {
    this.timer = undefined;
    if (this.reducing || (v8.getHeapStatistics().total_heap_size < this.base + this.slackBytes && !this.pagesToGiveBack)) return;
    const gc = collector();
    if (!gc) return;
    this.beforeCollect?.();
    gc(true);
    this.pagesToGiveBack = false;
    this.collections++;
    const settled = () => {
      this.reducing = false;
      this.base = v8.getHeapStatistics().total_heap_size;
      this.editBase = v8.getHeapStatistics().used_heap_size;
    };
    this.reducing = collectLowMemory(settled);
    if (!this.reducing) settled();
  }
}
