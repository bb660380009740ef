/* The runner's GPU whitelist by release, the GPU size list labelled for the chosen image, and
 * the field and answers-file refusal of an image whose runner cannot use the GPU size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/answers.h"
#include "core/model/plan.h"
#include "core/model/runner.h"
#include "tests/unit/testutil.h"

#define SUB "11111111-2222-3333-4444-555555555555"

static void test_versions_are_read_from_the_tag(void **s)
{
	(void)s;
	struct runner_version v;
	char tag[64];
	assert_int_equal(runner_version_of("leafai/azure-studio-go-runner:0.14.2", &v, tag, sizeof tag), 0);
	assert_int_equal(v.major * 10000 + v.minor * 100 + v.patch, 1402);
	assert_string_equal(tag, "0.14.2");
	assert_int_equal(runner_version_of("leafai/studio-go-runner:0.9.26-master-aaaagnjvnvh", &v, tag, sizeof tag), 0);
	assert_int_equal(v.minor * 100 + v.patch, 926);
	assert_int_equal(runner_version_of("localhost:5000/r/studio-go-runner:v0.13.2", &v, NULL, 0), 0);
	assert_int_equal(v.minor * 100 + v.patch, 1302);
	/* A registry port is not a tag; latest and digests name no release. */
	assert_int_equal(runner_version_of("localhost:5000/r/studio-go-runner", &v, tag, sizeof tag), -1);
	assert_string_equal(tag, "");
	assert_int_equal(runner_version_of("leafai/studio-go-runner:latest", &v, tag, sizeof tag), -1);
	assert_int_equal(runner_version_of("leafai/studio-go-runner:0.14", &v, NULL, 0), -1);
	assert_int_equal(runner_version_of("leafai/studio-go-runner@sha256:0123456789012345678901234567890123456789"
	                                   "012345678901234567890123", &v, NULL, 0), -1);
}

static void test_whitelist_by_release(void **s)
{
	(void)s;
	char why[256];
	static const struct {
		const char *image, *gpu;
		int ok;
		const char *why;
	} cases[] = {
		{"r:0.9.21", "Tesla K80", 1, NULL},
		{"r:0.9.21", "Tesla P100-PCIE-16GB", 1, NULL},
		{"r:0.9.22", "Tesla V100-PCIE-16GB", 0, "runner 0.9.22 does not recognise Tesla V100-PCIE-16GB; it does from 0.9.23"},
		{"r:0.9.23", "Tesla V100-PCIE-16GB", 1, NULL},
		{"r:0.9.21", "A100-SXM4-40GB", 0, "runner 0.9.21 does not recognise A100-SXM4-40GB; it does from 0.13.2"},
		{"r:0.13.1", "A100-SXM4-40GB", 0, "it does from 0.13.2"},
		{"r:0.13.2", "A100-SXM4-40GB", 1, NULL},
		{"r:0.13.2", "GeForce RTX 2080 Ti", 1, NULL},
		{"r:0.13.1", "GeForce RTX 2080 Ti", 0, "it does from 0.13.2"},
		{"r:0.14.3-main-aaaagseyvek", "A100-SXM4-40GB", 1, NULL},
		{"r:0.14.2", "A100-SXM4-80GB", 0, "runner 0.14.2 does not recognise A100-SXM4-80GB; no runner release does"},
		{"r:0.14.2", "Tesla T4", 0, "no runner release does"},
		{"r:0.14.2", "H100 NVL", 0, "no runner release does"},
		{"r:0.15.0", "A100-SXM4-40GB", 0, "15a450f3"},
		{"r:latest", "A100-SXM4-40GB", 0, "cannot tell which runner release r:latest holds (tag latest)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		why[0] = '\0';
		int ok = runner_can_use(cases[i].image, cases[i].gpu, why, sizeof why);
		if (ok != cases[i].ok || (cases[i].why && !strstr(why, cases[i].why)))
			fail_msg("%s on %s: got %d \"%s\"", cases[i].image, cases[i].gpu, ok, why);
	}
}

static void test_gpu_list_is_labelled_for_the_chosen_image(void **s)
{
	(void)s;
	size_t n;
	const struct plan_choice *c = plan_gpu_choices("leafai/azure-studio-go-runner:0.9.21", &n);
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		assert_false(c[i].selectable);   /* 0.9.21 knows no GPU Azure still sells */
		if (strcmp(c[i].value, "Standard_ND96asr_v4") == 0) {
			found = 1;
			assert_string_equal(c[i].detail, "8 x A100-SXM4-40GB, 96 vCPU; runner 0.9.21 does not recognise "
			                                 "A100-SXM4-40GB; it does from 0.13.2");
		}
		if (strcmp(c[i].value, "Standard_NC4as_T4_v3") == 0)
			assert_null(strstr(c[i].detail, "not offered"));
	}
	assert_true(found);
	c = plan_gpu_choices("leafai/azure-studio-go-runner:0.13.2", &n);
	int usable = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].selectable) {
			usable++;
			assert_string_equal(c[i].value, "Standard_ND96asr_v4");
			assert_non_null(strstr(c[i].detail, "runner 0.13.2 can use it"));
		}
	assert_int_equal(usable, 1);
}

static void load(struct answers *a, const char *json)
{
	char err[512] = "";
	answers_init(a);
	if (answers_parse(a, json, err, sizeof err) != ANSWERS_OK)
		fail_msg("parse: %s", err);
}

static void test_field_refuses_an_image_whose_runner_cannot_use_the_size(void **s)
{
	(void)s;
	struct answers a;
	char why[512] = "";
	load(&a, "{\"subscription\":\"" SUB "\",\"uniq_id\":\"1a2b3c4d\"}");
	assert_int_equal(answers_complete(&a, why, sizeof why), ANSWERS_OK);
	assert_string_equal(answers_get(&a, plan_q("acr.image")), RUNNER_IMAGE_DEFAULT);
	assert_string_equal(answers_get(&a, plan_q("aks.runner_mode")), "gpu");
	assert_string_equal(answers_get(&a, plan_q("aks.cpu_node_vm_size")), "Standard_D4s_v5");
	assert_string_equal(answers_get(&a, plan_q("acr.source_registry")), "docker.io");
	assert_null(answers_get(&a, plan_q("decisions.low_quota")));
	/* At the acr.image field: the guide's image cannot use the default GPU size. */
	assert_int_equal(answers_check(&a, plan_q("acr.image"), "leafai/azure-studio-go-runner:0.9.21", why, sizeof why), -1);
	assert_non_null(strstr(why, "acr.image: Standard_ND96asr_v4: runner 0.9.21 does not recognise A100-SXM4-40GB; "
	                            "it does from 0.13.2"));
	assert_int_equal(answers_check(&a, plan_q("acr.image"), "leafai/azure-studio-go-runner:0.13.2", why, sizeof why), 0);
	/* At the size field: a T4 size is refused for the runner, with the reason. */
	assert_int_equal(answers_check(&a, plan_q("aks.node_vm_size"), "Standard_NC4as_T4_v3", why, sizeof why), -1);
	assert_non_null(strstr(why, "aks.node_vm_size: Standard_NC4as_T4_v3: runner 0.14.2 does not recognise Tesla T4"));
	/* Retired sizes are refused by the field's own rule. */
	assert_int_equal(answers_check(&a, plan_q("aks.node_vm_size"), "Standard_NC6", why, sizeof why), -1);
	assert_non_null(strstr(why, "retired"));
	/* In cpu mode the GPU size does not matter. */
	answers_set(&a, plan_q("aks.runner_mode"), "cpu");
	assert_int_equal(answers_check(&a, plan_q("acr.image"), "leafai/azure-studio-go-runner:0.9.21", why, sizeof why), 0);
	answers_free(&a);
}

static void test_answers_file_cross_check_names_the_key_and_reason(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "";
	load(&a, "{\"subscription\":\"" SUB "\",\"acr\":{\"image\":\"leafai/azure-studio-go-runner:0.9.21\"}}");
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "acr.image: Standard_ND96asr_v4: runner 0.9.21 does not recognise A100-SXM4-40GB; "
	                            "it does from 0.13.2"));
	answers_free(&a);
	load(&a, "{\"subscription\":\"" SUB "\",\"aks\":{\"node_vm_size\":\"Standard_NC24ads_A100_v4\"}}");
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "aks.node_vm_size: Standard_NC24ads_A100_v4: runner 0.14.2 does not recognise "
	                            "A100 80GB PCIe; no runner release does"));
	answers_free(&a);
	load(&a, "{\"subscription\":\"" SUB "\",\"acr\":{\"image\":\"leafai/azure-studio-go-runner:0.9.21\"},"
	         "\"aks\":{\"runner_mode\":\"cpu\"},\"decisions\":{\"low_quota\":\"cpu\"}}");
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_OK);
	assert_int_equal(answers_cpu_mode(&a), 1);
	answers_free(&a);
	answers_init(&a);
	assert_int_equal(answers_parse(&a, "{\"acr\":{\"source_registry\":\"http://10.0.0.1:5000\"}}", err, sizeof err),
	                 ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "acr.source_registry: plain http:// is only for loopback"));
	answers_free(&a);
	answers_init(&a);
	assert_int_equal(answers_parse(&a, "{\"acr\":{\"source_registry\":\"http://127.0.0.1:5000\"}}", err, sizeof err),
	                 ANSWERS_OK);
	answers_free(&a);
	answers_init(&a);
	assert_int_equal(answers_parse(&a, "{\"aks\":{\"runner_mode\":\"tpu\"}}", err, sizeof err), ANSWERS_E_INVALID);
	assert_non_null(strstr(err, "aks.runner_mode: must be gpu or cpu"));
	answers_free(&a);
}

static int setup(void **s)
{
	*s = test_home_with_ssh_key("home");
	return *s ? 0 : -1;
}

static int teardown(void **s)
{
	test_rmrf(*s);
	free(*s);
	return 0;
}

/* Eight runner pods on an ND96asr_v4 each get an eighth of what AKS leaves allocatable
 * (96 vCPU less 1060m kube-reserved; 900 GiB less 4816 MiB + 100 MiB), never the whole node. */
static void test_eight_pods_share_an_nd96asr_v4(void **s)
{
	(void)s;
	struct runner_share sh;
	char why[300];
	assert_int_equal(runner_share("Standard_ND96asr_v4", 8, &sh, why, sizeof why), 0);
	assert_int_equal(sh.max_cores, 11);
	assert_true(sh.cpu_milli * 8 <= 96000 - 1060 && sh.cpu_milli >= 11000);
	assert_true(sh.mem_mib * 8 <= 900L * 1024 - 4816 - 100 && sh.mem_mib > 100L * 1024);
	assert_true(sh.max_mem_mib < sh.mem_mib);
	assert_true(sh.disk_gib * 8 <= 6000 * 9 / 10 && sh.disk_gib >= 600);
	assert_true(sh.max_disk_gib < sh.disk_gib);
	/* One pod per node (CPU mode) gets the node less the reserves. */
	assert_int_equal(runner_share("Standard_D4s_v5", 1, &sh, why, sizeof why), 0);
	assert_int_equal(sh.cpu_milli, 3360);
	assert_int_equal(sh.mem_mib, 11164);
	assert_int_equal(sh.disk_gib, 85);
}

static void test_share_refuses_unknown_and_too_small_nodes(void **s)
{
	(void)s;
	struct runner_share sh;
	char why[300];
	assert_int_equal(runner_share("Standard_E4s_v5", 1, &sh, why, sizeof why), -1);
	assert_string_equal(why, "Standard_E4s_v5 is not a size the wizard knows the cores, memory and disk of");
	/* 4 GiB less a quarter, the eviction threshold and the DaemonSets' 1 GiB: under 2 GiB. */
	assert_int_equal(runner_share("Standard_A2_v2", 1, &sh, why, sizeof why), -2);
	assert_non_null(strstr(why, "Standard_A2_v2 shared by 1 runner pods leaves each 1400m CPU, 1948 MiB"));
}

int main(void)
{
	test_use_steps();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_are_read_from_the_tag),
		cmocka_unit_test(test_eight_pods_share_an_nd96asr_v4),
		cmocka_unit_test(test_share_refuses_unknown_and_too_small_nodes),
		cmocka_unit_test(test_whitelist_by_release),
		cmocka_unit_test(test_gpu_list_is_labelled_for_the_chosen_image),
		cmocka_unit_test(test_field_refuses_an_image_whose_runner_cannot_use_the_size),
		cmocka_unit_test(test_answers_file_cross_check_names_the_key_and_reason),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
