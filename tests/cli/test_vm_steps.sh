# Steps 2 and 3 end to end against real peers: the fake cloud's new VMs become VM-lab
# sandboxes (sshd with the host key the wizard handed over, the real rabbitmq-server, a
# loop disk), the MinIO stand-in is downloaded by the VM's curl from a loopback http server.
# Also: status, the plan names every resource the fake saw, no secret in the state or log,
# and the wall time of both steps against their critical path.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi

vms_fake normal '"lro_seconds_by_type": {"virtualMachines": 1}'
vms_www
vms_answers "$TEST_TMP/a.json"
sp_vault

t0=$(date +%s%3N)
expect_exit 0 "run --until minio makes and proves both VMs" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
t1=$(date +%s%3N)
cat "$TEST_TMP/err"
grep -E '^(rabbitmq|minio|install):' "$TEST_TMP/out" | sed 's/^/# /'
check "the RabbitMQ proof passed (AMQP header, login and management API)" grep -q '^rabbitmq: .*AMQP login and management API ok' "$TEST_TMP/out"
check "the Minio proof passed (S3 list, bucket, put/get/delete)" grep -q '^minio: .*S3 list, bucket, put/get/delete ok' "$TEST_TMP/out"
check "the binary was downloaded on the VM and checked" grep -q 'downloaded on the VM, sha256 checked, installed' "$TEST_TMP/out"
check "the 24.04 image was chosen" grep -q 'Canonical:ubuntu-24_04-lts:server:latest' "$TEST_TMP/out"

sw status >"$TEST_TMP/status" 2>&1
for s in subscription rabbitmq minio; do
	check "status shows $s done" grep -Eq "^[0-9]+ +$s +done " "$TEST_TMP/status"
done

# Outputs and the vault.
st=$SW_STATE/state.json
check "outputs: rabbitmq.public_ip, the display AMQP URL, minio.endpoint" python3 -c "
import json,sys
o=json.load(open('$st'))['outputs']
sys.exit(not (o['rabbitmq.public_ip']=='127.0.0.2' and o['minio.endpoint']=='http://127.0.0.3:9000' and
  o['rabbitmq.amqp_url']=='amqp://studioml:<sealed:rabbitmq-password>@127.0.0.2:5672/'))"
swp vault list >"$TEST_TMP/vlist" 2>&1
for n in admin-ssh-key rabbitmq-host-key minio-host-key rabbitmq-password minio-access-key minio-secret-key; do
	check "vault holds $n" grep -q "^$n " "$TEST_TMP/vlist"
done
pw=$(swp vault get rabbitmq-password)
check "the RabbitMQ password is 32 letters and digits" sh -c "printf '%s' '$pw' | grep -Eqx '[A-Za-z0-9]{32}'"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "studioml:$pw" http://127.0.0.2:15672/api/whoami)
check "the sealed password works on the management API (curl)" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' -u guest:guest http://127.0.0.2:15672/api/whoami)
check "guest is gone" test "$code" = 401
ak=$(swp vault get minio-access-key); sk=$(swp vault get minio-secret-key)
out=$(AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url http://127.0.0.3:9000 s3 ls 2>&1)
check "the aws CLI lists bucket studioml-artifacts with the sealed keys" grep -q studioml-artifacts <<<"$out"
check "/etc/default/minio on the VM is 0600 root" test "$("$VMSH" exec minio "$VMS/minio" stat -c '%a %U' /etc/default/minio)" = "600 root"
check "/data is our ext4 from /etc/fstab by UUID with nofail" \
	sh -c "'$VMSH' exec minio '$VMS/minio' sh -c 'findmnt -no FSTYPE /data; grep -c \"^UUID=.* /data ext4 defaults,nofail\" /etc/fstab' | tr '\n' ' ' | grep -qx 'ext4 1 '"

# Secrets: none in the state, the log or argv of anything on the VMs.
for v in "$pw" "$ak" "$sk"; do
	[ -n "$v" ] || not_ok "a vault value is empty"
	expect_absent -F "a secret is in neither state.json nor wizard.log" "$v" "$st" "$SW_STATE/wizard.log"
done
fakectl get '/_fake/bodies?path=virtualMachines' >"$TEST_TMP/vmbodies" 2>&1
check "the VM bodies the fake saw carry the cloud-init (base64)" grep -q customData "$TEST_TMP/vmbodies"
expect_absent -F "  ...and no password" "$pw" "$TEST_TMP/vmbodies"
check "the VM bodies: key logins only, the admin key at /home/azureuser/.ssh/authorized_keys, an empty data disk at LUN 0" \
	python3 -c "
import json,sys
b=[x['body'] for x in json.load(open('$TEST_TMP/vmbodies'))]
ok=all(v['properties']['osProfile']['linuxConfiguration']['disablePasswordAuthentication'] is True and
  v['properties']['osProfile']['linuxConfiguration']['ssh']['publicKeys'][0]['path']=='/home/azureuser/.ssh/authorized_keys' for v in b)
dd=[d for v in b for d in v['properties']['storageProfile'].get('dataDisks',[])]
sys.exit(not (ok and len(b)==2 and dd==[{'lun':0,'name':'minio-data','createOption':'Empty','diskSizeGB':4,'managedDisk':{'storageAccountType':'StandardSSD_LRS'}}]))"

# ARM: the plan names exactly the resources the fake was sent, each PUT once.
vms_puts >"$TEST_TMP/puts"
check "every ARM resource was PUT once" sh -c 'test -s "$1" && test -z "$(uniq -d "$1")"' _ "$TEST_TMP/puts"
sw plan --answers "$TEST_TMP/a.json" --json >"$TEST_TMP/plan.json" 2>"$TEST_TMP/plan.err"
python3 -c "
import json
p=json.load(open('$TEST_TMP/plan.json'))
for s in p['steps'][:3]:
  for a in s['actions']:
    if 'resource' in a and 'made_by' not in a: print(a['resource'].lower())" | sort >"$TEST_TMP/planned"
check "plan --json names exactly the resources PUT (VNet and group once)" diff "$TEST_TMP/planned" "$TEST_TMP/puts"
sw plan --answers "$TEST_TMP/a.json" >"$TEST_TMP/plan.txt" 2>&1
check "the plan shows the allowed sources of the security groups" grep -q 'rabbitmq-nsg: inbound TCP 22, 5672, 15672 from any address' "$TEST_TMP/plan.txt"

# Timing: both VM steps' wall time against their critical path.
python3 - "$SW_STATE/wizard.log" "$t0" "$t1" <<'PY'
import re, sys
log, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dur = {}
for l in open(log, errors="replace"):
    m = re.search(r" ((?:rabbitmq|minio)\.[a-z]+): .* \.\.\. .*\(([0-9.]+) s\)$", l)
    if m: dur[m.group(1)] = float(m.group(2))
def chain(keys): return sum(dur.get(k, 0) for k in keys)
rmq = chain(["rabbitmq.group", "rabbitmq.ip", "rabbitmq.nic", "rabbitmq.vm", "rabbitmq.install", "rabbitmq.user", "rabbitmq.prove"])
mio = chain(["minio.ip", "minio.nic", "minio.vm", "minio.disk", "minio.server", "minio.prove"])
print("# bench: run --until minio wall %.1f s; critical path rabbitmq %.1f s, minio %.1f s (longest %.1f s)"
      % ((t1 - t0) / 1000, rmq, mio, max(rmq, mio)))
PY
finish
