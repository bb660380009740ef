# A hostile login endpoint puts escape sequences into the device-code answer (a window
# title, clear-screen, CSI 6n that makes the terminal answer on stdin, the 8-bit CSI): run
# prints the sign-in text made safe, and no escape byte reaches its stdout or stderr.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{"device_text": {
  "message": "\u001b]0;PWNED-TITLE\u0007\u001b[2J\u001b[6n\u009b6nTo sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE\u001b[6nC0DE",
  "user_code": "FAKE\u001b[6nC0DE",
  "verification_uri": "https://microsoft.com/devicelogin\u001b]0;PWNED-URI\u0007"}}'
answers "$TEST_TMP/a.json" device-code
new_vault 2>/dev/null

printf '%s\n' "$PASS" > "$TEST_TMP/.pass"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription \
	3<"$TEST_TMP/.pass" >"$TEST_TMP/out" 2>&1 &
pid=$!
check "run prints the sign-in text" wait_until 120 grep -q '^subscription: sign in: .*To sign in, use a web browser' "$TEST_TMP/out"
check "  ...with the escape sequences shown as text" \
	grep -qF 'sign in: \x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[6n\u009b6nTo sign in' "$TEST_TMP/out"
fakectl post /_fake/approve >/dev/null
wait "$pid"; rc=$?
check "the sign-in still completes (exit $rc)" test "$rc" -eq 0
# ESC, BEL and the 8-bit CSI (UTF-8 c2 9b) as raw bytes, anywhere in what run wrote.
LC_ALL=C expect_absent "no escape byte reaches run's stdout or stderr" $'\x1b|\x07|\xc2\x9b' "$TEST_TMP/out"
LC_ALL=C expect_absent "  ...nor wizard.log" $'\x1b|\x07|\xc2\x9b' "$SW_STATE/wizard.log"
finish
