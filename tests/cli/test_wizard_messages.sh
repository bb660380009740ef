# Messages go when they stop applying (issue 17, item 14): a step screen's error is not shown
# on the credentials screen, a notice about one entry goes when another is selected, and the
# clipboard notice does not follow the operator back to the screen underneath.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
new_vault
printf 'one' | swp vault set aa-first
printf 'two' | swp vault set zz-second
cat >"$TEST_TMP/m.script" <<'EOF2'
timeout 20
wait resume at subscription
key Enter
wait step 1 of 6
key C-u
text NotACloud
key Enter
wait ^ cloud: must be
key F3
wait \|> aa-first
key y
wait aa-first sent to the clipboard
key Down
wait \|> zz-second
key Esc
wait step 1 of 6
mark back
key F10
wait Leave the wizard
key y
EOF2
start_script m "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
track m
check "the scripted walk ends" ended_ok m
check "the step screen shows its field error" dump_has m "^ cloud: must be"
dump_frames_with m '\|> aa-first' "$TEST_TMP/creds.txt"
check "the credentials screen opens" test -s "$TEST_TMP/creds.txt"
expect_absent "  ...without the step screen's error" "^ cloud: must be" "$TEST_TMP/creds.txt"
check "y says the entry went to the clipboard" dump_has m 'aa-first sent to the clipboard'
dump_frames_with m '\|> zz-second' "$TEST_TMP/second.txt"
check "another entry is selected" test -s "$TEST_TMP/second.txt"
expect_absent "  ...and the notice about the first one is gone" 'sent to the clipboard' "$TEST_TMP/second.txt"
dump_section m back "" "$TEST_TMP/back.txt"
check "Esc goes back to the step screen" grep -q 'step 1 of 6' "$TEST_TMP/back.txt"
expect_absent "  ...where no credentials notice follows" 'clipboard' "$TEST_TMP/back.txt"
finish
