#!/bin/sh
# make bench: runs every benchmark and prints its figures (nothing is asserted).
# SW_BENCH_ONLY=<substring>: only the benchmarks whose name holds it (e.g. engine).
set -u
: "${SW_BUILD:?}" "${SW_BIN:?}"
top=$(cd "$(dirname "$0")/../.." && pwd)
export SW_BUILD SW_BIN SW_TOP="$top"
for b in "$SW_BUILD"/bench/bench_*; do
	[ -x "$b" ] || continue
	case "$(basename "$b")" in *"${SW_BENCH_ONLY:-}"*) ;; *) continue ;; esac
	echo "== $(basename "$b")"
	"$b" || echo "(benchmark $(basename "$b") failed with exit $?)"
done
for s in "$top"/tests/bench/bench_*.sh; do
	[ -f "$s" ] || continue
	case "$(basename "$s" .sh)" in *"${SW_BENCH_ONLY:-}"*) ;; *) continue ;; esac
	echo "== $(basename "$s" .sh)"
	bash "$s" || echo "(benchmark $(basename "$s") failed with exit $?)"
done
