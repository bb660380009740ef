# The acr and aks steps end to end against fakecloud + fakehub: preflight passes with GPU
# quota, the registry, the import, the cluster (system + tainted GPU pool), AcrPull with a
# deterministic name, the kubeconfig sealed in the vault and nowhere else on disk.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"
. "$SW_TOP/tests/fake/acraks_lib.sh"
export HOME="$TEST_TMP/home"
mkdir -p "$HOME"

acraks_start "$QUOTA, $FAST"
acraks_answers "$TEST_TMP/a.json"
sp_vault
expect_exit 0 "the default answers run through acr and aks" acraks --answers "$TEST_TMP/a.json"
cat "$TEST_TMP/err" >&2
check "preflight says the GPU size fits" grep -q 'acr: check before creating anything.*Standard_ND96asr_v4 x 1 (8 GPUs each) offered, quota holds it; Kubernetes 1.32' "$TEST_TMP/out"
check "the tag was looked up in fakehub" test "$(curl -s "$HUB/_fake/requests" | python3 -c "
import json,sys; print(sum(1 for r in json.load(sys.stdin) if r['method']=='HEAD' and r['path'].endswith('/manifests/0.14.2') and r['status']==200))")" -ge 1
check "acr.login_server" test "$(output acr.login_server)" = leafai1a2b3c4d.azurecr.io
check "acr.image is the imported image" test "$(output acr.image)" = leafai1a2b3c4d.azurecr.io/leafai1a2b3c4d/studio-go-runner:0.14.2
check "aks.mode gpu, 1 node, 8 GPUs" test "$(output aks.mode)/$(output aks.nodes)/$(output aks.node_gpus)" = gpu/1/8
check "registry: Basic, no admin user" body '/registries/leafai1a2b3c4d$' "b['sku']['name']=='Basic' and b['properties']['adminUserEnabled'] is False"
check "import: from fakehub's host, into acr.name/studio-go-runner" body '/importImage$' \
	"b['source']['sourceImage']=='leafai/azure-studio-go-runner:0.14.2' and b['targetTags']==['leafai1a2b3c4d/studio-go-runner:0.14.2'] and 'credentials' not in b['source']"
check "cluster: default Kubernetes, SystemAssigned, system pool and a tainted GPU pool with the driver" \
	body '/managedClusters/leafai-cluster-1a2b3c4d$' "b['identity']['type']=='SystemAssigned' and b['properties']['kubernetesVersion']=='1.32' and [(p['name'],p['mode'],p['vmSize'],p['count'],p.get('nodeTaints'),p.get('gpuProfile')) for p in b['properties']['agentPoolProfiles']]==[('system','System','Standard_D2s_v5',1,None,None),('gpu','User','Standard_ND96asr_v4',1,['sku=gpu:NoSchedule'],{'driver':'Install'})]"
kubelet=$(fakectl get "/_fake/bodies?path=managedClusters" >/dev/null; fakectl arm GET "/subscriptions/$FAKE_SUB/resourceGroups/leafai-1a2b3c4d/providers/Microsoft.ContainerService/managedClusters/leafai-cluster-1a2b3c4d?api-version=2025-07-01" | tail -n +2 | python3 -c "import json,sys; print(json.load(sys.stdin)['properties']['identityProfile']['kubeletidentity']['objectId'])")
check "AcrPull for the kubelet identity as a ServicePrincipal" body '/roleAssignments/' \
	"b['properties']['principalId']=='$kubelet' and b['properties']['principalType']=='ServicePrincipal' and b['properties']['roleDefinitionId'].endswith('/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d')"
check "one PUT each for registry, cluster, role assignment; one import" test \
	"$(fakectl count PUT '/registries/leafai1a2b3c4d$')/$(fakectl count PUT '/managedClusters/leafai-cluster-1a2b3c4d$')/$(fakectl count PUT '/roleAssignments/')/$(fakectl count POST '/importImage$')" = 1/1/1/1

# The kubeconfig: in the vault, nowhere else.
swp vault get aks-kubeconfig > "$TEST_TMP/kc" 2>/dev/null
check "vault get aks-kubeconfig gives a kubeconfig" grep -q '^kind: Config' "$TEST_TMP/kc"
check "the vault lists it as a kubeconfig of step aks" sh -c "swp() { printf '%s\n' \"\$PASS\" > \"$TEST_TMP/.pass\"; \"$SW_BIN\" --state-dir \"$SW_STATE\" --passphrase-fd 3 \"\$@\" 3<\"$TEST_TMP/.pass\"; }; PASS='$PASS' swp vault list | grep -q 'aks-kubeconfig.*kubeconfig.*aks'"
key=$(sed -n 's/.*client-key-data: *//p' "$TEST_TMP/kc" | head -1)
check "the kubeconfig holds a client key (the search below means something)" test -n "$key"
rm -f "$TEST_TMP/kc"
files=$(find "$SW_STATE" "$HOME" -type f ! -name vault.sealed)
check "the state dir holds state.json and the log (the search covers them)" sh -c "echo '$files' | grep -q state.json && echo '$files' | grep -q wizard.log"
expect_absent -F "the client key is in no file of the state dir" "$key" "$SW_STATE"
expect_absent -F -z "  ...nor under HOME (where nothing needs to be)" "$key" "$HOME"
check "no secret the fake handed out is in the state or the log" fakectl secrets "$SW_STATE/state.json" "$SW_STATE/wizard.log" "$TEST_TMP/out"

# A second run changes nothing.
puts=$(fakectl count PUT '.')
expect_exit 0 "a second run finishes" acraks --answers "$TEST_TMP/a.json"
check "and sends no PUT or import" test "$(fakectl count PUT '.')/$(fakectl count POST '/importImage$')" = "$puts/1"
finish
