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

# run_start: a run in the background (pid in $pid); $n0: the log's line count before it.
run_start() {
	n0=$(grep -c . "$LOG" 2>/dev/null || echo 0)
	printf '%s\n' "$PASS" >"$TEST_TMP/.pass"
	"$SW_BIN" --state-dir "$SW_STATE" --passphrase-fd 3 run --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" \
		--until minio >"$TEST_TMP/out" 2>"$TEST_TMP/err" 3<"$TEST_TMP/.pass" &
	pid=$!
}
# run_kill_at PATTERN ACTION WHAT: the run is stopped (SIGSTOP) the moment a log line of this
# run holds PATTERN, and killed -9 if ACTION has not finished by then: the kill lands while
# ACTION runs, or the check fails. A run that ends first, or no such line in 5 minutes, fails.
run_kill_at() {
	tail -n +"$((n0 + 1))" -F --pid="$pid" "$LOG" 2>/dev/null |
		{ grep -m1 -q -- "$1" && kill -STOP "$pid"; } &
	watcher=$!
	# The watcher ends once it stopped the run, or once the run ended (tail --pid).
	wait_until 300 sh -c '! kill -0 "$1" 2>/dev/null' _ "$watcher"
	kill "$watcher" 2>/dev/null
	wait "$watcher"
	hit=$?
	[ "$hit" -eq 0 ] && wait_until 60 grep -Eq '^State:[[:space:]]+T' "/proc/$pid/status"
	tail -n +"$((n0 + 1))" "$LOG" >"$TEST_TMP/log.run"
	if [ "$hit" -ne 0 ]; then
		not_ok "the run was killed -9 $3 (it ended or never got there: no '$1' in its log)"
		tail -n 15 "$TEST_TMP/out" "$TEST_TMP/err" | sed 's/^/#   /'
	elif grep -Eq -- "$2: .* \.\.\. .*\([0-9.]+ s\)\$" "$TEST_TMP/log.run"; then
		not_ok "the run was killed -9 $3 (it was stopped after $2 had finished)"
	else
		ok "the run was killed -9 $3"
	fi
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	cat "$TEST_TMP/out" >>"$TEST_TMP/all.out"
}
# vm_minio CMD: a shell command inside the Minio VM.
vm_minio() { "$VMSH" exec minio "$VMS/minio" sh -c "$1"; }
DISK_LOCK=/run/studio-wizard-minio-disk.lock

run_start
run_kill_at 'minio.disk: partitioning' minio.disk "while the data disk is partitioned"
# A killed run's script can still be going on the VM: the next run's disk script waits for it.
# Here a holder takes the lock once that script is done and keeps it until told to let go.
vm_minio "exec 9>$DISK_LOCK; flock 9; touch /run/holder-has-lock; until [ -e /run/holder-release ]; do sleep 0.05; done" &
holder=$!
check "a holder takes the disk script's lock on the VM" wait_until 120 vm_minio 'test -e /run/holder-has-lock'
run_start
check "the next run's disk script says it waits for the earlier one" \
	wait_until 300 sh -c 'tail -n +"$1" "$2" | grep -q "minio.disk: an earlier run of this step is still preparing the disk on the VM: waiting for it"' \
	_ "$((n0 + 1))" "$LOG"
check "  ...and is blocked on the lock (its flock sleeps in the kernel's lock wait)" \
	wait_until 60 vm_minio 'p=$(pgrep -f "^flock -w [0-9]+ 9$") && grep -q lock_inode_wait "/proc/$p/wchan"'
tail -n +"$((n0 + 1))" "$LOG" >"$TEST_TMP/log.held"
expect_absent "  ...and has not gone on to the disk while the lock is held" 'minio.disk: data disk at LUN 0' "$TEST_TMP/log.held"
vm_minio 'touch /run/holder-release'
wait $holder
run_kill_at 'minio.server: writing /etc/default/minio' minio.server "while the MinIO service is installed"
check "  ...after the disk script went on once the lock was released" grep -q 'minio.disk: data disk at LUN 0' "$TEST_TMP/log.run"
run_start
run_kill_at 'rabbitmq.user: adding user' rabbitmq.user "while the RabbitMQ user is created"
expect_exit 0 "the resumed run finishes both steps" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio ||
	tail -n 25 "$TEST_TMP/out" "$TEST_TMP/err" | sed 's/^/#   /'
cat "$TEST_TMP/out" >>"$TEST_TMP/all.out"
check "the last run proved RabbitMQ" grep -q 'AMQP login and management API ok' "$TEST_TMP/out"
check "Minio was proven (in the last run or the one before)" grep -q 'S3 list, bucket, put/get/delete ok' "$TEST_TMP/all.out"
check "the last run reports both steps done" sh -c "grep -Eq '^rabbitmq: done' '$TEST_TMP/out' && grep -Eq '^minio: done' '$TEST_TMP/out'"

vms_puts >"$TEST_TMP/puts"
check "every ARM resource was PUT once across the four runs" \
	sh -c 'test -s "$1" && test -z "$(uniq -d "$1")"' _ "$TEST_TMP/puts"
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
