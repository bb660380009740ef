# An https endpoint whose certificate no system CA signed: refused with a message that
# names the host and --ca-file; accepted when --ca-file names its CA.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

fake_start '{}' tls
answers "$TEST_TMP/a.json" service-principal
sp_vault
expect_exit 1 "an untrusted certificate is refused" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription
check "the message names the host and --ca-file" grep -q 'TLS certificate of 127.0.0.1 not trusted.*--ca-file' "$TEST_TMP/err"
check "the state records why the step failed" grep -q 'not trusted' "$SW_STATE/state.json"
expect_exit 1 "an unreadable --ca-file is refused" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription \
	--ca-file "$TEST_TMP/nonexistent.pem"
check "naming the file" grep -q -- '--ca-file .*nonexistent.pem' "$TEST_TMP/err"
expect_exit 0 "with --ca-file the same endpoint is accepted" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until subscription --ca-file "$TEST_TMP/fake-cert.pem"
check "and the step is done" grep -q '^subscription: done' "$TEST_TMP/out"
finish
