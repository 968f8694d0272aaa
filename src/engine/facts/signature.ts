// A module summary's signature: what other files can see of it, as a list of parts, so that the
// index knows whether an edit changes findings elsewhere (`WorkspaceIndex.store`). Each function's
// part is kept with its facts (by object), so a keystroke that reuses most functions' facts
// (`reuse.ts`) lists their parts instead of printing them again, and two signatures are compared
// part by part: the parts of reused facts are the same strings, equal at once. (Joined into one
// string, the signature of a 2,000-line file is about 85 KB, built and compared on every keystroke.)
import type { FunctionSummary, ModuleSummary } from './summary';
import { positionIn } from './positions';

/** What other files can see of a module: equal lists (`sameSignature`) mean equal findings elsewhere. */
export type Signature = readonly string[];

const sigs = new WeakMap<ModuleSummary, Signature>();
/**
 * A function's part of the signature, with the positions of its calls as lines relative to its
 * `def` and columns: unchanged when the function moves to other lines (`movedSummary`), so a
 * summary that reuses a function's facts reuses its part too.
 */
const fnSigs = new WeakMap<FunctionSummary, string>();

/**
 * What other files can see of a module (computed when first compared): equal signatures
 * (`sameSignature`) mean equal findings elsewhere. Positions are lines and columns, so an edit that
 * moves no call on its line changes nothing.
 */
export function signature(m: ModuleSummary): Signature {
  const hit = sigs.get(m);
  if (hit !== undefined) return hit;
  const parts: string[] = [];
  for (const f of m.functions.values()) {
    const def = positionIn(m, f.defStart);
    let own = fnSigs.get(f);
    if (own === undefined) {
      const pos = (o: number) => {
        const p = positionIn(m, o);
        return `${p.line - def.line}:${p.character}`;
      };
      const lines = [`F ${f.qualname} ${f.kinds.join(',')} ${def.character} ${f.indent} ${f.optional ? JSON.stringify(f.optional) : ''} ${f.memoized ? 'M' : ''} ${f.isAsync ? 'async' : ''} ${f.returns ?? ''} ${f.notAStep ?? ''} ${f.callsParams ? JSON.stringify(f.callsParams) : ''} ${f.returnsEach?.join(',') ?? ''} ${f.abstract ? 'A' : ''}`];
      for (const c of f.calls) {
        const fb = (c.fallback ? `${c.fallback.name}@${c.fallback.index}` : '') + (c.onlyIf ? `?${c.onlyIf.name}@${c.onlyIf.index}` : '');
        const passed = c.passed === undefined ? '' : c.passed === null ? '*' : JSON.stringify(c.passed);
        const bound = c.boundAt ? `${pos(c.boundAt.start)}-${pos(c.boundAt.end)}` : '';
        const handed = c.handed ? JSON.stringify(c.handed) : '';
        lines.push(`  ${c.fqn} ${c.text} ${c.argc} ${c.flags} ${c.local ?? ''} ${pos(c.start)} ${pos(c.end)} ${fb} ${passed} ${bound} ${handed}`);
      }
      fnSigs.set(f, (own = lines.join('\n')));
    }
    parts.push(`@${def.line}`, own);
  }
  for (const [name, fqn] of m.aliases) parts.push(`A ${name} ${fqn}`);
  for (const [q, bases] of m.classBases) parts.push(`B ${q} ${bases.join(',')}`);
  parts.push(`L ${m.launchesAtImport}`);
  parts.push(`C ${[...m.classes].join(',')}`, `S ${m.starImports.join(',')}`, `D ${m.dbosText} ${m.dbosImport ? m.dbosImport.startOffset : ''} ${m.eol}`, `K ${m.constructsDbos}`);
  sigs.set(m, parts);
  return parts;
}

/** Whether two signatures are equal, part by part (null: no summary). */
export function sameSignature(a: Signature | null, b: Signature | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A function's facts moved by `delta` characters, with whole lines before it added or removed (what
 * `facts/reuse.ts` moves: the edit ended before the line its statement starts on), so its columns
 * and the lines of its calls relative to its `def` are the same: it keeps its part of the signature.
 */
export function movedSummary(f: FunctionSummary, delta: number): FunctionSummary {
  const out = {
    ...f,
    defStart: f.defStart + delta,
    // an injected callable's default is kept only inside the call's own statement (summary.ts): it moves with it
    calls: f.calls.map((c) => ({ ...c, start: c.start + delta, end: c.end + delta, ...(c.boundAt ? { boundAt: { start: c.boundAt.start + delta, end: c.boundAt.end + delta } } : {}) })),
  };
  const own = fnSigs.get(f);
  if (own !== undefined) fnSigs.set(out, own);
  return out;
}
