#!/usr/bin/env bash
# The systemd unit as it is in the source tree, without installing anything
# (no root needed): systemd-analyze verify with ExecStart pointed at the
# freshly built binaries and the man pages it documents on MANPATH, the
# settings the service relies on, and the systemd-analyze security exposure.
#
# usage: unit_verify.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
UNIT_SRC="$SRC/installer/systemd/storeagentd.service"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze not found (scripts/install-deps)"

WORK=$(mktemp -d /tmp/storeagent-unit-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The settings the daemon and the package depend on.
for line in Type=notify NotifyAccess=main WatchdogSec=30s Restart=on-failure \
  User=storeagent Group=storeagent UMask=0027 \
  StateDirectory=storeagent StateDirectoryMode=0750 \
  RuntimeDirectory=storeagent RuntimeDirectoryMode=0750 \
  ConfigurationDirectory=storeagent \
  "ExecStart=/usr/bin/storeagentd --config /etc/storeagent/agent.toml" \
  NoNewPrivileges=yes CapabilityBoundingSet= ProtectSystem=strict \
  ProtectHome=yes PrivateTmp=yes ReadWritePaths=/var/lib/storeagent \
  ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
  ProtectControlGroups=yes "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" \
  RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes \
  SystemCallFilter=@system-service WantedBy=multi-user.target; do
  grep -qxF "$line" "$UNIT_SRC" || fail "storeagentd.service lacks '$line'"
done

# A certificate gone bad must not keep the till from starting: no
# --check-config (which fails on it) before ExecStart.
! grep -q '^ExecStartPre=' "$UNIT_SRC" ||
  fail "storeagentd.service runs an ExecStartPre"

# The binaries from this build in place of /usr/bin; the man pages it names.
mkdir -p "$WORK/man/man8" "$WORK/man/man1"
cp "$BUILD/installer/storeagentd.8.gz" "$WORK/man/man8/"
cp "$BUILD/installer/storeagentctl.1.gz" "$WORK/man/man1/"
sed "s|/usr/bin/storeagentd|$BUILD/agent/storeagentd|g" "$UNIT_SRC" \
  >"$WORK/storeagentd.service"
[ -x "$BUILD/agent/storeagentd" ] || fail "build storeagentd first"

if ! MANPATH="$WORK/man" systemd-analyze verify "$WORK/storeagentd.service" \
  >"$WORK/verify.log" 2>&1 || [ -s "$WORK/verify.log" ]; then
  cat "$WORK/verify.log"
  fail "systemd-analyze verify"
fi
echo "systemd-analyze verify: clean"

systemd-analyze security --offline=true "$WORK/storeagentd.service" \
  >"$WORK/security.log" 2>&1 || true
grep "Overall exposure level" "$WORK/security.log" ||
  { cat "$WORK/security.log"; fail "no exposure score"; }
echo "PASS"
