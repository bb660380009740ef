# Narrowed allowed_sources (only this machine, 127.0.0.1/32) must not cut the runner off: the
# runner reaches RabbitMQ and Minio from the cluster's outbound IP, which the security groups
# admit only through the aks step's rule allow-aks-runner. The fake cloud enforces the groups
# by source address (tests/vm/nethook.py) and the fake cluster's proof Job connects from its
# outbound IP, for real, to the sandbox VMs. A rule of the same name admitting another address
# stops the aks step by name. Without the rule on RabbitMQ's group the proof
# fails naming the AMQP and management paths and the security group; with the wizard's rule
# back the install completes.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/install_lib.sh"

install_start
install_answers "$TEST_TMP/a.json" "" '"allowed_sources": "127.0.0.1/32"'
sp_vault
RULE="/subscriptions/$FAKE_SUB/resourceGroups/studioml-1a2b3c4d/providers/Microsoft.Network/networkSecurityGroups/rabbitmq-nsg/securityRules/allow-aks-runner?api-version=2024-10-01"

expect_exit 0 "run --until minio with allowed_sources 127.0.0.1/32: the operator's proofs pass" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
# A rule of that name left by an earlier cluster, admitting another address.
STALE='{"properties":{"protocol":"Tcp","access":"Allow","direction":"Inbound","priority":900,"sourcePortRange":"*",
 "sourceAddressPrefixes":["127.0.0.99"],"destinationAddressPrefix":"*","destinationPortRanges":["5672","15672"]}}'
fakectl lro PUT "$RULE" "$STALE" >"$TEST_TMP/stale.out" 2>&1
check "a stale rule allow-aks-runner is in RabbitMQ's group" grep -qx 201 "$TEST_TMP/stale.out"
expect_exit 1 "run --until aks stops at it" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until aks
check "  ...naming the outbound IP it does not admit" grep -q "allow-aks-runner exists and does not admit the cluster's outbound IP 127.0.0.[0-9]* (left by an earlier cluster?)" "$TEST_TMP/out"
fakectl lro DELETE "$RULE" >/dev/null 2>&1
expect_exit 0 "with the stale rule deleted, run --until aks finishes" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until aks
[ -s "$TEST_TMP/err" ] && sed 's/^/# err: /' "$TEST_TMP/err" | head -20
outb=$(python3 -c "import json; print(json.load(open('$SW_STATE/state.json'))['outputs'].get('aks.outbound_ips', ''))")
check "the cluster's outbound IP is read from Azure ($outb)" sh -c "echo '$outb' | grep -Eq '^127\\.0\\.0\\.[0-9]+$'"
fakectl get '/_fake/bodies?path=securityRules' | python3 -c '
import json, sys
print(json.dumps([b for b in json.load(sys.stdin) if "127.0.0.99" not in json.dumps(b)]))' >"$TEST_TMP/rules.json"
check "each VM's group got a rule admitting exactly that IP on the runner's ports" python3 -c "
import json, sys
b = {x['path'].split('/')[8]: x['body']['properties'] for x in json.load(open('$TEST_TMP/rules.json'))}
want = {'rabbitmq-nsg': ['5672', '15672'], 'minio-nsg': ['9000']}
sys.exit(not (set(b) == set(want) and all(b[n]['sourceAddressPrefixes'] == ['$outb'] and
    b[n]['destinationPortRanges'] == want[n] and b[n]['access'] == 'Allow' and b[n]['priority'] == 900 for n in want)))"

# connect_as UID ADDR PORT: "connected" or why not, for a TCP connection within 3 s from a
# process of UID (the data plane drops, as an NSG does: a timeout).
connect_as() {
	setpriv --reuid "$1" --regid "$1" --clear-groups /usr/bin/python3 -c "
import socket
try:
    socket.create_connection(('$2', $3), timeout=3).close(); print('connected')
except socket.timeout:
    print('timed out')
except OSError as e:
    print(e)" 2>&1
}
check "the security group admits the cluster's outbound IP on 5672" test "$(connect_as "$JOB_UID" 127.0.0.2 5672)" = connected
check "  ...and this machine (127.0.0.1)" test "$(connect_as 0 127.0.0.2 5672)" = connected

fakectl lro DELETE "$RULE" >"$TEST_TMP/del.out" 2>&1
check "the rule is deleted (as an operator or a policy might)" grep -qx 202 "$TEST_TMP/del.out"
check "without the rule the group drops the cluster's connections to 5672" test "$(connect_as "$JOB_UID" 127.0.0.2 5672)" = "timed out"
check "  ...while this machine still gets in" test "$(connect_as 0 127.0.0.2 5672)" = connected

expect_exit 1 "the install without the rule fails at the proof" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD"
cat "$TEST_TMP/out" "$TEST_TMP/err" >"$TEST_TMP/fail.txt"
grep -E 'overlay.proof' "$TEST_TMP/fail.txt" | sed 's/^/# /' | head -5
check "  ...naming the AMQP path" grep -q "AMQP 127.0.0.2:5672: timed out" "$TEST_TMP/fail.txt"
check "  ...and the management API's" grep -q "management API 127.0.0.2:15672: timed out" "$TEST_TMP/fail.txt"
check "  ...and the security groups that must admit the outbound IP" grep -q "outbound IPs ($outb): the VMs' security groups must admit them (rule allow-aks-runner" "$TEST_TMP/fail.txt"
expect_absent "  ...but not S3, which the Minio group still admits" 'S3 http' "$TEST_TMP/fail.txt"
sw status >"$TEST_TMP/status" 2>&1
check "  ...status shows the proof failed" grep -Eq 'overlay.proof: .*AMQP 127.0.0.2:5672: timed out' "$TEST_TMP/status"
check "  ...while the runner pods rolled out" grep -Eq 'overlay.rollout: .*Running' "$TEST_TMP/status"
check "  ...and the proof Job and its Secret are gone" proof_job_gone

python3 -c "
import json
b = [x for x in json.load(open('$TEST_TMP/rules.json')) if '/rabbitmq-nsg/' in x['path']][0]['body']
print(json.dumps(b))" >"$TEST_TMP/rule.json"
fakectl lro PUT "$RULE" "$(cat "$TEST_TMP/rule.json")" >"$TEST_TMP/put.out" 2>&1
check "the wizard's rule is put back" grep -qx 201 "$TEST_TMP/put.out"
expect_exit 0 "with the wizard's rule back, the install completes" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD"
sw status >"$TEST_TMP/status" 2>&1
check "  ...the runner's path proven from inside the cluster" grep -Eq 'overlay.proof: .*AMQP login, management API and S3 bucket list work' "$TEST_TMP/status"
check "  ...and status says the install is complete" grep -q 'install complete: every step is done' "$TEST_TMP/status"
finish
