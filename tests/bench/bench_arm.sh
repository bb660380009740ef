#!/bin/sh
# make bench: HTTP requests per long-running operation against the bound
# ceil(duration / Retry-After) + 3 (the look before the create, the PUT, the polls, the final
# GET), and the CPU the run uses while it waits 20 s on one. The operation is the RabbitMQ
# step's resource group; the resources after it are refused by the fake, so the run stops there.
set -u
: "${SW_BIN:?}" "${SW_TOP:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-bench-arm.XXXXXX")
fake_pid=""
cleanup() { [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
pass="bench passphrase for arm"
printf '%s\n' "$pass" > "$tmp/pass"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/id" >/dev/null
ctl() { python3 "$SW_TOP/tests/fake/fakectl.py" "http://127.0.0.1:$port" "$@"; }

# start_fake DURATION RETRY_AFTER
start_fake() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	printf '{"group_lro_seconds": %s, "retry_after": %s, "faults": [{"method": "PUT", "path": "/providers/", "status": 400, "code": "BenchStop"}]}\n' "$1" "$2" > "$tmp/script.json"
	rm -f "$tmp/port"
	python3 "$SW_TOP/tests/fake/fakecloud.py" --port-file "$tmp/port" --cloud-file "$tmp/cloud.json" \
		--script "$tmp/script.json" >/dev/null 2>&1 &
	fake_pid=$!
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	port=$(cat "$tmp/port")
}

# new_profile DIR: vault + service principal secret + answers
new_profile() {
	"$SW_BIN" --state-dir "$1" --passphrase-fd 3 vault init --kdf interactive 3<"$tmp/pass" 2>/dev/null
	printf 'fake-secret-0001' | "$SW_BIN" --state-dir "$1" --passphrase-fd 3 vault set azure-client-secret \
		--kind client-secret 3<"$tmp/pass"
	cat > "$tmp/answers.json" <<JSON
{"subscription": "00000000-0000-0000-0000-000000000000", "location": "eastus", "uniq_id": "1a2b3c4d",
 "auth": {"method": "service-principal", "tenant": "11111111-1111-1111-1111-111111111111",
          "client_id": "33333333-3333-3333-3333-333333333333"},
 "rabbitmq": {"ssh_public_key_file": "$tmp/id.pub", "resource_group": "bench-rg"},
 "minio": {"ssh_public_key_file": "$tmp/id.pub", "resource_group": "bench-rg"},
 "acr": {"resource_group": "bench-rg"}, "aks": {"resource_group": "bench-rg"},
 "decisions": {"register_providers": "yes"}}
JSON
}

run_bg() {
	"$SW_BIN" --state-dir "$1" --passphrase-fd 3 run --answers "$tmp/answers.json" --cloud "$tmp/cloud.json" \
		--until rabbitmq 3<"$tmp/pass" >"$tmp/out" 2>&1 &
	run_pid=$!
}

# 1. Requests per operation (the operation's own: PUT, polls, final GET).
for pair in "6 2" "5 1"; do
	set -- $pair
	start_fake "$1" "$2"
	new_profile "$tmp/p-$1-$2"
	run_bg "$tmp/p-$1-$2"
	wait "$run_pid"
	rc=$?
	n=$(ctl count '*' '/resourcegroups/bench-rg$|/operations/')
	bound=$(( ($1 + $2 - 1) / $2 + 3 ))
	echo "requests per long-running operation: $n for ${1} s at Retry-After ${2} s (bound $bound, run exit $rc)"
done

# 2. CPU while waiting 20 s on one operation.
start_fake 32 5
new_profile "$tmp/cpu"
run_bg "$tmp/cpu"
ctl wait GET '/operations/' 1 20
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$run_pid/stat")
s0=$(date +%s.%N)
sleep 20
t1=$(awk '{print $14 + $15}' "/proc/$run_pid/stat")
s1=$(date +%s.%N)
wait "$run_pid"
rc=$?
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" -v rc="$rc" 'BEGIN {
	cpu = (b - a) / hz; wall = s1 - s0
	printf "CPU while waiting on an operation: %.3f s in %.1f s = %.3f %% of one core (goal < 0.5 %%, run exit %d)\n",
	       cpu, wall, 100 * cpu / wall, rc }'
