# Sourced by tests/cli/test_run_*.sh after tests/lib.sh: a fakecloud per test,
# answers files, and a vault holding the fake's service principal secret.
FAKE_DIR="$SW_TOP/tests/fake"
FAKE_PID=""

# fake_start [SCRIPT_JSON] [tls]: sets FAKE_URL and FAKE_CLOUD (the --cloud file).
fake_start() {
	script_json=${1:-'{}'}
	printf '%s\n' "$script_json" > "$TEST_TMP/fake-script.json"
	rm -f "$TEST_TMP/fake.port"
	FAKE_CLOUD="$TEST_TMP/fake-cloud.json"
	if [ "${2:-}" = tls ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 -days 1 -keyout "$TEST_TMP/fake-key.pem" \
			-out "$TEST_TMP/fake-cert.pem" 2>/dev/null
		python3 "$FAKE_DIR/fakecloud.py" --port-file "$TEST_TMP/fake.port" --cloud-file "$FAKE_CLOUD" \
			--script "$TEST_TMP/fake-script.json" --tls-cert "$TEST_TMP/fake-cert.pem" \
			--tls-key "$TEST_TMP/fake-key.pem" >/dev/null 2>&1 &
	else
		python3 "$FAKE_DIR/fakecloud.py" --port-file "$TEST_TMP/fake.port" --cloud-file "$FAKE_CLOUD" \
			--script "$TEST_TMP/fake-script.json" >/dev/null 2>&1 &
	fi
	FAKE_PID=$!
	trap fake_stop EXIT
	# The fake reads Azure's models (azure_models.py) before it listens: slow on a loaded machine.
	wait_port_file "$TEST_TMP/fake.port" "$FAKE_PID" "the fake cloud" || finish
	FAKE_PORT=$(cat "$TEST_TMP/fake.port")
	if [ "${2:-}" = tls ]; then FAKE_URL="https://127.0.0.1:$FAKE_PORT"; else FAKE_URL="http://127.0.0.1:$FAKE_PORT"; fi
}
fake_stop() { [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null; wait 2>/dev/null; FAKE_PID=""; }
# fakectl ARGS...: tests/fake/fakectl.py against this test's fake (plain http control).
fakectl() { python3 "$FAKE_DIR/fakectl.py" "${FAKE_CTL_URL:-$FAKE_URL}" "$@"; }

FAKE_SUB=00000000-0000-0000-0000-000000000000
FAKE_TENANT=11111111-1111-1111-1111-111111111111
FAKE_SECRET=fake-secret-0001

# answers FILE METHOD [SUBSCRIPTION]: a complete answers file for the fake.
answers() {
	[ -f "$TEST_TMP/id_test.pub" ] || ssh-keygen -q -t ed25519 -N '' -f "$TEST_TMP/id_test" >/dev/null
	cat > "$1" <<JSON
{"cloud": "AzureCloud", "subscription": "${3:-$FAKE_SUB}", "location": "eastus", "uniq_id": "1a2b3c4d",
 "auth": {"method": "$2", "tenant": "$FAKE_TENANT", "client_id": "33333333-3333-3333-3333-333333333333"},
 "rabbitmq": {"ssh_public_key_file": "$TEST_TMP/id_test.pub"},
 "minio": {"ssh_public_key_file": "$TEST_TMP/id_test.pub"},
 "decisions": {"register_providers": "yes"}}
JSON
}

# sp_vault [SECRET]: a new vault holding the service principal's secret.
sp_vault() {
	new_vault 2>/dev/null
	printf '%s' "${1:-$FAKE_SECRET}" | swp vault set azure-client-secret --kind client-secret
}

# runp ARGS...: `run` with the passphrase on fd 3, output to $TEST_TMP/out and err.
runp() { swp run "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"; }
