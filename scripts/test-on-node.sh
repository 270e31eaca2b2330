#!/usr/bin/env bash
# Runs the whole test suite (`npm test`, the command .ci/run runs on the machine's Node) on a pinned
# Node.js LTS from scripts/install-node.sh, as a user on that Node would: `npm ci --nodedir=…` builds
# the native addons (better-sqlite3) against that Node's own headers.
#
#   bash scripts/test-on-node.sh [24|22] [-- <npm test filters>]    (default 24, every test)
#
# The suite runs in a copy of this working tree under .runtimes/suite-node-<major>/voxbridge with
# node_modules of its own, so this clone's node_modules (built for the machine's Node, which
# `npm start` and the tests just run use) is never rebuilt or swapped. Safe to run again: the copy
# is refreshed from the working tree, and `npm ci` runs only when package-lock.json or the Node
# version changed since the last install there.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

major=${1:-24}
shift || true
[ "${1-}" = "--" ] && shift
filters=("$@")

nodedir=$(bash scripts/install-node.sh "$major")
version=$("$nodedir/bin/node" --version)
suite="$root/.runtimes/suite-node-$major"
tree="$suite/voxbridge"
mkdir -p "$tree"

# The tests read audio and models from ../shared beside the project; give the copy the same view.
ln -sfn ../../../shared "$suite/shared"

# Refresh the copy from the working tree (tracked and untracked, not ignored), so what runs on this
# Node is what a developer has in front of them; on a fresh clone it is exactly the commit.
find "$tree" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do
    # A worktree's node_modules may be an untracked symlink; deleted files are still listed.
    if [ "$f" != node_modules ] && [ -e "$f" ]; then printf '%s\0' "$f"; fi
  done |
  tar --null -T - -cf - | tar -xf - -C "$tree"

export PATH="$nodedir/bin:$PATH"
# node-gyp (run by npm for addons without a prebuilt binary here) takes headers from this folder
# instead of downloading them.
export npm_config_nodedir="$nodedir"
cd "$tree"

stamp=node_modules/.voxbridge-install
want="$version $(sha256sum <package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== npm ci on Node.js $version (addons built with --nodedir)"
  start=$SECONDS
  npm ci --no-fund --no-audit 2>&1 | tee "$suite/npm-ci.log"
  echo "== npm ci took $((SECONDS - start)) s"
  # Dependencies that declare a Node range without this one warn on install (EBADENGINE); on a
  # supported LTS there should be none, so name any that appear.
  if grep -q EBADENGINE "$suite/npm-ci.log"; then
    echo "warning: dependencies do not declare support for Node.js $version:" >&2
    grep -A1 EBADENGINE "$suite/npm-ci.log" | grep -o "package: '[^']*'" | sort -u >&2 || true
  fi
  echo "$want" >"$stamp"
fi

# Fail early and clearly when an addon was not built for this Node (NODE_MODULE_VERSION mismatch)
# rather than halfway through the suite.
node --input-type=module -e "
  const { default: Database } = await import('better-sqlite3');
  new Database(':memory:').prepare('select 1').get();
  await import('koffi');
  await import('sherpa-onnx-node');
"
echo "== native addons load on Node.js $version (ABI $(node -p process.versions.modules))"

echo "== the whole suite on Node.js $version"
start=$SECONDS
# A hang (for example a test process stuck after a native crash) fails here instead of eating the
# rest of CI's time; a healthy run takes well under this. `timeout` runs the suite in a process
# group of its own (so that it can end every test process), which a terminal's Ctrl-C no longer
# reaches: pass INT and TERM on to it, then wait for the suite to end.
timeout --kill-after=60 "${VOXBRIDGE_SUITE_TIMEOUT_S:-1800}" npm test -- "${filters[@]}" &
suite_pid=$!
trap 'kill -TERM "$suite_pid" 2>/dev/null || true' INT TERM HUP
status=0
wait "$suite_pid" || status=$?
# A trapped signal ends `wait` early; wait again until the suite has really ended.
while kill -0 "$suite_pid" 2>/dev/null; do
  status=0
  wait "$suite_pid" || status=$?
done
trap - INT TERM HUP
echo "== the suite on Node.js $version took $((SECONDS - start)) s (exit $status)"
exit "$status"
