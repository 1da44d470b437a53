#!/bin/sh
# The contract in proto/storeagent/v1, checked by Buf:
#   buf_lint_test.sh lint      buf lint, STANDARD rules (proto/buf.yaml)
#   buf_lint_test.sh breaking  buf breaking, FILE rules, against the image of
#                              the contract as 0.3.0 shipped it
#                              (contract-0.3.0.binpb here): within v1,
#                              changes are additive only (docs/contract.md)
# Any finding fails the test. Buf comes from the npm registry, pinned by
# package-lock.json in this folder and installed here on the first run
# (node_modules/ is not committed), so the first run needs the registry.
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

mode=${1:-lint}
cd "$root/proto"
case "$mode" in
  lint) cmd="$buf lint" ;;
  breaking) cmd="$buf breaking --against $here/contract-0.3.0.binpb" ;;
  *) echo "buf_lint_test: unknown mode '$mode' (lint, breaking)" >&2; exit 2 ;;
esac
if ! out=$($cmd 2>&1); then
  printf '%s\n' "$out"
  echo "buf_lint_test: buf $mode has the findings above" >&2
  exit 1
fi
if [ -n "$out" ]; then
  printf '%s\n' "$out"
  echo "buf_lint_test: buf $mode printed something; expected nothing" >&2
  exit 1
fi
echo "buf $mode (buf $("$buf" --version)): no findings in proto/"
