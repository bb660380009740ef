# Steps 2 and 3 killed with kill -9 at three moments (while the data disk is partitioned,
# while the MinIO service is installed, while the RabbitMQ user is created), then resumed:
# every ARM resource PUT once, one partition on the disk, and the password in the vault is
# the one RabbitMQ takes. Real peers as in test_vm_steps.sh.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
vms_fake normal
vms_www
vms_answers "$TEST_TMP/a.json"
sp_vault
LOG="$SW_STATE/wizard.log"

# run_kill PATTERN WHAT: starts run, kill -9 once PATTERN is in the log (bounded wait).
run_kill() {
	printf '%s\n' "$PASS" >"$TEST_TMP/.pass"
	"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" \
		--until minio >"$TEST_TMP/out" 2>"$TEST_TMP/err" 3<"$TEST_TMP/.pass" &
	pid=$!
	n0=$(grep -c . "$LOG" 2>/dev/null || echo 0)
	for _ in $(seq 1200); do
		tail -n +"$((n0 + 1))" "$LOG" 2>/dev/null | grep -q -- "$1" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
	done
	if kill -9 $pid 2>/dev/null; then
		ok "killed -9 $2"
	else
		not_ok "the run ended before $2"
		tail -n 15 "$TEST_TMP/out" "$TEST_TMP/err" | sed 's/^/#   /'
	fi
	wait $pid 2>/dev/null
	cat "$TEST_TMP/out" >>"$TEST_TMP/all.out"
}

run_kill 'minio.disk: partitioning' "while the data disk is partitioned"
# A killed run's script can still be going on the VM: the next run's disk script waits for
# it (here a holder of its lock for 5 s, started now).
"$VMSH" exec minio "$VMS/minio" sh -c 'exec 9>/run/studio-wizard-minio-disk.lock; flock 9; sleep 5' &
holder=$!
for _ in $(seq 100); do "$VMSH" exec minio "$VMS/minio" sh -c 'exec 9>/run/studio-wizard-minio-disk.lock; ! flock -n 9' && break; sleep 0.05; done
run_kill 'minio.server: writing /etc/default/minio' "while the MinIO service is installed"
check "  ...after waiting for the earlier disk script (its lock holder had ended)" sh -c "! kill -0 $holder 2>/dev/null"
check "  ...saying so" grep -q 'an earlier run of this step is still preparing the disk on the VM: waiting for it' "$LOG"
wait $holder
run_kill 'rabbitmq.user: adding user' "while the RabbitMQ user is created"
expect_exit 0 "the resumed run finishes both steps" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio ||
	tail -n 25 "$TEST_TMP/out" "$TEST_TMP/err" | sed 's/^/#   /'
cat "$TEST_TMP/out" >>"$TEST_TMP/all.out"
check "the last run proved RabbitMQ" grep -q 'AMQP login and management API ok' "$TEST_TMP/out"
check "Minio was proven (in the last run or the one before)" grep -q 'S3 list, bucket, put/get/delete ok' "$TEST_TMP/all.out"
check "the last run reports both steps done" sh -c "grep -Eq '^rabbitmq: done' '$TEST_TMP/out' && grep -Eq '^minio: done' '$TEST_TMP/out'"

vms_puts >"$TEST_TMP/puts"
[ -s "$TEST_TMP/puts" ] || not_ok "no PUT captured"
check "every ARM resource was PUT once across the four runs" test -z "$(uniq -d "$TEST_TMP/puts")"
check "the fake ran one hook per VM (each VM created once)" test "$(fakectl get /_fake/hooks | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2
parts=$("$VMSH" exec minio "$VMS/minio" sh -c 'sgdisk -p /dev/disk/azure/scsi1/lun0 | grep -cE "^ +[0-9]+ "')
check "one partition on the data disk (got $parts)" test "$parts" = 1
check "one /data line in /etc/fstab" test "$("$VMSH" exec minio "$VMS/minio" grep -c ' /data ' /etc/fstab)" = 1
pw=$(swp vault get rabbitmq-password)
[ -n "$pw" ] || not_ok "no rabbitmq-password in the vault"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "studioml:$pw" http://127.0.0.2:15672/api/whoami)
check "the password in the vault is the one RabbitMQ takes" test "$code" = 200
ak=$(swp vault get minio-access-key); sk=$(swp vault get minio-secret-key)
out=$(AWS_ACCESS_KEY_ID=$ak AWS_SECRET_ACCESS_KEY=$sk AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url http://127.0.0.3:9000 s3 ls 2>&1)
check "the MinIO keys in the vault are the ones the server takes" grep -q studioml-artifacts <<<"$out"
finish
