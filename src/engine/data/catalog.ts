// API lists as data (the JSON files beside this one), merged with the user's configuration.
import nondeterministic from './nondeterministic.json';
import io from './io.json';
import sleep from './sleep.json';
import type { Severity } from '../types';

type RawName = string | { name: string; maxArgs?: number; seededOk?: boolean; replacement?: string };

export interface ApiEntry {
  /** The pattern as written in the data (`random.Random().*`). */
  pattern: string;
  group: string;
  severity: Severity;
  maxArgs?: number;
  seededOk?: boolean;
  replacement?: string;
}

/**
 * How many names `expandBraces(p)` gives (the product of the alternatives of its `{...}` groups),
 * counted without expanding, and stopping once past `cap` (returns `cap + 1` then): every group
 * multiplies, so 30 groups of two alternatives are a billion names.
 */
export function braceExpansionCount(p: string, cap: number): number {
  let n = 1;
  for (const m of p.matchAll(/\{([^}]*)\}/g)) {
    n *= m[1].split(',').length;
    if (n > cap) return cap + 1;
  }
  return n;
}

/** Expands `a.{b,c}` into `a.b`, `a.c` (patterns from the configuration are bounded first: `braceExpansionCount`). */
export function expandBraces(p: string): string[] {
  const m = /^(.*?)\{([^}]*)\}(.*)$/.exec(p);
  if (!m) return [p];
  return m[2].split(',').flatMap((alt) => expandBraces(m[1] + alt.trim() + m[3]));
}

/** One list of API patterns with fast lookup by qualified name. */
export class ApiList {
  private readonly exact = new Map<string, ApiEntry>();
  private readonly prefixes: [string, ApiEntry][] = [];

  add(raw: RawName, group: string, severity: Severity): void {
    const spec = typeof raw === 'string' ? { name: raw } : raw;
    for (const pattern of expandBraces(spec.name)) {
      const entry: ApiEntry = { ...spec, pattern, group, severity };
      if (pattern.endsWith('.*')) this.prefixes.push([pattern.slice(0, -1), entry]);
      else this.exact.set(pattern, entry);
    }
  }

  /** The entry matching a call of `fqn` with `argCount` positional/keyword arguments. */
  /** `argCount`: the call's number of arguments, or a function giving it (called only when an entry needs it). */
  match(fqn: string | null, argCount: number | (() => number) = 0): ApiEntry | null {
    if (!fqn) return null;
    let e = this.exact.get(fqn) ?? null;
    if (!e) {
      for (const [prefix, entry] of this.prefixes) {
        // `Client().*` covers the client's methods (`Client().get`, `Client().chat.create`), not
        // calls on what they return (`Client().get().json`: the response, already read)
        if (fqn.startsWith(prefix) && fqn.length > prefix.length && !fqn.includes('()', prefix.length)) {
          e = entry;
          break;
        }
      }
    }
    if (!e) return null;
    if (e.maxArgs === undefined && !e.seededOk) return e;
    const n = typeof argCount === 'number' ? argCount : argCount();
    if (e.maxArgs !== undefined && n > e.maxArgs) return null;
    if (e.seededOk && n > 0) return null;
    return e;
  }

  /** Whether both lists hold the same patterns (the same entries for every name). */
  sameAs(other: ApiList): boolean {
    if (other.exact.size !== this.exact.size || other.prefixes.length !== this.prefixes.length) return false;
    for (const k of this.exact.keys()) if (!other.exact.has(k)) return false;
    return this.prefixes.every((p, i) => other.prefixes[i][0] === p[0]);
  }

  get size(): number {
    return this.exact.size + this.prefixes.length;
  }
}

/** The user's `allow` patterns, matched like the API lists (before, only exact names: `pkg.*` and `{a,b}` passed validation and allowed nothing). */
export class AllowList {
  private readonly list = new ApiList();

  constructor(patterns: readonly string[]) {
    for (const p of patterns) this.list.add(p, 'allow', 'hint');
  }

  has(fqn: string): boolean {
    return this.list.match(fqn) !== null;
  }
}

export interface ApiCatalog {
  nondeterministic: ApiList;
  io: ApiList;
  database: ApiList;
  sleep: ApiList;
  /** Qualified names never reported (the user's allow-list: names, `pkg.*`, `pkg.{a,b}`, like the other lists). */
  allow: AllowList;
}

export interface ApiAdditions {
  extraNondeterministic?: string[];
  extraIo?: string[];
  allow?: string[];
}

const cache = new Map<string, ApiCatalog>();

export function buildApiCatalog(add: ApiAdditions = {}): ApiCatalog {
  const key = JSON.stringify([add.extraNondeterministic ?? [], add.extraIo ?? [], add.allow ?? []]);
  const hit = cache.get(key);
  if (hit) return hit;
  const nd = new ApiList();
  for (const g of nondeterministic.groups) for (const n of g.names as RawName[]) nd.add(n, g.group, g.severity as Severity);
  for (const n of add.extraNondeterministic ?? []) nd.add(n, 'configured', 'warning');
  const ioList = new ApiList();
  for (const g of io.groups) for (const n of g.names as RawName[]) ioList.add(n, g.group, 'warning');
  for (const n of add.extraIo ?? []) ioList.add(n, 'configured', 'warning');
  const db = new ApiList();
  for (const g of io.database) for (const n of g.names as RawName[]) db.add(n, g.group, 'warning');
  const sl = new ApiList();
  for (const n of sleep.names as RawName[]) sl.add(n, 'sleep', 'warning');
  const cat: ApiCatalog = { nondeterministic: nd, io: ioList, database: db, sleep: sl, allow: new AllowList(add.allow ?? []) };
  if (cache.size > 32) cache.clear();
  cache.set(key, cat);
  return cat;
}
