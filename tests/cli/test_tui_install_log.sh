# tests/cli/test_tui_install_log.sh: the install log reads at a glance (issue 17, item 15):
# one line per action by its key, coloured by outcome, and a failure named once as the root
# cause with what it blocks, instead of a chain of "waits for ... which could not start".
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# A subscription the service principal cannot see: select fails, and what follows it cannot start.
fake_start '{}'
trap 'cleanup; fake_stop' EXIT

answers "$TEST_TMP/a.json" service-principal 99999999-9999-9999-9999-999999999999
sp_vault
start i "$SW_STATE" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until subscription \
	--passphrase-fd 3 "3<'$PASSFILE'"
track i
to_review i
keys i Enter
check "the install ends" wait_for i '^ +stopped: [0-9]+ done, 1 failed' 30
tm capture-pane -e -p -t i >"$TEST_TMP/colour.txt"
screen i >"$TEST_TMP/plain.txt"
check "an action that ended is one line by its key: done, with its time" \
	grep -Eq '^ subscription\.sign-in done \([0-9]+ s\): signed in' "$TEST_TMP/plain.txt"
check "the failed action is one line, FAILED with Azure's reason" \
	grep -Eq '^ subscription\.select FAILED \([0-9]+ s\): .*99999999-9999' "$TEST_TMP/plain.txt"
check "  ...in red (the failure colour)" grep -qP '\x1b\[31msubscription\.select FAILED' "$TEST_TMP/colour.txt"
check "  ...and the done line in green" grep -qP '\x1b\[32msubscription\.sign-in done' "$TEST_TMP/colour.txt"
check "the closing line names the root cause once, with what it blocks" \
	grep -Ezq 'subscription\.select failed: [^;]*; it blocks subscription\.' "$TEST_TMP/plain.txt"
expect_absent "  ...and no chain of \"waits for\" lines" 'waits for|could not start' "$TEST_TMP/plain.txt"
keys i Enter
check "Enter closes the install screen" wait_for i '^EXITED:'
finish
