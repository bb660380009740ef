/* tests/unit/test_cloud.c: built-in clouds and `az cloud show` files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/azure/cloud.h"

/* What `az cloud show --name AzureCloud` prints (azure-cli 2.x). */
static const char az_cloud_show[] =
	"{\n"
	"  \"endpoints\": {\n"
	"    \"activeDirectory\": \"https://login.microsoftonline.com\",\n"
	"    \"activeDirectoryDataLakeResourceId\": \"https://datalake.azure.net/\",\n"
	"    \"activeDirectoryGraphResourceId\": \"https://graph.windows.net/\",\n"
	"    \"activeDirectoryResourceId\": \"https://management.core.windows.net/\",\n"
	"    \"appInsightsResourceId\": \"https://api.applicationinsights.io\",\n"
	"    \"batchResourceId\": \"https://batch.core.windows.net/\",\n"
	"    \"gallery\": \"https://gallery.azure.com/\",\n"
	"    \"logAnalyticsResourceId\": \"https://api.loganalytics.io\",\n"
	"    \"management\": \"https://management.core.windows.net/\",\n"
	"    \"mediaResourceId\": \"https://rest.media.azure.net\",\n"
	"    \"microsoftGraphResourceId\": \"https://graph.microsoft.com/\",\n"
	"    \"ossrdbmsResourceId\": \"https://ossrdbms-aad.database.windows.net\",\n"
	"    \"portal\": \"https://portal.azure.com\",\n"
	"    \"resourceManager\": \"https://management.azure.com/\",\n"
	"    \"sqlManagement\": \"https://management.core.windows.net:8443/\",\n"
	"    \"vmImageAliasDoc\": \"https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/"
	"quickstart-templates/aliases.json\"\n"
	"  },\n"
	"  \"isActive\": true,\n"
	"  \"name\": \"AzureCloud\",\n"
	"  \"profile\": \"latest\",\n"
	"  \"suffixes\": {\n"
	"    \"acrLoginServerEndpoint\": \".azurecr.io\",\n"
	"    \"attestationEndpoint\": \".attest.azure.net\",\n"
	"    \"azureDatalakeAnalyticsCatalogAndJobEndpoint\": \"azuredatalakeanalytics.net\",\n"
	"    \"azureDatalakeStoreFileSystemEndpoint\": \"azuredatalakestore.net\",\n"
	"    \"keyvaultDns\": \".vault.azure.net\",\n"
	"    \"mariadbServerEndpoint\": \".mariadb.database.azure.com\",\n"
	"    \"mhsmDns\": \".managedhsm.azure.net\",\n"
	"    \"mysqlServerEndpoint\": \".mysql.database.azure.com\",\n"
	"    \"postgresqlServerEndpoint\": \".postgres.database.azure.com\",\n"
	"    \"sqlServerHostname\": \".database.windows.net\",\n"
	"    \"storageEndpoint\": \"core.windows.net\",\n"
	"    \"storageSyncEndpoint\": \"afs.azure.net\",\n"
	"    \"synapseAnalyticsEndpoint\": \".dev.azuresynapse.net\"\n"
	"  }\n"
	"}\n";

/* The shape fakecloud.py --cloud-file writes: the fake on loopback, no trailing slashes. */
static const char fake_cloud[] =
	"{\"endpoints\": {\"activeDirectory\": \"http://127.0.0.1:45678/\","
	" \"activeDirectoryResourceId\": \"https://management.core.windows.net/\","
	" \"microsoftGraphResourceId\": \"http://127.0.0.1:45678\","
	" \"resourceManager\": \"http://127.0.0.1:45678\"},"
	" \"name\": \"FakeCloud\", \"suffixes\": {\"acrLoginServerEndpoint\": \".azurecr.io\"}}";

static const char *write_tmp(const char *name, const char *text)
{
	static char path[1024];
	const char *t = getenv("TEST_TMP");
	snprintf(path, sizeof path, "%s/%s", t ? t : "/tmp", name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_builtins_carry_the_three_clouds(void **state)
{
	(void)state;
	size_t n;
	const struct cloud *all = cloud_builtins(&n);
	assert_int_equal(n, 3);
	assert_string_equal(all[0].name, "AzureCloud");
	const struct cloud *cn = cloud_find("azurechinacloud");
	assert_non_null(cn);
	assert_string_equal(cn->arm, "https://management.chinacloudapi.cn/");
	assert_string_equal(cn->login, "https://login.chinacloudapi.cn");
	assert_string_equal(cn->graph, "https://microsoftgraph.chinacloudapi.cn/");
	assert_string_equal(cn->acr_suffix, ".azurecr.cn");
	const struct cloud *us = cloud_find("AzureUSGovernment");
	assert_non_null(us);
	assert_string_equal(us->arm, "https://management.usgovcloudapi.net/");
	assert_string_equal(us->login, "https://login.microsoftonline.us");
	assert_string_equal(us->arm_resource, "https://management.core.usgovcloudapi.net/");
	assert_null(cloud_find("AzureGermanCloud"));   /* retired in 2021 */
}

static void test_arm_scope_keeps_azures_double_slash(void **state)
{
	(void)state;
	char scope[300];
	cloud_arm_scope(cloud_find("AzureCloud"), scope, sizeof scope);
	assert_string_equal(scope, "https://management.core.windows.net//.default");
}

static void test_az_cloud_show_file_matches_builtin(void **state)
{
	(void)state;
	struct cloud c;
	char err[512];
	assert_int_equal(cloud_load_file(write_tmp("azurecloud.json", az_cloud_show), &c, err, sizeof err), 0);
	const struct cloud *b = cloud_find("AzureCloud");
	assert_string_equal(c.name, b->name);
	assert_string_equal(c.arm, b->arm);
	assert_string_equal(c.login, b->login);
	assert_string_equal(c.arm_resource, b->arm_resource);
	assert_string_equal(c.graph, b->graph);
	assert_string_equal(c.acr_suffix, b->acr_suffix);
}

static void test_fake_cloud_file_is_normalised(void **state)
{
	(void)state;
	struct cloud c;
	char err[512];
	assert_int_equal(cloud_load_file(write_tmp("fake.json", fake_cloud), &c, err, sizeof err), 0);
	assert_string_equal(c.name, "FakeCloud");
	assert_string_equal(c.arm, "http://127.0.0.1:45678/");
	assert_string_equal(c.graph, "http://127.0.0.1:45678/");
	assert_string_equal(c.login, "http://127.0.0.1:45678");
}

static void test_missing_field_is_named(void **state)
{
	(void)state;
	struct cloud c;
	char err[512], *text = strdup(az_cloud_show);
	char *p = strstr(text, "\"resourceManager\"");
	memcpy(p, "\"resourceManagex\"", 17);
	const char *path = write_tmp("broken.json", text);
	assert_int_equal(cloud_load_file(path, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "endpoints.resourceManager is missing"));
	assert_non_null(strstr(err, path));
	free(text);

	text = strdup(az_cloud_show);
	p = strstr(text, "\"acrLoginServerEndpoint\"");
	memcpy(p, "\"acrLoginServerEndpoinX\"", 24);
	assert_int_equal(cloud_parse_json(text, &c, err, sizeof err), -1);
	assert_string_equal(err, "suffixes.acrLoginServerEndpoint is missing");
	free(text);

	assert_int_equal(cloud_parse_json("{\"name\": \"x\"}", &c, err, sizeof err), -1);
	assert_string_equal(err, "endpoints is missing");
	assert_int_equal(cloud_parse_json("Cloud 'x' is not registered.", &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "not JSON"));
	assert_int_equal(cloud_load_file("/nonexistent/cloud.json", &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "cannot read cloud file /nonexistent/cloud.json"));
}

static void test_plain_http_endpoint_off_loopback_is_rejected(void **state)
{
	(void)state;
	struct cloud c;
	char err[512], *text = strdup(az_cloud_show);
	char *p = strstr(text, "https://management.azure.com/");
	memmove(p + 4, p + 5, strlen(p + 5) + 1);   /* https -> http */
	assert_int_equal(cloud_parse_json(text, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "endpoints.resourceManager must be an https URL"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtins_carry_the_three_clouds),
		cmocka_unit_test(test_arm_scope_keeps_azures_double_slash),
		cmocka_unit_test(test_az_cloud_show_file_matches_builtin),
		cmocka_unit_test(test_fake_cloud_file_is_normalised),
		cmocka_unit_test(test_missing_field_is_named),
		cmocka_unit_test(test_plain_http_endpoint_off_loopback_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
