// Strings cut from a file's text (a callee's text, a name, a qualified name built from them) are, in
// V8, views into that text: a summary kept for a whole session would keep the whole source of every
// module alive with it (after a 100,000-line workspace scan, 6 MB of the language server's heap were
// file texts held only through such views). `detachStrings` makes every string of plain data its own
// copy, in place, so that the texts can be collected.

/** Strings shorter than this are copied by V8 when cut (never views). */
const VIEW_MIN = 13;

/** Equal strings met in one pass share one copy (names and callee texts repeat across modules). */
type Table = Map<string, string>;

function own(s: string, table: Table): string {
  if (s.length < VIEW_MIN) return s;
  let copy = table.get(s);
  if (copy === undefined) {
    // a string of its own: parsing a JSON string literal builds a new flat string
    copy = JSON.parse(JSON.stringify(s)) as string;
    table.set(copy, copy);
  }
  return copy;
}

/**
 * Replaces, in place, every string held by plain objects, arrays, Maps and Sets under `value` by a
 * copy of its own (Map keys and Set members too; the containers keep their identity and order),
 * equal strings by one copy (`table`: share it between the calls of one pass). Returns `value`.
 * Other objects (class instances, functions) are left as they are.
 */
export function detachStrings<T>(value: T, table: Map<string, string> = new Map()): T {
  walk(value as unknown, table);
  return value;
}

/**
 * Gives, in place, each key of `map` a copy of its own (equal keys of one pass share one copy, through
 * `table`); the values are left as they are (for caches whose values are not plain data to copy).
 */
export function detachKeys<V>(map: Map<string, V>, table: Map<string, string> = new Map()): void {
  const entries = [...map];
  map.clear();
  for (const [k, v] of entries) map.set(own(k, table), v);
}

function walk(v: unknown, table: Table): unknown {
  if (typeof v === 'string') return own(v, table);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'string' || (x !== null && typeof x === 'object')) v[i] = walk(x, table);
    }
    return v;
  }
  if (v instanceof Map) {
    const entries = [...v];
    v.clear();
    for (const [k, x] of entries) v.set(walk(k, table), walk(x, table));
    return v;
  }
  if (v instanceof Set) {
    const members = [...v];
    v.clear();
    for (const x of members) v.add(walk(x, table));
    return v;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (typeof x === 'string' || (x !== null && typeof x === 'object')) o[k] = walk(x, table);
  }
  return v;
}
