#!/bin/bash
# Runs every test: cmocka unit binaries and the shell tests that drive the real binary, several
# at a time. Each file's log is printed whole when it ends, then "# name: exit N in Ns"; the
# last line is "N passed, N failed".
# Env: SW_BIN (the binary under test), SW_BUILD (its build dir), SW_ONLY (substring filter),
# SW_JOBS (tests at a time, default: four times the number of CPUs: many tests wait on servers or sandboxes),
# SW_UNIT_MAKE and SW_UNIT_DIR (from make check: the unit tests are those of tests/unit, and the job
# that runs one first builds it with `$SW_UNIT_MAKE $SW_UNIT_DIR/NAME` in the top directory).
# The longest tests start first: by the durations of the last run ($SW_BUILD/test-times), on
# a fresh checkout by tests/test-times (measured on a 2-core machine), else by source size.
set -u
: "${SW_BIN:?SW_BIN must name the binary under test}"
: "${SW_BUILD:?SW_BUILD must name the build directory}"
top=$(cd "$(dirname "$0")/.." && pwd)
export SW_BIN SW_BUILD SW_TOP="$top"
only=${SW_ONLY:-}
jobs=${SW_JOBS:-$(( $(nproc 2>/dev/null || echo 1) * 4 ))}
case "$jobs" in '' | *[!0-9]* | 0) echo "SW_JOBS must be a number above 0" >&2; exit 2 ;; esac
times="$SW_BUILD/test-times"
seed_times="$top/tests/test-times"
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/sw-tests.XXXXXX")
trap 'rm -rf "$log_dir"' EXIT

# The tests start Python thousands of times. Where python3 is a version manager's shim (pyenv:
# a bash script that runs `pyenv exec`, 0.3 s of CPU per start, seconds on a loaded machine),
# they start the interpreter the shim picks directly.
py=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
if [ -n "$py" ] && [ -x "$py" ] && [ "$(command -v python3)" != "$py" ]; then
	mkdir "$log_dir/bin" && ln -s "$py" "$log_dir/bin/python3" && PATH="$log_dir/bin:$PATH"
fi

# Seconds each test took last time, by name.
declare -A last=()
if [ -r "$times" ]; then
	while read -r n s; do last[$n]=$s; done <"$times"
elif [ -r "$seed_times" ]; then
	while read -r n s; do last[$n]=$s; done <"$seed_times"
fi
unit_make=${SW_UNIT_MAKE:-}
list() {
	if [ -n "$unit_make" ]; then
		for src in "$top"/tests/unit/test_*.c; do
			[ -f "$src" ] || continue
			n=$(basename "$src" .c)
			echo "$n" unit "$SW_BUILD/tests/$n" "$src"
		done
	else
		for t in "$SW_BUILD"/tests/test_*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			n=$(basename "$t")
			src="$top/tests/unit/$n.c"
			echo "$n" unit "$t" "$src"
		done
	fi
	for t in "$top"/tests/cli/test_*.sh; do
		[ -f "$t" ] || continue
		echo "$(basename "$t" .sh)" shell "$t" "$t"
	done
}
# "weight name kind path" lines, heaviest first. The weight is last run's seconds; without a
# record, the size of the test's source (a test new since the last run starts first).
queue=()
declare -A exists=()
while read -r n kind path src; do
	exists[$n]=1
	case "$n" in *"$only"*) ;; *) continue ;; esac
	if [ -n "${last[$n]:-}" ]; then
		w=${last[$n]}
	else
		w=$(stat -c %s "$src" 2>/dev/null || echo 0)
		[ ${#last[@]} -gt 0 ] && w=$((w + 1000000))
	fi
	queue+=("$w $n $kind $path")
done < <(list)
if [ ${#queue[@]} -gt 0 ]; then
	mapfile -t queue < <(printf '%s\n' "${queue[@]}" | sort -k1,1nr)
fi

# run_one NAME KIND PATH: in the background; writes NAME.log, NAME.rc, NAME.secs, then says
# NAME on the done pipe.
run_one() {
	local n=$1 kind=$2 path=$3 tmp start rc
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-$n.XXXXXX")
	start=$(date +%s)
	if [ "$kind" = unit ]; then
		: >"$log_dir/$n.log"
		if [ -n "$unit_make" ]; then
			# make's jobserver is not open here, and one binary needs no -j.
			(cd "$top" && MAKEFLAGS=$(sed 's/ --jobserver-[a-z]*=[^ ]*//g; s/ -j[0-9]*//g' <<<"${MAKEFLAGS:-}") \
				$unit_make "$SW_UNIT_DIR/$n") >>"$log_dir/$n.log" 2>&1 </dev/null 9>&-
		fi &&
		TEST_TMP="$tmp" timeout 900 "$path" >>"$log_dir/$n.log" 2>&1 </dev/null 9>&-
	else
		TEST_TMP="$tmp" timeout 900 bash "$path" >"$log_dir/$n.log" 2>&1 </dev/null 9>&-
	fi
	rc=$?
	echo $(( $(date +%s) - start )) >"$log_dir/$n.secs"
	echo "$tmp" >"$log_dir/$n.tmp"
	echo "$rc" >"$log_dir/$n.rc"
	echo "$n" >&9
}

passed=0
failed=0
failures=""
declare -A kind_of=()
report() { # NAME: prints its log and result, adds to the counts
	local n=$1 out rc secs tmp p f
	out="$log_dir/$n.log" rc=$(cat "$log_dir/$n.rc") secs=$(cat "$log_dir/$n.secs")
	tmp=$(cat "$log_dir/$n.tmp")
	cat "$out"
	if [ "${kind_of[$n]}" = unit ]; then
		p=$(sed -n 's/.*\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		f=$(sed -n 's/.*\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -n 1)
		p=${p:-0} f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1 # crashed or timed out before cmocka could count
			echo "not ok - $n exited $rc"
		fi
	else
		p=$(grep -c '^ok ' "$out")
		f=$(grep -c '^not ok ' "$out")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "not ok - $n exited $rc"
		elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "not ok - $n printed no ok line"
		fi
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		failures="$failures $n"
	else
		rm -rf "$tmp"
	fi
	last[$n]=$secs
	echo "# $n: exit $rc in ${secs}s"
}

# Finished tests say their name on a pipe; reading it waits without polling.
mkfifo "$log_dir/done"
exec 9<>"$log_dir/done"
running=0
for item in "${queue[@]+"${queue[@]}"}"; do
	read -r _ t_name t_kind t_path <<<"$item"
	kind_of[$t_name]=$t_kind
	if [ "$running" -ge "$jobs" ]; then
		read -r d <&9
		report "$d"
		running=$((running - 1))
	fi
	run_one "$t_name" "$t_kind" "$t_path" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	read -r d <&9
	report "$d"
	running=$((running - 1))
done
wait
exec 9<&-

# The durations for the next run's order (tests not run this time keep their old ones).
if [ ${#last[@]} -gt 0 ]; then
	for n in "${!last[@]}"; do [ -n "${exists[$n]:-}" ] && echo "$n ${last[$n]}"; done | sort >"$times.tmp" && mv "$times.tmp" "$times"
fi
[ -n "$failures" ] && echo "# failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
