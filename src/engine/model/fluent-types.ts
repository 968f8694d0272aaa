// Library methods that return an instance of their own class, so that what follows them is still a
// method of that class: `Path(raw).expanduser().resolve().exists()` is `pathlib.Path().exists`, as
// `Path(raw).exists()` is. Only classes the effect lists name methods of are listed.

/** The path classes (`pathlib.Path()` and its concrete and pure kinds), as the resolver writes an instance. */
const PATH_INSTANCE = /^pathlib\.(?:Pure)?(?:Posix|Windows)?Path\(\)/;

/** Path methods and properties that give another path. */
const PATH_TO_PATH = /^\.(?:(?:expanduser|resolve|absolute|with_name|with_suffix|with_stem|with_segments|joinpath|relative_to|readlink)\(\)|parent)(?=\.|$)/;

/** `fqn` with the calls and properties that give an instance of the same class dropped. */
export function fluentType(fqn: string): string {
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

/** `fqn` as a path instance (`pathlib.Path()`) when it denotes one, else null: `path / "name"` is one too. */
export function pathInstance(fqn: string): string | null {
  const type = fluentType(fqn);
  const m = PATH_INSTANCE.exec(type);
  return m && m[0] === type ? type : null;
}
