/* core/azure/skus.c against the recorded resourceSkus answer: the sizes a region offers, the
 * restrictions that stop one, and the Hyper-V generations a size boots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/skus.h"

static cJSON *skus_answer(void)
{
	const char *top = getenv("SW_TOP");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fake/recordings/arm/compute/resourceSkus_list_200_gpu.json",
	         top ? top : ".");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *rec = cJSON_Parse(buf);
	assert_non_null(rec);
	cJSON *body = cJSON_DetachItemFromObject(cJSON_GetObjectItem(rec, "response"), "body");
	cJSON_Delete(rec);
	assert_non_null(body);
	return body;
}

static void test_generation_one_only_size_boots_no_gen2_image(void **s)
{
	(void)s;
	cJSON *a = skus_answer();
	const cJSON *a2 = skus_find_vm(a, "standard_a2_v2");
	assert_non_null(a2);
	assert_string_equal(skus_cap(a2, "HyperVGenerations"), "V1");
	assert_true(skus_boots(a2, "V1"));
	assert_false(skus_boots(a2, "V2"));
	const cJSON *d2 = skus_find_vm(a, "Standard_D2s_v3");
	assert_true(skus_boots(d2, "V1") && skus_boots(d2, "V2"));
	const cJSON *nc = skus_find_vm(a, "Standard_NC24ads_A100_v4");
	assert_false(skus_boots(nc, "V1"));
	assert_true(skus_boots(nc, "V2"));
	long n = 0;
	assert_int_equal(skus_cap_count(nc, "vCPUs", 65536, &n), 0);
	assert_int_equal(n, 24);
	assert_null(skus_find_vm(a, "Premium_LRS"));   /* a disks entry, not a VM size */
	cJSON_Delete(a);
}

static void test_offered_restricted_and_missing_sizes(void **s)
{
	(void)s;
	cJSON *a = skus_answer();
	char msg[512] = "";
	assert_non_null(skus_check_offered(a, "Standard_B2s", "rabbitmq.vm_size", "eastus", msg, sizeof msg));
	/* A Zone restriction still lets a regional VM through. */
	assert_non_null(skus_check_offered(a, "Standard_NC4as_T4_v3", "aks.node_vm_size", "eastus", msg, sizeof msg));
	assert_null(skus_check_offered(a, "Standard_NC6s_v3", "aks.node_vm_size", "eastus", msg, sizeof msg));
	assert_string_equal(msg, "aks.node_vm_size: Standard_NC6s_v3 is not available to this subscription in eastus "
	                         "(NotAvailableForSubscription); choose another size or region, or ask Azure support to "
	                         "enable it");
	assert_null(skus_check_offered(a, "Standard_Q9", "minio.vm_size", "westus", msg, sizeof msg));
	assert_string_equal(msg, "minio.vm_size: Standard_Q9 is not offered in westus");
	cJSON_Delete(a);
}

static void test_a_size_without_the_capability_boots_generation_one(void **s)
{
	(void)s;
	cJSON *sku = cJSON_Parse("{\"name\":\"Standard_X\",\"capabilities\":[{\"name\":\"vCPUs\",\"value\":\"2\"}]}");
	assert_true(skus_boots(sku, "V1"));
	assert_false(skus_boots(sku, "V2"));
	cJSON_Delete(sku);
	sku = cJSON_Parse("{\"capabilities\":[{\"name\":\"HyperVGenerations\",\"value\":\"V1, V2\"}]}");
	assert_true(skus_boots(sku, "V2"));
	assert_false(skus_boots(sku, "V"));
	cJSON_Delete(sku);
	char path[64];
	assert_int_equal(skus_path(path, sizeof path, "s", "eastus"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generation_one_only_size_boots_no_gen2_image),
		cmocka_unit_test(test_offered_restricted_and_missing_sizes),
		cmocka_unit_test(test_a_size_without_the_capability_boots_generation_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
