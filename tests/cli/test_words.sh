# tests/cli/test_words.sh: one vocabulary (issue 17, item 20): the plan names the Minio step for
# all it makes, the runner's message key is a private key (not an SSH key), and in CPU mode
# neither the AKS step's title nor the overlay's actions speak of GPUs or the NVIDIA device plugin.
. "$SW_TOP/tests/lib.sh"
export HOME="$TEST_TMP/home"
mkdir -p "$HOME/.ssh"
ssh-keygen -q -t ed25519 -N '' -C test -f "$HOME/.ssh/id_ed25519" >/dev/null
full="$SW_TOP/tests/data/answers-full.json"
sed 's/"runner_mode": "gpu"/"runner_mode": "cpu"/' "$full" >"$TEST_TMP/cpu.json"
check "the CPU answers file says cpu" grep -q '"runner_mode": "cpu"' "$TEST_TMP/cpu.json"

expect_exit 0 "plan prints the GPU example" sh -c "'$SW_BIN' --state-dir '$SW_STATE' plan --answers '$full' >'$TEST_TMP/gpu.out'"
expect_exit 0 "plan prints the CPU example" sh -c "'$SW_BIN' --state-dir '$SW_STATE' plan --answers '$TEST_TMP/cpu.json' >'$TEST_TMP/cpu.out'"

check "the Minio step is titled for the VM and its data disk" grep -qx '3\. minio: Minio VM and data disk' "$TEST_TMP/gpu.out"
expect_exit 0 "status prints the steps" sh -c "'$SW_BIN' --state-dir '$SW_STATE' status >'$TEST_TMP/status.out'"
check "  ...with the same titles as the plan" sh -c "grep -Eq '^3 +minio +pending .* Minio VM and data disk\$' '$TEST_TMP/status.out' &&
	grep -Eq '^5 +aks +pending .* AKS cluster\$' '$TEST_TMP/status.out'"
check "the runner's message key is sealed as a private key" \
	grep -q '^ *<sealed:runner-encryption-key> private-key, the runner.s RSA-4096 message key' "$TEST_TMP/gpu.out"
check "  ...as is the experimenters' signing key" \
	grep -q '^ *<sealed:experimenter-signing-key> private-key, ' "$TEST_TMP/gpu.out"
check "the admin SSH key stays an ssh-key" grep -q '^ *<sealed:admin-ssh-key> ssh-key, ' "$TEST_TMP/gpu.out"

check "GPU mode applies the NVIDIA device plugin" grep -q '^ *- apply the NVIDIA device plugin (namespace gpu-resources)' "$TEST_TMP/gpu.out"
check "CPU mode's AKS step is not titled GPU" sh -c "grep -qx '5\. aks: AKS cluster' '$TEST_TMP/cpu.out'"
check "  ...and it applies the namespace and Secrets" grep -q '^ *- apply namespace studioml, Secrets studioml-amqp' "$TEST_TMP/cpu.out"
# The cpu plan's aks and overlay sections (from "5. aks" to the secrets list): nothing there
# says GPU pool or device plugin.
sed -n '/^5\. aks:/,/^6\. overlay:/p' "$TEST_TMP/cpu.out" >"$TEST_TMP/cpu-aks.txt"
sed -n '/^6\. overlay:/,/^ *$/p' "$TEST_TMP/cpu.out" >"$TEST_TMP/cpu-overlay.txt"
check "  ...the sections were found" sh -c "[ -s '$TEST_TMP/cpu-aks.txt' ] && [ -s '$TEST_TMP/cpu-overlay.txt' ]"
expect_absent "  ...and no NVIDIA device plugin in CPU mode" 'NVIDIA|device plugin' "$TEST_TMP/cpu-overlay.txt"
expect_absent "  ...nor a GPU pool" 'GPU pool|AKS GPU' "$TEST_TMP/cpu-aks.txt"
# The actions' texts are the review's and the install screen's too: no answers-file key for a
# decision the screen asks about.
expect_absent "no action's text names a decisions.* key" 'decisions\.' "$TEST_TMP/gpu.out"
finish
