# First boot on Ubuntu: unattended-upgrades holds dpkg's lock after cloud-init has finished.
# The VM lab's sandbox does the same (vm.sh --dpkg-busy); the RabbitMQ step's apt waits for
# the lock instead of failing, says so, and finishes once the lock is released. The test
# releases it only after the step said it waits (text, not time).
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
vms_www

vms_fresh dpkgbusy
vms_answers "$TEST_TMP/a.json"
runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until rabbitmq &
run_pid=$!
said=0
for _ in $(seq 1800); do   # up to 3 minutes: VM creation, ssh, cloud-init, then apt
	grep -q 'the package manager is busy' "$TEST_TMP/out" 2>/dev/null && { said=1; break; }
	kill -0 "$run_pid" 2>/dev/null || break
	sleep 0.1
done
check "the RabbitMQ step says it waits for the package manager, naming the holder" \
	grep -q '^rabbitmq: the package manager is busy, waiting for it (up to 15 minutes): Could not get lock /var/lib/dpkg/lock-frontend. It is held by process [0-9]* (unattended-upgr)' "$TEST_TMP/out"
check "cloud-init had finished before (the lock outlives it)" \
	"$VMSH" exec rabbitmq "$VMS/rabbitmq" test -e /var/lib/cloud/instance/boot-finished
check "the lock was still held while the step waited" \
	"$VMSH" exec rabbitmq "$VMS/rabbitmq" sh -c '! test -e /run/vmlab/dpkg-release'
[ $said = 1 ] && "$VMSH" exec rabbitmq "$VMS/rabbitmq" touch /run/vmlab/dpkg-release
wait "$run_pid"
rc=$?
check "the step finishes once the lock is released (exit $rc)" [ "$rc" -eq 0 ]
check "rabbitmq is done" grep -q '^rabbitmq: done' "$TEST_TMP/out"
finish
