# Every GPU size the chooser offers: refused with the answers (retired by Azure, or a GPU the
# runner image does not recognise), or the registry and cluster are made with every PUT
# passing the fake's rule table (tests/fake/azure_rules.py).
. "$SW_TOP/tests/cli/azure_rules_lib.sh"

sp_vault
# ---- GPU sizes ---------------------------------------------------------------------------
acraks_start "$FAST, $QUOTA"
"$CHOICES" aks.node_vm_size >"$TEST_TMP/gpus" || not_ok "choices tool"
check "the GPU chooser offers sizes" test "$(wc -l <"$TEST_TMP/gpus")" -ge 10
passed=0
for size in $(cut -f2 "$TEST_TMP/gpus"); do
	acraks_answers "$TEST_TMP/g.json" "" "\"node_vm_size\": \"$size\""
	if ! sw plan --answers "$TEST_TMP/g.json" >/dev/null 2>"$TEST_TMP/plan.err"; then
		check "$size: refused with the answers, naming the key and why" \
			grep -Eq "(aks\.node_vm_size|acr\.image): $size.*(retired by Azure|does not recognise)" "$TEST_TMP/plan.err"
		continue
	fi
	fresh "$FAST, $QUOTA, \"hub_url\": \"$HUB\""
	acraks --answers "$TEST_TMP/g.json"
	snap
	check "$size: the cluster PUT was sent and every PUT passed the rule table" test \
		"$(puts | grep -c '/managedClusters/')/$(refused_puts | wc -l)" = 1/0
	refused_puts | sed 's/^/#   refused: /'
	passed=$((passed + 1))
done
check "the default GPU size is one that passes" test "$passed" -ge 1
finish
