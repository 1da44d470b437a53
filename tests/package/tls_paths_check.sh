#!/usr/bin/env bash
# One naming of the TLS files (#15): the shipped configs, the systemd units
# and the docs name the same paths, and central's layout works with its
# unit as shipped (DynamicUser=yes: every tls.* file reaches the service
# through LoadCredential=, never by reading /etc/storecentral/tls, which is
# 0700 root). The CA's private key is never placed on the central host.
#
# usage: tls_paths_check.sh SOURCE_DIR
set -euo pipefail
SRC=$(cd "$1" && pwd)
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
CTOML="$SRC/installer/config/central.toml"
ATOML="$SRC/installer/config/agent.toml"
CUNIT="$SRC/installer/systemd/storecentrald.service"
DOCS=("$SRC/docs/security.md" "$SRC/docs/operations.md"
  "$SRC/docs/configuration.md")
CRED=/run/credentials/storecentrald.service

# Central: tls.<key> = CRED/<name>, and the unit loads <name> from
# /etc/storecentral/tls/<name>.
grep -qx 'DynamicUser=yes' "$CUNIT" || fail "storecentrald.service: DynamicUser"
for pair in ca_file:ca.pem cert_file:central.pem key_file:central.key; do
  key=${pair%%:*}
  name=${pair#*:}
  grep -qx "$key = \"$CRED/$name\"" "$CTOML" ||
    fail "central.toml: tls.$key is not \"$CRED/$name\""
  grep -qx "LoadCredential=$name:/etc/storecentral/tls/$name" "$CUNIT" ||
    fail "storecentrald.service lacks LoadCredential=$name:/etc/storecentral/tls/$name"
  for doc in "$SRC/docs/security.md" "$SRC/docs/operations.md"; do
    grep -qF "/etc/storecentral/tls/$name" "$doc" ||
      fail "$(basename "$doc") does not name /etc/storecentral/tls/$name"
  done
  grep -qF "$CRED/$name" "$SRC/docs/configuration.md" ||
    fail "configuration.md does not name $CRED/$name"
done

# Agent: /etc/storeagent/tls/{ca.pem,store.pem,store.key} for
# sync.{ca,cert,key}_file, in the shipped config and every doc.
for pair in ca_file:ca.pem cert_file:store.pem key_file:store.key; do
  key=${pair%%:*}
  path=/etc/storeagent/tls/${pair#*:}
  grep -qxE "# ?$key = \"$path\"" "$ATOML" ||
    fail "agent.toml's [sync] example: $key is not \"$path\""
  for doc in "${DOCS[@]}"; do
    grep -qF "$path" "$doc" || fail "$(basename "$doc") does not name $path"
  done
done

# No other naming survives, and no CA key on central.
for old in central-ca.pem stores-ca.pem /etc/storeagent/store.pem \
  /etc/storeagent/store.key /etc/storeagent/sync/ /etc/storecentral/central.pem \
  /etc/storecentral/central.key /etc/storecentral/ca/ \
  "dev-ca init /etc/storecentral" "/etc/storecentral/tls/ca.key" \
  "/etc/storeagent/tls/store-store-"; do
  if grep -rnF -- "$old" "${DOCS[@]}" "$SRC/docs/central.md" \
    "$SRC/installer/config" "$SRC/installer/systemd" \
    "$SRC/installer/debian" "$SRC/installer/man"; then
    fail "\"$old\" is still named (one naming: docs/security.md, 'Where the files go')"
  fi
done
echo "tls paths: configs, units and docs agree"
