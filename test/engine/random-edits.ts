// Random edits of Python texts for the tests that compare what the engine keeps across edits with a
// fresh analysis (reuse.test.ts, function-findings.test.ts): typing, deleting, pasting pieces that
// change what names mean, and now and then a piece that breaks the syntax.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export const PIECES = [
  '\n',
  ' ',
  ':',
  '(',
  '\n\n',
  '\n    y = datetime.now()\n',
  '\ndef helper():\n    return requests.post("u")\n',
  '\n@DBOS.step()\ndef fetch():\n    return time.time()\n',
  '\nhelper = DBOS.step()\n',
  'random.random()',
  '# comment\n',
  '\nLIMIT = 3\n',
  '\nDBOS.step()(helper)\n',
  '\nrequests = None\n',
  '\nfrom time import time as now\n',
];

/** One random edit: a letter typed in a word (most often, like typing), a character deleted, or a piece inserted. */
export function edit(text: string, next: () => number): string {
  const r = next();
  const at = Math.floor(next() * (text.length + 1));
  if (r < 0.5) {
    // a letter inside or at the end of a word
    let p = at;
    while (p < text.length && !/[A-Za-z_]/.test(text[p - 1] ?? '')) p++;
    return text.slice(0, p) + 'xyzq'[Math.floor(next() * 4)] + text.slice(p);
  }
  if (r < 0.75 && text.length > 0) return text.slice(0, Math.min(at, text.length - 1)) + text.slice(Math.min(at, text.length - 1) + 1);
  return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
}

/** `count` files of each rule's fixtures (all of them: Infinity). */
export function fixtureFiles(count = 2, codes?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const dir = path.join(ROOT, 'test', 'fixtures');
  for (const code of fs.readdirSync(dir).sort()) {
    const sub = path.join(dir, code);
    if (!fs.statSync(sub).isDirectory() || (codes && !codes.has(code))) continue;
    out.push(...fs.readdirSync(sub).filter((f) => f.endsWith('.py')).sort().slice(0, count).map((f) => path.join(sub, f)));
  }
  return out;
}

/** Pieces that leave a syntax error behind: statements broken for several edits. */
const BREAKING = ['(', 'def (', '\nclass X(:\n', '"""', '[', 'if x\n'];

/** One time in five, a piece that breaks the syntax inserted somewhere. */
export function breakNow(text: string, next: () => number): string {
  if (next() >= 0.2) return text;
  const at = Math.floor(next() * (text.length + 1));
  return text.slice(0, at) + BREAKING[Math.floor(next() * BREAKING.length)] + text.slice(at);
}

