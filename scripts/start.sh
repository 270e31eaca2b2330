#!/usr/bin/env bash
# `npm start`: from a fresh clone to a running gateway in one command. Installs the Debian
# packages the gateway needs if they are missing (as root or through sudo), installs the npm
# dependencies and builds when they are missing or out of date, then runs `voxbridge start` with
# the arguments given (`npm start -- --http-port 9000`). Configuration: docs/configuration.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh --runtime
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-fund --no-audit
fi
# Rebuild when any source, the dashboard or a build setting is newer than the last build.
if [ ! -f dist/cli/main.js ] || [ ! -f web/dist/main.js ] ||
  [ -n "$(find src web/src web/index.html tsconfig.build.json tsconfig.web.json package.json -newer dist/cli/main.js -print -quit)" ]; then
  npm run build --silent
fi
exec node dist/cli/main.js start "$@"
