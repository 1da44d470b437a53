#!/usr/bin/env bash
# The storeagent .deb end to end, on this machine (it must be root, and must
# not have storeagent installed already):
#   build the package with cpack from the build tree, lintian (no E: lines,
#   no program without a man page),
#   its contents and control data, dpkg -i (user, group, directories, modes,
#   config), systemd-analyze verify and security on the installed unit,
#   storeagentd run the way the unit runs it (as storeagent, umask 0027,
#   --check-config first) answering storeagentctl status and recording sales,
#   SIGTERM, an upgrade to a newer version keeping data and config, remove
#   keeping them, purge deleting them and the user.
# Only the daemon this script started is ever signalled. Runs hold a lock so
# two build trees never run dpkg at once.
#
# usage: deb_install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
CONF=/etc/storeagent/agent.toml
STORE=store-pkgtest

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "--- $*"; }

[ "$(id -u)" -eq 0 ] ||
  fail "must run as root: it installs and purges the package with dpkg"
for tool in cpack dpkg dpkg-deb lintian systemd-analyze setpriv flock; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps)"
done

exec 9>/run/lock/storeagent-package-test.lock
flock -w 1200 9 || fail "another package test holds the lock"

state=$(dpkg-query -W -f='${Status}' storeagent 2>/dev/null || true)
case "$state" in
  "" | *not-installed*) ;;
  *) fail "storeagent is already on this machine ($state); this test would" \
    "purge it and its data. Remove it first: dpkg --purge storeagent" ;;
esac
# Purge at the end deletes these: never run where something else owns them.
for p in /var/lib/storeagent /etc/storeagent /run/storeagent; do
  [ ! -e "$p" ] || fail "$p exists; the test's purge would delete it"
done
! getent passwd storeagent >/dev/null ||
  fail "a storeagent user exists; the test's purge would delete it"

WORK=$(mktemp -d /tmp/storeagent-pkgtest-XXXXXX)
chmod 0755 "$WORK"
DAEMON_PID=""
installed=0
cleanup() {
  local rc=$?
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  if [ $installed -eq 1 ]; then
    dpkg --purge storeagent >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

# ---------------------------------------------------------------- build --
step "cpack: build the package from $BUILD"
cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
  { cat "$WORK/cpack.log"; fail "cpack failed"; }
DEB=$(ls "$WORK"/pkg/storeagent_*.deb)
[ -f "$DEB" ] || fail "no storeagent_*.deb in $WORK/pkg"
echo "package: $(basename "$DEB")"
VERSION=$(dpkg-deb -f "$DEB" Version)

# ------------------------------------------------------------ lintian --
step "lintian"
lintian --tag-display-limit 0 "$DEB" >"$WORK/lintian.log" 2>&1 || true
cat "$WORK/lintian.log"
if grep -q '^E: ' "$WORK/lintian.log"; then
  fail "lintian reports errors"
fi
# Every program in /usr/bin and /usr/sbin has its man page.
if grep -q 'no-manual-page' "$WORK/lintian.log"; then
  fail "lintian: a program without a man page"
fi

# ----------------------------------------------------- package contents --
step "contents and control data"
dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' >"$WORK/contents"
expect_entry() { # MODE OWNER PATH
  grep -qxF -- "$1 $2 ./$3" "$WORK/contents" ||
    { cat "$WORK/contents"; fail "package lacks $1 $2 /$3"; }
}
expect_entry -rwxr-xr-x root/root usr/bin/storeagentd
expect_entry -rwxr-xr-x root/root usr/bin/storeagentctl
expect_entry -rw-r--r-- root/root usr/lib/systemd/system/storeagentd.service
expect_entry -rw-r--r-- root/root etc/storeagent/agent.toml
expect_entry -rw-r--r-- root/root usr/share/doc/storeagent/copyright
expect_entry -rw-r--r-- root/root usr/share/doc/storeagent/changelog.gz
expect_entry -rw-r--r-- root/root usr/share/man/man8/storeagentd.8.gz
expect_entry -rw-r--r-- root/root usr/share/man/man1/storeagentctl.1.gz
expect_entry -rw-r--r-- root/root usr/share/man/man8/storecentrald.8.gz
expect_entry -rw-r--r-- root/root usr/share/man/man1/storecentralctl.1.gz
expect_entry -rwxr-xr-x root/root usr/share/storeagent/dev-ca
if grep -q '\./\(var\|run\)/' "$WORK/contents"; then
  fail "the package must not ship /var or /run (the scripts create them)"
fi
dpkg-deb -e "$DEB" "$WORK/control"
[ "$(cat "$WORK/control/conffiles")" = "$CONF" ] ||
  fail "conffiles: $(cat "$WORK/control/conffiles")"
depends=$(dpkg-deb -f "$DEB" Depends)
echo "Depends: $depends"
for d in libc6 libgrpc++ libsqlite3 adduser; do
  echo "$depends" | grep -q "$d" ||
    fail "Depends lacks $d (is dpkg-dev installed for dpkg-shlibdeps?)"
done
for s in postinst prerm postrm; do
  [ "$(stat -c %a "$WORK/control/$s")" = 755 ] || fail "$s is not 0755"
done
changelog_version=$(dpkg-deb --fsys-tarfile "$DEB" |
  tar -xOf - ./usr/share/doc/storeagent/changelog.gz | gzip -dc |
  sed -n '1s/^storeagent (\([^)]*\)).*/\1/p')
[ "$changelog_version" = "$VERSION" ] ||
  fail "changelog's newest entry is $changelog_version, package is $VERSION"

# --------------------------------------------------------------- install --
step "dpkg -i (fresh install)"
installed=1
dpkg -i "$DEB" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log"; fail "dpkg -i failed"; }
cat "$WORK/install.log"
grep -q "store.id: required" "$WORK/install.log" ||
  fail "postinst did not say the unset store.id keeps the service stopped"

getent group storeagent >/dev/null || fail "no storeagent group"
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd storeagent) ||
  fail "no storeagent user"
[ "$uid" -lt 1000 ] || fail "storeagent is not a system user (uid $uid)"
[ "$(getent group storeagent | cut -d: -f3)" = "$gid" ] ||
  fail "storeagent's primary group is not storeagent"
[ "$home" = /var/lib/storeagent ] || fail "home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "shell is $shell"

expect_stat() { # PATH MODE OWNER:GROUP
  local got
  got=$(stat -c '%a %U:%G' "$1") || fail "$1 is missing"
  [ "$got" = "$2 $3" ] || fail "$1 is $got, want $2 $3"
}
expect_stat /var/lib/storeagent 750 storeagent:storeagent
expect_stat /run/storeagent 750 storeagent:storeagent
expect_stat /etc/storeagent 750 root:storeagent
expect_stat "$CONF" 640 root:storeagent
expect_stat /usr/bin/storeagentd 755 root:root
expect_stat /usr/lib/systemd/system/storeagentd.service 644 root:root

# ------------------------------------------------------- the unit file --
step "systemd-analyze verify and security"
UNIT=/usr/lib/systemd/system/storeagentd.service
systemd-analyze verify "$UNIT" >"$WORK/verify.log" 2>&1 ||
  { cat "$WORK/verify.log"; fail "systemd-analyze verify"; }
if [ -s "$WORK/verify.log" ]; then
  cat "$WORK/verify.log"
  fail "systemd-analyze verify printed warnings"
fi
systemd-analyze security --offline=true "$UNIT" >"$WORK/security.log" 2>&1 ||
  true
score=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' \
  "$WORK/security.log")
echo "systemd-analyze security: exposure $score"
[ -n "$score" ] || { cat "$WORK/security.log"; fail "no exposure score"; }
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
  { cat "$WORK/security.log"; fail "exposure $score is above 2.0"; }
# What the unit runs must be what the package ships.
grep -qx 'ExecStartPre=/usr/bin/storeagentd --check-config --config /etc/storeagent/agent.toml' "$UNIT" ||
  fail "ExecStartPre changed; update this test"
grep -qx 'ExecStart=/usr/bin/storeagentd --config /etc/storeagent/agent.toml' "$UNIT" ||
  fail "ExecStart changed; update this test"

# ------------------------------------------------------ shipped config --
step "the shipped config"
as_agent() { # runs a command the way the unit does
  (umask 0027 && exec setpriv --reuid=storeagent --regid=storeagent \
    --init-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@")
}
if out=$(as_agent /usr/bin/storeagentd --check-config --config "$CONF" 2>&1); then
  fail "the shipped config passed --check-config with no store.id"
fi
echo "$out" | grep -q "store.id: required" ||
  fail "shipped config: unexpected complaint: $out"
# Every other key as shipped is valid.
sed 's/^id = ""$/id = "'$STORE'"/' "$CONF" >"$WORK/agent.toml"
chmod 0644 "$WORK/agent.toml"
as_agent /usr/bin/storeagentd --check-config --config "$WORK/agent.toml" ||
  fail "the shipped config with store.id set does not pass --check-config"

# The operator sets the store id (the conffile is now changed locally).
sed -i 's/^id = ""$/id = "'$STORE'"/' "$CONF"
grep -q "^id = \"$STORE\"" "$CONF" || fail "could not set store.id"

# --------------------------------------------------- run it as the unit --
start_agent() {
  as_agent /usr/bin/storeagentd --check-config --config "$CONF" >/dev/null ||
    fail "ExecStartPre (--check-config) failed"
  mkdir -p /run/storeagent # RuntimeDirectory=
  chown storeagent:storeagent /run/storeagent
  chmod 0750 /run/storeagent
  # ExecStart=, in a subshell that execs, so $! is storeagentd itself.
  (umask 0027 && exec setpriv --reuid=storeagent --regid=storeagent \
    --init-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    /usr/bin/storeagentd --config "$CONF") >>"$WORK/agent.log" 2>&1 &
  DAEMON_PID=$!
  local i
  for i in $(seq 1 150); do
    if /usr/bin/storeagentctl --config "$CONF" status >"$WORK/status" 2>&1; then
      return 0
    fi
    kill -0 "$DAEMON_PID" 2>/dev/null ||
      { cat "$WORK/agent.log"; fail "storeagentd exited during start-up"; }
    sleep 0.2
  done
  cat "$WORK/agent.log" "$WORK/status"
  fail "storeagentd did not answer storeagentctl status"
}
stop_agent() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  [ $rc -eq 0 ] || { cat "$WORK/agent.log"; fail "exit $rc after SIGTERM"; }
}
head_seq() { sed -n 's/^journal head *seq \([0-9]*\)$/\1/p' "$WORK/status"; }

step "storeagentd as the storeagent user"
start_agent
cat "$WORK/status"
grep -q "^store *$STORE\$" "$WORK/status" || fail "status names another store"
[ "$(awk '/^Uid:/ {print $2 $3}' "/proc/$DAEMON_PID/status")" = "$uid$uid" ] ||
  fail "storeagentd does not run as storeagent"
[ "$(readlink "/proc/$DAEMON_PID/exe")" = /usr/bin/storeagentd ] ||
  fail "PID $DAEMON_PID is not the installed storeagentd"
expect_stat /var/lib/storeagent/agent.db 640 storeagent:storeagent
[ -S /run/storeagent/pos.sock ] || fail "no POS socket"
POSSIM="$BUILD/agent/storeagent-possim"
SALES=0
if [ -x "$POSSIM" ]; then
  "$POSSIM" --socket /run/storeagent/pos.sock -n 3 >"$WORK/possim.log" 2>&1 ||
    { cat "$WORK/possim.log"; fail "possim could not record sales"; }
  SALES=3
else
  echo "note: $POSSIM not built; no sales recorded"
fi
/usr/bin/storeagentctl --config "$CONF" status >"$WORK/status"
SEQ=$(head_seq)
[ "$SEQ" -ge "$SALES" ] || fail "head seq $SEQ after $SALES sales"
echo "journal head seq $SEQ after $SALES sales"
stop_agent
[ ! -e /run/storeagent/pos.sock ] || fail "socket left behind after SIGTERM"

# --------------------------------------------------------------- upgrade --
step "upgrade to a newer version"
cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg2" \
  -D CPACK_DEBIAN_PACKAGE_VERSION="$VERSION+pkgtest1" >"$WORK/cpack2.log" 2>&1 ||
  { cat "$WORK/cpack2.log"; fail "cpack (upgrade package) failed"; }
DEB2=$(ls "$WORK"/pkg2/storeagent_*.deb)
echo data-marker >/var/lib/storeagent/marker
dpkg -i "$DEB2" >"$WORK/upgrade.log" 2>&1 ||
  { cat "$WORK/upgrade.log"; fail "upgrade failed"; }
cat "$WORK/upgrade.log"
[ "$(dpkg-query -W -f='${Version}' storeagent)" = "$VERSION+pkgtest1" ] ||
  fail "not upgraded"
grep -q "^id = \"$STORE\"" "$CONF" || fail "upgrade lost the config change"
[ -f /var/lib/storeagent/agent.db ] || fail "upgrade lost the database"
[ "$(cat /var/lib/storeagent/marker)" = data-marker ] ||
  fail "upgrade lost the data directory"
expect_stat /var/lib/storeagent 750 storeagent:storeagent
expect_stat "$CONF" 640 root:storeagent
start_agent
[ "$(head_seq)" = "$SEQ" ] ||
  fail "journal head $(head_seq) after upgrade, was $SEQ"
echo "journal head seq $SEQ kept across the upgrade"
stop_agent

# ------------------------------------------------------- remove, purge --
step "dpkg -r keeps data, config and user"
dpkg -r storeagent >"$WORK/remove.log" 2>&1 ||
  { cat "$WORK/remove.log"; fail "dpkg -r failed"; }
[ ! -e /usr/bin/storeagentd ] || fail "binary still there after remove"
[ -f /var/lib/storeagent/agent.db ] || fail "remove deleted the database"
[ -f "$CONF" ] || fail "remove deleted the config"
getent passwd storeagent >/dev/null || fail "remove deleted the user"

step "dpkg --purge removes data, config, user and group"
dpkg --purge storeagent >"$WORK/purge.log" 2>&1 ||
  { cat "$WORK/purge.log"; fail "dpkg --purge failed"; }
installed=0
for p in /var/lib/storeagent /etc/storeagent /run/storeagent; do
  [ ! -e "$p" ] || fail "$p still there after purge"
done
! getent passwd storeagent >/dev/null || fail "user still there after purge"
! getent group storeagent >/dev/null || fail "group still there after purge"
for l in /etc/systemd/system/storeagentd.service \
  /etc/systemd/system/multi-user.target.wants/storeagentd.service; do
  [ ! -e "$l" ] && [ ! -L "$l" ] || fail "purge left $l"
done

echo "PASS: package $(basename "$DEB") builds, is lintian-clean of errors," \
  "installs, runs as the unit does, upgrades and purges"
