# The fake cloud is as strict as ARM where the wizard's later steps need it, and its
# faults and hooks work: each rule below is shown with a request that breaks it and one
# that keeps it. No wizard involved (fakectl makes the calls).
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

S=/subscriptions/$FAKE_SUB
RG=$S/resourceGroups/studioml-rg
NET=$RG/providers/Microsoft.Network
CMP=$RG/providers/Microsoft.Compute
ACR=$RG/providers/Microsoft.ContainerRegistry/registries
AKS=$RG/providers/Microsoft.ContainerService/managedClusters
NETV=api-version=2024-10-01
CMPV=api-version=2024-11-01

# call METHOD PATH [BODY]: one ARM call with curl (a token fetched once, from a file, never
# in argv); $code is the HTTP status, the body is in $TEST_TMP/body.
call() {
	if [ ! -s "$TEST_TMP/auth.h" ]; then
		curl -sS -d grant_type=client_credentials -d client_id=fakectl -d "@$TEST_TMP/sp.form" \
			"$FAKE_URL/organizations/oauth2/v2.0/token" |
			python3 -c 'import json,sys; print("Authorization: Bearer " + json.load(sys.stdin)["access_token"])' \
			> "$TEST_TMP/auth.h"
	fi
	code=$(curl -sS -o "$TEST_TMP/body" -w '%{http_code}' -X "$1" -H "@$TEST_TMP/auth.h" \
		-H 'Content-Type: application/json' ${3+--data-binary "$3"} "$FAKE_URL$2" 2>"$TEST_TMP/resp.err")
}
printf 'client_secret=%s&scope=https%%3A%%2F%%2Fmanagement.azure.com%%2F.default' "$FAKE_SECRET" > "$TEST_TMP/sp.form"
# lro METHOD PATH [BODY]: the call, then its operation polled to the end; $code is the
# first status, $last the last poll's, the last poll's body is in $TEST_TMP/body.
lro() {
	fakectl lro "$@" > "$TEST_TMP/resp" 2>"$TEST_TMP/resp.err"
	code=$(sed -n 1p "$TEST_TMP/resp")
	last=$(sed -n 2p "$TEST_TMP/resp")
	tail -n +3 "$TEST_TMP/resp" > "$TEST_TMP/body"
}
# said DESC STATUS TEXT: the last call answered STATUS with TEXT in its body.
said() {
	if [ "$code" = "$2" ] && grep -q -- "$3" "$TEST_TMP/body"; then ok "$1"
	else not_ok "$1 (got $code: $(head -c 300 "$TEST_TMP/body"))"; fi
}
# field PYEXPR: a value from the last body (d is the parsed JSON).
field() { python3 -c "import json,sys; d=json.load(open('$TEST_TMP/body')); print($1)"; }

fake_start '{}'

# ---- ARM basics -------------------------------------------------------------------------
call PUT "$NET/publicIPAddresses/early-ip?$NETV" '{"location":"eastus"}'
said "a resource in a group that does not exist: 404 ResourceGroupNotFound" 404 ResourceGroupNotFound
call PUT "$RG?api-version=2099-01-01" '{"location":"eastus"}'
said "an api-version the provider does not know: 400 InvalidApiVersionParameter" 400 InvalidApiVersionParameter
call PUT "$RG" '{"location":"eastus"}'
said "no api-version at all: 400 MissingApiVersionParameter" 400 MissingApiVersionParameter
call PUT "$RG?api-version=2021-04-01" '{"location":"eastus"}'
said "the group with a listed api-version: 201" 201 studioml-rg
call PUT "$NET/networkSecurityGroups/nsg?api-version=2023-09-01" '{"location":"eastus"}'
said "Microsoft.Network refuses a version its SDK package does not serve" 400 "supported api-versions are '2024-10-01'"
call GET "$S/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"
said "permissions at the subscription, not in the 2022-04-01 specification: 404 InvalidResourceType" 404 InvalidResourceType
call GET "$S/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&\$filter=atScope()%20and%20assignedTo('22222222-2222-2222-2222-222222222222')"
said "the caller's role assignments at the subscription: 200" 200 "roleDefinitions/77777777-7777-7777-7777-777777777777"
call GET "$S/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&\$filter=roleName%20eq%20'Owner'"
said "a filter the role assignment list does not document: 400" 400 UnsupportedQuery
call PUT "$NET/networkSecurityGroups/nsg?$NETV" '{"location": "eastus",'
said "a body that is not JSON: 400 InvalidRequestContent" 400 InvalidRequestContent
call PUT "$NET/networkSecurityGroups/nsg?$NETV" '["eastus"]'
said "a JSON body that is not an object: 400 InvalidRequestContent" 400 InvalidRequestContent
call PUT "$NET/networkSecurityGroups/nsg?$NETV" '{"properties": {}}'
said "a tracked resource without location: 400 LocationRequired" 400 LocationRequired
call PUT "$NET/networkSecurityGroups/nope/securityRules/r1?$NETV" '{"properties": {}}'
said "a child of a parent that does not exist: 404 ParentResourceNotFound" 404 ParentResourceNotFound

# ---- network references and public IPs ----------------------------------------------------
fakectl post /_fake/script '{"public_ips": {"minio-ip": "127.0.0.9"}, "lro_seconds_by_type": {"virtualMachines": 1}}' >/dev/null
NIC='{"location":"eastus","properties":{"networkSecurityGroup":{"id":"'$NET'/networkSecurityGroups/nsg"},
 "ipConfigurations":[{"name":"c1","properties":{"publicIPAddress":{"id":"'$NET'/publicIPAddresses/rabbitmq-ip"},
 "subnet":{"id":"'$NET'/virtualNetworks/vnet/subnets/default"}}}]}}'
call PUT "$NET/networkInterfaces/rabbitmq-nic?$NETV" "$NIC"
said "a NIC naming an NSG that does not exist: 400 InvalidResourceReference" 400 \
	"Resource $NET/networkSecurityGroups/nsg referenced by resource $NET/networkInterfaces/rabbitmq-nic was not found"
call PUT "$NET/networkSecurityGroups/nsg?$NETV" '{"location":"eastus"}'
rule() { echo '{"properties":{"protocol":"Tcp","access":"Allow","direction":"Inbound","priority":'"$1"',"sourcePortRange":"*","sourceAddressPrefixes":["127.0.0.4"],"destinationAddressPrefix":"*","destinationPortRanges":["5672"]}}'; }
call PUT "$NET/networkSecurityGroups/nsg/securityRules/r1?$NETV" "$(rule 50)"
said "a security rule of priority 50: 400 SecurityRuleInvalidPriority" 400 SecurityRuleInvalidPriority
call PUT "$NET/networkSecurityGroups/nsg/securityRules/r1?$NETV" '{"properties":{"access":"Allow","direction":"Inbound","priority":900}}'
said "a security rule without protocol: 400" 400 "property protocol is required"
call PUT "$NET/networkSecurityGroups/nsg/securityRules/r1?$NETV" "$(rule 900)"
said "a security rule as a child of its group: 201" 201 '"127.0.0.4"'
call PUT "$NET/networkSecurityGroups/nsg/securityRules/r2?$NETV" "$(rule 900)"
said "a second rule of the same priority and direction: 400 SecurityRuleConflict" 400 "Security rule r2 conflicts with rule r1"
call PUT "$NET/networkSecurityGroups/nsg?$NETV" '{"location":"eastus"}'
call GET "$NET/networkSecurityGroups/nsg/securityRules/r1?$NETV"
said "a PUT of the group without its rules removes them: 404" 404 ResourceNotFound
call PUT "$NET/networkInterfaces/rabbitmq-nic?$NETV" "$NIC"
said "then the public IP is missing" 400 "publicIPAddresses/rabbitmq-ip referenced by"
PIP='{"location":"eastus","sku":{"name":"Standard"},"properties":{"publicIPAllocationMethod":"Static"}}'
call PUT "$NET/publicIPAddresses/rabbitmq-ip?$NETV" "$PIP"
call PUT "$NET/publicIPAddresses/minio-ip?$NETV" "$PIP"
call PUT "$NET/publicIPAddresses/other-ip?$NETV" "$PIP"
call GET "$NET/publicIPAddresses/rabbitmq-ip?$NETV"
check "the first static Standard IP gets 127.0.0.2" test "$(field 'd["properties"]["ipAddress"]')" = 127.0.0.2
call GET "$NET/publicIPAddresses/minio-ip?$NETV"
check "public_ips names minio-ip's address" test "$(field 'd["properties"]["ipAddress"]')" = 127.0.0.9
call GET "$NET/publicIPAddresses/other-ip?$NETV"
check "the next one gets 127.0.0.3" test "$(field 'd["properties"]["ipAddress"]')" = 127.0.0.3
call PUT "$NET/networkInterfaces/rabbitmq-nic?$NETV" "$NIC"
said "then the subnet is missing" 400 "virtualNetworks/vnet/subnets/default referenced by"
call PUT "$NET/virtualNetworks/vnet?$NETV" '{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},
 "subnets":[{"name":"default","properties":{"addressPrefix":"10.0.0.0/24"}}]}}'
call PUT "$NET/networkInterfaces/rabbitmq-nic?$NETV" "$NIC"
said "with all three in place the NIC is created (a subnet declared inside its VNet counts)" 201 rabbitmq-nic

# ---- virtual machines ------------------------------------------------------------------------
cat > "$TEST_TMP/hook.sh" <<'EOF'
#!/bin/sh
# name, custom data file, public IP, LUN:GB...
{ echo "args: $*"; echo "data: $(cat "$2")"; } > "$(dirname "$0")/hook-$1.out"
[ "$1" != bad-vm ]
EOF
chmod +x "$TEST_TMP/hook.sh"
fakectl post /_fake/script '{"vm_hook": ["'"$TEST_TMP"'/hook.sh"], "lro_seconds_by_type": {"virtualMachines": 1},
 "missing_images": ["ubuntu-24_04-lts"]}' >/dev/null
CD=$(printf '#cloud-config\nruncmd: [echo hi]\n' | base64 | tr -d '\n')
vm() { # vm NAME NIC CUSTOMDATA [SIZE] [OFFER SKU]
	cat <<JSON
{"location":"eastus","properties":{"hardwareProfile":{"vmSize":"${4:-Standard_B2s}"},
 "storageProfile":{"imageReference":{"publisher":"Canonical","offer":"${5:-0001-com-ubuntu-server-jammy}","sku":"${6:-22_04-lts-gen2}","version":"latest"},
  "osDisk":{"createOption":"FromImage","managedDisk":{"storageAccountType":"StandardSSD_LRS"}},
  "dataDisks":[{"lun":0,"createOption":"Empty","diskSizeGB":1024},{"lun":1,"createOption":"Empty","diskSizeGB":32}]},
 "osProfile":{"computerName":"$1","adminUsername":"studio","customData":"$3",
  "linuxConfiguration":{"disablePasswordAuthentication":true,"ssh":{"publicKeys":[{"path":"/home/studio/.ssh/authorized_keys","keyData":"ssh-ed25519 AAAA"}]}}},
 "networkProfile":{"networkInterfaces":[{"id":"$NET/networkInterfaces/$2"}]}}}
JSON
}
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm missing-nic "$CD")"
said "a VM naming a NIC that does not exist: 400 InvalidResourceReference" 400 "networkInterfaces/missing-nic referenced by"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic 'not base64!')"
said "custom data that is not base64: 400 InvalidParameter" 400 '"target": "customData"'
big=$(head -c 65536 /dev/zero | base64 | tr -d '\n')
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$big")"
said "custom data of 65,536 decoded bytes: 400 InvalidParameter" 400 "65536 bytes decoded"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD" Standard_A2_v2 ubuntu-24_04-lts server)"
said "an image offer scripted missing: 404 PlatformImageNotFound" 404 PlatformImageNotFound
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD" Standard_NC6s_v3)"
said "a size restricted in the region: 409 SkuNotAvailable" 409 "SkuNotAvailable.*Standard_NC6s_v3"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD" Standard_A2_v2)"
said "a Gen 1 size (HyperVGenerations V1) with a Gen 2 image: 400 BadRequest" 400 \
	"BadRequest.*The selected VM size 'Standard_A2_v2' cannot boot Hypervisor Generation '2'"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD" Standard_NC24ads_A100_v4 \
	0001-com-ubuntu-server-jammy 22_04-lts)"
said "a Gen 2 only size with a Gen 1 image: 400 BadRequest" 400 "cannot boot Hypervisor Generation '1'"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD" | sed 's/"diskSizeGB":32}/"diskSizeGB":40000}/')"
said "a data disk over 32,767 GiB: 400 InvalidParameter out of range" 400 \
	"The value 40000 of parameter 'diskSizeGB' is out of range.*dataDisks\[1\].diskSizeGB"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD" Standard_ND96asr_v4)"
said "a GPU size with no quota: 409 with the family and numbers" 409 "standardNDASv4_A100Family Cores quota.*Current Limit: 0"
lro PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$CD")"
check "the VM's operation runs, then ends Succeeded after the hook" test "$code/$last" = 201/200 -a \
	"$(field 'd["status"]')" = Succeeded
check "the VM type's duration applied (lro_seconds_by_type)" test "$(fakectl count GET '/operations/fakeop' 200)" -ge 2
check "the hook got name, custom data file, public IP and LUN:GB" \
	grep -q "^args: rabbitmq-vm .*/customdata-rabbitmq-vm-[0-9]* 127.0.0.2 0:1024 1:32$" "$TEST_TMP/hook-rabbitmq-vm.out"
check "the file held the decoded custom data" grep -q "^data: #cloud-config" "$TEST_TMP/hook-rabbitmq-vm.out"
check "the hook's exit code is recorded" test "$(fakectl get /_fake/hooks | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["exit"])')" = 0
fakectl get /_fake/customdata/rabbitmq-vm > "$TEST_TMP/cd.out"
check "/_fake/customdata returns the decoded custom data" grep -q "runcmd: \[echo hi\]" "$TEST_TMP/cd.out"
fakectl get '/_fake/bodies?path=virtualMachines/rabbitmq-vm$' > "$TEST_TMP/bodies"
check "/_fake/bodies holds every PUT body sent for the VM (the refused ones are not there)" \
	python3 -c "import json,sys; b=json.load(open('$TEST_TMP/bodies')); sys.exit(not (len(b)==1 and b[0]['body']['properties']['osProfile']['customData']=='$CD'))"
call PUT "$CMP/virtualMachines/rabbitmq-vm?$CMPV" "$(vm rabbitmq-vm rabbitmq-nic "$(echo x | base64)")"
said "custom data is fixed at creation: 409 PropertyChangeNotAllowed" 409 PropertyChangeNotAllowed
call PUT "$NET/networkInterfaces/bad-nic?$NETV" "$NIC"
lro PUT "$CMP/virtualMachines/bad-vm?$CMPV" "$(vm bad-vm bad-nic "$CD")"
check "a failing hook ends the VM's operation Failed with VMHookFailed" test "$(field 'd["status"]+d["error"]["code"]')" = FailedVMHookFailed
call GET "$CMP/virtualMachines/bad-vm?$CMPV"
check "and the VM shows provisioningState Failed" test "$(field 'd["properties"]["provisioningState"]')" = Failed
# A Standard public IP behind no security group (NIC or subnet) answers nothing: the hook gets no address.
call PUT "$NET/publicIPAddresses/open-ip?$NETV" "$PIP"
call PUT "$NET/networkInterfaces/open-nic?$NETV" "$(echo "$NIC" | sed 's|"networkSecurityGroup":{[^}]*},||; s|rabbitmq-ip|open-ip|')"
lro PUT "$CMP/virtualMachines/open-vm?$CMPV" "$(vm open-vm open-nic "$CD")"
check "a Standard public IP with no NSG: the VM is created but unreachable (no address for the hook)" \
	grep -q "^args: open-vm [^ ]*/customdata-open-vm-[0-9]*  0:1024 1:32$" "$TEST_TMP/hook-open-vm.out"

# ---- images, SKUs, usages -----------------------------------------------------------------
IMG=$S/providers/Microsoft.Compute/locations/eastus/publishers/Canonical/artifacttypes/vmimage/offers
call GET "$IMG/ubuntu-24_04-lts/skus/server/versions?$CMPV"
said "a scripted missing offer: the versions list answers 404" 404 "Artifact: VMImage was not found"
call GET "$IMG/0001-com-ubuntu-server-jammy/skus/22_04-lts-gen2/versions?$CMPV"
said "Ubuntu 22.04 is listed" 200 '"name": "22.04.'
fakectl post /_fake/script '{"sku_restrictions": {"Standard_ND96asr_v4": "NotAvailableForSubscription"},
 "quota": {"standardNDASv4_A100Family": 96, "cores": 100}}' >/dev/null
call GET "$IMG/ubuntu-24_04-lts/skus/server/versions?$CMPV"
said "without the script Ubuntu 24.04 has one version" 200 '"name": "24.04.202510010"'
call GET "$S/providers/Microsoft.Compute/skus?api-version=2021-07-01&%24filter=location%20eq%20%27eastus%27"
check "the SKU list carries the scripted restriction" test "$(field '[s["restrictions"][0]["reasonCode"] for s in d["value"] if s["name"]=="Standard_ND96asr_v4"][0]')" = NotAvailableForSubscription
call GET "$S/providers/Microsoft.Compute/skus?api-version=2021-07-01&%24filter=name%20eq%20%27x%27"
said "a filter other than location: 400" 400 InvalidFilter
call GET "$S/providers/Microsoft.Compute/locations/eastus/usages?$CMPV"
check "usages: the scripted A100 limit" test "$(field '[u["limit"] for u in d["value"] if u["name"]["value"]=="standardNDASv4_A100Family"][0]')" = 96
check "usages: current values count the fake's VMs (two of 2 vCPUs; the failed one not)" test "$(field '[u["currentValue"] for u in d["value"] if u["name"]["value"]=="cores"][0]')" = 4

# ---- registry ------------------------------------------------------------------------------
ACRV=api-version=2025-11-01
fakectl post /_fake/script '{"taken_registry_names": ["leafaitaken1"], "import_seconds": 1}' >/dev/null
call POST "$S/providers/Microsoft.ContainerRegistry/checkNameAvailability?$ACRV" '{"name":"leafaitaken1","type":"Microsoft.ContainerRegistry/registries"}'
said "a scripted taken name: nameAvailable false, AlreadyExists" 200 '"reason": "AlreadyExists"'
call PUT "$ACR/leafaitaken1?$ACRV" '{"location":"eastus","sku":{"name":"Basic"}}'
said "creating it anyway: 400 AlreadyInUse" 400 AlreadyInUse
lro PUT "$ACR/leafai1a2b3c4d?$ACRV" '{"location":"eastus","sku":{"name":"Basic"}}'
call GET "$ACR/leafai1a2b3c4d?$ACRV"
check "the registry's login server is <name>.azurecr.io" test "$(field 'd["properties"]["loginServer"]')" = leafai1a2b3c4d.azurecr.io
call POST "$ACR/leafai1a2b3c4d/listCredentials?$ACRV"
said "listCredentials without the admin user: 400" 400 UnAuthorizedForCredentialOperations
call PATCH "$ACR/leafai1a2b3c4d?$ACRV" '{"properties":{"adminUserEnabled":true}}'
call POST "$ACR/leafai1a2b3c4d/listCredentials?$ACRV"
said "with it: the credentials" 200 '"username": "leafai1a2b3c4d"'
IMP='{"source":{"registryUri":"docker.io","sourceImage":"leafai/azure-studio-go-runner:TAG"},"targetTags":["studio-go-runner:TAG"],"mode":"NoForce"}'
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed s/TAG/0.14.2/g)"
check "importImage from the catalogue: 202, then the Location poll ends 200" test "$code/$last" = 202/200
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed s/TAG/0.99.0/g)"
check "a tag Docker Hub does not have: the poll ends 400 MANIFEST_UNKNOWN" test "$code/$last" = 202/400 -a \
	"$(field 'd["error"]["code"]')" = InvalidParameters
grep -q MANIFEST_UNKNOWN "$TEST_TMP/body" || not_ok "the error names MANIFEST_UNKNOWN"
fakectl post /_fake/script '{"hub_anonymous_pulls": 1}' >/dev/null
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed s/TAG/0.13.2/g)"
check "without fakehub too, the anonymous pull after the limit fails TOOMANYREQUESTS" test "$last" = 400 -a \
	"$(grep -c TOOMANYREQUESTS "$TEST_TMP/body")" = 1

# ...checked against a running fakehub: anonymous pulls are limited, a token lifts that
printf '{"anonymous_pull_limit": 1, "page_size": 2}\n' > "$TEST_TMP/hub.json"
rm -f "$TEST_TMP/hub.port"
python3 "$FAKE_DIR/fakehub.py" --port-file "$TEST_TMP/hub.port" --script "$TEST_TMP/hub.json" >/dev/null 2>&1 &
HUB_PID=$!
trap 'kill $HUB_PID 2>/dev/null; fake_stop' EXIT
wait_port_file "$TEST_TMP/hub.port" "$HUB_PID" "the fake Docker Hub" || finish
HUB=http://127.0.0.1:$(cat "$TEST_TMP/hub.port")
fakectl post /_fake/script '{"hub_url": "'"$HUB"'"}' >/dev/null
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed s/TAG/0.13.2/g)"
check "first anonymous import through fakehub succeeds" test "$last" = 200
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed s/TAG/0.9.21/g)"
check "the second hits Docker Hub's anonymous limit (TOOMANYREQUESTS)" test "$last" = 400 -a \
	"$(grep -c TOOMANYREQUESTS "$TEST_TMP/body")" = 1
CRED='"credentials":{"username":"studio-user","password":"dckr_pat_fake_0001"},'
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed "s/TAG/0.9.21/g; s/\"source\":{/\"source\":{$CRED/")"
check "with a Docker Hub user and token it succeeds" test "$last" = 200
lro POST "$ACR/leafai1a2b3c4d/importImage?$ACRV" "$(echo "$IMP" | sed "s/TAG/0.14.2/g; s/\"source\":{/\"source\":{$CRED/")"
check "importing onto an existing tag with NoForce fails" grep -q "already exists in target registry" "$TEST_TMP/body"
fakectl get /_fake/secrets > "$TEST_TMP/secrets"
check "the fake lists the Docker Hub token among its secrets" grep -q dckr_pat_fake_0001 "$TEST_TMP/secrets"

# ---- AKS -------------------------------------------------------------------------------------
AKSV=api-version=2025-07-01
printf 'apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: kube-token-from-test\n' > "$TEST_TMP/kubeconfig"
fakectl post /_fake/script '{"lro_seconds_by_type": {"managedClusters": 2}, "principal_not_found_for": 2,
 "kubeconfig_file": "'"$TEST_TMP"'/kubeconfig", "quota": {"standardNDASv4_A100Family": 96, "cores": 200},
 "extra_skus": [{"name": "Standard_B1s", "family": "standardBSFamily", "vcpus": 1}]}' >/dev/null
call GET "$S/providers/Microsoft.ContainerService/locations/eastus/kubernetesVersions?$AKSV"
check "the default Kubernetes version is 1.32" test "$(field '[v["version"] for v in d["values"] if v.get("isDefault")][0]')" = 1.32
SYS='{"name":"system","mode":"System","vmSize":"Standard_D2s_v5","count":1}'
GPU='{"name":"gpu","mode":"User","vmSize":"Standard_ND96asr_v4","count":1,"nodeTaints":["nvidia.com/gpu=present:NoSchedule"]}'
cluster() { echo '{"location":"eastus","identity":{"type":"SystemAssigned"},"properties":{"dnsPrefix":"aks","agentPoolProfiles":['"$1"']}}'; }
call PUT "$AKS/aks?$AKSV" "$(cluster "$GPU")"
said "a cluster without a System pool: 400" 400 MustDefineAtLeastOneSystemPool
call PUT "$AKS/aks?$AKSV" "$(cluster "$(echo "$SYS" | sed 's/Standard_D2s_v5/Standard_B1s/'),$GPU")"
said "a System pool of 1 vCPU (AKS wants 2 vCPUs and 4 GB): 400" 400 "System node pool must use VM sku.*system"
call PUT "$AKS/aks?$AKSV" "$(cluster "$SYS,$(echo "$GPU" | sed 's/Standard_ND96asr_v4/Standard_ND40rs_v2/')")"
said "a GPU size not in the region's SKU list: 400" 400 "Standard_ND40rs_v2 is not allowed"
call PUT "$AKS/aks?$AKSV" "$(cluster "$SYS,$(echo "$GPU" | sed 's/"count":1/"count":2/')")"
said "two A100 nodes on a quota of 96: 400 QuotaExceeded" 400 QuotaExceeded
call PUT "$AKS/aks?$AKSV" "$(cluster "$SYS,$GPU")"
said "the cluster PUT starts a slow create" 201 '"provisioningState": "Creating"'
oid=$(field 'd["properties"]["identityProfile"]["kubeletidentity"]["objectId"]')
check "the pools are echoed" test "$(field '",".join(p["name"] for p in d["properties"]["agentPoolProfiles"])')" = system,gpu
RA="$RG/providers/Microsoft.Authorization/roleAssignments"
RAB='{"properties":{"roleDefinitionId":"/subscriptions/'$FAKE_SUB'/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d","principalId":"'$oid'","principalType":"ServicePrincipal"}}'
call PUT "$RA/aaaaaaaa-1111-0000-0000-000000000001?api-version=2022-04-01" "$RAB"
said "AcrPull for the new kubelet identity: 400 PrincipalNotFound at first" 400 "Principal $(echo "$oid" | tr -d -) does not exist"
for _ in $(seq 100); do
	call PUT "$RA/aaaaaaaa-1111-0000-0000-000000000001?api-version=2022-04-01" "$RAB"
	[ "$code" = 400 ] || break; sleep 0.1
done
said "then, after the cluster was created and the delay passed, 201" 201 "$oid"
call PUT "$RA/aaaaaaaa-1111-0000-0000-000000000002?api-version=2022-04-01" "$RAB"
said "the same assignment under another name: 409 RoleAssignmentExists" 409 RoleAssignmentExists
call PUT "$AKS/aks?$AKSV" "$(cluster "$SYS,$(echo "$GPU" | sed 's/present/changed/')")"
said "taints cannot change after creation: 400" 400 "Changing property 'nodeTaints'"
call POST "$AKS/aks/listClusterUserCredential?$AKSV"
check "listClusterUserCredential serves kubeconfig_file, base64" \
	test "$(field '__import__("base64").b64decode(d["kubeconfigs"][0]["value"]).decode().splitlines()[-1].strip()')" = "token: kube-token-from-test"
call POST "$AKS/nope/listClusterUserCredential?$AKSV"
said "credentials of a cluster that does not exist: 404" 404 ResourceNotFound

# ---- fakehub alone -------------------------------------------------------------------------
curl -s -D "$TEST_TMP/h" -o "$TEST_TMP/body" "$HUB/v2/leafai/studio-go-runner/tags/list"
check "fakehub: no token, 401 with the Bearer challenge" grep -qi \
	"^WWW-Authenticate: Bearer realm=\"$HUB/token\",service=\"registry.docker.io\",scope=\"repository:leafai/studio-go-runner:pull\"" "$TEST_TMP/h"
tok=$(curl -s "$HUB/token?service=registry.docker.io&scope=repository:leafai/studio-go-runner:pull" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -D "$TEST_TMP/h" -o "$TEST_TMP/body" -H "Authorization: Bearer $tok" "$HUB/v2/leafai/studio-go-runner/tags/list"
check "tags/list pages with a Link header" grep -qi '^Link: </v2/leafai/studio-go-runner/tags/list?last=0.14.2&n=2>; rel="next"' "$TEST_TMP/h"
curl -s -I -H "Authorization: Bearer $tok" "$HUB/v2/leafai/studio-go-runner/manifests/0.14.3-main-aaaagseyvek" > "$TEST_TMP/h"
check "HEAD manifest: 200 with Docker-Content-Digest" grep -qi '^Docker-Content-Digest: sha256:[0-9a-f]\{64\}' "$TEST_TMP/h"
check "an unknown tag: 404 MANIFEST_UNKNOWN" sh -c "curl -s -H 'Authorization: Bearer $tok' '$HUB/v2/leafai/studio-go-runner/manifests/0.0.1' | grep -q MANIFEST_UNKNOWN"
check "a wrong Docker Hub token: 401 at /token" test "$(curl -s -o /dev/null -w '%{http_code}' -u studio-user:wrong "$HUB/token?service=registry.docker.io&scope=repository:leafai/studio-go-runner:pull")" = 401
finish
