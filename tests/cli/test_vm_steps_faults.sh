# Steps 2 and 3 refusing what they must refuse, against real peers (see test_vm_steps.sh):
# a host key other than the one handed over (nothing sent), a data disk that already holds a
# filesystem (nothing written: its checksum is unchanged), a binary whose sha256 differs
# (nothing installed). The download answering 410: test_vm_steps_upload.sh.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
vms_www

# 1. Host keys that differ from the ones handed over.
vms_fresh wrongkey
vms_answers "$TEST_TMP/a.json"
expect_exit 1 "a VM with another host key fails the run" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
check "the RabbitMQ step names the host key mismatch" grep -q 'rabbitmq.install failed: ssh azureuser@127.0.0.2: host key mismatch: expected SHA256:.*nothing was sent' "$TEST_TMP/out"
check "... and so does the Minio step" grep -q 'minio.[a-z]* failed: ssh azureuser@127.0.0.3: host key mismatch' "$TEST_TMP/out"
for vm in rabbitmq minio; do
	expect_absent "sshd on $vm saw no login attempt (no user name, no key sent)" 'azureuser|publickey|Accepted' "$VMS/$vm/log/sshd.log"
done
check "the plan's later actions were not started, named under the one cause" \
	grep -q 'rabbitmq.install failed: .*; it blocks .*rabbitmq.user' "$TEST_TMP/out"

# 2. A data disk holding a filesystem, and a binary with another sha256.
vms_fresh fsdisk
vms_answers "$TEST_TMP/a.json" '"binary_sha256": "0000000000000000000000000000000000000000000000000000000000000000"'
expect_exit 1 "the Minio step fails" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
check "RabbitMQ still finished on its own" grep -q '^rabbitmq: done' "$TEST_TMP/out"
check "the disk is refused, naming what it holds" grep -q 'minio.disk failed: the data disk of minio was refused: REFUSED: .*filesystem: ext4.*Nothing was written' "$TEST_TMP/out"
[ -s "$VMS/minio/disk.md5" ] || not_ok "the hook did not record the disk's checksum"
check "the disk's checksum is unchanged" sh -c "md5sum <'$VMS/minio/disk.img' | cmp -s - '$VMS/minio/disk.md5'"
check "the binary is refused: sha256 mismatch, nothing installed" grep -q 'minio.binary failed: .*sha256 mismatch.*nothing was installed' "$TEST_TMP/out"
check "no /usr/local/bin/minio on the VM" sh -c "! '$VMSH' exec minio '$VMS/minio' test -e /usr/local/bin/minio"
check "nothing mounted at /data" sh -c "! '$VMSH' exec minio '$VMS/minio' findmnt /data >/dev/null"

finish
