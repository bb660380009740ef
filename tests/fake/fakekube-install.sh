#!/bin/sh
# Installs the fakes' npm peers into tests/fake/node_modules from the committed
# package-lock.json, unless they are there already: the Kubernetes 1.32 schema (fakekube.mjs)
# and Azure's JavaScript SDK packages whose models fakecloud checks requests with
# (azure_models.py), then writes those models once (azure_models.mjs) before the tests run
# in parallel. Offline-cache friendly.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
have=yes
# Every dependency of package.json, as name=version, installed at that version.
for p in $(sed -n 's/^ *"\([@a-z0-9/-]*\)": *"\([0-9.]*\)",*$/\1=\2/p' "$here/package.json"); do
	f="$here/node_modules/${p%=*}/package.json"
	grep -q "\"version\": *\"${p#*=}\"" "$f" 2>/dev/null || have=no
done
if [ "$have" = no ]; then
	npm ci --prefix "$here" --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
fi
exec python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import azure_models; azure_models.ensure()' "$here"
