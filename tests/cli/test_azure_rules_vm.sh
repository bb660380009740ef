# The VM sizes against Azure's cross-resource rules (tests/fake/azure_rules.py): the size's
# Hyper-V generation picks the image; a size the region restricts for the subscription stops
# the VM step before anything is created. Every size the choosers offer is walked in
# test_azure_rules_vm_sizes1.sh and _sizes2.sh (azure_rules_lib.sh: walk_vm_sizes).
. "$SW_TOP/tests/cli/azure_rules_lib.sh"

fake_start "{$VMFAST}"
sp_vault
answers "$TEST_TMP/base.json" service-principal

# The size's generation picks the image: Gen 1 only sizes get Ubuntu's Gen 1 image.
with "$TEST_TMP/gen1.json" '{"rabbitmq": {"vm_size": "Standard_A2_v2"}, "minio": {"data_disk_gb": 4}}'
fresh "$VMFAST"
runp --answers "$TEST_TMP/gen1.json" --cloud "$FAKE_CLOUD" --until minio
snap
check "Standard_A2_v2 (Gen 1 only) boots 24.04's Gen 1 image, D2s_v3 the Gen 2 one" \
	test "$(image_of rabbitmq)/$(image_of minio)" = server-gen1/server
check "and the run says why" grep -q 'Standard_A2_v2 boots Hyper-V generation 1 only' "$TEST_TMP/out"
fresh "$VMFAST, \"missing_images\": [\"ubuntu-24_04-lts\"]"
runp --answers "$TEST_TMP/gen1.json" --cloud "$FAKE_CLOUD" --until minio
snap
check "where 24.04 is not offered: 22.04's Gen 1 image for A2_v2, its Gen 2 image for D2s_v3" \
	test "$(image_of rabbitmq)/$(image_of minio)" = 22_04-lts/22_04-lts-gen2

# The default RabbitMQ size boots a current Ubuntu image (Gen 2).
fresh "$VMFAST"
cp "$TEST_TMP/base.json" "$TEST_TMP/default.json"
runp --answers "$TEST_TMP/default.json" --cloud "$FAKE_CLOUD" --until rabbitmq
snap
check "the defaults: RabbitMQ's VM gets Ubuntu 24.04's Gen 2 image and Azure takes it" \
	test "$(image_of rabbitmq)/$(refused_puts | wc -l)" = server/0

# A size the region restricts for the subscription: stopped before anything is created.
fresh "$VMFAST, \"sku_restrictions\": {\"Standard_B2s\": \"NotAvailableForSubscription\"}"
expect_exit 1 "a restricted size stops the run" runp --answers "$TEST_TMP/default.json" --cloud "$FAKE_CLOUD" --until rabbitmq
snap
check "naming the key, the size, the region and Azure's reason" grep -q \
	'rabbitmq.vm_size: Standard_B2s is not available to this subscription in eastus (NotAvailableForSubscription)' "$TEST_TMP/out"
check "the SKU list was asked for (the capture works)" grep -q '/providers/Microsoft.Compute/skus"' "$TEST_TMP/requests.json"
check "and nothing was created: no PUT at all" test "$(puts | wc -l)" = 0

finish
