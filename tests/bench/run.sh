#!/bin/sh
# make bench: runs every benchmark and prints its figures (nothing is asserted).
set -u
: "${SW_BUILD:?}" "${SW_BIN:?}"
top=$(cd "$(dirname "$0")/../.." && pwd)
export SW_BUILD SW_BIN SW_TOP="$top"
for b in "$SW_BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" || echo "(benchmark $(basename "$b") failed with exit $?)"
done
for s in "$top"/tests/bench/bench_*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s" .sh)"
	sh "$s" || echo "(benchmark $(basename "$s") failed with exit $?)"
done
