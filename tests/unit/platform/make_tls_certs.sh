#!/usr/bin/env bash
# Makes the certificates platform_tls_test reads, afresh in OUT_DIR:
# a CA with central's and two stores' certificates (one expired), and an
# unrelated CA with a store certificate of the same id.
# usage: make_tls_certs.sh DEV_CA OUT_DIR
set -euo pipefail
dev_ca=$1
out=$2
rm -rf "$out"
mkdir -p "$out/other"
bash "$dev_ca" init "$out"
bash "$dev_ca" central "$out" --host central.example --host 10.9.8.7
bash "$dev_ca" store "$out" S-0042 --days 30
bash "$dev_ca" store "$out" old --expired
bash "$dev_ca" init "$out/other"
bash "$dev_ca" store "$out/other" S-0042
