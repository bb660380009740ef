# tests/cli/test_tui.sh: the tui layer in a real terminal. tmux runs build/tools/tui_demo;
# we type with send-keys and read the screen with capture-pane.
. "$SW_TOP/tests/lib.sh"

DEMO="$SW_BUILD/tools/tui_demo"
SOCK="$TEST_TMP/tmux.sock"
CONF="$TEST_TMP/tmux.conf"
tm() { tmux -S "$SOCK" -f "$CONF" "$@"; }
trap 'tmux -S "$SOCK" kill-server 2>/dev/null' EXIT

# No status line: the pane is the whole window. (Not window-size manual: on tmux 3.3a a
# second new-session then crashes the server; resize-window works without it.)
printf 'set -g status off\nset -g default-terminal screen\n' >"$CONF"

# start NAME [ENV=VALUE...]: the demo in a 100x30 window; the shell says how it ended.
start() {
	name=$1
	shift
	tm new-session -d -s "$name" -x 100 -y 30 \
		"env -u NO_COLOR $* '$DEMO' 2>'$TEST_TMP/$name.err'; echo EXITED:\$?; sleep 600" && return
	not_ok "tmux starts a session for the demo ($name)"
	finish
}
screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
# wait_for NAME TEXT: waits for TEXT (a grep -E pattern) on screen; the cap (60 s: a loaded
# machine is slow) only turns text that never comes into a failure.
wait_for() {
	for _ in $(seq 600); do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "# screen of $1 without \"$2\":"
	screen "$1" | sed 's/^/#   /'
	return 1
}
# on_screen NAME TEXT: wait_for where the test goes on either way, reported when it fails.
on_screen() {
	wait_for "$@" >"$TEST_TMP/.on_screen" && return 0
	not_ok "screen $1 shows \"$2\""
	sed 1d "$TEST_TMP/.on_screen"
	return 1
}
keys() { n=$1; shift; tm send-keys -t "$n" "$@"; }
demo_pid() { ps -o pid= --ppid "$(tm display -p -t "$1" '#{pane_pid}')" | tr -d ' ' | head -n 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
colour_codes() { tm capture-pane -p -e -t "$1" | grep -Ec $'\e\\[([0-9]+;)*[34][0-7](;[0-9]+)*m'; }
reverse_video() { tm capture-pane -p -e -t "$1" | grep -q $'\e\\[7m'; }

if ! command -v tmux >/dev/null || [ ! -x "$DEMO" ]; then
	not_ok "tmux and $DEMO are needed"
	finish
fi

start main
check "the demo draws its form and help line" wait_for main 'F10 quit'
check "the terminal is in the alternate screen while the demo runs" \
	test "$(tm display -p -t main '#{alternate_on}')" = 1
check "a normal start uses colours" test "$(colour_codes main)" -gt 0

keys main -l 'rg-demo'
check "typed text shows in the text field" wait_for main '^  Resource group  rg-demo *$'

keys main Tab
secret='QXZJ7vq'
masked=1
for i in $(seq ${#secret}); do
	keys main -l "${secret:i-1:1}"
	stars=$(printf '%*s' "$i" '' | tr ' ' '*')
	wait_for main "^  Password +\\*{$i} *$" >/dev/null || masked=0
	frame=$(screen main)
	case "$frame" in *"${secret:0:3}"* | *"${secret:i-1:1}$stars"*) masked=0 ;; esac
	echo "$frame" | grep -E '^  Password' | grep -Eq '^  Password +\**$' || masked=0
done
check "the password field shows one '*' per character and never the characters" test $masked = 1
keys main -l '  '
check "two trailing spaces typed show as two more '*'" wait_for main '^  Password +\*{9} *$'

keys main Tab Down Down
check "Down in the choice list moves the selection" wait_for main 'Selected: Standard_ND40rs_v2 in rg-demo'

tm resize-window -t main -x 60 -y 20
check "a 60x20 terminal shows only the size message" wait_for main 'terminal too small: need 80x24, have 60x20'
screen main >"$TEST_TMP/small.txt"
expect_absent "nothing else is drawn while too small" 'Resource group' "$TEST_TMP/small.txt"
keys main -l 'abc'
tm resize-window -t main -x 100 -y 30
check "enlarged again, the form comes back with the typed text" wait_for main '^  Resource group  rg-demo *$'
check "the password is kept across the resize" wait_for main '^  Password +\*{9} *$'
check "keys typed while too small were not taken" wait_for main 'Selected: Standard_ND40rs_v2 in rg-demo$'

keys main F2
check "F2 opens the confirm dialog over the form" wait_for main 'Create resource group "rg-demo"\?'
check "the dialog has Yes and No buttons" wait_for main '\[ Yes \] +\[ No \]'
keys main y
check "answering y closes the dialog and the screen says so" wait_for main 'confirmed: yes'
screen main >"$TEST_TMP/after.txt"
expect_absent "the dialog is gone after the answer" 'Yes \]' "$TEST_TMP/after.txt"
keys main F2
on_screen main '\[ Yes \]'
keys main Enter
check "Enter in the dialog takes the default, No" wait_for main 'confirmed: no'

keys main F3
check "a job's pipe and timer drive the progress bar to 100%" wait_for main '\[#+\] 100%  00:0[0-9]'
check "the job's output reaches the log pane" wait_for main 'job finished: exit 0'

pid=$(demo_pid main)
t0=$(cpu_ticks "$pid")
sleep 3
t1=$(cpu_ticks "$pid")
check "idle, the demo uses no CPU over 3 s ($((t1 - t0)) ticks)" test $((t1 - t0)) -lt 5

keys main F10
check "F10 quits and the typed text is read back without pad spaces" wait_for main '^name=\[rg-demo\]$'
check "the password's length is reported (trailing spaces counted), not the password" \
	wait_for main '^password length=9$'
check "after quitting the terminal has left the alternate screen" \
	test "$(tm display -p -t main '#{alternate_on}')" = 0

start term
on_screen term 'F10 quit'
kill -TERM "$(demo_pid term)"
check "SIGTERM ends the demo with status 143" wait_for term '^EXITED:143$'
check "after SIGTERM the terminal has left the alternate screen" \
	test "$(tm display -p -t term '#{alternate_on}')" = 0
check "after SIGTERM the cursor is visible again" test "$(tm display -p -t term '#{cursor_flag}')" = 1

start int
on_screen int 'F10 quit'
keys int C-c
check "Ctrl-C ends the demo with status 130 and restores the terminal" wait_for int '^EXITED:130$'
check "after Ctrl-C the terminal has left the alternate screen" \
	test "$(tm display -p -t int '#{alternate_on}')" = 0

start mono NO_COLOR=1
on_screen mono 'F10 quit'
tm capture-pane -p -e -t mono >"$TEST_TMP/mono.txt" 2>/dev/null
expect_absent "NO_COLOR=1 starts without colour escape sequences" \
	$'\e\\[([0-9]+;)*[34][0-7](;[0-9]+)*m' "$TEST_TMP/mono.txt"
check "NO_COLOR=1 still marks the focused field (reverse video)" reverse_video mono

# SIGQUIT (Ctrl-\) restores the terminal too: echo back on, the alternate screen left.
tm new-session -d -s quit -x 100 -y 30 \
	"echo BEFORE-THE-DEMO; env -u NO_COLOR '$DEMO' 2>'$TEST_TMP/quit.err'; echo EXITED:\$?; stty -a; sleep 600"
on_screen quit 'F10 quit'
kill -QUIT "$(demo_pid quit)"
check "SIGQUIT ends the demo with status 131" wait_for quit '^EXITED:131$'
check "after SIGQUIT the terminal has left the alternate screen" \
	test "$(tm display -p -t quit '#{alternate_on}')" = 0
check "  ...the text from before the demo is on screen again" wait_for quit '^BEFORE-THE-DEMO$'
check "  ...and stty -a shows echo and canonical input back on" \
	sh -c "tmux -S '$SOCK' capture-pane -p -t quit | grep -Eq '(^| )echo( |\$)' &&
		tmux -S '$SOCK' capture-pane -p -t quit | grep -Eq '(^| )icanon( |\$)'"
check "after SIGQUIT the cursor is visible again" test "$(tm display -p -t quit '#{cursor_flag}')" = 1

for s in main term int mono quit; do
	if [ -s "$TEST_TMP/$s.err" ]; then
		not_ok "the demo ($s) wrote to stderr"
		sed 's/^/#   /' "$TEST_TMP/$s.err" | head -20
	fi
done
finish
