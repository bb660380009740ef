# Every VM size the RabbitMQ, Minio and CPU-pool choosers offer meets Azure's cross-resource rules
# (tests/fake/azure_rules.py): each is refused by the wizard with its answers, naming the key and
# the reason, or the install's requests for it pass every rule of the fake. Half 1 of the sizes
# (the other half: test_azure_rules_vm_sizes2.sh), so the halves run side by side.
. "$SW_TOP/tests/cli/azure_rules_lib.sh"

fake_start "{$VMFAST}"
sp_vault
answers "$TEST_TMP/base.json" service-principal
walk_vm_sizes 1 2
finish
