# F10 and Ctrl-Q (issue 17, item 11): each shows the quit dialog every time, real keys in a
# real terminal (Ctrl-Q is XON to a terminal's flow control, which swallowed it), and on the
# install screen the dialog says what leaving stops and what Azure goes on with.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
# A provider that stays Registering: the install runs while the keys are pressed.
sp_install_start i '{"unregistered": ["Microsoft.ContainerService"], "register_seconds": 60}'
# gone: the quit dialog has left the screen (up to 5 s).
gone() { for _ in $(seq 50); do screen i | grep -q 'Leave the wizard' || return 0; sleep 0.1; done; return 1; }
keys i C-q
check "Ctrl-Q on the overview shows the quit dialog" wait_for i 'Leave the wizard\?'
keys i n
check "  ...and n closes it" gone
to_install i
on_screen i '1 running, 3 done' 20
for t in 1 2 3; do
	keys i F10
	check "F10 on the install screen shows the quit dialog (time $t)" wait_for i 'Leave the wizard\?'
	keys i n
	gone
done
keys i C-q
check "Ctrl-Q on the install screen shows it too" wait_for i 'Leave the wizard\?'
check "  ...saying the install stops and what was running" wait_for i 'The install stops here: 1 running'
check "  ...naming the action" wait_for i 'subscription.providers'
check "  ...and that Azure keeps creating what it started" wait_for i 'Azure keeps creating what it has'
keys i y
check "y leaves the wizard with exit 0" wait_for i '^EXITED:0$' 20
check "the action is recorded as stopped by the operator" python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["actions"]["subscription.providers"]
sys.exit(not (a["status"] == "stopped" and a.get("detail") == "stopped by the operator"))
PY
finish
