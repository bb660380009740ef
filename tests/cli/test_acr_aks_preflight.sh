# The preflight of the acr and aks steps stops before anything is created: GPU quota 0 (the
# message names the family, the need, the limit and what to ask for; then the CPU mode
# completes), a tag the registry does not have, a registry name taken; a stop answer; a
# usages answer no quota can be.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
export HOME="$TEST_TMP/home"
mkdir -p "$HOME"
# nothing_created WHAT METHOD REGEX: no PUT, PATCH or POST at all under the acr and aks groups,
# while the fake did see the preflight's last call (so a broken capture cannot pass).
nothing_created() {
	check "$1: the preflight's calls reached the fake" test "$(fakectl count "$2" "$3")" -ge 1
	check "$1: no PUT, PATCH or POST under the acr/aks groups" test \
		"$(fakectl count PUT '/resourcegroups/(studioml|leafai)-1a2b3c4d')/$(fakectl count PATCH '/resourcegroups/(studioml|leafai)-1a2b3c4d')/$(fakectl count POST '/resourcegroups/(studioml|leafai)-1a2b3c4d')" = 0/0/0
}

# sanitizer_clean WHAT: under make asan, UBSan and LeakSanitizer report on the tool's stderr.
sanitizer_clean() {
	expect_absent -z "$1: no sanitizer report (make asan)" 'runtime error|Sanitizer' "$TEST_TMP/err"
}

# GPU quota 0 (the recording's default for the A100 family).
acraks_start "$FAST"
acraks_answers "$TEST_TMP/a.json"
sp_vault
expect_exit 1 "zero GPU quota stops the run" acraks --answers "$TEST_TMP/a.json"
check "the message names the family, the need, the limit and what to ask for" grep -q \
	'quota: aks.node_vm_size x 1 on Standard_ND96asr_v4 (+ the system pool) needs 96 vCPUs of standardNDASv4_A100Family (Standard NDASv4_A100 Family vCPUs) in eastus; the limit is 0 with 0 in use: ask for a quota increase of standardNDASv4_A100Family to at least 96' "$TEST_TMP/out"
check "and offers the CPU mode through decisions.low_quota" grep -q 'Run the runner on CPUs instead.*decisions.low_quota: cpu|stop' "$TEST_TMP/out"
sanitizer_clean "zero quota, headless, no decision"
nothing_created "zero quota" GET "/usages$"

acraks_answers "$TEST_TMP/stop.json" "" "" '"low_quota": "stop"'
expect_exit 1 "decisions.low_quota stop stops" acraks --answers "$TEST_TMP/stop.json"
check "saying so" grep -q 'stopped before anything was created (decisions.low_quota: stop)' "$TEST_TMP/out"
nothing_created "stop" GET "/usages$"

acraks_answers "$TEST_TMP/cpu.json" "" "" '"low_quota": "cpu"'
expect_exit 0 "with decisions.low_quota cpu the install completes" acraks --answers "$TEST_TMP/cpu.json"
check "it says plainly that jobs run without GPUs" grep -q 'jobs run without GPUs' "$TEST_TMP/out"
check "aks.mode cpu, 1 node, 0 GPUs" test "$(output aks.mode)/$(output aks.nodes)/$(output aks.node_gpus)" = cpu/1/0
check "the cluster has the system pool and a CPU pool, no taint, no GPU driver" \
	body '/managedClusters/leafai-cluster-1a2b3c4d$' "[(p['name'],p['vmSize'],p['count'],p.get('nodeTaints'),p.get('gpuProfile')) for p in b['properties']['agentPoolProfiles']]==[('system','Standard_D2s_v5',1,None,None),('cpu','Standard_D4s_v5',1,None,None)]"

# A tag the registry does not have.
fakectl post /_fake/reset "{$FAST, $QUOTA, \"hub_url\": \"$HUB\"}" >/dev/null
fresh_state
acraks_answers "$TEST_TMP/tag.json" '"image": "leafai/azure-studio-go-runner:0.13.3"'
expect_exit 1 "a tag that does not exist stops at preflight" acraks --answers "$TEST_TMP/tag.json"
check "naming acr.image, the tag and the registry" grep -q "acr.image: leafai/azure-studio-go-runner:0.13.3 has no tag 0.13.3 in $HUB" "$TEST_TMP/out"
nothing_created "missing tag" POST "/checkNameAvailability$"
check "missing tag: fakehub was asked for it" sh -c "curl -s $HUB/_fake/requests | grep -q 'manifests/0.13.3'"

# A registry name someone else has.
fakectl post /_fake/reset "{$FAST, $QUOTA, \"hub_url\": \"$HUB\", \"taken_registry_names\": [\"leafai1a2b3c4d\"]}" >/dev/null
fresh_state
expect_exit 1 "a taken registry name stops at preflight" acraks --answers "$TEST_TMP/a.json"
check "naming acr.name" grep -q "acr.name: name already taken: 'leafai1a2b3c4d'" "$TEST_TMP/out"
nothing_created "taken name" POST "/checkNameAvailability$"

# A usages answer with a number no quota can be (1e300): refused by name, nothing created,
# never cast to an integer (undefined: UBSan stops the program under make asan).
fakectl post /_fake/reset "{$FAST, \"quota\": {\"standardNDASv4_A100Family\": 1e300, \"standardDSv5Family\": 100, \"cores\": 200}, \"hub_url\": \"$HUB\"}" >/dev/null
fresh_state
expect_exit 1 "a usages answer of 1e300 stops the preflight" acraks --answers "$TEST_TMP/a.json"
check "naming the usage and the field" grep -q "vCPU quota: Azure's usage standardNDASv4_A100Family has no limit from 0 to 2^53; stopped before anything was created" "$TEST_TMP/out"
sanitizer_clean "hostile usages"
nothing_created "hostile usages" GET "/usages$"

# An image whose runner cannot use the GPU size never gets that far.
acraks_answers "$TEST_TMP/old.json" '"image": "leafai/azure-studio-go-runner:0.9.21"'
expect_exit 2 "the guide's image is refused with the answers" acraks --answers "$TEST_TMP/old.json"
check "with the reason" grep -q 'acr.image: Standard_ND96asr_v4: runner 0.9.21 does not recognise A100-SXM4-40GB; it does from 0.13.2' "$TEST_TMP/err"
finish
