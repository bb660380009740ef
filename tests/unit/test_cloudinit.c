/* core/remote/cloudinit: the user-data read back by a real YAML parser (python3-yaml), the
 * host key in it read by ssh-keygen, unsafe names refused, Azure's size limit kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/remote/cloudinit.h"
#include "secrets/secmem.h"
#include "testutil.h"

static char *dir;
static struct keys_pair *host, *admin, *oper;
static char admin_line[KEYS_LINE_MAX], oper_line[KEYS_LINE_MAX + 64], host_line[KEYS_LINE_MAX];

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Runs cmd, returns its stdout (malloc'd); asserts exit 0. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 20, n = 0, r;
	char *buf = malloc(cap + 1);
	while ((r = fread(buf + n, 1, cap - n, p)) > 0)
		n += r;
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	return buf;
}

/* The user-data parsed by PyYAML, as cJSON. */
static cJSON *parse_yaml(const char *text, size_t len)
{
	char path[4200], cmd[9000];
	snprintf(path, sizeof path, "%s/user-data", dir);
	write_file(path, text, len);
	snprintf(cmd, sizeof cmd,
	         "python3 -c 'import sys, json, yaml; t = open(sys.argv[1]).read(); "
	         "assert t.startswith(\"#cloud-config\\n\"); print(json.dumps(yaml.safe_load(t)))' '%s'", path);
	char *out = run(cmd);
	cJSON *j = cJSON_Parse(out);
	free(out);
	assert_non_null(j);
	return j;
}

static const char *str_at(const cJSON *j, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, a);
	if (b)
		x = cJSON_GetObjectItemCaseSensitive(x, b);
	assert_true(cJSON_IsString(x));
	return x->valuestring;
}

static void test_cloudinit_user_data_parses_and_pins_the_host_key(void **state)
{
	(void)state;
	struct cloudinit_vm vm = {.hostname = "rabbitmq-a1b2c3d4", .admin_user = "studio", .admin_key = admin_line,
	                          .operator_key = oper_line, .host_key = host};
	char *ud, *b64, err[256];
	size_t len;
	assert_int_equal(cloudinit_build(&vm, &ud, &len, &b64, err, sizeof err), 0);
	assert_int_equal(strlen(ud), len);
	/* base64 is exactly the text. */
	unsigned char *dec = secmem_alloc(len + 1);
	size_t dlen;
	assert_int_equal(sodium_base642bin(dec, len + 1, b64, strlen(b64), NULL, &dlen, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(dlen, len);
	assert_memory_equal(dec, ud, len);
	secmem_free(dec);

	cJSON *j = parse_yaml(ud, len);
	assert_string_equal(str_at(j, "hostname", NULL), "rabbitmq-a1b2c3d4");
	const cJSON *users = cJSON_GetObjectItemCaseSensitive(j, "users");
	assert_int_equal(cJSON_GetArraySize(users), 1);
	const cJSON *u = cJSON_GetArrayItem(users, 0);
	assert_string_equal(str_at(u, "name", NULL), "studio");
	assert_string_equal(str_at(u, "sudo", NULL), "ALL=(ALL) NOPASSWD:ALL");
	assert_string_equal(str_at(u, "shell", NULL), "/bin/bash");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "lock_passwd")));
	const cJSON *ak = cJSON_GetObjectItemCaseSensitive(u, "ssh_authorized_keys");
	assert_int_equal(cJSON_GetArraySize(ak), 2);
	assert_string_equal(cJSON_GetArrayItem(ak, 0)->valuestring, admin_line);
	assert_string_equal(cJSON_GetArrayItem(ak, 1)->valuestring, oper_line);   /* quotes and backslash intact */
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "ssh_pwauth")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "ssh_deletekeys")));
	const cJSON *gen = cJSON_GetObjectItemCaseSensitive(j, "ssh_genkeytypes");
	assert_true(cJSON_IsArray(gen));
	assert_int_equal(cJSON_GetArraySize(gen), 0);
	assert_string_equal(str_at(j, "ssh_keys", "ed25519_public"), host_line);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "packages"));

	/* The private host key in it is a key ssh-keygen reads, whose public half is ed25519_public. */
	const char *priv = str_at(j, "ssh_keys", "ed25519_private");
	assert_true(strncmp(priv, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	char path[4200], cmd[8600];
	snprintf(path, sizeof path, "%s/host_from_yaml", dir);
	write_file(path, priv, strlen(priv));
	snprintf(cmd, sizeof cmd, "ssh-keygen -y -f '%s'", path);
	char *pub = run(cmd);
	assert_true(strncmp(pub, host_line, strlen(host_line)) == 0);
	free(pub);
	cJSON_Delete(j);
	secmem_free(ud);
	secmem_free(b64);

	/* Without the operator's key: only ours. With packages: listed. */
	const char *pkgs[] = {"rabbitmq-server", "erlang-base", NULL};
	vm.operator_key = NULL;
	vm.packages = pkgs;
	assert_int_equal(cloudinit_build(&vm, &ud, &len, &b64, err, sizeof err), 0);
	j = parse_yaml(ud, len);
	u = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "users"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(u, "ssh_authorized_keys")), 1);
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "packages");
	assert_int_equal(cJSON_GetArraySize(p), 2);
	assert_string_equal(cJSON_GetArrayItem(p, 0)->valuestring, "rabbitmq-server");
	cJSON_Delete(j);
	secmem_free(ud);
	secmem_free(b64);
}

static void refused(struct cloudinit_vm vm, const char *why)
{
	char *ud = (char *)1, *b64 = (char *)1, err[256] = "";
	size_t len;
	assert_int_equal(cloudinit_build(&vm, &ud, &len, &b64, err, sizeof err), -1);
	assert_null(ud);
	assert_null(b64);
	if (!strstr(err, why))
		fail_msg("error '%s' does not say '%s'", err, why);
}

static void test_cloudinit_refuses_names_that_are_not_plain(void **state)
{
	(void)state;
	struct cloudinit_vm ok = {.hostname = "minio", .admin_user = "studio", .admin_key = admin_line, .host_key = host};
	struct cloudinit_vm vm = ok;
	vm.hostname = "minio\nruncmd: [reboot]";
	refused(vm, "hostname");
	vm.hostname = "Minio";
	refused(vm, "hostname");
	vm.hostname = "-minio";
	refused(vm, "hostname");
	vm = ok;
	vm.admin_user = "studio\": x";
	refused(vm, "admin user");
	vm.admin_user = "root";
	refused(vm, "admin user");
	vm.admin_user = "";
	refused(vm, "admin user");
	vm = ok;
	vm.admin_key = "ssh-ed25519 AAAA not-base64";
	refused(vm, "admin_key");
	char nl[KEYS_LINE_MAX + 32];
	snprintf(nl, sizeof nl, "%s\nruncmd: [x]", admin_line);
	vm.admin_key = nl;
	refused(vm, "admin_key");
	vm = ok;
	vm.operator_key = "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIBBBB";
	refused(vm, "operator_key");
	vm = ok;
	const char *bad_pkgs[] = {"curl", "evil\"; rm", NULL};
	vm.packages = bad_pkgs;
	refused(vm, "package");
	vm = ok;
	vm.host_key = NULL;
	refused(vm, "host key");
}

static void test_cloudinit_refuses_more_than_azure_takes(void **state)
{
	(void)state;
	enum { N = 4000 };
	static char names[N][24];
	static const char *pkgs[N + 1];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "package-number-%05d", i);
		pkgs[i] = names[i];
	}
	struct cloudinit_vm vm = {.hostname = "minio", .admin_user = "studio", .admin_key = admin_line,
	                          .host_key = host, .packages = pkgs};
	refused(vm, "at most 65535");
	/* The largest list that fits is accepted: the limit is on the decoded size, not the base64. */
	char *ud, *b64, err[256];
	size_t len;
	int lo = 0, hi = N;   /* lo packages fit, hi do not: bisect */
	while (hi - lo > 1) {
		int mid = (lo + hi) / 2;
		pkgs[mid] = NULL;
		int fits = cloudinit_build(&vm, &ud, &len, &b64, err, sizeof err) == 0;
		pkgs[mid] = names[mid];
		if (fits) {
			secmem_free(ud);
			secmem_free(b64);
			lo = mid;
		} else {
			hi = mid;
		}
	}
	pkgs[lo] = NULL;
	assert_int_equal(cloudinit_build(&vm, &ud, &len, &b64, err, sizeof err), 0);
	assert_true(len <= 65535);
	assert_true(len > 65535 - 40);
	assert_true(strlen(b64) > 65535);
	secmem_free(ud);
	secmem_free(b64);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("cloudinit");
	host = keys_generate("rabbitmq host");
	admin = keys_generate("studio-wizard");
	oper = keys_generate("");
	keys_public_line(host, host_line, sizeof host_line);
	keys_public_line(admin, admin_line, sizeof admin_line);
	char l[KEYS_LINE_MAX];
	keys_public_line(oper, l, sizeof l);
	snprintf(oper_line, sizeof oper_line, "%s op \"quoted\" \\back: #x", l);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	keys_free(host);
	keys_free(admin);
	keys_free(oper);
	test_rmrf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cloudinit_user_data_parses_and_pins_the_host_key),
		cmocka_unit_test(test_cloudinit_refuses_names_that_are_not_plain),
		cmocka_unit_test(test_cloudinit_refuses_more_than_azure_takes),
	};
	return cmocka_run_group_tests_name("cloudinit", tests, setup, teardown);
}
