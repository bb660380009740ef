# The fake cloud refuses what Azure's published models refuse (the SDK packages pinned in
# tests/fake/package.json, read by tests/fake/azure_models.py): one request of each kind
# (unknown property, missing required one, wrong type, value outside an enum, api-version
# the package does not serve), each next to the same request made right, which passes.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/fake/fake_lib.sh"

S=/subscriptions/$FAKE_SUB
RG=$S/resourceGroups/studioml-rg
VM=$RG/providers/Microsoft.Compute/virtualMachines/rabbitmq-vm
ACR=$RG/providers/Microsoft.ContainerRegistry/registries/leafai1a2b3c4d
CMPV=api-version=2024-11-01
ACRV=api-version=2025-11-01

# call METHOD PATH [BODY]: $code is the status, the body is in $TEST_TMP/body.
call() {
	fakectl arm "$@" > "$TEST_TMP/resp" 2>"$TEST_TMP/resp.err"
	code=$(sed -n 1p "$TEST_TMP/resp")
	tail -n +2 "$TEST_TMP/resp" > "$TEST_TMP/body"
}
# said DESC STATUS CODE [TEXT]: the last call answered STATUS, Azure's error CODE, and TEXT.
said() {
	got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print((d.get("error") or d).get("code", "") if isinstance(d, dict) else "")' \
		"$TEST_TMP/body" 2>/dev/null)
	if [ "$code" = "$2" ] && [ "$got" = "$3" ] && grep -qF -- "${4:-}" "$TEST_TMP/body"; then ok "$1"
	else not_ok "$1 (got $code $got: $(head -c 300 "$TEST_TMP/body"))"; fi
}

fake_start '{}'
call PUT "$RG?api-version=2021-04-01" '{"location":"eastus"}'
said "the group" 201 ""

# ---- unknown property ----------------------------------------------------------------------
call PUT "$RG?api-version=2021-04-01" '{"location":"eastus","tagz":{"a":"b"}}'
said "a group with a member ResourceGroup does not have: 400" 400 InvalidRequestContent \
	"Could not find member 'tagz' on object of type 'ResourceGroup'"
NIC_OK='{"location":"eastus","properties":{"ipConfigurations":[{"name":"c1","properties":{"privateIPAllocationMethod":"Dynamic"}}]}}'
call PUT "$RG/providers/Microsoft.Network/networkInterfaces/nic?api-version=2024-10-01" \
	"$(echo "$NIC_OK" | sed 's/"Dynamic"/"Dynamic","primaryy":true/')"
said "a member unknown deep inside a NIC (flattened properties, a list): 400, with its path" 400 \
	InvalidRequestContent "Path 'properties.ipConfigurations[0].properties.primaryy'"

# ---- missing required ------------------------------------------------------------------------
call PUT "$ACR?$ACRV" '{"location":"eastus","sku":{"tier":"Basic"}}'
said "a registry sku without its required name: 400 InvalidParameter" 400 InvalidParameter \
	"Required parameter 'sku.name' is missing"

# ---- value outside an enum, wrong type -----------------------------------------------------------
call PUT "$ACR?$ACRV" '{"location":"eastus","sku":{"name":"Basic"},"identity":{"type":"Everyone"}}'
said "a registry identity type outside the enum: 400" 400 InvalidRequestContent \
	"Path 'identity.type'.'. Allowed values:"
call PUT "$ACR?$ACRV" '{"location":"eastus","sku":{"name":"Basic"},"properties":{"adminUserEnabled":"yes"}}'
said "a string where the model has a boolean: 400" 400 InvalidRequestContent \
	"Path 'properties.adminUserEnabled'"

# ---- api-version ------------------------------------------------------------------------------
call GET "$VM?api-version=2024-07-01"
said "virtualMachines at an api-version @azure/arm-compute 22.4.0 does not serve: 400" 400 \
	NoRegisteredProviderFound "The supported api-versions are '2024-11-01'"
call GET "$ACR?api-version=2025-04-01"
said "registries at the wizard's old api-version: 400" 400 NoRegisteredProviderFound "2025-11-01"

# ---- made right, the same requests pass ------------------------------------------------------------
call PUT "$RG/providers/Microsoft.Network/networkInterfaces/nic?api-version=2024-10-01" "$NIC_OK"
said "the NIC without the stray member: 201" 201 ""
call PUT "$ACR?$ACRV" '{"location":"eastus","sku":{"name":"Basic"},"identity":{"type":"SystemAssigned"},
 "properties":{"adminUserEnabled":false,"provisioningState":"Succeeded","loginServer":"x"},"id":"ignored"}'
said "the registry with its sku, a listed identity type, a boolean, and read-only members Azure ignores: 201" 201 ""
call PATCH "$ACR?$ACRV" '{"properties":{"adminUserEnabled":true}}'
said "a PATCH by RegistryUpdateParameters: 200" 200 ""
call GET "$VM?$CMPV"
said "virtualMachines at the wizard's api-version reach the fake's own answer (404 here)" 404 ResourceNotFound
finish
