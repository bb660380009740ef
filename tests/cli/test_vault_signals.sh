# vault set killed by HUP, INT, TERM or QUIT while it writes a 64 MiB value: the signal waits
# for the atomic write (secrets/atomic.c), so no sealed temp file stays behind and the vault
# opens with the new value. The signal is sent once the temp file is seen, not after a delay.
. "$SW_TOP/tests/lib.sh"
ulimit -c 0   # QUIT's default action dumps core

get_big() { swp vault get big > "$TEST_TMP/got"; }

new_vault 2>/dev/null
printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
head -c $((64 * 1024 * 1024 - 8)) /dev/urandom > "$TEST_TMP/bulk"
for sig in HUP INT TERM QUIT; do
	{ printf '%-8s' "$sig"; cat "$TEST_TMP/bulk"; } > "$TEST_TMP/value"
	python3 - "$SW_BIN" "$SW_STATE" "$TEST_TMP/.pass" "$TEST_TMP/value" "$sig" > "$TEST_TMP/kill.out" <<'PY'
import os, signal, subprocess, sys, time
sw, state, passfile, value, sig = sys.argv[1:]
with open(passfile, "rb") as pf, open(value, "rb") as v:
    p = subprocess.Popen([sw, "--state-dir", state, "--passphrase-fd", "3", "vault", "set", "big"],
                         stdin=v, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(3,),
                         preexec_fn=lambda: os.dup2(pf.fileno(), 3))
    seen = False
    deadline = time.monotonic() + 120
    while not seen and p.poll() is None and time.monotonic() < deadline:
        seen = any(n.startswith(".vault.sealed.") and n.endswith(".tmp") for n in os.listdir(state))
    if seen:
        p.send_signal(getattr(signal, "SIG" + sig))
    p.wait()
    print("seen" if seen else "never seen")
PY
	check "$sig: the signal reached vault set while its temp file was there" grep -qx seen "$TEST_TMP/kill.out"
	check "$sig: no temp file is left" bash -c '[ -z "$(ls -A "$1" | grep "\.tmp$")" ]' _ "$SW_STATE"
	expect_exit 0 "$sig: the vault opens" get_big
	check "$sig: and holds the value being saved" cmp -s "$TEST_TMP/got" "$TEST_TMP/value"
done
finish
