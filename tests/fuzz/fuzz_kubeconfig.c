/* tests/fuzz/fuzz_kubeconfig.c: the kubeconfig AKS hands out (core/kube/kubeconfig.c, its own
 * small YAML reader). The bytes go in as they are, without a NUL after them, as kube.c passes
 * them. Property: a refusal is one terminal-safe line. */
#include "core/kube/kubeconfig.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	struct kubeconfig kc;
	if (kubeconfig_parse((const char *)data, size, &kc, err, sizeof err) == 0)
		fuzz_accepted = 1;
	else
		fuzz_line_safe("kubeconfig error", err);
	kubeconfig_clear(&kc);
	return 0;
}
