# tests/cli/test_tui_credentials.sh: the credentials screen read as an operator reads it: a
# revealed multi-line value shows its real lines in a box that scrolls, and deleting an entry
# says what stops working first (issue 17, items 16 and 17).
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"

new_vault 2>/dev/null
# A kubeconfig of 40 lines, one of them longer than the terminal, and an escape that must not
# reach the terminal.
{
	echo "apiVersion: v1"
	echo "clusters:"
	for i in $(seq 3 38); do echo "- line$i: value$i"; done
	printf 'certificate-authority-data: %s\n' "$(head -c 150 /dev/zero | tr '\0' 'Q')"
	printf 'last-line: \033[31mred\n'
} >"$TEST_TMP/kc"
swp vault set aks-kubeconfig --kind kubeconfig --step aks <"$TEST_TMP/kc"
printf 'k' | swp vault set admin-ssh-key --kind ssh-key --step rabbitmq
printf 'x' | swp vault set my-note --kind other
cat >"$TEST_TMP/c.script" <<EOF
timeout 20
wait resume at subscription
key F3
wait aks-kubeconfig
key Down
wait value of aks-kubeconfig
mark reveal
key r
wait apiVersion: v1
mark scroll
key PgDn PgDn PgDn
wait last-line:
key Up
wait value of admin-ssh-key
mark delete-admin
key d
wait Delete admin-ssh-key
key n
key Down Down
wait value of my-note
mark delete-note
key d
wait Delete my-note
key n
# F10 from the credentials screen itself
key F10
wait Leave the wizard
text y
EOF
start_script c "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'"
track c
check "the scripted session ends with exit 0" ended_ok c
dump_section c reveal scroll "$TEST_TMP/c.rev"
check "r shows the value's lines as lines, the first at the top of a box" \
	grep -Eq '^  \| apiVersion: v1 +\|$' "$TEST_TMP/c.rev"
check "  ...its second line on the row below" grep -Eq '^  \| clusters: +\|$' "$TEST_TMP/c.rev"
expect_absent "  ...with no \\x0a escapes for its newlines" 'x0a' "$TEST_TMP/c.rev"
check "  ...and says which rows of how many it shows" grep -Eq 'rows 1-[0-9]+ of 4[0-9], PgUp/PgDn' "$TEST_TMP/c.rev"
dump_section c scroll delete-admin "$TEST_TMP/c.scr"
check "PgDn scrolls to the value's last line" grep -Eq '^  \| last-line: \\x1b\[31mred +\|$' "$TEST_TMP/c.scr"
check "  ...a line longer than the box goes on in the next row instead of being cut" \
	grep -Eq '^  \| Q+ +\|$' "$TEST_TMP/c.scr"
dump_section c delete-admin delete-note "$TEST_TMP/c.adm"
check "deleting the admin key says what breaks before the No/Yes: the VMs cannot be reached" \
	grep -Eq 'neither VM can be' "$TEST_TMP/c.adm"
dump_section c delete-note '' "$TEST_TMP/c.note"
check "an entry no step uses says so" grep -Eq 'No step of the install uses it' "$TEST_TMP/c.note"
check "n keeps the entries" sh -c "'$SW_BIN' --state-dir '$SW_STATE' --passphrase-fd 3 vault list 3<'$PASSFILE' | grep -c 'admin-ssh-key\|my-note' | grep -qx 2"
finish
