#!/usr/bin/env bash
# The action's install step: `npm install -g dbos-lint@VERSION`, VERSION being $DBOS_LINT_VERSION
# (a version, a tag, or a path to a tarball) or, when empty, the version of the action's own
# package.json, so that `uses: dbos-lint/dbos-lint@v0.1.0` runs dbos-lint 0.1.0.
set -euo pipefail
action_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${DBOS_LINT_VERSION:-}"
if [ -z "$version" ]; then
  version="$(node -p "require(process.argv[1]).version" "$action_root/package.json")"
fi
case "$version" in
  */* | *.tgz) spec="$version" ;;   # a tarball (tests, or a build of your own)
  *) spec="dbos-lint@$version" ;;
esac
echo "Installing $spec"
npm install -g --no-audit --no-fund "$spec"
dbos-lint --version
