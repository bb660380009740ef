# tests/cli/test_words_tui.sh: a message on a screen speaks the screen's words, the command
# line's its own (issue 17, item 20): writing the studioml config over a file that exists says
# on the credentials screen how to choose another file there, and on the command line --out.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
. "$SW_TOP/tests/cli/export_lib.sh"
mkdir -p "$TEST_TMP/x"
out=$(swp export experimenter --out "$TEST_TMP/x/c.yaml" 2>&1); rc=$?
check "the first export writes the file (exit $rc)" test "$rc" -eq 0 -a -s "$TEST_TMP/x/c.yaml"
out=$(swp export experimenter --out "$TEST_TMP/x/c.yaml" 2>&1); rc=$?
check "the command line refuses to overwrite it (exit $rc)" test "$rc" -eq 1
check "  ...naming --out" grep -qF "c.yaml: exists already; not overwritten (choose another file with --out)" <<<"$out"

cat >"$TEST_TMP/w.script" <<EOF2
timeout 30
wait resume at subscription
key F3
wait value of
key e
wait Write the studioml client config
text $TEST_TMP/x/c.yaml
key Enter
wait exists already
key Esc
wait resume at subscription
key F10
wait Leave the wizard
text y
EOF2
TUI_SIZE=200x30 start_script w "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
track w
check "the scripted session ends" end_wait w 60
check "the credentials screen refuses to overwrite, saying how to choose another file there" \
	dump_has w 'c\.yaml: exists already; not overwritten \(press e and type another file\)'
dump_frames_with w 'exists already' "$TEST_TMP/refused.txt"
expect_absent "  ...without the command line's --out" '--out' "$TEST_TMP/refused.txt"
finish
