# F4 on the runner image (issue 17, item 10): the help promises a list of the registry's tags,
# and F4 gives it: the source registry's tags of the image's repository (the fake Docker Hub),
# newest first, each marked with whether its runner can use the GPU size answered, as the GPU
# list marks sizes; picking one fills the field.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"
hub_start
trap 'cleanup; kill $HUB_PID 2>/dev/null' EXIT
new_vault
acraks_answers "$TEST_TMP/a.json"
cat >"$TEST_TMP/t.script" <<'EOF2'
timeout 20
wait resume at subscription
key Enter
wait step 1 of 6
key PgDn
wait step 2 of 6
key PgDn
wait step 3 of 6
key PgDn
wait step 4 of 6: Container registry
key Down Down Down Down
wait ^  acr\.image
key F4
wait Runner image: Enter choose
mark list
wait 0\.9\.21
key Down
key Enter
wait ^  Runner image +leafai/azure-studio-go-runner:0\.13\.2
mark picked
key F10
wait Leave the wizard
key y
EOF2
start_script t "$SW_STATE" --passphrase-fd 3 "3<'$PASSFILE'" --answers "'$TEST_TMP/a.json'"
track t
check "the scripted walk ends" ended_ok t
dump_frames_with t 'Runner image: Enter choose' "$TEST_TMP/list.txt"
check "F4 on the runner image lists the registry's tags" sh -c "grep -q 'leafai/azure-studio-go-runner:0.14.2' '$TEST_TMP/list.txt' &&
	grep -q 'leafai/azure-studio-go-runner:0.9.21' '$TEST_TMP/list.txt'"
check "  ...newest first" sh -c "[ \"\$(grep -no 'azure-studio-go-runner:0\.14\.3-main[^ ]*\|azure-studio-go-runner:0\.9\.21' '$TEST_TMP/list.txt' | head -1 | cut -d: -f2-)\" = azure-studio-go-runner:0.14.3-main-aaaagseyvek ]"
check "  ...a release the runner can use with the GPU size marked so" \
	grep -Eq 'azure-studio-go-runner:0\.14\.2 +the runner can use Standard_ND96asr_v' "$TEST_TMP/list.txt"
check "  ...and one it cannot, saying why" \
	grep -Eq 'azure-studio-go-runner:0\.9\.21 +runner 0\.9\.21 does not recognise A100' "$TEST_TMP/list.txt"
check "picking a tag fills the field" dump_has t '^  Runner image +leafai/azure-studio-go-runner:0\.13\.2'
check "the list came from the registry" sh -c "curl -s $HUB/_fake/requests | grep -q 'leafai/azure-studio-go-runner/tags/list'"
finish
