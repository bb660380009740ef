# tests/cli/test_tui_keys.sh: keys are found where an operator looks for them (issue 17,
# item 18): F1 lists every key of the screen (? too where nothing is typed), footers at 80
# columns keep whole keys with the help key, the one-field unlock dialog offers no Tab.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"

new_vault 2>/dev/null
# Unlocked in the dialog (its footer is checked), at the smallest size the wizard takes.
TUI_SIZE=80x24 start k "$SW_STATE"
track k
check "the unlock dialog opens" wait_for k 'unlock the vault'
screen k >"$TEST_TMP/unlock.txt"
check "  ...its footer offers Enter and F10" grep -Eq '^ Enter unlock  F10 quit *$' "$TEST_TMP/unlock.txt"
expect_absent "  ...and no Tab to a next field it does not have" 'Tab next field' "$TEST_TMP/unlock.txt"
type_text k "$PASS"
keys k Enter
wait_for k 'resume at subscription' >/dev/null
keys k Enter
check "the Subscription screen opens" wait_for k 'step 1 of 6: Subscription'
screen k | tail -1 >"$TEST_TMP/footer.txt"
check "at 80 columns its footer has F5 first and the help key, no key cut" \
	grep -Eq '^ F5 sign in  Enter confirm  .*  F1 help *$' "$TEST_TMP/footer.txt"
keys k F1
check "F1 opens the list of the screen's keys" wait_for k 'keys of the subscription screen'
screen k >"$TEST_TMP/help1.txt"
for k in 'Tab, Down' 'Shift-Tab, Up' 'F5 ' 'F4 ' 'PgDn, F2'; do
	check "  ...naming $k" grep -qF -- "$k" "$TEST_TMP/help1.txt"
done
keys k PgDn
check "PgDn scrolls the list to the editing keys" wait_for k 'Ctrl-U +clears the field'
check "  ...and to the keys of every screen" wait_for k 'F10, Ctrl-Q +quit'
keys k Escape
check "Esc closes the list" wait_for k '^  Subscription id'
# ? is typed into a field here, not the help
keys k Down Down Down Down
type_text k '?'
check "? on a step screen is typed into the field" wait_for k '^  Subscription id +\?'
keys k C-u F3
check "F3 opens the credentials screen" wait_for k 'screen · credentials|· credentials'
keys k '?'
check "? on the credentials screen lists its keys" wait_for k 'keys of the credentials screen'
check "  ...r among them" wait_for k '^  . +r +reveal the selected value'
keys k Escape Escape F10
wait_for k 'Leave the wizard' >/dev/null
keys k y
check "the wizard quits with exit 0" wait_for k '^EXITED:0$'
finish
