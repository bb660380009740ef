#!/bin/sh
# Installs fakekube's npm peer (the Kubernetes 1.32 schema) into tests/fake/node_modules from
# the committed package-lock.json, unless it is there already. Offline-cache friendly.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$here/node_modules/@kubernetes/client-node/package.json" ] &&
   [ -f "$here/node_modules/js-yaml/package.json" ]; then
	exit 0
fi
exec npm ci --prefix "$here" --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
