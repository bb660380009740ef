# The MinIO download answering 410 (MinIO stopped shipping binaries): a headless run stops
# naming the decision, and with decisions.minio_upload the binary goes over SFTP. Real peers
# as in test_vm_steps.sh; a file of its own so that it runs beside test_vm_steps_faults.sh.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
vms_www

vms_fresh normal
vms_answers "$TEST_TMP/a.json" "\"binary_url\": \"http://127.0.0.1:$HTTP_PORT/gone/minio\""
expect_exit 1 "410 without a decision: a headless run stops naming the decision" runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
check "the message says the download failed with 410 and names decisions.minio_upload" \
	sh -c "grep -q 'HTTP 410' '$TEST_TMP/out' && grep -q 'decisions.minio_upload: yes|no' '$TEST_TMP/out'"
vms_answers "$TEST_TMP/a.json" "\"binary_url\": \"http://127.0.0.1:$HTTP_PORT/gone/minio\", \"binary_file\": \"$TEST_TMP/www/minio\"" \
	'"decisions": {"minio_upload": "yes"}'
expect_exit 0 "with decisions.minio_upload yes the binary is uploaded and the step finishes" \
	runp --answers "$TEST_TMP/a.json" --cloud "$FAKE_CLOUD" --until minio
check "the upload path was taken" grep -q 'uploaded from this machine, sha256 checked, installed' "$TEST_TMP/out"
check "the Minio proof passed" grep -q 'S3 list, bucket, put/get/delete ok' "$TEST_TMP/out"
check "the installed binary is the uploaded one" test "$("$VMSH" exec minio "$VMS/minio" sha256sum /usr/local/bin/minio | cut -d' ' -f1)" = "$MINIO_SHA"
finish
