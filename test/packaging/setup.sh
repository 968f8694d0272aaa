#!/usr/bin/env bash
# Installs what the packaging tests need when it is missing (Debian packages; needs apt, as root or
# with sudo; SKIP_APT=1 skips apt-get): python3-build, python3-hatchling and python3-venv (build the
# wheel offline and install it into a fresh venv), pre-commit (pre-commit try-repo), shellcheck (the
# action's scripts), git.
set -euo pipefail
missing=()
have_module() { /usr/bin/python3 -c "import $1" >/dev/null 2>&1; }
[ -x /usr/bin/python3 ] && have_module build || missing+=(python3-build)
[ -x /usr/bin/python3 ] && have_module hatchling || missing+=(python3-hatchling)
# Debian's Python makes venvs (with pip) only with python3-venv
if command -v dpkg >/dev/null 2>&1; then dpkg -s python3-venv >/dev/null 2>&1 || missing+=(python3-venv)
else have_module ensurepip || missing+=(python3-venv); fi
command -v pre-commit >/dev/null 2>&1 || missing+=(pre-commit)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v git >/dev/null 2>&1 || missing+=(git)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "[packaging-setup] python3-build, python3-hatchling, python3-venv, pre-commit, shellcheck, git present"
  exit 0
fi
if [ "${SKIP_APT:-0}" = 1 ]; then
  echo "[packaging-setup] missing ${missing[*]} (SKIP_APT=1: not installing)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "[packaging-setup] apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "[packaging-setup] installed ${missing[*]}"
