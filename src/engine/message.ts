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
  const spans = parts.map((p, i) => ({ p, i })).filter((x) => x.i % 2 === 1 && x.p.length >= 25).sort((a, b) => b.p.length - a.p.length);
  let length = first.length;
  for (const s of spans) {
    if (length <= HEADLINE_MAX) break;
    const short = shorten(s.p);
    length -= parts[s.i].length - short.length;
    parts[s.i] = short;
  }
  // then the longest names of 16 characters or more keep their end (`…workflow_events`)
  const rest = parts.map((p, i) => ({ p, i })).filter((x) => x.i % 2 === 1 && parts[x.i].length >= 16).sort((a, b) => parts[b.i].length - parts[a.i].length);
  for (const s of rest) {
    if (length <= HEADLINE_MAX) break;
    const cur = parts[s.i];
    const short = `…${cur.slice(-12)}`;
    length -= cur.length - short.length;
    parts[s.i] = short;
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
  // `DBOS.reset_system_database()` says more whole; only a very long name loses its start
  return body.length > 40 ? `…${body.slice(-30)}${m[2]}` : code;
}
