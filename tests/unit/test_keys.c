/* core/remote/keys: our ed25519 encodings read back by the real ssh-keygen, and ssh-keygen's
 * keys read by us. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/remote/keys.h"
#include "secrets/secmem.h"
#include "testutil.h"

static char *dir;

/* Output of a shell command (stdout), trailing newline stripped; asserts exit 0. */
static void run(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	while (n && out[n - 1] == '\n')
		out[--n] = '\0';
	assert_int_equal(pclose(p), 0);
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = secmem_alloc(8192);
	*len = fread(buf, 1, 8191, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void test_keys_public_line_fingerprint_matches_ssh_keygen(void **state)
{
	(void)state;
	struct keys_pair *k = keys_generate("wizard@test");
	assert_non_null(k);
	char line[KEYS_LINE_MAX], fp[KEYS_FP_MAX], path[4200], cmd[8600], out[1024];
	assert_int_equal(keys_public_line(k, line, sizeof line), 0);
	assert_true(strncmp(line, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 37) == 0);
	assert_non_null(strstr(line, " wizard@test"));
	assert_int_equal(keys_fingerprint(k, fp, sizeof fp), 0);
	assert_int_equal(strlen(fp), 7 + 43);
	snprintf(path, sizeof path, "%s/pub", dir);
	char withnl[KEYS_LINE_MAX + 1];
	snprintf(withnl, sizeof withnl, "%s\n", line);
	write_file(path, withnl, strlen(withnl));
	snprintf(cmd, sizeof cmd, "ssh-keygen -l -f '%s'", path);
	run(cmd, out, sizeof out);
	char want[256];
	snprintf(want, sizeof want, "256 %s wizard@test (ED25519)", fp);
	assert_string_equal(out, want);

	/* The same fingerprint from the line's blob. */
	unsigned char blob[KEYS_BLOB_MAX];
	size_t bl;
	char err[256], fp2[KEYS_FP_MAX];
	assert_int_equal(keys_line_blob(line, blob, sizeof blob, &bl, err, sizeof err), 0);
	assert_int_equal(keys_blob_fingerprint(blob, bl, fp2, sizeof fp2), 0);
	assert_string_equal(fp, fp2);
	keys_free(k);
}

static void test_keys_private_file_is_read_by_ssh_keygen(void **state)
{
	(void)state;
	struct keys_pair *k = keys_generate("host key");
	assert_non_null(k);
	size_t len;
	char *priv = keys_private_openssh(k, &len);
	assert_non_null(priv);
	assert_int_equal(strlen(priv), len);
	assert_true(strncmp(priv, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	char path[4200], cmd[8600], out[1024], line[KEYS_LINE_MAX];
	snprintf(path, sizeof path, "%s/priv", dir);
	write_file(path, priv, len);
	snprintf(cmd, sizeof cmd, "ssh-keygen -y -f '%s'", path);
	run(cmd, out, sizeof out);
	assert_int_equal(keys_public_line(k, line, sizeof line), 0);
	assert_string_equal(out, line);
	/* ssh-keygen also rewrites it (change comment) without complaint: the checkints and padding hold. */
	snprintf(cmd, sizeof cmd, "ssh-keygen -q -c -C renamed -f '%s' >/dev/null && ssh-keygen -y -f '%s'", path, path);
	run(cmd, out, sizeof out);
	assert_true(strncmp(out, line, strlen(line) - strlen(" host key")) == 0);
	assert_non_null(strstr(out, " renamed"));

	/* Our decoder reads our encoder. */
	char err[256];
	struct keys_pair *k2 = keys_from_openssh(priv, len, err, sizeof err);
	assert_non_null(k2);
	assert_memory_equal(keys_public(k2), keys_public(k), KEYS_PUBLIC_LEN);
	assert_string_equal(keys_comment(k2), "host key");
	keys_free(k2);
	secmem_free(priv);
	keys_free(k);
}

static void test_keys_reads_a_key_made_by_ssh_keygen(void **state)
{
	(void)state;
	char path[4200], cmd[8600], err[256], line[KEYS_LINE_MAX];
	snprintf(path, sizeof path, "%s/made", dir);
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s.pub'; ssh-keygen -q -t ed25519 -N '' -C operator@laptop -f '%s'", path,
	         path, path);
	assert_int_equal(system(cmd), 0);
	size_t len, plen;
	char *text = read_file(path, &len);
	char pubpath[4300];
	snprintf(pubpath, sizeof pubpath, "%s.pub", path);
	char *pub = read_file(pubpath, &plen);
	while (plen && pub[plen - 1] == '\n')
		pub[--plen] = '\0';
	struct keys_pair *k = keys_from_openssh(text, len, err, sizeof err);
	assert_non_null(k);
	assert_int_equal(keys_public_line(k, line, sizeof line), 0);
	assert_string_equal(line, pub);
	keys_free(k);

	/* Flipping one base64 character of the body is caught. */
	char *nl = strchr(text, '\n');
	size_t at = (size_t)(nl - text) + 1 + 100;
	text[at] = text[at] == 'A' ? 'B' : 'A';
	k = keys_from_openssh(text, len, err, sizeof err);
	assert_null(k);
	assert_non_null(strstr(err, "damaged"));
	secmem_free(text);
	secmem_free(pub);

	/* A key with a passphrase is refused, saying so. */
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s.pub'; ssh-keygen -q -t ed25519 -N 'pass phrase' -f '%s'", path, path, path);
	assert_int_equal(system(cmd), 0);
	text = read_file(path, &len);
	k = keys_from_openssh(text, len, err, sizeof err);
	assert_null(k);
	assert_non_null(strstr(err, "passphrase"));
	secmem_free(text);

	/* An RSA key is refused by type. */
	snprintf(cmd, sizeof cmd, "rm -f '%s' '%s.pub'; ssh-keygen -q -t rsa -b 2048 -N '' -f '%s'", path, path, path);
	assert_int_equal(system(cmd), 0);
	text = read_file(path, &len);
	k = keys_from_openssh(text, len, err, sizeof err);
	assert_null(k);
	assert_non_null(strstr(err, "ed25519"));
	secmem_free(text);
	k = keys_from_openssh("hello", 5, err, sizeof err);
	assert_null(k);
	assert_non_null(strstr(err, "BEGIN"));
}

static void test_keys_line_blob_rejects_mismatched_type(void **state)
{
	(void)state;
	struct keys_pair *k = keys_generate("");
	char line[KEYS_LINE_MAX], err[256];
	unsigned char blob[KEYS_BLOB_MAX];
	size_t bl;
	assert_int_equal(keys_public_line(k, line, sizeof line), 0);
	assert_null(strchr(line + 12, ' '));   /* no comment, no trailing space */
	assert_int_equal(keys_line_blob(line, blob, sizeof blob, &bl, err, sizeof err), 0);
	assert_int_equal(bl, 51);
	char bad[KEYS_LINE_MAX + 8];
	snprintf(bad, sizeof bad, "ssh-rsa %s", line + 12);
	assert_int_equal(keys_line_blob(bad, blob, sizeof blob, &bl, err, sizeof err), -1);
	assert_non_null(strstr(err, "type"));
	assert_int_equal(keys_line_blob("ssh-ed25519 !!!!", blob, sizeof blob, &bl, err, sizeof err), -1);
	assert_null(keys_generate("bad\ncomment"));
	keys_free(k);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("keys");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmrf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_public_line_fingerprint_matches_ssh_keygen),
		cmocka_unit_test(test_keys_private_file_is_read_by_ssh_keygen),
		cmocka_unit_test(test_keys_reads_a_key_made_by_ssh_keygen),
		cmocka_unit_test(test_keys_line_blob_rejects_mismatched_type),
	};
	return cmocka_run_group_tests_name("keys", tests, setup, teardown);
}
