# Sourced by the wizard's tmux tests after tests/lib.sh: the real binary in a real terminal
# (tmux on a private socket, 100x30), keys with send-keys, the screen with capture-pane.
# Sets HOME to a fresh one with ~/.ssh/id_ed25519 (the answers' default key).
SOCK="$TEST_TMP/tmux.sock"
CONF="$TEST_TMP/tmux.conf"
PASSFILE="$TEST_TMP/.pass"
export HOME="$TEST_TMP/home"   # the SSH key default and "~/" in answers come from here
PIDS=""
tm() { tmux -S "$SOCK" -f "$CONF" "$@"; }
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	tmux -S "$SOCK" kill-server 2>/dev/null
}
trap cleanup EXIT

if ! command -v tmux >/dev/null || ! command -v ssh-keygen >/dev/null; then
	not_ok "tmux and ssh-keygen are needed"
	finish
fi
printf 'set -g status off\nset -g default-terminal screen\n' >"$CONF"
printf '%s\n' "$PASS" >"$PASSFILE"
mkdir -p "$HOME/.ssh" && ssh-keygen -q -t ed25519 -N '' -f "$HOME/.ssh/id_ed25519" </dev/null

# start NAME STATE_DIR [ARGS...]: the wizard on STATE_DIR in a 100x30 window (TUI_SIZE=COLSxLINES
# for another); the shell prints how it ended and signals the tmux channel NAME-end (see
# end_wait). ARGS are shell words (redirections allowed). TUI_ENV adds VAR='value' words to the
# wizard's environment.
start() {
	name=$1 dir=$2 size=${TUI_SIZE:-100x30}
	shift 2
	tm new-session -d -s "$name" -x "${size%x*}" -y "${size#*x}" \
		"env -u NO_COLOR HOME='$HOME' ${TUI_ENV:-} '$SW_BIN' --state-dir '$dir' $* 2>>'$TEST_TMP/$name.err'; printf '\\r\\nEXITED:%s\\r\\n' \$?; tmux -S '$SOCK' wait-for -S '$name-end'; sleep 600" &&
		return
	not_ok "tmux starts a session for the wizard ($name)"
	finish
}
# start_script NAME STATE_DIR [ARGS...]: start, with the keys of $TEST_TMP/NAME.script
# (SW_TUI_SCRIPT) and every frame appended to $TEST_TMP/NAME.dump (SW_TUI_DUMP).
start_script() {
	DUMP_AT=0
	TUI_ENV="SW_TUI_SCRIPT='$TEST_TMP/$1.script' SW_TUI_DUMP='$TEST_TMP/$1.dump'" start "$@"
}
# end_wait NAME [SECONDS]: until the wizard of session NAME has ended (default 60 s).
end_wait() {
	timeout "${2:-60}" tmux -S "$SOCK" wait-for "$1-end" && return 0
	echo "# the wizard of $1 did not end; its screen:"
	screen "$1" | sed 's/^/#   /'
	return 1
}
# ended_ok NAME: the wizard of session NAME ended with exit 0.
ended_ok() {
	end_wait "$1" && screen "$1" | grep -q '^EXITED:0$'
}

# Frames in a dump are "--- frame N ---" and the screen's lines; "--- mark TEXT ---" lines
# come from the script's mark commands.
DUMP_AT=0
# dump_wait NAME REGEX [SECONDS]: until a frame of NAME's dump has a line matching REGEX
# (grep -E). tail -F follows the file as it grows: no polling.
dump_wait() {
	exec 8< <(exec timeout "${3:-20}" tail -n +1 -F "$TEST_TMP/$1.dump" 2>/dev/null)
	tp=$!
	grep -Eqm1 -- "$2" <&8
	r=$?
	exec 8<&-
	kill "$tp" 2>/dev/null
	[ $r -eq 0 ] || echo "# no frame of $1 shows \"$2\""
	return $r
}
# dump_has NAME REGEX: a frame at or after the last one found holds a line matching REGEX;
# it becomes the last one found. So a run of dump_has checks the order of the screens.
dump_has() {
	f=$(grep -nE -- "^--- frame [0-9]+ ---\$|$2" "$TEST_TMP/$1.dump" 2>/dev/null |
		awk -v from="$DUMP_AT" '/^[0-9]+:--- frame [0-9]+ ---$/ { split($0, w, " "); fr = w[3]; next }
			/^[0-9]+:--- / { next }
			fr != "" && fr + 0 >= from + 0 { print fr; exit }')
	if [ -n "$f" ]; then
		DUMP_AT=$f
		return 0
	fi
	echo "# no frame of $1 from frame $DUMP_AT on shows \"$2\"; the last frame:"
	awk '/^--- frame / { n = 0; delete l; next } /^--- / { next } { l[++n] = $0 }
		END { for (i = 1; i <= n; i++) if (l[i] != "") print "#   " l[i] }' "$TEST_TMP/$1.dump" 2>/dev/null
	return 1
}
# dump_section NAME FROM TO OUT: the screen lines of the frames between the marks FROM and TO
# ("" for the start or the end) into OUT; empty when the marks are missing.
dump_section() {
	awk -v a="--- mark $2 ---" -v b="--- mark $3 ---" -v from="$2" -v to="$3" '
		BEGIN { on = from == "" }
		to != "" && $0 == b { if (on) exit }
		$0 == a { on = 1; next }
		on && !/^--- (frame [0-9]+|mark .*) ---$/ { print }' "$TEST_TMP/$1.dump" >"$4" 2>/dev/null
}
# dump_frames_with NAME REGEX OUT: the whole frames that have a line matching REGEX into OUT.
dump_frames_with() {
	awk -v re="$2" '
		function flush() { if (hit) printf "%s", buf; buf = ""; hit = 0 }
		/^--- frame [0-9]+ ---$/ { flush(); buf = $0 "\n"; next }
		/^--- / { next }
		{ buf = buf $0 "\n"; if ($0 ~ re) hit = 1 }
		END { flush() }' "$TEST_TMP/$1.dump" >"$3" 2>/dev/null
}
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# wait_for NAME TEXT [SECONDS]: waits for TEXT (grep -E) on screen. The cap (SECONDS, at least
# 60: a loaded machine is slow) only turns text that never comes into a failure.
wait_for() {
	local cap=${3:-60}
	[ "$cap" -ge 60 ] || cap=60
	for _ in $(seq $((cap * 10))); do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "# screen of $1 without \"$2\":"
	screen "$1" | sed 's/^/#   /'
	return 1
}
# on_screen NAME TEXT [SECONDS]: wait_for where the test goes on either way: text that never
# comes is reported ("not ok" with the screen), not passed over in silence.
on_screen() {
	wait_for "$@" >"$TEST_TMP/.on_screen" && return 0
	not_ok "screen $1 shows \"$2\""
	sed 1d "$TEST_TMP/.on_screen"
	return 1
}
keys() { n=$1; shift; tm send-keys -t "$n" "$@"; }
# page_to_review NAME: from step 1, PgDn through the step screens to the review, each key
# once the screen before it is up.
page_to_review() {
	local s
	for s in 2 3 4 5 6; do
		keys "$1" NPage
		on_screen "$1" "step $s of 6" || return 1
	done
	keys "$1" NPage
}
# to_review NAME: from the overview, through the six step screens, to the review.
to_review() {
	on_screen "$1" 'resume at subscription' || return 1
	keys "$1" Enter
	on_screen "$1" 'step 1 of 6' || return 1
	page_to_review "$1"
	on_screen "$1" 'review the plan'
}
type_text() { tm send-keys -t "$1" -l "$2"; }
# The wizard's pid: the pane's shell has it as its child.
wiz_pid() {
	ps -o pid=,comm= --ppid "$(tm display -p -t "$1" '#{pane_pid}')" |
		awk '$2 ~ /studio-wiz/ {print $1; exit}'
}
track() { p=$(wiz_pid "$1"); [ -n "$p" ] && PIDS="$PIDS $p"; }
# sp_install_start NAME FAKE_SCRIPT (after sourcing fake_lib.sh): the fake cloud with that
# script, a service principal's answers and vault, and the wizard on them (--until
# subscription) in session NAME, at its overview.
sp_install_start() {
	fake_start "$2"
	trap 'cleanup; fake_stop' EXIT
	answers "$TEST_TMP/a.json" service-principal
	sp_vault
	start "$1" "$SW_STATE" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until subscription \
		--passphrase-fd 3 "3<'$PASSFILE'"
	track "$1"
	on_screen "$1" 'resume at subscription'
}
# to_install NAME: from the overview through the six step screens and the review to the install.
to_install() {
	keys "$1" Enter
	on_screen "$1" 'step 1 of 6'
	page_to_review "$1"
	on_screen "$1" 'review the plan'
	keys "$1" Enter
}
