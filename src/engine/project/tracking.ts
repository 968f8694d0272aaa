// The live-update bookkeeping of the workspace index: the paths each memoised resolution and chain
// read, and the paths each analysed file's findings read, so that a change of one path drops what
// was derived from it and tells which files to check again.
import type { Chain } from './chains';
import type { IndexedFunction } from './resolution';
import { detachKeys, detachStrings } from '../detach';

interface Derived<T> {
  value: T;
  touched: string[];
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

export class ReadTracker {
  /** Resolutions and chains, each with the paths it read (summaries, and candidates probed). */
  private readonly resolveCache = new Map<string, Derived<IndexedFunction | null>>();
  private readonly chains = new Map<string, Derived<Chain | null>>();
  private readonly aliases = new Map<string, Derived<string | null>>();
  private readonly dispatches = new Map<string, Derived<IndexedFunction[]>>();
  /** path -> keys of the resolutions and chains that read it (what a change of it invalidates). */
  private readonly resolveByFile = new Map<string, Set<string>>();
  private readonly chainsByFile = new Map<string, Set<string>>();
  private readonly aliasesByFile = new Map<string, Set<string>>();
  private readonly dispatchesByFile = new Map<string, Set<string>>();
  /** analysed file -> paths its findings read; and the reverse. */
  private readonly reads = new Map<string, Set<string>>();
  private readonly readBy = new Map<string, Set<string>>();
  /** Paths read by the resolution or search under way. */
  private collector: Set<string> | null = null;

  /** A memoised resolution of a name (null in an alias or import cycle). */
  resolution(key: string, compute: () => IndexedFunction | null): IndexedFunction | null {
    return this.derive(this.resolveCache, this.resolveByFile, key, null, compute);
  }

  /** A memoised name resolution to a DBOS API (null in a cycle). */
  alias(key: string, compute: () => string | null): string | null {
    return this.derive(this.aliases, this.aliasesByFile, key, null, compute);
  }

  /** The functions a call on a value of a project type may enter (ModuleResolver.dispatch; none in a cycle). */
  dispatch(key: string, compute: () => IndexedFunction[]): IndexedFunction[] {
    return this.derive(this.dispatches, this.dispatchesByFile, key, [], compute);
  }

  /** A memoised chain search (null in a cycle). */
  chain(key: string, compute: () => Chain | null): Chain | null {
    return this.derive(this.chains, this.chainsByFile, key, null, compute);
  }

  /**
   * A memoised value with the paths its computation read: a hit adds them to the computation under
   * way; `cycle` is what a key being computed gives to itself (an alias or import cycle).
   */
  private derive<T>(cache: Map<string, Derived<T>>, byFile: Map<string, Set<string>>, key: string, cycle: T, compute: () => T): T {
    const hit = cache.get(key);
    if (hit) {
      for (const t of hit.touched) this.touch(t);
      return hit.value;
    }
    const outer = this.collector;
    const mine = new Set<string>();
    cache.set(key, { value: cycle, touched: [] });
    this.collector = mine;
    let value: T;
    try {
      value = compute();
    } catch (e) {
      // stopped (the time budget) or failed: no answer is remembered, not even the cycle's
      cache.delete(key);
      throw e;
    } finally {
      this.collector = outer;
    }
    const touched = [...mine];
    cache.set(key, { value, touched });
    for (const t of touched) {
      addTo(byFile, t, key);
      outer?.add(t);
    }
    return value;
  }

  /**
   * Gives the keys of the memoised resolutions and chains copies of their own (`detach.ts`): a key is
   * made of names cut from a file's text, which V8 keeps as views into the whole text (after a
   * 100,000-line scan, such keys held whole files of up to 170 KB). For an idle moment, with
   * `WorkspaceIndex.detachStrings`.
   */
  detachKeys(table: Map<string, string>): void {
    for (const cache of [this.resolveCache, this.chains, this.aliases, this.dispatches] as Map<string, unknown>[]) detachKeys(cache, table);
    for (const byFile of [this.resolveByFile, this.chainsByFile, this.aliasesByFile, this.dispatchesByFile]) detachStrings(byFile, table);
  }

  touch(file: string): void {
    this.collector?.add(file);
  }

  /** Runs a query on behalf of an analysed file: the paths it reads become that file's reads. */
  reading<T>(reader: string | null, query: () => T): T {
    if (!reader || this.collector) return query();
    const mine = new Set<string>();
    this.collector = mine;
    try {
      return query();
    } finally {
      this.collector = null;
      for (const t of mine) {
        if (t === reader) continue;
        addTo(this.reads, reader, t);
        addTo(this.readBy, t, reader);
      }
    }
  }

  resetReads(reader: string): void {
    const old = this.reads.get(reader);
    if (!old) return;
    for (const t of old) this.readBy.get(t)?.delete(reader);
    this.reads.delete(reader);
  }

  /** `abs` and the files whose findings read it, directly or transitively. */
  readersOf(abs: string): Set<string> {
    const seen = new Set<string>([abs]);
    const work = [abs];
    while (work.length > 0) {
      const f = work.pop()!;
      for (const d of this.readBy.get(f) ?? []) {
        if (!seen.has(d)) {
          seen.add(d);
          work.push(d);
        }
      }
    }
    return seen;
  }

  /** Drops the resolutions and chains that read `abs`. */
  dropDerived(abs: string): void {
    for (const [cache, byFile] of [
      [this.chains, this.chainsByFile],
      [this.resolveCache, this.resolveByFile],
      [this.aliases, this.aliasesByFile],
      [this.dispatches, this.dispatchesByFile],
    ] as const) {
      for (const key of byFile.get(abs) ?? []) cache.delete(key);
      byFile.delete(abs);
    }
  }

  /** Whether some analysed file's findings, or a memoised resolution or chain, read this path. */
  watched(abs: string): boolean {
    return (this.readBy.get(abs)?.size ?? 0) > 0 || (this.resolveByFile.get(abs)?.size ?? 0) > 0 || (this.chainsByFile.get(abs)?.size ?? 0) > 0 || (this.aliasesByFile.get(abs)?.size ?? 0) > 0 || (this.dispatchesByFile.get(abs)?.size ?? 0) > 0;
  }
}
