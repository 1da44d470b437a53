#!/usr/bin/env bash
# Both .debs end to end, on this machine (it must be root, and must have
# neither storeagent nor storecentral installed already):
#   build the packages with cpack from the build tree, lintian on each (no
#   E: lines, no program without a man page), their contents (the till's
#   package holds nothing of central's, and the other way round) and
#   control data.
#   storeagent: dpkg -i (user, group, directories, modes, config),
#   systemd-analyze verify and security on the installed unit, storeagentd
#   run the way the unit runs it (as storeagent, umask 0027, --check-config
#   first) answering storeagentctl status and recording sales, SIGTERM, an
#   upgrade to a newer version keeping data and config, unattended
#   (--force-confold) though both the package and the admin changed the
#   conffile, remove keeping them,
#   purge deleting them and the user.
#   storecentral: dpkg -i (not enabled, says what to do), the installed unit
#   verified, the shipped central.toml valid once TLS files exist,
#   storecentrald started from it and stopped, an upgrade keeping a changed
#   config and the TLS files, remove keeping them, purge deleting them.
# Only the daemon this script started is ever signalled. Runs hold a lock so
# two build trees never run dpkg at once.
#
# usage: deb_install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
CONF=/etc/storeagent/agent.toml
CCONF=/etc/storecentral/central.toml
STORE=store-pkgtest

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "--- $*"; }

[ "$(id -u)" -eq 0 ] ||
  fail "must run as root: it installs and purges the packages with dpkg"
for tool in cpack dpkg dpkg-deb lintian systemd-analyze setpriv flock; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps)"
done

exec 9>/run/lock/storeagent-package-test.lock
flock -w 1200 9 || fail "another package test holds the lock"

for pkg in storeagent storecentral; do
  state=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$state" in
    "" | *not-installed*) ;;
    *) fail "$pkg is already on this machine ($state); this test would" \
      "purge it and its data. Remove it first: dpkg --purge $pkg" ;;
  esac
done
# Purge at the end deletes these: never run where something else owns them.
for p in /var/lib/storeagent /etc/storeagent /run/storeagent \
  /var/lib/storecentral /var/lib/private/storecentral /etc/storecentral; do
  [ ! -e "$p" ] || fail "$p exists; the test's purge would delete it"
done
! getent passwd storeagent >/dev/null ||
  fail "a storeagent user exists; the test's purge would delete it"

WORK=$(mktemp -d /tmp/storeagent-pkgtest-XXXXXX)
chmod 0755 "$WORK"
DAEMON_PID=""
installed=0
central_installed=0
cleanup() {
  local rc=$?
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
    wait "$DAEMON_PID" 2>/dev/null || true
  fi
  if [ $installed -eq 1 ]; then
    dpkg --purge storeagent >/dev/null 2>&1 || true
  fi
  if [ $central_installed -eq 1 ]; then
    dpkg --purge storecentral >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

# ---------------------------------------------------------------- build --
step "cpack: build the packages from $BUILD"
cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
  { cat "$WORK/cpack.log"; fail "cpack failed"; }
DEB=$(ls "$WORK"/pkg/storeagent_*.deb)
[ -f "$DEB" ] || fail "no storeagent_*.deb in $WORK/pkg"
CDEB=$(ls "$WORK"/pkg/storecentral_*.deb)
[ -f "$CDEB" ] || fail "no storecentral_*.deb in $WORK/pkg"
echo "packages: $(basename "$DEB") $(basename "$CDEB")"
VERSION=$(dpkg-deb -f "$DEB" Version)
[ "$(dpkg-deb -f "$CDEB" Version)" = "$VERSION" ] ||
  fail "the two packages have different versions"

# ------------------------------------------------------------ lintian --
for deb in "$DEB" "$CDEB"; do
  step "lintian $(basename "$deb")"
  lintian --tag-display-limit 0 "$deb" >"$WORK/lintian.log" 2>&1 || true
  cat "$WORK/lintian.log"
  if grep -q '^E: ' "$WORK/lintian.log"; then
    fail "lintian reports errors"
  fi
  # Every program in /usr/bin and /usr/sbin has its man page.
  if grep -q 'no-manual-page' "$WORK/lintian.log"; then
    fail "lintian: a program without a man page"
  fi
done

# ----------------------------------------------------- package contents --
step "contents and control data"
dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' >"$WORK/contents"
dpkg-deb -c "$CDEB" | awk '{print $1, $2, $6}' >"$WORK/ccontents"
expect_entry() { # FILE MODE OWNER PATH
  grep -qxF -- "$2 $3 ./$4" "$1" ||
    { cat "$1"; fail "package lacks $2 $3 /$4"; }
}
A="$WORK/contents"
C="$WORK/ccontents"
expect_entry "$A" -rwxr-xr-x root/root usr/bin/storeagentd
expect_entry "$A" -rwxr-xr-x root/root usr/bin/storeagentctl
expect_entry "$A" -rwxr-xr-x root/root usr/bin/storeagent-possim
expect_entry "$A" -rwxr-xr-x root/root usr/bin/storeagent-verify
expect_entry "$A" -rw-r--r-- root/root usr/lib/systemd/system/storeagentd.service
expect_entry "$A" -rw-r--r-- root/root etc/storeagent/agent.toml
expect_entry "$A" -rw-r--r-- root/root usr/share/doc/storeagent/copyright
expect_entry "$A" -rw-r--r-- root/root usr/share/doc/storeagent/changelog.gz
for doc in pos-api.md availability-api.md staff-page.md operations.md \
  operations-cli.md configuration.md security.md storage.md sync-protocol.md \
  contract.md; do
  expect_entry "$A" -rw-r--r-- root/root "usr/share/doc/storeagent/$doc"
done
expect_entry "$A" -rw-r--r-- root/root usr/share/man/man8/storeagentd.8.gz
expect_entry "$A" -rw-r--r-- root/root usr/share/man/man1/storeagentctl.1.gz
expect_entry "$A" -rw-r--r-- root/root usr/share/man/man1/storeagent-possim.1.gz
expect_entry "$A" -rw-r--r-- root/root usr/share/man/man1/storeagent-verify.1.gz
expect_entry "$A" -rw-r--r-- root/root usr/share/storeagent/prometheus/storeagent.rules.yml
expect_entry "$A" -rw-r--r-- root/root usr/share/storeagent/grafana/storeagent.json
expect_entry "$C" -rwxr-xr-x root/root usr/bin/storecentrald
expect_entry "$C" -rwxr-xr-x root/root usr/bin/storecentralctl
expect_entry "$C" -rw-r--r-- root/root usr/lib/systemd/system/storecentrald.service
expect_entry "$C" -rw-r--r-- root/root etc/storecentral/central.toml
expect_entry "$C" -rw-r--r-- root/root usr/share/doc/storecentral/copyright
expect_entry "$C" -rw-r--r-- root/root usr/share/doc/storecentral/changelog.gz
for doc in central.md operations.md operations-cli.md configuration.md \
  security.md sync-protocol.md contract.md; do
  expect_entry "$C" -rw-r--r-- root/root "usr/share/doc/storecentral/$doc"
done
expect_entry "$C" -rw-r--r-- root/root usr/share/man/man8/storecentrald.8.gz
expect_entry "$C" -rw-r--r-- root/root usr/share/man/man1/storecentralctl.1.gz
expect_entry "$C" -rwxr-xr-x root/root usr/share/storecentral/dev-ca
expect_entry "$C" -rw-r--r-- root/root usr/share/storecentral/prometheus/storecentral.rules.yml
expect_entry "$C" -rw-r--r-- root/root usr/share/storecentral/grafana/storecentral.json
# A till installs nothing of central's, and head office nothing of the
# till's.
if grep -q 'storecentral' "$A"; then
  grep 'storecentral' "$A"
  fail "the storeagent package ships central's files"
fi
if grep -q 'storeagent' "$C"; then
  grep 'storeagent' "$C"
  fail "the storecentral package ships the till's files"
fi
for f in "$A" "$C"; do
  if grep -q '\./\(var\|run\)/' "$f"; then
    fail "a package must not ship /var or /run (the scripts create them)"
  fi
done
dpkg-deb -e "$DEB" "$WORK/control"
[ "$(cat "$WORK/control/conffiles")" = "$CONF" ] ||
  fail "conffiles: $(cat "$WORK/control/conffiles")"
dpkg-deb -e "$CDEB" "$WORK/ccontrol"
[ "$(cat "$WORK/ccontrol/conffiles")" = "$CCONF" ] ||
  fail "storecentral conffiles: $(cat "$WORK/ccontrol/conffiles")"
depends=$(dpkg-deb -f "$DEB" Depends)
echo "storeagent Depends: $depends"
for d in libc6 libgrpc++ libsqlite3 adduser; do
  echo "$depends" | grep -q "$d" ||
    fail "Depends lacks $d (is dpkg-dev installed for dpkg-shlibdeps?)"
done
if echo "$depends" | grep -q 'libpqxx'; then
  fail "storeagent depends on libpqxx: a till needs no PostgreSQL client"
fi
cdepends=$(dpkg-deb -f "$CDEB" Depends)
echo "storecentral Depends: $cdepends"
for d in libc6 libgrpc++ libsqlite3 libpqxx; do
  echo "$cdepends" | grep -q "$d" || fail "storecentral Depends lacks $d"
done
dpkg-deb -f "$CDEB" Breaks | grep -qF 'storeagent (<< 0.2.0)' ||
  fail "storecentral does not declare Breaks on the one-package storeagent"
dpkg-deb -f "$CDEB" Replaces | grep -qF 'storeagent (<< 0.2.0)' ||
  fail "storecentral does not declare Replaces on the one-package storeagent"
for s in postinst prerm postrm; do
  [ "$(stat -c %a "$WORK/control/$s")" = 755 ] || fail "$s is not 0755"
  [ "$(stat -c %a "$WORK/ccontrol/$s")" = 755 ] ||
    fail "storecentral $s is not 0755"
done
for pair in "$DEB:storeagent" "$CDEB:storecentral"; do
  deb=${pair%%:*}
  doc=${pair##*:}
  changelog_version=$(dpkg-deb --fsys-tarfile "$deb" |
    tar -xOf - "./usr/share/doc/$doc/changelog.gz" | gzip -dc |
    sed -n '1s/^storeagent (\([^)]*\)).*/\1/p')
  [ "$changelog_version" = "$VERSION" ] ||
    fail "changelog's newest entry is $changelog_version, package is $VERSION"
done

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
# No --check-config before the start: a certificate gone bad must stop
# only sync or the staff page, not the till (operations.md).
! grep -q '^ExecStartPre=' "$UNIT" ||
  fail "the agent unit runs an ExecStartPre; update this test"
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
    fail "--check-config failed (the operator's check before a start)"
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
# The upgrade ships a changed conffile, as a release that rewrites
# agent.toml does: changed here too (store.id), so dpkg would stop and ask
# which to keep. --force-confold keeps the local one without asking
# (docs/operations.md, "Upgrade"); stdin is /dev/null, so a prompt fails.
with_changed_conffile() { # DEB CONFFILE: rewrites DEB with CONFFILE changed
  local dir="$WORK/repack"
  rm -rf "$dir"
  dpkg-deb -R "$1" "$dir"
  echo "# changed by the upgrade package" >>"$dir$2"
  local sum
  sum=$(md5sum <"$dir$2" | cut -d' ' -f1)
  sed -i "s|^[0-9a-f]*  ${2#/}\$|$sum  ${2#/}|" "$dir/DEBIAN/md5sums"
  dpkg-deb -b "$dir" "$1" >/dev/null || fail "could not repack $1"
}
# dpkg's message when it keeps the local file of a conffile both changed.
KEPT_OLD='Package distributor has shipped an updated version'
DEB2=$(ls "$WORK"/pkg2/storeagent_*.deb)
CDEB2=$(ls "$WORK"/pkg2/storecentral_*.deb)
with_changed_conffile "$DEB2" "$CONF"
with_changed_conffile "$CDEB2" "$CCONF"
echo data-marker >/var/lib/storeagent/marker
dpkg -i --force-confold "$DEB2" </dev/null >"$WORK/upgrade.log" 2>&1 ||
  { cat "$WORK/upgrade.log"; fail "upgrade failed"; }
cat "$WORK/upgrade.log"
[ "$(dpkg-query -W -f='${Version}' storeagent)" = "$VERSION+pkgtest1" ] ||
  fail "not upgraded"
grep -q "$KEPT_OLD" "$WORK/upgrade.log" ||
  fail "dpkg did not meet a conffile changed on both sides"
grep -q "^id = \"$STORE\"" "$CONF" || fail "upgrade lost the config change"
grep -q '^# changed by the upgrade package' "$CONF.dpkg-dist" ||
  fail "the package's new agent.toml is not beside the old as .dpkg-dist"
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

# ------------------------------------------------------ storecentral --
step "storecentral: dpkg -i (fresh install)"
central_installed=1
dpkg -i "$CDEB" >"$WORK/cinstall.log" 2>&1 ||
  { cat "$WORK/cinstall.log"; fail "dpkg -i storecentral failed"; }
cat "$WORK/cinstall.log"
grep -q "not enabled" "$WORK/cinstall.log" ||
  fail "postinst did not say storecentrald is left for head office to enable"
expect_stat /etc/storecentral 755 root:root
expect_stat /etc/storecentral/tls 700 root:root
expect_stat "$CCONF" 644 root:root
[ ! -e /etc/systemd/system/multi-user.target.wants/storecentrald.service ] ||
  fail "storecentrald was enabled on install"
CUNIT=/usr/lib/systemd/system/storecentrald.service
systemd-analyze verify "$CUNIT" >"$WORK/cverify.log" 2>&1 ||
  { cat "$WORK/cverify.log"; fail "systemd-analyze verify storecentrald"; }
if [ -s "$WORK/cverify.log" ]; then
  cat "$WORK/cverify.log"
  fail "systemd-analyze verify printed warnings for storecentrald"
fi
for f in ca.pem central.pem central.key; do
  grep -qx "LoadCredential=$f:/etc/storecentral/tls/$f" "$CUNIT" ||
    fail "the unit does not hand $f over by LoadCredential="
done

step "storecentral: the shipped central.toml"
# As shipped (no TLS files yet) it is refused, naming the TLS file.
if out=$(/usr/bin/storecentrald --check-config "$CCONF" 2>&1); then
  fail "the shipped central.toml passed --check-config without TLS files"
fi
echo "$out" | grep -q "tls\." || fail "shipped central.toml: $out"
# With the files head office puts there (made by a CA elsewhere: only
# ca.pem, central.pem and central.key come to central; the paths where
# systemd would put its copies replaced by the files themselves), every
# shipped key is valid.
/usr/share/storecentral/dev-ca init "$WORK/ca" >/dev/null
/usr/share/storecentral/dev-ca central "$WORK/ca" >/dev/null
install -m 0644 "$WORK/ca/ca.pem" "$WORK/ca/central.pem" /etc/storecentral/tls/
install -m 0600 "$WORK/ca/central.key" /etc/storecentral/tls/
# Defaults are shipped commented out ("#url = ..."); setting one means
# uncommenting it.
sed -e 's|/run/credentials/storecentrald.service/|/etc/storecentral/tls/|' \
  -e 's|^#url = .*|url = "sqlite:'"$WORK"'/central.db"|' \
  -e 's|^#listen = "\[::\]:7443"|listen = "127.0.0.1:0"|' \
  -e 's|^#listen = "127.0.0.1:7444"|listen = "127.0.0.1:0"|' \
  "$CCONF" >"$WORK/central.toml"
for k in url 'listen = "127.0.0.1:0"'; do
  grep -q "^$k" "$WORK/central.toml" ||
    fail "could not set $k in the shipped central.toml"
done
/usr/bin/storecentrald --check-config "$WORK/central.toml" ||
  fail "the shipped central.toml with TLS files does not pass --check-config"
/usr/bin/storecentrald --config "$WORK/central.toml" >"$WORK/central.log" 2>&1 &
DAEMON_PID=$!
for i in $(seq 1 150); do
  grep -q 'event=central.started' "$WORK/central.log" && break
  kill -0 "$DAEMON_PID" 2>/dev/null ||
    { cat "$WORK/central.log"; fail "storecentrald exited during start-up"; }
  sleep 0.2
done
grep -q 'event=central.started' "$WORK/central.log" ||
  { cat "$WORK/central.log"; fail "storecentrald did not start"; }
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
[ $rc -eq 0 ] || { cat "$WORK/central.log"; fail "storecentrald exit $rc"; }

step "storecentral: upgrade keeps a changed config and the TLS files"
sed -i 's/^#level = "info"/level = "debug"/' "$CCONF"
dpkg -i --force-confold "$CDEB2" </dev/null >"$WORK/cupgrade.log" 2>&1 ||
  { cat "$WORK/cupgrade.log"; fail "storecentral upgrade failed"; }
[ "$(dpkg-query -W -f='${Version}' storecentral)" = "$VERSION+pkgtest1" ] ||
  fail "storecentral not upgraded"
grep -q "$KEPT_OLD" "$WORK/cupgrade.log" ||
  { cat "$WORK/cupgrade.log"; fail "dpkg did not meet a changed conffile"; }
grep -q '^level = "debug"' "$CCONF" || fail "upgrade lost the config change"
[ -f "$CCONF.dpkg-dist" ] || fail "no central.toml.dpkg-dist after upgrade"
[ -f /etc/storecentral/tls/central.key ] || fail "upgrade lost the TLS key"
expect_stat /etc/storecentral/tls 700 root:root

step "storecentral: remove keeps the config; purge deletes it"
dpkg -r storecentral >"$WORK/cremove.log" 2>&1 ||
  { cat "$WORK/cremove.log"; fail "dpkg -r storecentral failed"; }
[ ! -e /usr/bin/storecentrald ] || fail "storecentrald still there"
[ -f "$CCONF" ] || fail "remove deleted central.toml"
dpkg --purge storecentral >"$WORK/cpurge.log" 2>&1 ||
  { cat "$WORK/cpurge.log"; fail "dpkg --purge storecentral failed"; }
central_installed=0
for p in /etc/storecentral /var/lib/storecentral /var/lib/private/storecentral; do
  [ ! -e "$p" ] || fail "$p still there after purge"
done

echo "PASS: packages $(basename "$DEB") and $(basename "$CDEB") build, are" \
  "lintian-clean of errors, install, run, upgrade and purge"
