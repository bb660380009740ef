# The MinIO download refused (410) with no local copy named (issue 17, item 9): the install
# screen asks for the path of one in the question itself, instead of offering "yes" and then
# failing with the answers file's wording; a path that is no file is refused there and the
# question stays; a good one is uploaded, checked and installed. Real peers as in
# test_vm_steps_upload.sh.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/cli/vm_steps_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
if [ "$(id -u)" -ne 0 ]; then not_ok "the VM lab needs root"; finish; fi
vms_www
vms_fresh normal
trap 'cleanup; vms_stop' EXIT
vms_answers "$TEST_TMP/a.json" "\"binary_url\": \"http://127.0.0.1:$HTTP_PORT/gone/minio\""
start m "$SW_STATE" --answers "'$TEST_TMP/a.json'" --cloud "'$FAKE_CLOUD'" --until minio --passphrase-fd 3 "3<'$PASSFILE'"
track m
on_screen m 'resume at subscription'
to_install m
check "the install asks for the path of a local copy" wait_for m '^  .*Give the path of a copy on this machine' 180
check "  ...in a field, with no yes/no to pick" sh -c "tmux -S '$SOCK' capture-pane -p -t m | grep -q 'MinIO binary on this machine' &&
	! tmux -S '$SOCK' capture-pane -p -t m | grep -Eq '> yes|y yes'"
type_text m /no/such/minio
keys m Enter
check "a path that is no file is refused on the spot" wait_for m '/no/such/minio is not a readable regular file'
check "  ...and the question stays" wait_for m '^  .*Give the path of a copy on this machine'
keys m C-u
type_text m "$TEST_TMP/www/minio"
keys m Enter
check "the minio step finishes" wait_for m 'finished: [0-9]+ done, 0 failed' 180
check "  ...with the copy given uploaded, checked and installed" python3 - "$SW_STATE/state.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))["actions"]["minio.binary"]
sys.exit(not (a["status"] == "done" and a.get("detail") == "uploaded from this machine, sha256 checked, installed"))
PY
screen m >"$TEST_TMP/end.txt"
expect_absent "no answers-file wording on the install screen" 'decisions\.minio_upload|names no file' "$TEST_TMP/end.txt"
check "the installed binary is the copy given" test "$("$VMSH" exec minio "$VMS/minio" sha256sum /usr/local/bin/minio | cut -d' ' -f1)" = "$MINIO_SHA"
keys m Enter
check "Enter closes the wizard with exit 0" wait_for m '^EXITED:0$' 20
finish
