#!/bin/sh
# Writes OUT: one executable file that behaves like `minio server DIR --address :9000`
# (tests/vm/s3peer.py with a python3 shebang), for the Minio VM to download and run.
# usage: tests/vm/make-minio-binary.sh OUT
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
src=$(dirname "$0")/s3peer.py
tmp="$1.tmp.$$"
{ echo '#!/usr/bin/env python3'; tail -n +2 "$src"; } >"$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$1"
