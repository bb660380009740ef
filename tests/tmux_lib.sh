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

# start NAME STATE_DIR [ARGS...]: the wizard on STATE_DIR in a 100x30 window; the shell
# prints how it ended. ARGS are shell words (redirections allowed).
start() {
	name=$1 dir=$2
	shift 2
	tm new-session -d -s "$name" -x 100 -y 30 \
		"env -u NO_COLOR HOME='$HOME' '$SW_BIN' --state-dir '$dir' $* 2>>'$TEST_TMP/$name.err'; echo EXITED:\$?; sleep 600" &&
		return
	not_ok "tmux starts a session for the wizard ($name)"
	finish
}
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# wait_for NAME TEXT [SECONDS]: up to SECONDS (default 8) for TEXT (grep -E) on screen.
wait_for() {
	for _ in $(seq $(( ${3:-8} * 10 ))); do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "# screen of $1 without \"$2\":"
	screen "$1" | sed 's/^/#   /'
	return 1
}
keys() { n=$1; shift; tm send-keys -t "$n" "$@"; }
type_text() { tm send-keys -t "$1" -l "$2"; }
# The wizard's pid: the pane's shell has it as its child.
wiz_pid() {
	ps -o pid=,comm= --ppid "$(tm display -p -t "$1" '#{pane_pid}')" |
		awk '$2 ~ /studio-wiz/ {print $1; exit}'
}
track() { p=$(wiz_pid "$1"); [ -n "$p" ] && PIDS="$PIDS $p"; }
