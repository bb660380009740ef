# tests/cli/test_wizard_tui.sh: the wizard itself in a real terminal. tmux runs the real
# binary at 100x30; we type with send-keys and read the screen with capture-pane.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

. "$SW_TOP/tests/tmux_lib.sh"
# The install screen after the review signs in: only ever to the loopback fake cloud.
fake_start '{}'
trap 'cleanup; fake_stop' EXIT

# state_has DIR PYEXPR: PYEXPR holds for s (state.json) and a (its answers).
state_has() {
	python3 - "$1/state.json" "$2" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
a = s.get("answers") or {}
conf = {st["step"]: st.get("confirmed") for st in s["steps"]}
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}
# wait_state DIR PYEXPR: up to 5 s for state.json to satisfy PYEXPR.
wait_state() {
	for _ in $(seq 50); do
		state_has "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# state.json without $2:" && sed 's/^/#   /' "$1/state.json" 2>/dev/null | head -60
	return 1
}

# ---- walk every screen, invalid values, back, resize, review, replay ------------------
# The keys come from a script (SW_TUI_SCRIPT) that waits for each screen's text before it
# types on; every frame goes to walk.dump (SW_TUI_DUMP), and the checks read the frames.
A="$SW_STATE"
new_vault 2>/dev/null
GUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
UNIQ=e2etest1
cat >"$TEST_TMP/walk.script" <<EOF
timeout 20
wait unlock the vault
text $PASS
key Enter
wait resume at subscription
key Enter
wait step 1 of 6: Subscription
# cloud, sign-in method, tenant, client id: defaults
key Enter Enter Enter Enter
text not-a-guid
key Enter
wait subscription: must be a GUID
key C-u
text $GUID
# subscription, region; clear the derived unique id
key Enter Enter C-u
text $UNIQ
key Enter
wait step 2 of 6: RabbitMQ VM
key Enter C-u
text rmq-e2e
key Enter
wait ^  Resource group +studioml-$UNIQ *\$
key PgDn
wait step 3 of 6: Minio
key PgDn
wait step 4 of 6: Container registry
key Enter C-u
text ab
key Enter
wait acr\.name: must be 5-50 letters and digits
key C-u
text leafai$UNIQ
key Enter
key PgDn
wait step 5 of 6: AKS
key PgDn
wait step 6 of 6: Kustomize overlay
key Enter C-u
# typed, not confirmed; the test makes the terminal 60x20 and then 100x30 again
text runners-e2e
wait ^  Namespace +runners-e2e *\$
wait terminal too small: need 80x24, have 60x20
wait ^  Namespace +runners-e2e *\$
wait PgDn next +Esc back
key Enter
key Esc
wait step 5 of 6: AKS
key Esc
wait step 4 of 6: Container registry
key Esc
wait step 3 of 6: Minio
key Esc
wait step 2 of 6: RabbitMQ VM
key PgDn
wait step 3 of 6
key PgDn
wait step 4 of 6
key PgDn
wait step 5 of 6
key PgDn
wait step 6 of 6
key PgDn
wait review the plan
wait 1\. subscription: Subscription
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
key PgDn
wait review the plan
wait Vault entries
key Enter
wait installing: subscription
wait enter the code FAKEC0DE1
key F10
wait Leave the wizard
text y
EOF
start_script walk "$A" --cloud "'$FAKE_CLOUD'"
track walk
if dump_wait walk '^  Namespace +runners-e2e *$' 60; then
	check "the answers of the first screens are saved as they are confirmed" \
		state_has "$A" "a.get('subscription') == '$GUID' and a.get('uniq_id') == '$UNIQ' \
and a.get('acr', {}).get('name') == 'leafai$UNIQ'"
	check "the namespace typed but not confirmed is not saved yet" \
		state_has "$A" "a.get('overlay', {}).get('namespace') != 'runners-e2e'"
	tm resize-window -t walk -x 60 -y 20
	dump_wait walk 'terminal too small' >/dev/null
	tm resize-window -t walk -x 100 -y 30
else
	not_ok "the script reaches the sixth screen with the namespace typed"
fi
check "the scripted walk-through ends" end_wait walk 60
check "F10 and y leave the install with exit 0" test "$(screen walk | grep -c '^EXITED:0$')" = 1
check "without --passphrase-fd the wizard opens with the unlock dialog" dump_has walk 'unlock the vault'
check "the typed passphrase unlocks the vault and the overview says where to start" \
	dump_has walk 'resume at subscription'
expect_absent "the passphrase was in no frame ($(grep -c '^--- frame' "$TEST_TMP/walk.dump" 2>/dev/null) frames)" \
	"$PASS" "$TEST_TMP/walk.dump"
check "an invalid subscription id is refused with the field and the rule" \
	dump_has walk 'subscription: must be a GUID'
check "Enter on the last field of a screen goes to the next screen" \
	dump_has walk 'step 2 of 6: RabbitMQ VM'
check "the next screen's defaults follow the typed unique id" \
	dump_has walk "^  Resource group +studioml-$UNIQ *\$"
check "PgDn goes to the third screen" dump_has walk 'step 3 of 6: Minio'
check "a two-letter registry name is refused: the message names acr.name and the rule" \
	dump_has walk 'acr\.name: must be 5-50 letters and digits'
check "the refused field keeps the focus and the typed text" dump_has walk '^  Registry name +ab *$'
check "the sixth screen is reached with the keyboard" dump_has walk 'step 6 of 6: Kustomize overlay'
check "a 60x20 terminal shows the too-small message" \
	dump_has walk 'terminal too small: need 80x24, have 60x20'
dump_frames_with walk 'terminal too small' "$TEST_TMP/walk.small"
expect_absent "nothing else is drawn while too small" 'Namespace' "$TEST_TMP/walk.small"
check "enlarged again, the screen comes back with the half-typed text kept" \
	dump_has walk '^  Namespace +runners-e2e *$'
check "the restored screen has its key help line again" dump_has walk 'PgDn next +Esc back'
check "Esc twice goes back two screens" dump_has walk 'step 4 of 6: Container registry'
check "going back keeps the answers typed there" dump_has walk "^  Registry name +leafai$UNIQ *\$"
check "the answers of earlier screens are kept too" dump_has walk '^  VM size +Standard_D2s_v3 *$'
check "... the RabbitMQ VM name typed on the second screen" dump_has walk '^  VM name +rmq-e2e *$'
check "forward again, the sixth screen kept its answer" dump_has walk '^  Namespace +runners-e2e *$'
check "after the sixth screen comes the review of the plan" dump_has walk 'review the plan'
at=$DUMP_AT
check "the review shows secrets sealed, never their values" dump_has walk '<sealed:rabbitmq-password>'
DUMP_AT=$at
check "the review shows the RabbitMQ VM named as typed" dump_has walk 'create VM rmq-e2e'
DUMP_AT=$at
check "the review shows the registry leafai<uniq_id>" dump_has walk "create registry leafai$UNIQ"
DUMP_AT=$at
check "the review shows the namespace as typed" dump_has walk 'runners-e2e'
check "the review pages down to the last step" dump_has walk '6\. overlay: Kustomize overlay'

check "Enter on the review confirms it and the install starts" dump_has walk 'installing: subscription'
check "  ...signing in first (device code, shown in the install log)" dump_has walk 'enter the code FAKEC0DE1'
check "F10 asks before leaving" dump_has walk 'Leave the wizard'
check "every step is confirmed in state.json" \
	state_has "$A" "all(conf.values()) and len(conf) == 6"
check "answers.json is written in the state directory" test -s "$A/answers.json"
check "answers.json holds the answers typed on the screens" python3 - "$A/answers.json" <<EOF
import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(0 if (a["subscription"], a["uniq_id"], a["rabbitmq"]["vm_name"], a["acr"]["name"],
               a["overlay"]["namespace"]) == ("$GUID", "$UNIQ", "rmq-e2e", "leafai$UNIQ",
                                              "runners-e2e") else 1)
EOF
# The walk ran with --cloud FILE, so its answers name that file's cloud: replayed with it.
"$SW_BIN" plan --answers "$A/answers.json" --cloud "$FAKE_CLOUD" >"$TEST_TMP/replay.out" 2>"$TEST_TMP/replay.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "create registry leafai$UNIQ" "$TEST_TMP/replay.out"; then
	ok "plan --answers answers.json replays the install (exit 0, same registry)"
else
	not_ok "plan --answers answers.json replays the install (exit $rc)"
	sed 's/^/#   /' "$TEST_TMP/replay.err"
fi

# ---- kill -9 in the middle of the third screen, then resume ----------------------------
B="$TEST_TMP/state-kill"
SW_STATE="$B" new_vault 2>/dev/null
start kill "$B" --passphrase-fd 3 "3<'$PASSFILE'"
check "with --passphrase-fd the wizard skips the unlock dialog" wait_for kill 'resume at subscription'
track kill
keys kill Enter
on_screen kill 'step 1 of 6'
keys kill Enter Enter Enter Enter
type_text kill "$GUID"
keys kill NPage   # right after typing: PgDn confirms the field and fills the unique id
check "PgDn right after typing the subscription goes on (the unique id follows from it)" \
	wait_for kill 'step 2 of 6'
keys kill NPage
on_screen kill 'step 3 of 6: Minio'
keys kill Enter C-u
type_text kill 'minio-kill'
keys kill Enter Enter C-u   # VM name, VM size; clear the admin user
type_text kill 'opsadmin'
keys kill Enter Enter C-u   # admin user, SSH key; clear the data disk size
type_text kill '20'         # half of 2048, not confirmed
on_screen kill '^  Data disk \(GiB\) +20 *$'
wait_state "$B" "a.get('minio', {}).get('ssh_public_key_file')" >/dev/null
pid=$(wiz_pid kill)
kill -9 "$pid"
check "kill -9 ends the wizard" wait_for kill 'EXITED:137'
check "the killed wizard left its pid in the lock file" test "$(tr -d '\n' <"$B/lock")" = "$pid"
check "state.json kept every confirmed answer, also those of the third screen" \
	state_has "$B" "a['subscription'] == '$GUID' and a['minio']['vm_name'] == 'minio-kill' \
and a['minio']['admin_user'] == 'opsadmin' and a['minio']['vm_size'] == 'Standard_D2s_v3'"
check "the half-typed field was not saved" state_has "$B" "'data_disk_gb' not in a['minio']"
check "the first two steps are confirmed, the third is not" \
	state_has "$B" "conf['subscription'] and conf['rabbitmq'] and not conf['minio']"

tm kill-session -t kill
start kill2 "$B"
check "the stale lock does not block the restart" wait_for kill2 'unlock the vault'
track kill2
type_text kill2 "$PASS"
keys kill2 Enter
check "the restarted wizard's overview says: resume at minio" wait_for kill2 'resume at minio'
check "the overview shows the first steps as answered" \
	wait_for kill2 '2\. RabbitMQ VM +answered'
keys kill2 Enter
check "Enter continues on the third screen" wait_for kill2 'step 3 of 6: Minio'
check "the third screen shows its confirmed VM name" wait_for kill2 '^  VM name +minio-kill *$'
check "the third screen shows its confirmed admin user" wait_for kill2 '^  SSH admin user +opsadmin *$'
check "the half-typed field is back to its default" wait_for kill2 '^  Data disk \(GiB\) +1024 *$'
keys kill2 Escape
on_screen kill2 'step 2 of 6'
keys kill2 Escape
check "the first screen shows the subscription confirmed before the kill" \
	wait_for kill2 "^  Subscription id +$GUID *\$"
keys kill2 F10
on_screen kill2 'Leave the wizard'
keys kill2 y
check "F10 and y quit with exit 0" wait_for kill2 '^EXITED:0$'

# ---- the credentials screen: masked until revealed, copy, delete -----------------------
# Scripted, and EVERY frame drawn is in cred.dump: the marks split it into the stretches
# where no value may show.
C="$TEST_TMP/state-creds"
SW_STATE="$C" new_vault 2>/dev/null
MARK=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
RMQ_VAL="rmq$MARK"
MIO_VAL="mio$MARK"
printf '%s' "$RMQ_VAL" | SW_STATE="$C" swp vault set rabbitmq-password --kind password --step rabbitmq
printf '%s' "$MIO_VAL" | SW_STATE="$C" swp vault set minio-secret-key --kind access-key --step minio
mkdir -p "$TEST_TMP/out"
cat >"$TEST_TMP/cred.script" <<EOF
timeout 20
wait resume at subscription
key F3
wait minio-secret-key +access-key +minio
wait rabbitmq-password +password +rabbitmq
wait \*{8} \(r reveals it\)
key Down
wait value of rabbitmq-password
key Up
wait value of minio-secret-key
mark reveal-minio
key r
wait ^  \\| $MIO_VAL +\\|\$
mark revealed-minio
key Down
wait value of rabbitmq-password
mark reveal-rabbitmq
key r
wait $RMQ_VAL
key Esc
wait resume at subscription
mark left
key F3
wait value of
key d
wait Delete minio-secret-key, MinIO root password
text y
wait minio-secret-key deleted
key f
wait Copy the value to a new file
text $TEST_TMP/out/rmq.txt
key Enter
wait rabbitmq-password copied to
key Esc
wait resume at subscription
key F3
wait value of
key e
wait Write the studioml client config
key Enter
wait writable by other users
key Esc
wait resume at subscription
key F10
wait Leave the wizard
text y
EOF
# ~/.studioml a symlink to a directory everyone can write: e with the default is refused.
mkdir -p "$TEST_TMP/everyones" && chmod 1777 "$TEST_TMP/everyones"
ln -s "$TEST_TMP/everyones" "$HOME/.studioml"
start_script cred "$C" --passphrase-fd 3 "3<'$PASSFILE'"
track cred
check "the scripted credentials session ends" end_wait cred 60
check "the wizard quits with exit 0 after the credentials screen" \
	test "$(screen cred | grep -c '^EXITED:0$')" = 1
check "F3 opens the credentials screen with both entries" dump_has cred 'minio-secret-key +access-key +minio'
check "the second entry is listed with its kind and step" dump_has cred 'rabbitmq-password +password +rabbitmq'
check "the value is masked until revealed" dump_has cred '\*{8} \(r reveals it\)'
dump_section cred '' reveal-minio "$TEST_TMP/cred.1"
expect_absent "before the reveal key no frame ($(grep -c '^--- frame' "$TEST_TMP/cred.dump" 2>/dev/null) in all) shows a value" \
	"$MARK" "$TEST_TMP/cred.1"
check "r reveals the selected value" dump_has cred "^  \\| $MIO_VAL +\\|\$"
dump_section cred reveal-minio revealed-minio "$TEST_TMP/cred.2"
expect_absent "only the selected value is revealed" "$RMQ_VAL" "$TEST_TMP/cred.2"
dump_section cred revealed-minio reveal-rabbitmq "$TEST_TMP/cred.3"
expect_absent "moving the selection masks the value again (every frame)" "$MARK" "$TEST_TMP/cred.3"
check "r reveals the other value" dump_has cred "$RMQ_VAL"
dump_section cred left '' "$TEST_TMP/cred.4"
expect_absent "leaving and coming back masks the value again; no later frame shows one" \
	"$MARK" "$TEST_TMP/cred.4"
check "d asks before deleting" dump_has cred 'Delete minio-secret-key, MinIO root password'
check "y deletes the entry and says so" dump_has cred 'minio-secret-key deleted'
check "f asks for a file" dump_has cred 'Copy the value to a new file'
check "the screen says where the value was copied" dump_has cred 'rabbitmq-password copied to'
check "the copy holds the value" test "$(cat "$TEST_TMP/out/rmq.txt" 2>/dev/null)" = "$RMQ_VAL"
check "the copy has mode 0600" test "$(stat -c %a "$TEST_TMP/out/rmq.txt" 2>/dev/null)" = 600
check "e with the default refuses a ~/.studioml that others can write, saying why" \
	dump_has cred 'writable by other users \(mode 1777\)'
check "  ...and writes nothing there" test -z "$(ls -A "$TEST_TMP/everyones")"
rm -f "$HOME/.studioml"
SW_STATE="$C" swp vault list >"$TEST_TMP/list.out" 2>&1
expect_absent "vault list no longer shows the deleted entry" minio-secret-key "$TEST_TMP/list.out"
check "vault list still shows the other entry" grep -q rabbitmq-password "$TEST_TMP/list.out"

# ---- a passphrase ending in spaces: the screen and the command line take the same bytes --
SPASS="spaces at the end  "
printf '%s\n' "$SPASS" >"$TEST_TMP/.spass"
printf '%s\n' "${SPASS%  }" >"$TEST_TMP/.spass-trimmed"
E="$TEST_TMP/state-spaces"
cat >"$TEST_TMP/spaces.script" <<EOF
timeout 20
wait create the vault
text $SPASS
key Enter
text $SPASS
key Enter
wait resume at subscription
key F10
wait Leave the wizard
text y
EOF
start_script spaces "$E"
check "the vault dialog creates a vault with a passphrase ending in two spaces" ended_ok spaces
check "  ...each of its characters shows as a '*', the spaces too" \
	dump_has spaces "^  Passphrase +\\*{${#SPASS}} *\$"
check "  ...the vault file is there" test -s "$E/vault.sealed"
list_e() { "$SW_BIN" --state-dir "$E" --passphrase-fd 3 vault list 3<"$1" >/dev/null 2>&1; }
expect_exit 0 "vault list opens that vault with the same passphrase, spaces included" \
	list_e "$TEST_TMP/.spass"
expect_exit 3 "  ...and refuses the passphrase without its trailing spaces (exit 3)" \
	list_e "$TEST_TMP/.spass-trimmed"
F="$TEST_TMP/state-spaces-cli"
"$SW_BIN" --state-dir "$F" --passphrase-fd 3 vault init --kdf interactive 3<"$TEST_TMP/.spass" 2>/dev/null
cat >"$TEST_TMP/spaces2.script" <<EOF
timeout 20
wait unlock the vault
text ${SPASS%  }
key Enter
wait wrong passphrase
text $SPASS
key Enter
wait resume at subscription
key F10
wait Leave the wizard
text y
EOF
start_script spaces2 "$F"
check "a vault made on the command line with trailing spaces: the wizard opens it, exit 0" \
	ended_ok spaces2
check "  ...refuses the passphrase without the spaces" dump_has spaces2 'wrong passphrase'
check "  ...and opens with the spaces typed" dump_has spaces2 'resume at subscription'

# ---- --answers FILE preloads the screens -----------------------------------------------
D="$TEST_TMP/state-preload"
SW_STATE="$D" new_vault 2>/dev/null
python3 - "$SW_TOP/tests/data/answers-full.json" "$TEST_TMP/answers.json" "$HOME" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
key = sys.argv[3] + "/.ssh/id_ed25519.pub"
a["rabbitmq"]["ssh_public_key_file"] = a["minio"]["ssh_public_key_file"] = key
a["rabbitmq"]["vm_name"] = "rmq-preloaded"
a["minio"]["bucket"] = "preloaded-artifacts"
json.dump(a, open(sys.argv[2], "w"), indent=2)
EOF
start pre "$D" --answers "'$TEST_TMP/answers.json'" --passphrase-fd 3 "3<'$PASSFILE'"
on_screen pre 'resume at subscription'
track pre
check "--answers: the overview says the answers were preloaded, and from where" \
	wait_for pre "^  Answers preloaded from $TEST_TMP/answers.json \(--answers\)\.\$"
keys pre Enter
check "--answers: the first screen shows the file's subscription" \
	wait_for pre '^  Subscription id +11111111-2222-3333-4444-555555555555 *$'
check "--answers: ... and its unique id" wait_for pre '^  Unique id +1a2b3c4d *$'
keys pre NPage
check "--answers: the RabbitMQ screen shows the file's VM name" \
	wait_for pre '^  VM name +rmq-preloaded *$'
keys pre NPage
check "--answers: the Minio screen shows the file's bucket" \
	wait_for pre '^  Bucket +preloaded-artifacts *$'
keys pre NPage
check "--answers: the registry screen shows leafai1a2b3c4d" \
	wait_for pre '^  Registry name +leafai1a2b3c4d *$'
keys pre F10
on_screen pre 'Leave the wizard'
keys pre y
check "the preloaded wizard quits with exit 0" wait_for pre '^EXITED:0$'

for s in walk kill kill2 cred spaces spaces2 pre; do
	if [ -s "$TEST_TMP/$s.err" ]; then
		not_ok "the wizard ($s) wrote to stderr"
		sed 's/^/#   /' "$TEST_TMP/$s.err" | head -30
	fi
done
finish
