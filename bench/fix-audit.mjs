// Audits every fix the engine offers on real code: applies each fix of each finding on its own and
// checks the result. Reads the folders given; never writes to them.
//   node bench/fix-audit.mjs <folder>... [--crlf] [--tabs] [--strict] [--cli] [--only CODE] [--verbose]
// Needs the compiled engine (out/, made by `npm test` or `npm run pretest`); `--cli` also needs dist/cli.js.
//
// For each fix (safe and unsafe, cross-file ones applied to the other file's text, plus the
// editor's "Ignore on this line"):
//   parse     no more tree-sitter ERROR/MISSING nodes than the original, and no argument list that
//             tree-sitter accepts but Python rejects (positional after keyword, repeated keyword)
//   gone      no finding of the fixed code left where the fixed one was (its range mapped through the edits)
//   new       no new warning/error finding in the edited file(s): each one after the fix must match one
//             from before with the same code and message (line numbers in messages ignored) at the
//             position the edits map the old one to, else anywhere (a finding the fix moved), else
//             one of the same code at that position (a message reworded because one cause is gone)
//   indent    statement lines written by the fix use the file's indentation character and a width
//             that is a multiple of the file's indentation unit
//   placement a new step function is a top-level definition, before the workflow that calls it and
//             after the imports above that workflow
//   names     every name read by text the fix wrote is bound where it is read (a local or parameter
//             of an enclosing function, a module-level name, a builtin); for an extracted step, no
//             name of its body is a local of the workflow (a shadowed global); no zero-argument super()
//             or unmangled private name (`self.__x`) moved out of its class
//   await     no `await` outside an `async def` (nor in a lambda, nor in a generator expression) that
//             was not there before
//   imports   no import line duplicated by the fix
//   comments  every comment of the original is still there, and no blank line lost
//   eol       a CRLF file gets no bare LF
// --crlf audits each file converted to CRLF, --tabs each file re-indented with tabs (both in memory).
// --cli copies the folders to a temporary folder and runs the CLI's --fix, then --fix --unsafe-fixes
// on the copy (each under a time limit), then checks every changed file: it parses as well as before,
// no new bad argument list, await outside async def, unbound name or repeated import, and fix-all
// reached a fixed point (one more round finds nothing to apply).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = (p) => path.join(root, 'out/src', p);
const { analyze, initParser } = require(out('engine/index.js'));
const { parsePython } = require(out('engine/syntax/parser.js'));
const { applyEdits } = require(out('engine/text.js'));
const { ProjectSettings } = require(out('engine/settings.js'));
const { walk } = require(out('engine/project/walk.js'));
const { positionIn } = require(out('engine/facts/positions.js'));
const { WorkspaceIndex } = require(out('engine/project/index.js'));
const { ignoreFix } = require(out('engine/fixes/common.js'));
const { fixAll, collectEdits } = require(out('engine/fixes/fix-all.js'));
const { workspaceRoots } = require(out('cli/check.js'));

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const valueOf = (f) => (args.includes(f) ? args[args.indexOf(f) + 1] : null);
const only = valueOf('--only');
const folders = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');
if (folders.length === 0) {
  console.error('usage: node bench/fix-audit.mjs <folder>... [--crlf] [--tabs] [--strict] [--cli] [--only CODE] [--verbose]');
  process.exit(2);
}
const crlf = flag('--crlf');
const tabs = flag('--tabs');
const verbose = flag('--verbose');

// ------------------------------------------------------------------ tree helpers

const BUILTINS = new Set(
  `abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright credits
  delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input
  int isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow print property quit
  range repr reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip __import__ __name__ __file__
  __doc__ __spec__ __loader__ __package__ __builtins__ __debug__ __dict__ __annotations__ __path__ __class__ NotImplemented Ellipsis
  BaseException BaseExceptionGroup Exception ExceptionGroup ArithmeticError AssertionError AttributeError BlockingIOError
  BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError
  ConnectionResetError DeprecationWarning EOFError EncodingWarning EnvironmentError FileExistsError FileNotFoundError
  FloatingPointError FutureWarning GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError
  IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError NotADirectoryError
  NotImplementedError OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError RecursionError
  ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning
  SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError
  UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError self cls True False None`.split(/\s+/),
);

function errorCount(tree) {
  return tree.rootNode.hasError ? tree.rootNode.descendantsOfType(['ERROR', 'MISSING']).length || 1 : 0;
}

/** Argument lists Python rejects but tree-sitter accepts: a positional argument after a keyword one, a repeated keyword. */
function badArgumentLists(tree) {
  let n = 0;
  for (const a of tree.rootNode.descendantsOfType('argument_list')) {
    let keyword = false;
    const names = new Set();
    for (const c of a?.namedChildren ?? []) {
      if (!c || c.type === 'comment') continue;
      if (c.type === 'keyword_argument' || c.type === 'dictionary_splat') {
        keyword = true;
        const k = c.childForFieldName('name')?.text;
        if (k && names.has(k)) n++;
        if (k) names.add(k);
      } else if (c.type !== 'list_splat' && keyword) n++;
    }
  }
  return n;
}

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition']);
const PATTERN_TYPES = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression', 'list_splat_pattern', 'expression_list']);

/** Whether an identifier sits at a binding position (assignment target, loop variable, import, def...). */
function isBinding(id) {
  let n = id;
  let p = n.parent;
  while (p && PATTERN_TYPES.has(p.type)) {
    n = p;
    p = p.parent;
  }
  if (!p) return false;
  const t = p.type;
  if ((t === 'assignment' || t === 'augmented_assignment' || t === 'for_statement' || t === 'for_in_clause') && p.childForFieldName('left')?.id === n.id) return true;
  if (t === 'named_expression' && p.childForFieldName('name')?.id === n.id) return true;
  if ((t === 'function_definition' || t === 'class_definition') && p.childForFieldName('name')?.id === n.id) return true;
  if (t === 'as_pattern_target' || t === 'global_statement' || t === 'nonlocal_statement') return true;
  if (t === 'aliased_import' && p.childForFieldName('alias')?.id === n.id) return true;
  if (t === 'dotted_name') {
    const g = p.parent;
    if (g?.type === 'import_statement' && p.namedChildren[0]?.id === id.id) return true;
    if (g?.type === 'import_from_statement' && g.childForFieldName('module_name')?.id !== p.id) return true;
    if (g?.type === 'aliased_import' && g.parent?.type === 'import_statement' && !g.childForFieldName('alias') && p.namedChildren[0]?.id === id.id) return true;
  }
  if (t === 'parameters' || t === 'lambda_parameters') return true;
  if ((t === 'default_parameter' || t === 'typed_default_parameter') && p.childForFieldName('name')?.id === n.id) return true;
  if (t === 'typed_parameter' && p.namedChildren[0]?.id === n.id) return true;
  if ((t === 'list_splat_pattern' || t === 'dictionary_splat_pattern') && (p.parent?.type === 'parameters' || p.parent?.type === 'typed_parameter' || p.parent?.type === 'lambda_parameters')) return true;
  if (t === 'except_clause' || t === 'with_item' || t === 'as_pattern') {
    const prev = n.previousSibling;
    if (prev && prev.type === 'as') return true;
  }
  if (t === 'keyword_pattern' || t === 'case_pattern' || t === 'splat_pattern' || t === 'dict_pattern') return true;
  return false;
}

/** Names bound in a scope (module, function, lambda, comprehension), with the offsets of the bindings. */
function bindingsOf(scope) {
  const names = new Map();
  const add = (name, at) => {
    if (!names.has(name)) names.set(name, []);
    names.get(name).push(at);
  };
  const visit = (n, top) => {
    if (!top && SCOPE_TYPES.has(n.type)) {
      const nm = n.childForFieldName('name');
      if (nm) add(nm.text, nm.startIndex);
      // defaults and decorators are evaluated in this scope
      if (n.type === 'function_definition') {
        for (const p of n.childForFieldName('parameters')?.namedChildren ?? []) {
          const v = p.childForFieldName('value');
          if (v) visit(v, false);
        }
      }
      return;
    }
    if (n.type === 'identifier') {
      if (isBinding(n)) add(n.text, n.startIndex);
      return;
    }
    for (const c of n.namedChildren) if (c) visit(c, false);
  };
  if (scope.type === 'function_definition' || scope.type === 'lambda') {
    const params = scope.childForFieldName('parameters');
    if (params) for (const id of params.descendantsOfType('identifier')) if (id && isBinding(id)) add(id.text, id.startIndex);
    const body = scope.childForFieldName('body');
    if (body) visit(body, scope.type === 'lambda' ? false : true);
  } else visit(scope, true);
  return names;
}

/** Whether the name an identifier reads is bound somewhere it can see. */
function resolvable(id, cache) {
  const name = id.text;
  if (BUILTINS.has(name)) return true;
  let classOk = true;
  for (let n = id.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'module') {
      let b = cache.get(n.id);
      if (!b) cache.set(n.id, (b = bindingsOf(n)));
      if (b.has(name)) return true;
      if (n.type !== 'module') classOk = false;
    } else if (n.type === 'class_definition' && classOk) {
      let b = cache.get(n.id);
      if (!b) cache.set(n.id, (b = bindingsOf(n.childForFieldName('body') ?? n)));
      if (b.has(name)) return true;
    } else if (/comprehension|generator_expression/.test(n.type)) {
      for (const clause of n.namedChildren) {
        if (clause?.type !== 'for_in_clause') continue;
        const left = clause.childForFieldName('left');
        if (left && (left.text === name || left.descendantsOfType('identifier').some((x) => x?.text === name))) return true;
      }
    }
  }
  return false;
}

/** Identifiers that read a name (not attributes, keyword names, or bindings). */
function isRead(id) {
  const p = id.parent;
  if (!p) return false;
  if (p.type === 'attribute' && p.childForFieldName('attribute')?.id === id.id) return false;
  if (p.type === 'keyword_argument' && p.childForFieldName('name')?.id === id.id) return false;
  if (p.type === 'dotted_name' || p.type === 'aliased_import' || p.type === 'import_from_statement') return false;
  if (p.type === 'keyword_pattern' || p.type === 'class_pattern') return false;
  return !isBinding(id);
}

/** Names read somewhere in the file where nothing binds them (an incomplete snippet): not the fix's doing. */
function unboundNames(tree) {
  const out = new Set();
  const cache = new Map();
  for (const id of tree.rootNode.descendantsOfType('identifier')) if (id && isRead(id) && !resolvable(id, cache)) out.add(id.text);
  return out;
}

function hasStarImport(tree) {
  return tree.rootNode.descendantsOfType('wildcard_import').length > 0;
}

// ------------------------------------------------------------------ text helpers

function lineStarts(text) {
  const s = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) s.push(i + 1);
  return s;
}
const offsetOf = (starts, pos) => (starts[pos.line] ?? starts[starts.length - 1]) + pos.character;
const lineOf = (starts, offset) => positionIn({ lineStarts: starts }, offset).line;

/** Where old offset `p` lands after the edits: an interval (the whole new text of an edit that replaced it). */
function mapOffset(edits, p) {
  let delta = 0;
  for (const e of edits) {
    if (e.endOffset <= p && !(e.startOffset === e.endOffset && e.startOffset === p)) {
      delta += e.newText.length - (e.endOffset - e.startOffset);
      continue;
    }
    if (e.startOffset === e.endOffset && e.startOffset === p) {
      delta += e.newText.length;
      continue;
    }
    if (e.startOffset <= p && p < e.endOffset) {
      const s = e.startOffset + delta;
      return [s, s + e.newText.length];
    }
    break;
  }
  return [p + delta, p + delta];
}

/** Regions of the new text that the edits wrote. */
function newRegions(edits) {
  const regions = [];
  let delta = 0;
  for (const e of edits) {
    const s = e.startOffset + delta;
    regions.push([s, s + e.newText.length, e]);
    delta += e.newText.length - (e.endOffset - e.startOffset);
  }
  return regions;
}

const normMessage = (m) => m.replace(/\bline \d+/g, 'line N').replace(/:\d+\b/g, ':N');

function indentStyle(text, tree) {
  const starts = lineStarts(text);
  const widths = [];
  let tabs = 0;
  let spaces = 0;
  for (const n of tree.rootNode.descendantsOfType('block')) {
    for (const st of n?.namedChildren ?? []) {
      if (!st || st.type === 'comment') continue;
      const line = lineOf(starts, st.startIndex);
      const ws = /^[ \t]*/.exec(text.slice(starts[line], st.startIndex))[0];
      if (ws.length !== st.startIndex - starts[line]) continue;
      if (ws.includes('\t')) tabs++;
      else if (ws.length) {
        spaces++;
        widths.push(ws.length);
      }
    }
  }
  const gcd = (a, b) => (b ? gcd(b, a % b) : a);
  const unit = widths.reduce((a, b) => gcd(a, b), 0) || 4;
  return { tabs: tabs > spaces, unit, mixed: tabs > 0 && spaces > 0 };
}

function comments(tree) {
  const m = new Map();
  for (const c of tree.rootNode.descendantsOfType('comment')) {
    const t = c.text.trim();
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

function blankLines(text) {
  return text.split('\n').filter((l) => l.trim() === '').length;
}

/** Module-level import statements by text (an import inside a function is another matter). */
function importLines(tree) {
  const m = new Map();
  for (const n of tree.rootNode.namedChildren) {
    if (!n || (n.type !== 'import_statement' && n.type !== 'import_from_statement')) continue;
    const t = n.text.replace(/\s+/g, ' ');
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

function badAwaits(tree, regions) {
  const out = [];
  for (const a of tree.rootNode.descendantsOfType('await')) {
    if (!a) continue;
    let ok = false;
    for (let n = a.parent; n; n = n.parent) {
      if (n.type === 'lambda') break;
      if (n.type === 'function_definition') {
        ok = n.children.some((c) => c?.type === 'async');
        break;
      }
    }
    // in a generator expression, an await makes it an async generator (sum(...), list(...) then fail)
    for (let n = a.parent; ok && n && n.type !== 'function_definition'; n = n.parent) if (n.type === 'generator_expression') ok = false;
    if (!ok && (!regions || regions.some(([s, e]) => a.startIndex < e && a.endIndex > s))) out.push(a.startIndex);
  }
  return out;
}

function toCrlf(text) {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Re-indents with tabs when the file parses the same way after it (else null). */
function toTabs(text, tree) {
  const st = indentStyle(text, tree);
  if (st.tabs || st.mixed) return null;
  const starts = lineStarts(text);
  const strings = tree.rootNode.descendantsOfType('string').filter((s) => s && s.text.includes('\n'));
  const inString = (off) => strings.some((s) => s.startIndex < off && off < s.endIndex);
  let out = '';
  for (let i = 0; i < starts.length; i++) {
    const line = text.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : text.length);
    if (inString(starts[i])) {
      out += line;
      continue;
    }
    const ws = /^ */.exec(line)[0].length;
    out += '\t'.repeat(Math.floor(ws / st.unit)) + ' '.repeat(ws % st.unit) + line.slice(ws);
  }
  const t2 = parsePython(out);
  const ok = errorCount(t2) === errorCount(tree);
  t2.delete();
  return ok ? out : null;
}

// ------------------------------------------------------------------ the audit

function kindOf(f, fix) {
  const title = fix.title
    .replace(/`[^`]*`/g, '`…`')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\bDBOS\d{3}\b/g, 'DBOSxxx');
  return `${f.code} ${title}${fix.safe ? ' [safe]' : ''}${fix.crossFile || fix.edits.some((e) => e.file) ? ' [cross-file]' : ''}`;
}

const stats = new Map(); // kind -> {offered, passed, failed: Map(check -> [where])}
function stat(kind) {
  let s = stats.get(kind);
  if (!s) stats.set(kind, (s = { offered: 0, passed: 0, failedFixes: 0, failed: new Map() }));
  return s;
}

await initParser();
const settings = new ProjectSettings(flag('--strict') ? [{ profile: 'strict' }] : []);
const roots = workspaceRoots(folders);
const index = new WorkspaceIndex(crlf || tabs ? { roots, readFile: (abs) => readConverted(abs) } : { roots });
function readConverted(abs) {
  try {
    const t = fs.readFileSync(abs, 'utf8');
    return convert(t) ?? t;
  } catch {
    return null;
  }
}
let filesSeen = 0;
let filesWithFixes = 0;
let trials = 0;
const internal = [];

function analyzeText(file, text) {
  const s = settings.forFile(file);
  const r = analyze(text, { path: file, config: s.config, version: s.version, index, keepTree: true });
  // a file without DBOS code is not analysed: parse it for the checks
  if (!r.tree) r.tree = parsePython(text);
  return r;
}

function findingsAt(result, text) {
  const st = lineStarts(text);
  return result.findings.map((f) => ({ f, start: offsetOf(st, f.range.start), end: offsetOf(st, f.range.end) }));
}

/** New warning/error findings after the edits (matched against the old ones mapped through the edits). */
function newFindings(oldList, newList, edits, skip) {
  const pool = oldList.filter((o) => o !== skip);
  const used = new Set();
  const fresh = [];
  for (const n of newList) {
    const key = `${n.f.code}|${normMessage(n.f.message)}`;
    let hit = -1;
    for (let i = 0; i < pool.length; i++) {
      if (used.has(i)) continue;
      const o = pool[i];
      if (`${o.f.code}|${normMessage(o.f.message)}` !== key) continue;
      const [lo, hi] = mapOffset(edits, o.start);
      if (n.start >= lo && n.start <= hi) {
        hit = i;
        break;
      }
    }
    if (hit < 0) {
      // the same finding moved (a region the fix rewrote): any unused old one with the same key
      hit = pool.findIndex((o, i) => !used.has(i) && `${o.f.code}|${normMessage(o.f.message)}` === key);
    }
    if (hit < 0) {
      // the same finding with a reworded message (one of its causes fixed): same code, same place
      hit = pool.findIndex((o, i) => {
        if (used.has(i) || o.f.code !== n.f.code) return false;
        const [lo, hi] = mapOffset(edits, o.start);
        return n.start >= lo && n.start <= hi;
      });
    }
    if (hit >= 0) used.add(hit);
    else if (n.f.severity === 'warning' || n.f.severity === 'error') fresh.push(n);
  }
  return fresh;
}

function checkText(file, before, after, edits, result, ctx) {
  const fails = [];
  const sorted = [...edits].sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset);
  const regions = newRegions(sorted);
  const tBefore = ctx.tree;
  const tAfter = result.tree;
  // parse
  if (errorCount(tAfter) > errorCount(tBefore)) fails.push(['parse', `${errorCount(tBefore)} -> ${errorCount(tAfter)} syntax errors`]);
  if (badArgumentLists(tAfter) > badArgumentLists(tBefore)) fails.push(['parse', 'an argument list Python rejects (positional after keyword, or a repeated keyword)']);
  // indent
  const style = ctx.style;
  const starts = lineStarts(after);
  const checkedLines = new Set();
  for (const [s, e] of regions) {
    if (s === e) continue;
    const l0 = lineOf(starts, s);
    const l1 = lineOf(starts, Math.max(s, e - 1));
    for (let l = l0; l <= l1; l++) {
      if (checkedLines.has(l)) continue;
      checkedLines.add(l);
      const lineText = after.slice(starts[l], starts[l + 1] ?? after.length).replace(/\r?\n$/, '');
      const ws = /^[ \t]*/.exec(lineText)[0];
      if (ws.length === lineText.length) continue;
      const node = tAfter.rootNode.descendantForIndex(starts[l] + ws.length);
      // only lines that start a statement or a decorator (not continuation lines, not string contents)
      let stmt = node;
      while (stmt && stmt.parent && stmt.startIndex === starts[l] + ws.length && !['block', 'module', 'decorated_definition'].includes(stmt.parent.type)) stmt = stmt.parent;
      if (!stmt || stmt.startIndex !== starts[l] + ws.length || !['block', 'module', 'decorated_definition'].includes(stmt.parent?.type ?? '')) continue;
      if (style.tabs ? / /.test(ws) : /\t/.test(ws)) fails.push(['indent', `line ${l + 1}: ${style.tabs ? 'spaces in a tab-indented file' : 'tab in a space-indented file'}`]);
      else if (!style.tabs && ws.length % style.unit !== 0) fails.push(['indent', `line ${l + 1}: indent ${ws.length} in a file indented by ${style.unit}`]);
    }
  }
  // names written by the fix
  const cache = new Map();
  const starImport = hasStarImport(tAfter);
  for (const [s, e] of regions) {
    if (s === e) continue;
    const n = tAfter.rootNode.descendantForIndex(s, Math.max(s, e - 1));
    const ids = [];
    const collect = (x) => {
      if (x.endIndex <= s || x.startIndex >= e) return;
      if (x.type === 'identifier') {
        if (x.startIndex >= s && x.endIndex <= e) ids.push(x);
        return;
      }
      for (const c of x.namedChildren) if (c) collect(c);
    };
    // walk from the statement(s) around the region
    let top = n;
    while (top.parent && top.parent.type !== 'module' && !(top.startIndex <= s && top.endIndex >= e && top.type.endsWith('statement'))) top = top.parent;
    collect(top.parent?.type === 'module' ? tAfter.rootNode : top);
    for (const id of ids) {
      if (!isRead(id) || starImport) continue;
      if (!ctx.unbound) ctx.unbound = unboundNames(tBefore);
      if (ctx.unbound.has(id.text)) continue;
      if (!resolvable(id, cache)) fails.push(['names', `line ${lineOf(starts, id.startIndex) + 1}: \`${id.text}\` is not bound there`]);
    }
  }
  // await
  const awaitsBefore = badAwaits(tBefore, null).length;
  const awaitsAfter = badAwaits(tAfter, null).length;
  if (awaitsAfter > awaitsBefore) fails.push(['await', `${awaitsAfter - awaitsBefore} await outside async def or in a generator expression`]);
  // imports
  const ib = importLines(tBefore);
  for (const [k, n] of importLines(tAfter)) if (n > 1 && n > (ib.get(k) ?? 0)) fails.push(['imports', `\`${k}\` ${n} times`]);
  // comments and blank lines
  // (a comment the fix extended, `# note  # dbos: ignore[...]`, still holds the old text)
  const ca = comments(tAfter);
  for (const [k, n] of comments(tBefore)) {
    if ((ca.get(k) ?? 0) >= n) continue;
    let found = ca.get(k) ?? 0;
    for (const [k2, n2] of ca) if (k2 !== k && k2.includes(k)) found += n2;
    if (found < n) fails.push(['comments', `comment lost: ${k.slice(0, 60)}`]);
  }
  if (blankLines(after) < blankLines(before)) fails.push(['comments', `${blankLines(before) - blankLines(after)} blank line(s) lost`]);
  // eol
  const bare = (t) => (t.match(/(?<!\r)\n/g) ?? []).length;
  const crlfFile = (before.match(/\r\n/g) ?? []).length > bare(before);
  if (crlfFile && bare(after) > bare(before)) fails.push(['eol', `${bare(after) - bare(before)} bare LF in a CRLF file`]);
  if (!crlfFile && (after.match(/\r\n/g) ?? []).length > (before.match(/\r\n/g) ?? []).length) fails.push(['eol', 'CRLF in an LF file']);
  return fails;
}

/** Checks specific to "extract into a new step". */
function checkExtract(fix, before, after, resultAfter, ctx, finding) {
  const fails = [];
  const m = /`([A-Za-z_]\w*)`/.exec(fix.title);
  if (!m) return fails;
  const name = m[1];
  const tAfter = resultAfter.tree;
  const starts = lineStarts(after);
  const defs = tAfter.rootNode.descendantsOfType('function_definition').filter((d) => d?.childForFieldName('name')?.text === name);
  if (defs.length !== 1) return [['placement', `${defs.length} definitions of ${name}`]];
  const def = defs[0];
  const stmt = def.parent?.type === 'decorated_definition' ? def.parent : def;
  if (stmt.parent?.type !== 'module') fails.push(['placement', `${name} is not at module level`]);
  // before the first use, after the imports above it
  const calls = tAfter.rootNode.descendantsOfType('call').filter((c) => c?.childForFieldName('function')?.text === name);
  if (calls.length === 0) fails.push(['placement', `${name} is never called`]);
  for (const c of calls) {
    let top = c;
    while (top.parent && top.parent.type !== 'module') top = top.parent;
    if (top.startIndex < stmt.startIndex) fails.push(['placement', `${name} defined after the statement at line ${lineOf(starts, top.startIndex) + 1} that uses it`]);
  }
  const dbosBound = bindingsOf(tAfter.rootNode);
  const deco = stmt.type === 'decorated_definition' ? stmt.namedChildren.find((d) => d?.type === 'decorator') : null;
  const decoName = deco ? /@\s*([A-Za-z_]\w*)/.exec(deco.text)?.[1] : null;
  if (decoName && !(dbosBound.get(decoName) ?? []).some((at) => at < stmt.startIndex)) fails.push(['placement', `\`${decoName}\` (decorator) is bound only after ${name}`]);
  const firstUse = calls.length ? Math.min(...calls.map((c) => c.startIndex)) : Infinity;
  for (const imp of tAfter.rootNode.namedChildren) {
    if (!imp || (imp.type !== 'import_statement' && imp.type !== 'import_from_statement')) continue;
    if (imp.startIndex > stmt.endIndex && imp.startIndex < firstUse) fails.push(['placement', `import at line ${lineOf(starts, imp.startIndex) + 1} comes after ${name}`]);
  }
  // free variables: the body reads no workflow local it was not given
  const params = new Set(bindingsOf(def).keys());
  const body = def.childForFieldName('body');
  // the workflow in the original tree
  const wf = ctx.tree.rootNode.descendantForIndex(ctx.findingStart);
  let wfn = wf;
  while (wfn && wfn.type !== 'function_definition') wfn = wfn.parent;
  const locals = new Set();
  for (let f = wfn; f; f = f.parent) if (f.type === 'function_definition' || f.type === 'lambda') for (const k of bindingsOf(f).keys()) locals.add(k);
  const inner = new Set();
  for (const l of body?.descendantsOfType(['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']) ?? []) {
    for (const id of l?.descendantsOfType('identifier') ?? []) if (id && isBinding(id)) inner.add(id.text);
    for (const cl of l?.descendantsOfType('for_in_clause') ?? []) for (const id of cl?.childForFieldName('left')?.descendantsOfType('identifier') ?? []) inner.add(id.text);
    if (l?.type === 'for_in_clause') continue;
  }
  for (const id of body?.descendantsOfType('identifier') ?? []) {
    if (!id || !isRead(id)) continue;
    const n = id.text;
    if (params.has(n) || inner.has(n)) continue;
    if (locals.has(n)) fails.push(['names', `\`${n}\` is a local of the workflow but not a parameter of ${name}`]);
  }
  if (body && /\bsuper\(\s*\)/.test(body.text)) fails.push(['names', `super() moved out of its class into ${name}`]);
  if (body && /\.__[A-Za-z0-9]\w*(?<!__)\b/.test(body.text) && ctx.tree.rootNode.descendantForIndex(ctx.findingStart).text && inClass(wfn)) fails.push(['names', `private (mangled) attribute moved out of its class into ${name}`]);
  // (an argument bound only after the call in the workflow is an UnboundLocalError in the original
  // code too, whether passed or not: not counted)
  return fails;
}

function inClass(n) {
  for (let x = n?.parent; x; x = x.parent) if (x.type === 'class_definition') return true;
  return false;
}
function _inLoop(n) {
  for (let x = n?.parent; x; x = x.parent) {
    if (x.type === 'for_statement' || x.type === 'while_statement') return true;
    if (x.type === 'function_definition') return false;
  }
  return false;
}

/** The text audited for a file: as on disk, or converted (--crlf, --tabs); null when --tabs cannot convert it. */
function convert(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (crlf) text = toCrlf(text);
  if (tabs) {
    const t = parsePython(text);
    const converted = toTabs(text, t);
    t.delete();
    return converted;
  }
  return text;
}

/** Another file a fix edits, converted like the audited ones (and given to the index that way). */
function readOther(file, cache) {
  if (!cache.has(file)) {
    const text = convert(fs.readFileSync(file, 'utf8')) ?? fs.readFileSync(file, 'utf8');
    cache.set(file, text);
  }
  return cache.get(file);
}

const otherFiles = new Map();

function trial(file, text, ctx, finding, fix, kind) {
  const s = stat(kind);
  s.offered++;
  trials++;
  const fails = [];
  const local = fix.edits.filter((e) => !e.file);
  const byFile = new Map();
  for (const e of fix.edits) if (e.file) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  let after;
  try {
    after = applyEdits(text, local);
  } catch (e) {
    fails.push(['parse', `edits do not apply: ${e.message}`]);
  }
  const touched = [];
  try {
    if (after !== undefined) {
      // other files first, so the index sees their new text when this file is analysed again
      const others = [];
      for (const [other, edits] of byFile) {
        const otherBefore = readOther(other, otherFiles);
        const rb = analyzeText(other, otherBefore);
        const otherAfter = applyEdits(otherBefore, edits);
        index.setText(other, otherAfter);
        touched.push(other);
        others.push({ other, edits, otherBefore, rb, otherAfter });
      }
      const r = analyzeText(file, after);
      try {
        fails.push(...checkText(file, text, after, local, r, ctx));
        const sorted = [...local].sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset);
        const newList = findingsAt(r, after);
        // gone: no finding of the code left in the mapped range
        const [lo] = mapOffset(sorted, ctx.findingStart);
        const [, hi] = mapOffset(sorted, Math.max(ctx.findingStart, ctx.findingEnd - 1));
        const still = newList.filter((n) => n.f.code === finding.code && n.start >= lo && n.start <= hi && normMessage(n.f.message) === normMessage(finding.message));
        if (still.length) fails.push(['gone', `${finding.code} still reported`]);
        for (const n of newFindings(ctx.list, newList, sorted, ctx.entry)) fails.push(['new', `${n.f.code} ${n.f.severity} at line ${n.f.range.start.line + 1}: ${n.f.message.slice(0, 100)}`]);
        if (/Extract into a new step/.test(fix.title)) fails.push(...checkExtract(fix, text, after, r, ctx, finding));
      } finally {
        r.tree?.delete();
      }
      for (const o of others) {
        const ra = analyzeText(o.other, o.otherAfter);
        try {
          const tb = o.rb.tree;
          const octx = { tree: tb, style: indentStyle(o.otherBefore, tb) };
          for (const [c, m] of checkText(o.other, o.otherBefore, o.otherAfter, o.edits, ra, octx)) fails.push([c, `${path.basename(o.other)}: ${m}`]);
          const sorted = [...o.edits].sort((a, b) => a.startOffset - b.startOffset);
          for (const n of newFindings(findingsAt(o.rb, o.otherBefore), findingsAt(ra, o.otherAfter), sorted, null)) fails.push(['new', `${path.basename(o.other)}: ${n.f.code} at line ${n.f.range.start.line + 1}: ${n.f.message.slice(0, 100)}`]);
        } finally {
          ra.tree?.delete();
          o.rb.tree?.delete();
        }
      }
    }
  } catch (e) {
    fails.push(['internal', e.stack.split('\n').slice(0, 3).join(' ')]);
  } finally {
    for (const t of touched) index.forget(t);
  }
  if (fails.length === 0) s.passed++;
  else {
    s.failedFixes++;
    const where = `${path.relative(process.cwd(), file)}:${finding.range.start.line + 1}`;
    const seen = new Set();
    for (const [check, msg] of fails) {
      if (seen.has(check + msg)) continue;
      seen.add(check + msg);
      if (!s.failed.has(check)) s.failed.set(check, []);
      s.failed.get(check).push(`${where}: ${msg}`);
    }
  }
}

const t0 = Date.now();
for (const f of walk(folders).files) {
  const buf = fs.readFileSync(f);
  if (buf.includes(0)) continue;
  filesSeen++;
  const text = convert(buf.toString('utf8'));
  if (text === null) continue;
  const r = analyzeText(f, text);
  if (!r.tree) continue;
  try {
    for (const x of r.ruleFailures) internal.push(`${f}: ${x.code}: ${x.message.split('\n')[0]}`);
    const list = findingsAt(r, text);
    const style = indentStyle(text, r.tree);
    let any = false;
    for (const entry of list) {
      const finding = entry.f;
      if (only && finding.code !== only) continue;
      const ctx = { tree: r.tree, style, list, entry, findingStart: entry.start, findingEnd: entry.end };
      const fixes = [...finding.fixes];
      // the editor's "Ignore DBOSxxx on this line"
      const ignore = ignoreFix(r.model, finding.code, finding.range.start.line);
      if (ignore) fixes.push(ignore);
      for (const fix of fixes) {
        any = true;
        trial(f, text, ctx, finding, fix, kindOf(finding, fix));
      }
    }
    if (any) filesWithFixes++;
  } finally {
    r.tree.delete();
  }
}

console.log(`fix audit${crlf ? ' (CRLF)' : ''}${tabs ? ' (tabs)' : ''}: ${filesSeen} files, ${filesWithFixes} with fixes, ${trials} fixes applied one by one, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
const kinds = [...stats].sort(([a], [b]) => a.localeCompare(b));
let totalOffered = 0;
let totalPassed = 0;
for (const [kind, s] of kinds) {
  totalOffered += s.offered;
  totalPassed += s.passed;
  const by = [...s.failed].map(([c, l]) => `${c} ${l.length}`).join(', ');
  console.log(`${kind}\n    offered ${s.offered}, passed ${s.passed}, failed ${s.failedFixes}${by ? ` (${by})` : ''}`);
  for (const [c, l] of s.failed) {
    const show = verbose ? l : l.slice(0, 8);
    for (const w of show) console.log(`      ${c}: ${w}`);
    if (show.length < l.length) console.log(`      ${c}: ... ${l.length - show.length} more (--verbose)`);
  }
}
console.log(`\nall fixes: offered ${totalOffered}, passed ${totalPassed}, failed ${totalOffered - totalPassed}`);
for (const x of internal) console.log(`RULE FAILURE ${x}`);

// ------------------------------------------------------------------ the CLI's fix-all on a copy
if (flag('--cli')) {
  const cli = path.join(root, 'dist/cli.js');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fix-audit-'));
  const copies = folders.map((f, i) => {
    const dest = path.join(tmp, `${i}-${path.basename(path.resolve(f))}`);
    fs.cpSync(f, dest, { recursive: true, filter: (src) => !/\/(\.git|node_modules|\.venv)(\/|$)/.test(src) });
    return dest;
  });
  const originals = new Map();
  for (const c of copies) for (const f of walk([c], { respectGitignore: false }).files) originals.set(f, fs.readFileSync(f, 'utf8'));
  for (const mode of [['--fix'], ['--fix', '--unsafe-fixes']]) {
    const t = Date.now();
    const res = spawnSync(process.execPath, [cli, ...mode, '--exit-zero', ...(flag('--strict') ? ['--profile', 'strict'] : []), ...copies], { encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 28 });
    const secs = ((Date.now() - t) / 1000).toFixed(1);
    if (res.error || res.status === null) {
      console.log(`\nCLI ${mode.join(' ')}: did not finish (${res.error?.message ?? res.signal}) after ${secs} s`);
      continue;
    }
    let changed = 0;
    const worse = [];
    // the CLI's view of the copy: one index over the roots it would use
    const copyIndex = new WorkspaceIndex({ roots: workspaceRoots(copies) });
    const notFixedPoint = [];
    for (const [f, orig] of originals) {
      let now;
      try {
        now = fs.readFileSync(f, 'utf8');
      } catch {
        continue;
      }
      if (now === orig) continue;
      changed++;
      const a = parsePython(orig);
      const b = parsePython(now);
      const rel = path.relative(tmp, f);
      if (errorCount(b) > errorCount(a)) worse.push(`${rel}: ${errorCount(a)} -> ${errorCount(b)} syntax errors`);
      if (badArgumentLists(b) > badArgumentLists(a)) worse.push(`${rel}: an argument list Python rejects`);
      if (badAwaits(b, null).length > badAwaits(a, null).length) worse.push(`${rel}: await outside async def`);
      if (!hasStarImport(b)) {
        const ua = unboundNames(a);
        const fresh = [...unboundNames(b)].filter((n) => !ua.has(n));
        if (fresh.length) worse.push(`${rel}: names not bound: ${fresh.join(', ')}`);
      }
      const ia = importLines(a);
      for (const [k, n] of importLines(b)) if (n > 1 && n > (ia.get(k) ?? 0)) worse.push(`${rel}: \`${k}\` ${n} times`);
      a.delete();
      b.delete();
      // one more round of the same fix-all finds nothing to do
      const s = settings.forFile(f);
      const opts = { path: f, config: s.config, version: s.version, index: copyIndex };
      const again = collectEdits(analyze(now, opts).findings, mode.includes('--unsafe-fixes'));
      if (again.applied > 0) notFixedPoint.push(`${path.relative(tmp, f)}: ${again.applied} more fix(es) after the run`);
    }
    copyIndex.dispose();
    const m = /Fixed (\d+) problem/.exec(res.stdout);
    console.log(`\nCLI ${mode.join(' ')} on a copy: exit ${res.status}, ${secs} s, ${m ? m[1] : 0} fixed, ${changed} files changed, ${worse.length} problems in the fixed files (syntax, argument lists, await, unbound names, repeated imports), ${notFixedPoint.length} not at a fixed point`);
    for (const w of worse) console.log(`  ${w}`);
    for (const w of notFixedPoint.slice(0, 20)) console.log(`  fixed point: ${w}`);
    if (res.stderr.trim()) console.log(`  stderr: ${res.stderr.trim().split('\n').slice(0, 5).join('\n          ')}`);
    // the next mode starts again from the originals
    for (const [f, orig] of originals) fs.writeFileSync(f, orig);
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  void fixAll;
}
index.dispose();
