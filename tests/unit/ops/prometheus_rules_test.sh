#!/bin/sh
# prometheus_rules: the alert rules in installer/prometheus are valid
# (promtool check rules) and fire as their tests say (promtool test rules).
# promtool comes from Debian's prometheus package (scripts/install-deps);
# without it this test fails, it does not skip.
set -eu
dir="$1/installer/prometheus"
if ! command -v promtool >/dev/null 2>&1; then
  echo "prometheus_rules: promtool not found; run scripts/install-deps" >&2
  exit 1
fi
cd "$dir"
promtool check rules storeagent.rules.yml storecentral.rules.yml
promtool test rules storeagent.rules.test.yml
