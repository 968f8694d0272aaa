// The keystroke workload of `npm run bench` (bench/speed.mjs) and bench/keystroke-engine.cjs: a
// 2,000-line file made of the DBOS files of the bench folders (in path order, cut at 2,000 lines),
// and the places of one-letter edits spread evenly over it (a letter typed inside a word).
const lineCount = (text) => text.split('\n').length;

/** The 2,000-line file from the files that mention dbos (`{ file, text }`). */
function keystrokeFile(dbosFiles) {
  const parts = [];
  let n = 0;
  for (const s of [...dbosFiles].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    const t = s.text.replace(/\r\n?/g, '\n').replace(/\n*$/, '\n');
    parts.push(t);
    n += lineCount(t) - 1;
    if (n >= 2000) break;
  }
  return parts.join('').split('\n').slice(0, 2000).join('\n') + '\n';
}

/** `count` offsets spread over the text, each moved to a lower-case letter that follows a word character. */
function editPlaces(text, count) {
  const out = [];
  for (let k = 0; k < count; k++) {
    let p = Math.floor(((k + 0.5) * text.length) / count);
    while (p < text.length && !(/[a-z]/.test(text[p]) && /[A-Za-z_]/.test(text[p - 1] ?? ''))) p++;
    if (p < text.length) out.push(p);
  }
  return out;
}

/** The tree-sitter point (row, column) of an offset. */
function pointAt(text, index) {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/**
 * Edits typed one after the other: `count` times, `nextEdit(text, k)` gives the next text and its
 * tree-sitter edit, the last tree is edited and `check(text, previousTree)` analyses the new text
 * (keeping its tree). Returns the median wall time of the checks (ms) and the last result.
 */
function typeEdits(text, first, count, nextEdit, check) {
  let prev = first;
  const times = [];
  for (let k = 0; k < count; k++) {
    const e = nextEdit(text, k);
    const t0 = process.hrtime.bigint();
    prev.tree.edit(e.edit);
    const r = check(e.text, prev.tree);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    prev.tree.delete();
    prev = r;
    text = e.text;
  }
  prev.tree.delete();
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], last: prev };
}

module.exports = { keystrokeFile, editPlaces, pointAt, lineCount, typeEdits };
