# tests/cli/test_tui_wrap.sh: text is wrapped, not cut (issue 17, item 13): a field's error is
# read whole at 80 columns, fields are as wide as the terminal allows, the review's plan
# re-flows when the terminal grows, and the credentials' UPDATED column fits at 80 columns.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"

new_vault 2>/dev/null
printf 'k' | swp vault set experimenter-signing-key --kind ssh-key --step overlay
GUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
RG=rg-$(printf 'a%.0s' $(seq 67))
printf '{"subscription": "%s", "rabbitmq": {"resource_group": "%s"}}\n' "$GUID" "$RG" >"$TEST_TMP/a.json"
TUI_SIZE=80x24 start w "$SW_STATE" --answers "'$TEST_TMP/a.json'" --passphrase-fd 3 "3<'$PASSFILE'"
track w
check "the overview opens" wait_for w 'resume at subscription'
keys w F3
check "F3 lists the entry" wait_for w 'experimenter-signing-key'
check "at 80 columns the UPDATED column shows the whole time beside a long name" \
	wait_for w 'experimenter-signing-key +ssh-key +overlay +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'
# the RabbitMQ screen at 80 columns: a resource group Azure refuses
keys w Escape Down Enter
wait_for w 'step 2 of 6' >/dev/null
keys w C-u
type_text w "bad name"
keys w Enter
check "a long field error at 80 columns is wrapped: its start" \
	wait_for w '^ rabbitmq.resource_group: must be 1-90 letters'
check "  ...and its end, read whole" wait_for w 'not ending in a period *$'
keys w C-u
type_text w "$RG"
keys w Enter
tm resize-window -t w -x 120 -y 36
check "at 120 columns a value of 70 characters shows whole in its field" \
	wait_for w "^  Resource group +$RG *\$"
# the review opened at 80 columns, then the terminal grows
tm resize-window -t w -x 80 -y 24
keys w PgDn PgDn PgDn PgDn PgDn
check "the review opens at 80 columns" wait_for w 'review the plan'
tm resize-window -t w -x 120 -y 36
check "at 120 columns the plan re-flows: rows longer than 80 characters" wait_for w '^[^+]{83,}$'
keys w F10
wait_for w 'Leave the wizard' >/dev/null
keys w y
check "the wizard quits with exit 0" wait_for w '^EXITED:0$'
finish
