# `studio-wizard plan --answers FILE`: ordered actions, secrets sealed, exit 2 naming the key.
. "$SW_TOP/tests/lib.sh"
export HOME="$TEST_TMP/home"
mkdir -p "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -C test -f "$HOME/.ssh/id_ed25519" >/dev/null
full="$SW_TOP/tests/data/answers-full.json"
# run_to OUT ERR ARGS...: sw with its output kept, so expect_exit's own line still shows.
run_to() { o=$1 e=$2; shift 2; sw "$@" >"$o" 2>"$e"; }

expect_exit 0 "plan prints the full example" run_to "$TEST_TMP/plan.out" "$TEST_TMP/plan.err" plan --answers "$full"
check "plan names each step's resource group, made once when shared" \
	sh -c "grep -q 'create resource group studioml-1a2b3c4d in eastus\$' '$TEST_TMP/plan.out' && grep -q 'made once, by rabbitmq.group' '$TEST_TMP/plan.out'"
check "plan gives every resource's id" grep -q '^ *\/subscriptions\/11111111-2222-3333-4444-555555555555\/resourceGroups\/leafai-1a2b3c4d$' "$TEST_TMP/plan.out"
expect_exit 0 "plan --json prints the same table as data" run_to "$TEST_TMP/plan.json" "$TEST_TMP/plan.err" plan --answers "$full" --json
check "  ...with the steps, actions and resource ids" python3 -c "
import json,sys
p=json.load(open('$TEST_TMP/plan.json'))
keys=[s['key'] for s in p['steps']]
ids=[a['resource'] for s in p['steps'] for a in s['actions'] if 'resource' in a and 'made_by' not in a]
sys.exit(not (keys==['subscription','rabbitmq','minio','acr','aks','overlay'] and len(ids)==len(set(ids))>0))"
check "plan lists the six steps in order" sh -c "grep -o '^[1-6]\. [a-z]*' '$TEST_TMP/plan.out' | tr '\n' ' ' | grep -qx '1. subscription 2. rabbitmq 3. minio 4. acr 5. aks 6. overlay '"

sed 's/"name": "leafai1a2b3c4d"/"name": "leafai-1a2b"/' "$full" >"$TEST_TMP/bad.json"
expect_exit 2 "an invalid registry name exits 2" run_to /dev/null "$TEST_TMP/bad.err" plan --answers "$TEST_TMP/bad.json"
check "the message names acr.name and the rule" grep -q 'acr.name: must be 5-50 letters and digits only' "$TEST_TMP/bad.err"

printf '{"subscription":"11111111-2222-3333-4444-555555555555","rabbitmq":{"password":"x"}}' >"$TEST_TMP/secret.json"
expect_exit 2 "a secret in the answers file exits 2" run_to /dev/null "$TEST_TMP/secret.err" plan --answers "$TEST_TMP/secret.json"
check "the message says secrets go into the vault" grep -q 'rabbitmq.password: looks like a secret' "$TEST_TMP/secret.err"

expect_exit 1 "a missing answers file exits 1" run_to /dev/null /dev/null plan --answers "$TEST_TMP/nope.json"
finish
