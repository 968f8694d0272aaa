// The shape of a finding's message: a first line that says what is wrong in at most 100 characters
// (what the Problems panel and the concise CLI formats show), then a line break and the why and the
// what to do (the hover and the full formats show it all).

/** The most characters the first line of a message may have. */
export const HEADLINE_MAX = 100;

/**
 * The message with its first line brought within HEADLINE_MAX characters when names from the user's
 * code made it longer: each code span (in backticks) longer than 24 characters keeps its last dotted
 * parts (`…completions.create`), longest first, until it fits; then spans of 16 characters or more
 * keep their last 12 (`…rkflow_events`). The full names stay in the text below the first line, and
 * the related locations name them too. The rules write headlines that fit with names of usual
 * length; the fixture test checks them before this.
 */
export function fitHeadline(message: string): string {
  const nl = message.indexOf('\n');
  const first = nl < 0 ? message : message.slice(0, nl);
  if (first.length <= HEADLINE_MAX) return message;
  // the odd parts between backticks are the code spans
  const parts = first.split('`');
  if (parts.length % 2 === 0) return message; // an unpaired backtick: leave it
  // names of 25 characters or more, longest first, keep their last dotted parts (`shorten`); then
  // names of 16 or more: a name of the user's code loses whole words from its start, as many as the
  // line needs (`…workflow_status`); a dotted name keeps its last part (`…retrieve_workflow()`); at
  // last, the last 12 characters
  const cuts: { min: number; cut: (code: string, need: number) => string }[] = [
    { min: 25, cut: (c) => shorten(c) },
    { min: 16, cut: (c, need) => (c.includes('.') ? c : dropWords(c, need)) },
    { min: 16, cut: (c) => lastName(c) },
    { min: 16, cut: (c) => `…${c.slice(-12)}` },
  ];
  let length = first.length;
  for (const { min, cut } of cuts) {
    const spans = parts.map((p, i) => ({ p, i })).filter((x) => x.i % 2 === 1 && x.p.length >= min).sort((a, b) => b.p.length - a.p.length);
    for (const s of spans) {
      if (length <= HEADLINE_MAX) break;
      const short = cut(s.p, length - HEADLINE_MAX);
      if (short.length >= s.p.length) continue;
      length -= s.p.length - short.length;
      parts[s.i] = short;
    }
  }
  const head = parts.join('`');
  return nl < 0 ? head : head + message.slice(nl);
}

/** `client.chat.completions.create(...)` -> `…completions.create(...)`; a name without dots keeps its end. */
function shorten(code: string): string {
  const m = /^(.*?)((?:\([^()]*\))?)$/.exec(code)!;
  const body = m[1];
  const parts = body.split('.');
  if (parts.length > 2) return `…${parts.slice(-2).join('.')}${m[2]}`;
  // `DBOS.reset_system_database()` says more whole; only a very long name loses its first words
  return body.length > 40 ? dropWords(code, code.length - 31) : code;
}

/** A code span as its name and its call parentheses (`a.b(x)` -> `a.b`, `(x)`), an ellipsis already there left out. */
function nameAndCall(code: string): { name: string; call: string } {
  const m = /^\u2026?(.*?)((?:\([^()]*\))?)$/.exec(code)!;
  return { name: m[1], call: m[2] };
}

/** `DBOS.retrieve_workflow()` -> `…retrieve_workflow()`. */
function lastName(code: string): string {
  const { name, call } = nameAndCall(code);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? code : `…${name.slice(dot + 1)}${call}`;
}

/**
 * `get_all_workflow_events` -> `…workflow_events`: whole words dropped from the start until the span
 * is `need` characters shorter (the ellipsis counted), or one word is left.
 */
function dropWords(code: string, need: number): string {
  const { name, call } = nameAndCall(code);
  const target = code.length - need;
  let keep = name;
  while (`…${keep}${call}`.length > target) {
    const u = keep.indexOf('_', 1);
    if (u < 0 || u === keep.length - 1) break;
    keep = keep.slice(u + 1);
  }
  return keep === name ? code : `…${keep}${call}`;
}
