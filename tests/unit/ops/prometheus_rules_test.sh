#!/bin/sh
# prometheus_rules: the alert rules in installer/prometheus are valid
# (promtool check rules) and fire as their tests say (promtool test rules).
# Every PromQL expression of the Grafana dashboards (installer/grafana)
# must parse too: they are checked as recording rules.
# promtool comes from Debian's prometheus package, jq from jq
# (scripts/install-deps); without them this test fails, it does not skip.
set -eu
dir="$1/installer/prometheus"
for tool in promtool jq; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "prometheus_rules: $tool not found; run scripts/install-deps" >&2
    exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$dir"
promtool check rules storeagent.rules.yml storecentral.rules.yml
promtool test rules storeagent.rules.test.yml
for board in "$1"/installer/grafana/*.json; do
  # $instance is the dashboard's variable; any regex stands in for it.
  jq -e '[.panels[].targets[].expr] | length > 0' "$board" >/dev/null ||
    { echo "prometheus_rules: $board has no queries" >&2; exit 1; }
  jq '{groups: [{name: "dashboard", rules: [.panels[].targets[].expr
        | gsub("\\$instance"; ".*")
        | {record: "dashboard_query", expr: .}]}]}' "$board" \
    >"$work/$(basename "$board").rules.json"
  promtool check rules "$work/$(basename "$board").rules.json"
done
