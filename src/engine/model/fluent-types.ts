// Library calls whose result is an instance of a known class, written as that class's instance so
// that the effect lists name each method once:
// - methods that return an instance of their own class, so that what follows them is still a method
//   of that class: `Path(raw).expanduser().resolve().exists()` is `pathlib.Path().exists`, as
//   `Path(raw).exists()` is;
// - SQLAlchemy session factories: what `sessionmaker(...)` / `async_sessionmaker(...)` /
//   `scoped_session(...)` make gives a session when called (`SessionLocal()`) or begun
//   (`SessionLocal.begin()`), so `SessionLocal().execute` is `sqlalchemy.orm.Session().execute`
//   and `AsyncSessionFactory().commit` is `sqlalchemy.ext.asyncio.AsyncSession().commit`, however
//   the factory was reached (a module variable, another module's, a getter that returns one).
// Only classes the effect lists name methods of are listed.

/** The path classes (`pathlib.Path()` and its concrete and pure kinds), as the resolver writes an instance. */
const PATH_INSTANCE = /^pathlib\.(?:Pure)?(?:Posix|Windows)?Path\(\)/;

/** Path methods and properties that give another path. */
const PATH_TO_PATH = /^\.(?:(?:expanduser|resolve|absolute|with_name|with_suffix|with_stem|with_segments|joinpath|relative_to|readlink)\(\)|parent)(?=\.|$)/;

/**
 * A session made by a SQLAlchemy session factory, up to the session itself (group 1: the factory):
 * `sessionmaker()()`, `sessionmaker().begin()`, and the scoped registries, which also stand for
 * their session's methods (`scoped_session(...).query`).
 */
const SESSION_MADE = /^sqlalchemy\.(orm\.sessionmaker|ext\.asyncio\.async_sessionmaker|orm\.scoped_session|ext\.asyncio\.async_scoped_session)\(\)(\(\)|\.begin\(\))?(?=\.|$)/;

/** `fqn` with the calls and properties that give an instance of a known class written as that instance. */
export function fluentType(fqn: string): string {
  if (fqn.startsWith('sqlalchemy.')) return sessionType(fqn);
  const m = PATH_INSTANCE.exec(fqn);
  if (!m) return fqn;
  let rest = fqn.slice(m[0].length);
  if (!rest) return fqn;
  let step: RegExpExecArray | null;
  let changed = false;
  while ((step = PATH_TO_PATH.exec(rest))) {
    rest = rest.slice(step[0].length);
    changed = true;
  }
  return changed ? m[0] + rest : fqn;
}

/** A SQLAlchemy factory's session written as the session class's instance (`fqn` itself otherwise). */
function sessionType(fqn: string): string {
  const m = SESSION_MADE.exec(fqn);
  // a factory itself (`sessionmaker()`, not called) is no session; a scoped registry proxies one
  if (!m || (!m[2] && !m[1].includes('scoped'))) return fqn;
  return (m[1].startsWith('orm.') ? 'sqlalchemy.orm.Session()' : 'sqlalchemy.ext.asyncio.AsyncSession()') + fqn.slice(m[0].length);
}

/** `fqn` as a path instance (`pathlib.Path()`) when it denotes one, else null: `path / "name"` is one too. */
export function pathInstance(fqn: string): string | null {
  const type = fluentType(fqn);
  const m = PATH_INSTANCE.exec(type);
  return m && m[0] === type ? type : null;
}
