#!/bin/sh
# make fuzz: runs each libFuzzer harness of BUILD/fuzz for FUZZ_SECONDS (default 30), one after
# the other, on BUILD/corpus/NAME: the committed seeds (tests/fuzz/corpus/NAME) are copied in
# and never written to. A crash or a broken property leaves its input in BUILD/findings/ and
# the run ends with exit 1 after the other harnesses had their turn.
# usage: tests/fuzz/run.sh BUILD      env: FUZZ_SECONDS, FUZZ_ONLY (substring of a name)
set -u
build=${1:?usage: tests/fuzz/run.sh BUILD}
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-30}
case "$secs" in '' | *[!0-9]* | 0) echo "FUZZ_SECONDS must be a number above 0" >&2; exit 2 ;; esac
mkdir -p "$build/findings" "$build/tmp"
failed=""
ran=0
for bin in "$build"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	h=$(basename "$bin")
	name=${h#fuzz_}
	case "$name" in *"${FUZZ_ONLY:-}"*) ;; *) continue ;; esac
	corpus="$build/corpus/$name"
	mkdir -p "$corpus"
	cp -p "$top/tests/fuzz/corpus/$name"/* "$corpus"/
	echo "== $h: $secs s on $corpus"
	# setsid: no controlling terminal, so a file name an input makes up (/dev/tty) cannot block;
	# stdin is empty for the same reason. HOME holds the key the answers seeds name.
	HOME="$top/tests/fuzz/home" TMPDIR="$build/tmp" setsid -w "$bin" -max_total_time="$secs" -timeout=20 \
		-rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
		-artifact_prefix="$build/findings/$name-" "$corpus" </dev/null >"$build/$name.log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added)' "$build/$name.log" | sed 's/^/   /'
	if [ $rc -ne 0 ]; then
		failed="$failed $name"
		echo "   FOUND: exit $rc; see $build/$name.log and $build/findings/" >&2
		grep -E 'ERROR: |SUMMARY: |^fuzz: |runtime error' "$build/$name.log" | head -5 | sed 's/^/   /' >&2
	fi
	ran=$((ran + 1))
done
if [ "$ran" -eq 0 ]; then
	echo "no harness in $build/fuzz${FUZZ_ONLY:+ named *$FUZZ_ONLY*}" >&2
	exit 2
fi
if [ -n "$failed" ]; then
	echo "fuzz: $ran harnesses, findings in:$failed" >&2
	exit 1
fi
echo "fuzz: $ran harnesses, $secs s each, nothing found"
