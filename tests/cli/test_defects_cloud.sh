# An answers file may name the cloud that --cloud FILE defines (FakeCloud here), not only the
# three built-in ones; any other name is still refused, naming the ones accepted.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
fake_start
trap 'cleanup; fake_stop' EXIT

check "the --cloud file defines FakeCloud" grep -q '"name": "FakeCloud"' "$FAKE_CLOUD"
answers "$TEST_TMP/a.json" device-code
sed 's/"cloud": "AzureCloud"/"cloud": "FakeCloud"/' "$TEST_TMP/a.json" > "$TEST_TMP/fc.json"
sed 's/"cloud": "AzureCloud"/"cloud": "OtherCloud"/' "$TEST_TMP/a.json" > "$TEST_TMP/oc.json"
check "  ...and the answers name it" grep -q '"cloud": "FakeCloud"' "$TEST_TMP/fc.json"

new_vault 2>/dev/null
start w "$SW_STATE" --answers "'$TEST_TMP/fc.json'" --cloud "'$FAKE_CLOUD'" --passphrase-fd 3 "3<'$PASSFILE'"
track w
check "the wizard starts with answers naming the --cloud file's cloud" wait_for w 'resume at'
expect_absent -z "  ...without a complaint about the cloud" 'cloud:' "$TEST_TMP/w.err"
keys w Enter
check "  ...and the Subscription screen shows that cloud" wait_for w 'FakeCloud'
kill -TERM "$(wiz_pid w)"
on_screen w 'EXITED:'

out=$("$SW_BIN" --state-dir "$SW_STATE" --answers "$TEST_TMP/oc.json" --cloud "$FAKE_CLOUD" 2>&1 </dev/null); rc=$?
check "a cloud name the file does not define is refused with exit 2 (got $rc)" [ $rc -eq 2 ]
check "  ...naming the clouds accepted" grep -q "cloud: must be AzureCloud, AzureUSGovernment, AzureChinaCloud or FakeCloud (the --cloud file's)" <<<"$out"
out=$("$SW_BIN" --state-dir "$SW_STATE" --answers "$TEST_TMP/fc.json" 2>&1 </dev/null); rc=$?
check "without --cloud, FakeCloud is refused (exit $rc)" bash -c '[ $1 -eq 2 ] && grep -q "cloud: must be AzureCloud, AzureUSGovernment or AzureChinaCloud" <<<"$2"' _ $rc "$out"
finish
