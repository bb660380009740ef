# The fuzz harnesses (tests/fuzz) cannot rot: each one is built (with tests/fuzz/driver.c, as
# part of `make tests`) and runs once over its seed corpus without a crash, a sanitizer report
# or a broken property; every seed gets the parser's verdict its name promises (tests/fuzz/README.md):
# refused-* refused, regress-* either, any other seed parsed.
. "$SW_TOP/tests/lib.sh"

fuzz="$SW_TOP/tests/fuzz"
harnesses=$(cd "$fuzz" && ls fuzz_*.c 2>/dev/null | sed 's/\.c$//')
check "there are harnesses in tests/fuzz" [ -n "$harnesses" ]
for h in $harnesses; do
	name=${h#fuzz_}
	corpus="$fuzz/corpus/$name"
	bin="$SW_BUILD/fuzz-seed/$h"
	seeds=$(ls "$corpus" 2>/dev/null | wc -l)
	if [ ! -x "$bin" ] || [ "$seeds" -eq 0 ]; then
		not_ok "$h: built ($bin) and seeded ($seeds files in tests/fuzz/corpus/$name)"
		continue
	fi
	# HOME holds the public key the answers seeds name (~/.ssh/id_ed25519.pub); stdin is empty
	# because the validators open whatever file an answer names.
	HOME="$fuzz/home" TMPDIR="$TEST_TMP" timeout 60 "$bin" "$corpus" </dev/null >"$TEST_TMP/$h.out" 2>"$TEST_TMP/$h.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$h runs over its $seeds seeds (exit $rc)"
		sed 's/^/#   /' "$TEST_TMP/$h.err" | head -30
		continue
	fi
	ok "$h runs over its $seeds seeds"
	bad=""
	for f in "$corpus"/*; do
		s=$(basename "$f")
		got=$(awk -v p="$f" '$2 == p { print $1 }' "$TEST_TMP/$h.out")
		case "$s" in
			refused-*) want=refused ;;
			regress-*) want="$got" ;;
			*) want=parsed ;;
		esac
		[ -n "$got" ] && [ "$got" = "$want" ] || bad="$bad $s(${got:-no verdict})"
	done
	check "  ...and each seed gets the verdict its name promises${bad:+:$bad}" [ -z "$bad" ]
done
# The harness directory has no stray files a seed run would leave.
check "no vault directory is left in TMPDIR" bash -c '! ls -d "$1"/sw-fuzz-vault.* 2>/dev/null | grep -q .' _ "$TEST_TMP"
# A finding of the fuzzer as an operator meets it: an answers file whose key holds a terminal
# escape gets the key named made safe, and the escape never reaches the terminal.
"$SW_BIN" plan --answers "$fuzz/corpus/answers/regress-escape-in-key.json" >/dev/null 2>"$TEST_TMP/plan.err"
check "plan --answers names a key holding an escape made safe" grep -qF 'uniq\x1b[31mid: unknown key' "$TEST_TMP/plan.err"
expect_absent "  ...and no escape byte reaches the terminal" $'\033' "$TEST_TMP/plan.err"
finish
