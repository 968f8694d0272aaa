#!/usr/bin/env bash
# Installs Debian's Neovim when it is missing (for test/nvim/nvim.test.mjs). Needs apt (root or sudo).
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  echo "[nvim-setup] $(nvim --version | head -1) already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq neovim >/dev/null
echo "[nvim-setup] installed $(nvim --version | head -1)"
