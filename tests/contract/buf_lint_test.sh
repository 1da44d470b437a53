#!/bin/sh
# buf lint with the STANDARD rules (proto/buf.yaml) over the contract in
# proto/storeagent/v1: any finding fails the test. Buf comes from the npm
# registry, pinned by package-lock.json in this folder and installed here
# on the first run (node_modules/ is not committed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
buf="$here/node_modules/.bin/buf"

if ! command -v npm >/dev/null 2>&1; then
  echo "buf_lint_test: npm is missing: run scripts/install-deps" >&2
  exit 1
fi
if [ ! -x "$buf" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi

cd "$root/proto"
if ! out=$("$buf" lint 2>&1); then
  printf '%s\n' "$out"
  echo "buf_lint_test: buf lint (STANDARD) has the findings above" >&2
  exit 1
fi
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  echo "buf_lint_test: buf lint printed something; expected nothing" >&2
  exit 1
fi
echo "buf lint (STANDARD, buf $("$buf" --version)): no findings in proto/"
