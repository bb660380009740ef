#!/bin/bash
# tests/tools/repeat.sh NAME [N] [K]: runs one test (a unit binary build/tests/NAME or a shell
# test tests/cli/NAME.sh) N times (default 20), K copies at a time (default twice run.sh's
# SW_JOBS: 8 times the CPUs), each in its own TEST_TMP as tests/run.sh runs it. Prints one
# line per run that failed (with the log's "not ok" / FAILED lines; the whole log is kept in
# TMPDIR) and "NAME: P passed, F failed of N (K at a time) in S s"; exits 1 when any run
# failed. Shows a test flakes.
# Env as tests/run.sh: SW_BIN and SW_BUILD (default: build/ of this checkout).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
name=${1:?usage: repeat.sh NAME [N] [K]}
n=${2:-20}
k=${3:-$(( $(nproc 2>/dev/null || echo 1) * 8 ))}
export SW_TOP="$top" SW_BUILD="${SW_BUILD:-$top/build}" SW_BIN="${SW_BIN:-$top/build/studio-wizard}"
if [ -x "$SW_BUILD/tests/$name" ]; then
	cmd=("$SW_BUILD/tests/$name")
elif [ -f "$top/tests/cli/$name.sh" ]; then
	cmd=(bash "$top/tests/cli/$name.sh")
else
	echo "repeat.sh: no test $name (build/tests/$name or tests/cli/$name.sh)" >&2
	exit 2
fi
logs=$(mktemp -d "${TMPDIR:-/tmp}/sw-repeat.XXXXXX")
trap 'rm -rf "$logs"' EXIT

one() { # I: run number I; its exit code in $logs/I.rc
	local tmp
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-$name-$1.XXXXXX")
	TEST_TMP="$tmp" timeout 900 "${cmd[@]}" >"$logs/$1.log" 2>&1 </dev/null
	echo $? >"$logs/$1.rc"
	rm -rf "$tmp"
}

start=$(date +%s)
running=0
for i in $(seq "$n"); do
	if [ "$running" -ge "$k" ]; then
		wait -n
		running=$((running - 1))
	fi
	one "$i" &
	running=$((running + 1))
done
wait
fails=0
for i in $(seq "$n"); do
	rc=$(cat "$logs/$i.rc" 2>/dev/null || echo missing)
	[ "$rc" = 0 ] && continue
	fails=$((fails + 1))
	keep="${TMPDIR:-/tmp}/sw-repeat-$name-$i.log"
	cp "$logs/$i.log" "$keep" 2>/dev/null
	echo "run $i: exit $rc (log: $keep)"
	grep -E '^not ok|FAILED|\[  ERROR|\[  FAILURE|Assertion|failure' "$logs/$i.log" | head -8 | sed 's/^/    /'
done
echo "$name: $((n - fails)) passed, $fails failed of $n ($k at a time) in $(( $(date +%s) - start )) s"
[ "$fails" -eq 0 ]
