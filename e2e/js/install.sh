#!/usr/bin/env bash
# Install the official JavaScript client for e2e/19-js-client.bats into DIR
# (build/e2e-js): package.json, the committed package-lock.json and client.mjs
# are copied there and `npm ci` installs exactly the locked versions. npm's own
# cache (~/.npm) is used with --prefer-offline, so only a machine's first run
# downloads; a DIR whose lock matches is left as it is. Prints npm's log and
# fails when the install fails.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: install.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cp "$src/package.json" "$src/client.mjs" "$dir/"
if [ -d "$dir/node_modules" ] && cmp -s "$src/package-lock.json" "$dir/package-lock.json"; then
  exit 0
fi
cp "$src/package-lock.json" "$dir/"
if ! (cd "$dir" && npm ci --no-audit --no-fund --prefer-offline >"$dir/npm.log" 2>&1); then
  echo "npm ci of the JavaScript client failed:" >&2
  cat "$dir/npm.log" >&2
  exit 1
fi
