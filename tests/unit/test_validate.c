/* Every validator against values Azure (or S3, or the runner) accepts and refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model/outputs.h"
#include "core/model/plan.h"
#include "core/model/runner.h"
#include "core/model/validate.h"
#include "tests/unit/testutil.h"

/* Checks each good value passes and each bad one fails with a message containing rule. */
static void check(validate_fn fn, const char *const *good, const char *const *bad, const char *rule)
{
	char why[512];
	for (; *good; good++) {
		why[0] = '\0';
		if (fn(*good, why, sizeof why) != 0)
			fail_msg("valid value \"%s\" refused: %s", *good, why);
	}
	for (; *bad; bad++) {
		why[0] = '\0';
		if (fn(*bad, why, sizeof why) == 0)
			fail_msg("invalid value \"%s\" accepted", *bad);
		if (rule && !strstr(why, rule))
			fail_msg("message for \"%s\" does not state the rule \"%s\": %s", *bad, rule, why);
	}
}

#define L(...) (const char *const[]){__VA_ARGS__, NULL}

static void test_guid_needs_8_4_4_4_12_hex(void **s)
{
	(void)s;
	check(validate_guid, L("00000000-0000-0000-0000-000000000000", "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
	                       "ABCDEF01-2345-6789-abcd-ef0123456789"),
	      L("", "0000000-0000-0000-0000-000000000000", "00000000000000000000000000000000",
	        "00000000-0000-0000-0000-00000000000g", "{00000000-0000-0000-0000-000000000000}",
	        "00000000-0000-0000-0000-0000000000000"),
	      "GUID");
}

/* Outputs read back from state.json (core/model/outputs.c): an edited one names its key. */
static void test_outputs_have_exact_formats(void **s)
{
	(void)s;
	check(validate_ipv4, L("127.0.0.2", "203.0.113.7", "0.0.0.0", "255.255.255.255"),
	      L("", "evil.example", "127.0.0.2:22", "127.0.0.2/32", "01.2.3.4", "1.2.3", "1.2.3.256", "1.2.3.4 ",
	        "1.2.3.4;id"),
	      "IPv4 address");
	check(validate_endpoint, L("http://127.0.0.3:9000", "http://203.0.113.7:1"),
	      L("", "http://evil.example:9000", "https://127.0.0.3:9000", "http://127.0.0.3", "http://127.0.0.3:",
	        "http://127.0.0.3:0", "http://127.0.0.3:65536", "http://127.0.0.3:9000/x", "http://127.0.0.3:9000\"",
	        "http://user@127.0.0.3:9000"),
	      "http://IPv4:port");
	char why[512];
	assert_int_equal(outputs_check("minio.data_partuuid", "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8", why, sizeof why), 0);
	assert_int_equal(outputs_check("minio.data_partuuid",
	                               "00000000-0000-4000-8000-000000000000'; id > /tmp/PWNED; : '", why, sizeof why),
	                 -1);
	assert_string_equal(why, "outputs.\"minio.data_partuuid\" in state.json: must be a UUID in lower case, such as "
	                         "0b1c2d3e-4f50-4a61-8b72-93a4b5c6d7e8");
	assert_int_equal(outputs_check("minio.data_fsuuid", "0B1C2D3E-4F50-4A61-8B72-93A4B5C6D7E8", why, sizeof why), -1);
	assert_int_equal(outputs_check("rabbitmq.public_ip", "evil.example:5672/%2f?x=", why, sizeof why), -1);
	assert_non_null(strstr(why, "outputs.\"rabbitmq.public_ip\" in state.json: must be an IPv4 address"));
	assert_int_equal(outputs_check("no.such_output", "x", why, sizeof why), -1);
	assert_non_null(strstr(why, "has no known format"));
	cJSON *o = cJSON_Parse("{\"minio.public_ip\": 7, \"minio.endpoint\": \"http://127.0.0.3:9000\"}");
	const char *v = "unset";
	assert_int_equal(outputs_get(o, "minio.public_ip", &v, why, sizeof why), -1);
	assert_null(v);
	assert_non_null(strstr(why, "must be a string"));
	assert_int_equal(outputs_get(o, "minio.endpoint", &v, why, sizeof why), 0);
	assert_string_equal(v, "http://127.0.0.3:9000");
	assert_int_equal(outputs_get(o, "rabbitmq.public_ip", &v, why, sizeof why), 0);
	assert_null(v);
	cJSON_Delete(o);
}

static void test_tenant_accepts_guid_domain_or_organizations(void **s)
{
	(void)s;
	check(validate_tenant, L("organizations", "common", "contoso.onmicrosoft.com",
	                         "11111111-2222-3333-4444-555555555555", "example.co.uk"),
	      L("", "contoso", "-bad.com", "bad-.com", "a..com", "has space.com"), "tenant");
}

static void test_uniq_id_is_1_to_8_lowercase_alnum(void **s)
{
	(void)s;
	check(validate_uniq_id, L("1a2b3c4d", "a", "00000000", "zz9"),
	      L("", "1a2b3c4d5", "ABCDEF12", "1a-2b", "1a2b 3c"), "1-8 lower-case");
}

static void test_resource_group_follows_azure_rule(void **s)
{
	(void)s;
	char n90[91], n91[92];
	memset(n90, 'a', 90);
	n90[90] = '\0';
	memset(n91, 'a', 91);
	n91[91] = '\0';
	check(validate_resource_group, L("studioml-1a2b3c4d", "rg_(test).1", "a", n90, "My.RG-2"),
	      L("", n91, "ends.with.period.", "has space", "slash/no", "hash#", "ümlaut"),
	      "1-90 letters, digits, underscores, hyphens, periods or parentheses");
}

static void test_vm_name_is_a_linux_host_name(void **s)
{
	(void)s;
	char n64[65], n65[66];
	memset(n64, 'v', 64);
	n64[64] = '\0';
	memset(n65, 'v', 65);
	n65[65] = '\0';
	check(validate_vm_name, L("rabbitmq", "minio-1", "vm.example", "A1", n64),
	      L("", n65, "_underscore", "-leading", "trailing-", "trailing.", "has_underscore",
	        "bad@char", "semi;colon", "with space"),
	      "1-64 letters, digits, hyphens or periods");
}

static void test_vm_size_must_look_like_standard_size(void **s)
{
	(void)s;
	check(validate_vm_size, L("Standard_A2_v2", "Standard_D2s_v3", "Standard_ND96asr_v4"),
	      L("", "A2_v2", "Standard_", "standard_a2_v2", "Standard_A2 v2", "Standard_A2-v2"),
	      "Azure VM size");
}

static void test_admin_user_refuses_azure_reserved_names(void **s)
{
	(void)s;
	char why[256];
	check(validate_admin_user, L("azureuser", "studioml", "ops_team", "_svc", "a1-b2"),
	      L("admin", "Administrator", "root", "user", "test", "guest", "support_388945a0", "1",
	        "a", "sys", "user5"),
	      "Azure does not allow");
	check(validate_admin_user, L("kmutch"), L("daemon", "bitnami", "sshd"), "system account");
	check(validate_admin_user, L("x"),
	      L("", "Upper", "9lives", "-dash", "has space", "abcdefghijklmnopqrstuvwxyz0123456"),
	      "1-32 lower-case");
	assert_int_equal(validate_admin_user("admin", why, sizeof why), -1);
	assert_non_null(strstr(why, "'admin'"));
}

static void test_registry_is_5_to_50_alphanumerics(void **s)
{
	(void)s;
	char n50[51], n51[52];
	memset(n50, 'r', 50);
	n50[50] = '\0';
	memset(n51, 'r', 51);
	n51[51] = '\0';
	check(validate_registry_name, L("leafai1a2b3c4d", "abcde", n50, "MyRegistry1"),
	      L("", "abcd", n51, "leafai-1a2b", "leafai_1", "leafai.1"), "5-50 letters and digits only");
}

static void test_aks_name_allows_underscore_not_leading(void **s)
{
	(void)s;
	char n63[64], n64[65];
	memset(n63, 'k', 63);
	n63[63] = '\0';
	memset(n64, 'k', 64);
	n64[64] = '\0';
	check(validate_aks_name, L("leafai-cluster-1a2b3c4d", "a", "my_cluster", n63),
	      L("", n64, "-lead", "trail-", "_lead", "trail_", "dot.name"), "1-63 letters");
}

static void test_dns_prefix_is_1_to_54_alnum_hyphen(void **s)
{
	(void)s;
	char n54[55], n55[56];
	memset(n54, 'd', 54);
	n54[54] = '\0';
	memset(n55, 'd', 55);
	n55[55] = '\0';
	check(validate_dns_prefix, L("leafai-1a2b3c4d", "a", n54),
	      L("", n55, "-x", "x-", "under_score", "dot.x"), "1-54 letters");
}

static void test_bucket_follows_s3_rules(void **s)
{
	(void)s;
	check(validate_bucket, L("studioml-artifacts", "abc", "my.bucket.1", "1bucket"),
	      L("ab", "UPPER", "under_score", "has space"), "3-63 lower-case");
	check(validate_bucket, L("a0a"), L("-abc", "abc-", ".abc", "abc."), "start and end");
	check(validate_bucket, L("a-b.c"), L("a..b", "a.-b", "a-.b"), "two periods");
	check(validate_bucket, L("192.168.5"), L("192.168.5.4", "10.0.0.1"), "IP address");
	check(validate_bucket, L("xn-ok"), L("xn--punycode", "sthree-x"), "xn--");
	check(validate_bucket, L("my-s3alias-ok"), L("bucket-s3alias", "bucket--ol-s3"), "-s3alias");
}

static void test_ports_and_counts_have_ranges(void **s)
{
	(void)s;
	check(validate_port, L("1", "9000", "65535"), L("0", "65536", "", "-1", "80a", " 80", "1.5"),
	      "1 to 65535");
	check(validate_amqp_port, L("5672", "55535"), L("55536", "0"), "+ 10000");
	check(validate_node_count, L("1", "1000"), L("0", "1001", "two"), "1000 nodes");
	check(validate_data_disk_gb, L("4", "1024", "32767"), L("3", "32768", "1TB"), "4 to 32767");
}

static void test_amqp_user_avoids_characters_the_runner_mangles(void **s)
{
	(void)s;
	check(validate_amqp_user, L("studioml", "run.ner_1~x-y"), L("", "us:er", "us@er", "us%er", "us er"),
	      "AMQP_URL");
	check(validate_amqp_user, L("guest2"), L("guest"), "localhost");
}

static void test_image_ref_is_repository_and_optional_tag(void **s)
{
	(void)s;
	check(validate_image_ref,
	      L("leafai/azure-studio-go-runner:0.9.21", "leafai/studio-go-runner", "busybox",
	        "quay.io/leafai/studio-go-runner:0.14.3-main-aaaagseyvek", "localhost:5000/x/y:1",
	        "my.registry:443/a__b/c-d:v1.0",
	        "repo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
	      L("", "Leafai/Runner", "leafai/runner:", "leafai//runner", "leafai/runner:-bad",
	        "leafai/runner:has space", "/leading", "trailing/", "a/.b", "repo@sha256:short",
	        "leafai/ru nner"),
	      "image reference");
}

static void test_k8s_namespace_is_a_dns_label(void **s)
{
	(void)s;
	check(validate_k8s_namespace, L("studioml", "default", "a-1"),
	      L("", "Studio", "-a", "a-", "a_b", "a.b"), "1-63 lower-case");
	check(validate_k8s_namespace, L("kubex"), L("kube-system", "kube-public"), "kube-");
}

static void test_bool_regex_and_dir(void **s)
{
	(void)s;
	char *dir = test_mkdtemp("validate");
	char file[4200];
	snprintf(file, sizeof file, "%s/plainfile", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	check(validate_bool, L("true", "false"), L("", "yes", "TRUE", "1"), "true or false");
	check(validate_regex_text, L("^rmq_.*$", "."), L("", "a\nb"), "regular expression");
	const char *const good_dirs[] = {dir, "~/overlay", "relative/new/dir", NULL};
	const char *const bad_dirs[] = {"", "a\tb", NULL};
	check(validate_dir, good_dirs, bad_dirs, "directory path");
	const char *const not_dir[] = {file, NULL};
	check(validate_dir, good_dirs, not_dir, "is not a directory");
	test_rmrf(dir);
	free(dir);
}

/* Known good keys: made once with ssh-keygen, public halves only. */
#define ED25519 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEdP4XbRhQca/pYtlftrBSgfz5ayBBUplXqcA7kYJcj5 t@h"
#define ECDSA "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEltt3b/bOIdwyok2RJUR6tCCWUjhU5Wgvv24RE7rwHWpP0mnGLOZSPQF2Xw2U//iwi6UOSlAFEooo4ZcRr09Eg= x"

static char *keygen(const char *dir, const char *name, const char *args)
{
	char cmd[4600];
	char *pub = malloc(4300);
	assert_non_null(pub);
	snprintf(cmd, sizeof cmd, "ssh-keygen -q %s -N '' -C test -f '%s/%s' >/dev/null 2>&1",
	         args, dir, name);
	assert_int_equal(system(cmd), 0);
	snprintf(pub, 4300, "%s/%s.pub", dir, name);
	return pub;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_ssh_key_file_parses_as_key_azure_accepts(void **s)
{
	(void)s;
	char why[512];
	char *dir = test_mkdtemp("sshkeys");
	char *ed = keygen(dir, "ed", "-t ed25519");
	char *rsa = keygen(dir, "rsa", "-t rsa -b 2048");
	char *rsa1k = keygen(dir, "rsa1k", "-t rsa -b 1024");
	char *ec = keygen(dir, "ec", "-t ecdsa -b 256");
	char path[4300];

	assert_int_equal(validate_ssh_public_key_file(ed, why, sizeof why), 0);
	assert_int_equal(validate_ssh_public_key_file(rsa, why, sizeof why), 0);
	assert_int_equal(validate_ssh_public_key_file(rsa1k, why, sizeof why), -1);
	assert_non_null(strstr(why, "1024-bit RSA key"));
	assert_int_equal(validate_ssh_public_key_file(ec, why, sizeof why), -1);
	assert_non_null(strstr(why, "ECDSA"));

	/* The private half: refused without echoing a byte of it. */
	snprintf(path, sizeof path, "%s/ed", dir);
	assert_int_equal(validate_ssh_public_key_file(path, why, sizeof why), -1);
	assert_non_null(strstr(why, "give the .pub file"));
	assert_null(strstr(why, "OPENSSH PRIVATE"));

	snprintf(path, sizeof path, "%s/missing.pub", dir);
	assert_int_equal(validate_ssh_public_key_file(path, why, sizeof why), -1);
	assert_non_null(strstr(why, "cannot read"));

	/* Type in front does not match the type inside the blob. */
	snprintf(path, sizeof path, "%s/mismatch.pub", dir);
	write_file(path, "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIEdP4XbRhQca/pYtlftrBSgfz5ayBBUplXqcA7kYJcj5 x\n");
	assert_int_equal(validate_ssh_public_key_file(path, why, sizeof why), -1);
	assert_non_null(strstr(why, "does not match"));

	snprintf(path, sizeof path, "%s/badb64.pub", dir);
	write_file(path, "ssh-ed25519 AAAA!!!notbase64 x\n");
	assert_int_equal(validate_ssh_public_key_file(path, why, sizeof why), -1);
	assert_non_null(strstr(why, "base64"));

	snprintf(path, sizeof path, "%s/empty.pub", dir);
	write_file(path, "");
	assert_int_equal(validate_ssh_public_key_file(path, why, sizeof why), -1);
	assert_non_null(strstr(why, "empty"));

	snprintf(path, sizeof path, "%s/ssh2.pub", dir);
	write_file(path, "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----\n");
	assert_int_equal(validate_ssh_public_key_file(path, why, sizeof why), -1);
	assert_non_null(strstr(why, "RFC 4716"));

	/* ~ is the operator's home directory. */
	char *old = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("HOME", dir, 1);
	assert_int_equal(validate_ssh_public_key_file("~/ed.pub", why, sizeof why), 0);
	if (old)
		setenv("HOME", old, 1);
	free(old);

	assert_int_equal(validate_ssh_public_key(ED25519, why, sizeof why), 0);
	assert_int_equal(validate_ssh_public_key(ECDSA, why, sizeof why), -1);
	assert_int_equal(validate_ssh_public_key("ssh-dss AAAAB3NzaC1kc3M= x", why, sizeof why), -1);

	free(ed);
	free(rsa);
	free(rsa1k);
	free(ec);
	test_rmrf(dir);
	free(dir);
}

static void test_location_and_choices(void **s)
{
	(void)s;
	check(plan_validate_location, L("eastus", "westeurope", "usgovvirginia"),
	      L("", "East US", "EASTUS", "mars1"), "Azure region");
	check(plan_validate_cloud, L("AzureCloud", "AzureChinaCloud"), L("azure", ""), "AzureCloud");
	/* The cloud a --cloud FILE defines is accepted by its name, and only while set. */
	char why[256];
	assert_int_equal(plan_validate_cloud("AzureStackLab", why, sizeof why), -1);
	assert_non_null(strstr(why, "--cloud FILE"));
	plan_set_extra_cloud("AzureStackLab");
	assert_int_equal(plan_validate_cloud("AzureStackLab", why, sizeof why), 0);
	assert_int_equal(plan_validate_cloud("AzureCloud", why, sizeof why), 0);
	assert_int_equal(plan_validate_cloud("OtherLab", why, sizeof why), -1);
	assert_non_null(strstr(why, "or AzureStackLab (the --cloud file's)"));
	plan_set_extra_cloud(NULL);
	assert_int_equal(plan_validate_cloud("AzureStackLab", why, sizeof why), -1);
	check(plan_validate_auth_method, L("device-code", "azure-cli", "service-principal"),
	      L("password", ""), "device-code");
	check(plan_validate_acr_sku, L("Basic", "Premium"), L("basic", "Free"), "Basic");
}

/* The field's own rule plus what the default image's runner can use (the joined rule of
 * answers_check; tests/unit/test_runner.c covers other images). */
static int gpu_for_default_image(const char *value, char *why, size_t whylen)
{
	if (plan_validate_gpu_size(value, why, whylen) != 0)
		return -1;
	return plan_gpu_usable(value, RUNNER_IMAGE_DEFAULT, why, whylen) ? 0 : -1;
}

static void test_gpu_size_refuses_what_the_runner_cannot_use(void **s)
{
	(void)s;
	check(gpu_for_default_image, L("Standard_ND96asr_v4"),
	      L("Standard_NC4as_T4_v3", "Standard_NV36ads_A10_v5", "Standard_NC24ads_A100_v4",
	        "Standard_ND96amsr_A100_v4", "Standard_ND96isr_H100_v5"),
	      "does not recognise");
	check(plan_validate_gpu_size, L("Standard_ND96asr_v4"),
	      L("Standard_NC6", "Standard_NC6s_v3", "Standard_NC24s_v3"), "retired");
	check(plan_validate_gpu_size, L("Standard_ND96asr_v4"), L("Standard_D2s_v3", ""), "GPU sizes");
}

int main(void)
{
	test_use_steps();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_needs_8_4_4_4_12_hex),
		cmocka_unit_test(test_outputs_have_exact_formats),
		cmocka_unit_test(test_tenant_accepts_guid_domain_or_organizations),
		cmocka_unit_test(test_uniq_id_is_1_to_8_lowercase_alnum),
		cmocka_unit_test(test_resource_group_follows_azure_rule),
		cmocka_unit_test(test_vm_name_is_a_linux_host_name),
		cmocka_unit_test(test_vm_size_must_look_like_standard_size),
		cmocka_unit_test(test_admin_user_refuses_azure_reserved_names),
		cmocka_unit_test(test_registry_is_5_to_50_alphanumerics),
		cmocka_unit_test(test_aks_name_allows_underscore_not_leading),
		cmocka_unit_test(test_dns_prefix_is_1_to_54_alnum_hyphen),
		cmocka_unit_test(test_bucket_follows_s3_rules),
		cmocka_unit_test(test_ports_and_counts_have_ranges),
		cmocka_unit_test(test_amqp_user_avoids_characters_the_runner_mangles),
		cmocka_unit_test(test_image_ref_is_repository_and_optional_tag),
		cmocka_unit_test(test_k8s_namespace_is_a_dns_label),
		cmocka_unit_test(test_bool_regex_and_dir),
		cmocka_unit_test(test_ssh_key_file_parses_as_key_azure_accepts),
		cmocka_unit_test(test_location_and_choices),
		cmocka_unit_test(test_gpu_size_refuses_what_the_runner_cannot_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
