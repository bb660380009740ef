# The whole install, all six steps, from one answers file: the fake cloud (its new VMs become
# sandbox VMs with real sshd, rabbitmq-server and a loop disk), the fake Docker Hub, and the
# fake Kubernetes 1.32 API server whose kubeconfig the fake cloud hands out. `run` exits 0,
# `status` shows every step done and the runner pods Running, a rerun changes nothing, and
# `export experimenter` writes the installed endpoints and keys.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/install_lib.sh"

install_start
install_answers "$TEST_TMP/a.json"
sp_vault

t0=$(date +%s)
expect_exit 0 "run (all six steps) installs the stack" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD"
t1=$(date +%s)
grep -E '^(install|[a-z]+: done)' "$TEST_TMP/out" | sed 's/^/# /'
[ -s "$TEST_TMP/err" ] && sed 's/^/# err: /' "$TEST_TMP/err" | head -20
echo "# the whole install took $((t1 - t0)) s"

sw status >"$TEST_TMP/status" 2>&1
for s in subscription rabbitmq minio acr aks overlay; do
	check "status shows $s done" grep -Eq "^[0-9]+ +$s +done " "$TEST_TMP/status"
done
check "status says the install is complete" grep -q 'install complete: every step is done' "$TEST_TMP/status"
check "status shows the runner pods Running" grep -Eq 'overlay.rollout: .*Running' "$TEST_TMP/status"
curl -s "$KCTL/_fake/objects" >"$TEST_TMP/objects.json"
check "the fake cluster runs 8 runner pods, all Running and ready" python3 -c "
import json,sys
o=json.load(open('$TEST_TMP/objects.json'))
pods=[x for x in (o if isinstance(o,list) else o.get('items',o.get('objects',[]))) if x.get('kind')=='Pod'
      and x['metadata'].get('namespace')=='studioml']
ok=[p for p in pods if p.get('status',{}).get('phase')=='Running']
sys.exit(not (len(pods)==8 and len(ok)==8))"
check "the runner image is the one imported into the registry" python3 -c "
import json,sys
o=json.load(open('$SW_STATE/state.json'))['outputs']
sys.exit(not o.get('acr.image','').startswith('leafai1a2b3c4d.azurecr.io/'))"
outb=$(python3 -c "import json; print(json.load(open('$SW_STATE/state.json'))['outputs'].get('aks.outbound_ips', ''))")
check "the cluster's outbound IP is read back from Azure ($outb)" sh -c "echo '$outb' | grep -Eq '^127\.0\.0\.[0-9]+$'"
check "the runner's path is proven from inside the cluster" grep -Eq 'overlay.proof: .*AMQP login, management API and S3 bucket list work' "$TEST_TMP/status"
"$VMSH" exec rabbitmq "$VMS/rabbitmq" sh -c 'cat /var/log/rabbitmq/*.log /var/log/rabbitmq-server.log 2>/dev/null' >"$TEST_TMP/rmq.log"
check "  ...RabbitMQ took an AMQP login from the cluster's outbound IP" grep -q "accepting AMQP connection.*$outb:" "$TEST_TMP/rmq.log"
check "  ...and the proof Job and its Secret are gone" proof_job_gone
check "the kubeconfig is a vault entry" sh -c "'$SW_BIN' --state-dir '$SW_STATE' --passphrase-fd 3 vault list 3<'$TEST_TMP/.pass' | grep -q '^aks-kubeconfig '"

# Every ARM request of the install was judged by Azure's SDK models (tests/fake/azure_models.py),
# every body by its request model; only the fake's own operation URLs and
# Microsoft.MarketplaceOrdering (no such package) are left to the fake's table.
fakectl get /_fake/requests >"$TEST_TMP/requests.json"
check "every ARM request and body of the install passed Azure's SDK models" python3 -c "
import json, re, sys
reqs = [r for r in json.load(open(sys.argv[1])) if r['path'].lower().startswith('/subscriptions')
        and not re.search(r'/(operations|operationresults|operationStatuses)/fakeop-|/Microsoft\.MarketplaceOrdering/', r['path'], re.I)]
bad = [(r['method'], r['path'], r.get('model')) for r in reqs if not r.get('model')
       or (r['method'] in ('PUT', 'PATCH') and ' ' not in r['model'])]
print('\n'.join(map(str, bad)) or '%d requests judged' % len(reqs), file=sys.stderr)
sys.exit(bool(bad) or len(reqs) < 20)" "$TEST_TMP/requests.json"

before=$(fakectl count '*' '.')
expect_exit 0 "a rerun of the finished install succeeds" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD"
check "  ...and sends nothing to Azure" test "$(fakectl count '*' '.')" -eq "$before"

printf '%s\n' "$PASS" >"$TEST_TMP/.pass"
mkdir -p "$TEST_TMP/exp"
"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 export experimenter --out "$TEST_TMP/exp/config.yaml" \
	3<"$TEST_TMP/.pass" >"$TEST_TMP/exp.out" 2>"$TEST_TMP/exp.err"
rc=$?
check "export experimenter writes the config (exit $rc)" test "$rc" -eq 0
pw=$(swp vault get rabbitmq-password)
check "the config names the installed queue with the sealed password" grep -qF "amqp://studioml:$pw@127.0.0.2:5672/" "$TEST_TMP/exp/config.yaml"
check "  ...and the installed S3 endpoint and bucket" sh -c "grep -q 'http://127.0.0.3:9000' '$TEST_TMP/exp/config.yaml' && grep -q 'studioml-artifacts' '$TEST_TMP/exp/config.yaml'"
check "  ...with mode 0600" test "$(stat -c %a "$TEST_TMP/exp/config.yaml")" = 600
check "  ...and a warning that it holds secrets in clear text" grep -q 'password and the Minio keys in clear text' "$TEST_TMP/exp.err"
expect_absent -F "no secret in state.json or wizard.log" "$pw" "$SW_STATE/state.json" "$SW_STATE/wizard.log"

# An edited state: export checks every value it writes, where it reads it, as the answers
# are checked; a refused one is named and nothing is written.
cp "$SW_STATE/state.json" "$TEST_TMP/good-state.json"
# exp_edit SECTION.KEY JSON_VALUE: the good state with that member of answers (or outputs,
# for a quoted output key) replaced; then export into an empty directory.
exp_edit() {
	cp "$TEST_TMP/good-state.json" "$SW_STATE/state.json"
	python3 - "$SW_STATE/state.json" "$1" "$2" <<'PY'
import json, sys
path, where, value = sys.argv[1:]
s = json.load(open(path))
if where.startswith("outputs:"):
    s["outputs"][where[8:]] = json.loads(value)
else:
    sec, key = where.split(".")
    s["answers"].setdefault(sec, {})[key] = json.loads(value)
json.dump(s, open(path, "w"), indent=1)
PY
	sign_state # the value's own check refuses it, not the state's MAC (test_state_tamper)
	rm -rf "$TEST_TMP/exp2" && mkdir "$TEST_TMP/exp2"
	swp export experimenter --out "$TEST_TMP/exp2/config.yaml" >"$TEST_TMP/exp2.out" 2>"$TEST_TMP/exp2.err"
}
# exp_refused WHERE JSON_VALUE MESSAGE
exp_refused() {
	exp_edit "$1" "$2"; rc=$?
	check "export refuses $1 = $2 (exit $rc)" test "$rc" -eq 1
	check "  ...naming it: $3" grep -qF -- "$3" "$TEST_TMP/exp2.err"
	check "  ...and writes nothing" test -z "$(ls -A "$TEST_TMP/exp2")"
}
exp_refused 'outputs:rabbitmq.public_ip' '"evil.example:5672/%2f?x="' \
	'refused outputs."rabbitmq.public_ip" in state.json: must be an IPv4 address'
exp_refused 'outputs:minio.endpoint' '"http://evil.example:9000"' \
	'refused outputs."minio.endpoint" in state.json: must be http://IPv4:port'
exp_refused 'outputs:overlay.runner_public_key' '"-----BEGIN RSA PUBLIC KEY-----\n\"x\n-----END RSA PUBLIC KEY-----\n"' \
	'refused outputs."overlay.runner_public_key" in state.json: must be a PEM RSA public key'
exp_refused rabbitmq.amqp_user '"stud\"io"' 'refused answers in state.json: rabbitmq.amqp_user: must be 1-64 letters'
exp_refused rabbitmq.amqp_user '"x@evil.example:5672/"' 'refused answers in state.json: rabbitmq.amqp_user: must be 1-64 letters'
exp_refused rabbitmq.amqp_port '"5672@evil.example"' 'refused answers in state.json: rabbitmq.amqp_port: must be a whole number'
exp_refused minio.bucket '"b\"\nx: y"' 'refused answers in state.json: minio.bucket:'
# The state keeps a port as a number (answers_to_json): export uses it, not the default.
exp_edit rabbitmq.amqp_port 5673
check "export takes a non-default AMQP port from the state" grep -qF "@127.0.0.2:5673/%2f?" "$TEST_TMP/exp2/config.yaml"
check "  ...and the config is YAML a parser reads back (the URL whole)" python3 -c "
import sys, yaml
c = yaml.safe_load(open('$TEST_TMP/exp2/config.yaml'))
sys.exit(not c['cloud']['queue']['rmq'].startswith('amqp://studioml:$pw@127.0.0.2:5673/%2f?'))"
cp "$TEST_TMP/good-state.json" "$SW_STATE/state.json"
finish
