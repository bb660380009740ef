# tests/cli/test_frames.sh: golden frames (as tig's test suite keeps them). Each screen of the
# wizard, at 80x24 and 120x36, is captured whole with tmux once it has settled and compared
# with its copy in tests/frames/ after tests/frames/normalise.sed replaced what varies (times,
# clocks, the test directory): a layout that moves or cuts anything fails here.
# Regenerate them on purpose, after a change to a screen:  SW_FRAMES_UPDATE=1 SW_ONLY=test_frames make check
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# A provider that stays Registering: the install screen holds a question, then a running action.
fake_start '{"unregistered": ["Microsoft.ContainerService"], "register_seconds": 600}'
trap 'cleanup; fake_stop' EXIT
FRAMES="$SW_TOP/tests/frames"
UPDATE=${SW_FRAMES_UPDATE:-}

# settled NAME OUT: the screen of NAME into OUT once two captures in a row are the same.
settled() {
	prev=""
	for _ in $(seq 50); do
		cur=$(screen "$1")
		[ -n "$cur" ] && [ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 0.1
	done
	printf '%s\n' "$cur" | sed -E -e "s#$TEST_TMP#<TMP>#g" -f "$FRAMES/normalise.sed" >"$2"
}
# frame NAME FRAME TEXT: once NAME's screen shows TEXT, its whole frame equals tests/frames/FRAME.txt
# (with SW_FRAMES_UPDATE=1: becomes it).
frame() {
	if ! wait_for "$1" "$3" 20 >/dev/null; then
		not_ok "frame $2: the screen never showed \"$3\""
		screen "$1" | sed 's/^/#   /'
		return
	fi
	settled "$1" "$TEST_TMP/$2.txt"
	if [ -n "$UPDATE" ]; then
		cp "$TEST_TMP/$2.txt" "$FRAMES/$2.txt"
		ok "frame $2 written to tests/frames/$2.txt"
	elif cmp -s "$TEST_TMP/$2.txt" "$FRAMES/$2.txt"; then
		ok "frame $2 is its golden copy"
	else
		not_ok "frame $2 differs from tests/frames/$2.txt (- golden, + now):"
		diff -u "$FRAMES/$2.txt" "$TEST_TMP/$2.txt" 2>&1 | tail -n +3 | head -40 | sed 's/^/#   /'
	fi
}
# state_edit DIR PYTHON: runs PYTHON on d (DIR/state.json), then signs the state.
state_edit() {
	python3 - "$1/state.json" "$2" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
steps = {s["step"]: s for s in d["steps"]}
exec(sys.argv[2])
json.dump(d, open(p, "w"))
PY
	sign_state "$1"
}

answers "$TEST_TMP/a.json" service-principal
# No decisions: the install asks for its consent on screen. The SSH key by a path of the same
# length in every run (tests/tmux_lib.sh makes it): a field or a plan line holds it whole.
python3 - "$TEST_TMP/a.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
del d["decisions"]
for vm in ("rabbitmq", "minio"): d[vm]["ssh_public_key_file"] = "~/.ssh/id_ed25519.pub"
json.dump(d, open(p, "w"))
PY
for size in 80x24 120x36; do
	S="$TEST_TMP/walk-$size"
	SW_STATE="$S" sp_vault 2>/dev/null
	printf 'line one of the value\nline two\n' | SW_STATE="$S" swp vault set frame-note --kind other 2>/dev/null
	TUI_SIZE=$size start "w$size" "$S" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until subscription \
		--passphrase-fd 3 "3<'$PASSFILE'"
	track "w$size"
	frame "w$size" "overview-new-$size" 'resume at subscription'
	keys "w$size" Enter
	for n in 1 2 3 4 5 6; do
		frame "w$size" "step$n-$size" "step $n of 6"
		keys "w$size" NPage
	done
	frame "w$size" "review-$size" 'review the plan'
	keys "w$size" F3
	frame "w$size" "credentials-masked-$size" 'r reveals it'
	keys "w$size" Down r
	frame "w$size" "credentials-revealed-$size" 'line two'
	keys "w$size" Escape Enter
	frame "w$size" "install-question-$size" 'subscription.permissions done'
	keys "w$size" y
	frame "w$size" "install-running-$size" '^ +1 running, 3 done'
	keys "w$size" F10
	on_screen "w$size" 'Leave the wizard'
	keys "w$size" y
	end_wait "w$size" 30 >/dev/null

	# Half done: the Subscription step done, the RabbitMQ step failed.
	H="$TEST_TMP/half-$size"
	cp -r "$S" "$H" && rm -f "$H/lock"
	state_edit "$H" '
for k in ("subscription", "rabbitmq"): steps[k]["confirmed"] = True
steps["subscription"].update(status="done", updated="2026-11-25T10:00:00Z")
steps["rabbitmq"].update(status="failed", error="rabbitmq.vm: QuotaExceeded: 0 of 4 cores free in eastus", updated="2026-11-25T10:05:00Z")
d["actions"] = {}; d["resources"] = {}'
	TUI_SIZE=$size start "h$size" "$H" --cloud "'$FAKE_CLOUD'" --passphrase-fd 3 "3<'$PASSFILE'"
	track "h$size"
	frame "h$size" "overview-half-$size" 'resume at rabbitmq'
	keys "h$size" F10
	on_screen "h$size" 'Leave the wizard'
	keys "h$size" y

	# Installed: every step done, with the outputs the overview names.
	I="$TEST_TMP/done-$size"
	cp -r "$S" "$I" && rm -f "$I/lock"
	state_edit "$I" '
for s in d["steps"]: s.update(status="done", confirmed=True, updated="2026-11-25T11:00:00Z")
d["outputs"] = {"rabbitmq.public_ip": "20.1.2.3", "rabbitmq.amqp_url": "amqp://studioml:<sealed:rabbitmq-password>@20.1.2.3:5672/", "minio.public_ip": "20.1.2.4", "minio.endpoint": "http://20.1.2.4:9000", "overlay.ready": "2/2"}
d["actions"] = {}; d["resources"] = {}'
	TUI_SIZE=$size start "i$size" "$I" --cloud "'$FAKE_CLOUD'" --passphrase-fd 3 "3<'$PASSFILE'"
	track "i$size"
	frame "i$size" "overview-installed-$size" 'installed: runner pods'
	keys "i$size" F10
	on_screen "i$size" 'Leave the wizard'
	keys "i$size" y
done
finish
