/* tests/unit/test_runnerkey.c: the runner's RSA key and the ed25519 signing key, checked
 * with the real tools that read them (openssl, ssh-keygen). Secrets reach the tools through
 * files in TEST_TMP on a file descriptor, never argv. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/crypto/runnerkey.h"
#include "core/remote/keys.h"
#include "secrets/secmem.h"
#include "secrets/secmem.h"

static char dir[600];
static struct runnerkey key;   /* one RSA-4096 key for the whole file: generation is slow */

static void path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char p[700];
	path(p, sizeof p, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Runs a shell command in dir; its stdout (at most outlen-1 bytes) into out. Returns the exit status. */
static int run(const char *cmd, char *out, size_t outlen)
{
	char full[2048];
	snprintf(full, sizeof full, "cd '%s' && %s", dir, cmd);
	FILE *p = popen(full, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, outlen - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int group_setup(void **s)
{
	(void)s;
	if (sodium_init() < 0)
		return -1;
	const char *t = getenv("TEST_TMP");
	snprintf(dir, sizeof dir, "%s/runnerkey.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	char err[256];
	if (runnerkey_generate(&key, err, sizeof err) != 0) {
		fprintf(stderr, "runnerkey_generate: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **s)
{
	(void)s;
	runnerkey_free(&key);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_private_key_is_pkcs1_with_legacy_aes128_encryption(void **s)
{
	(void)s;
	const char *p = key.private_pem;
	assert_int_equal(strlen(p), key.private_len);
	const char *want1 = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,";
	assert_memory_equal(p, want1, strlen(want1));
	const char *iv = p + strlen(want1);
	for (int i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)iv[i]));
	assert_memory_equal(iv + 32, "\n\n", 2);   /* the blank line before the base64 */
	const char *end = "-----END RSA PRIVATE KEY-----\n";
	assert_string_equal(p + key.private_len - strlen(end), end);
	assert_null(strstr(p, "BEGIN PRIVATE KEY"));
	assert_null(strstr(p, "BEGIN ENCRYPTED PRIVATE KEY"));
}

static void test_public_key_is_pkcs1(void **s)
{
	(void)s;
	assert_int_equal(strlen(key.public_pem), key.public_len);
	assert_memory_equal(key.public_pem, "-----BEGIN RSA PUBLIC KEY-----\n", 31);
	assert_non_null(strstr(key.public_pem, "\n-----END RSA PUBLIC KEY-----\n"));
}

static void test_passphrase_is_alnum_without_newline(void **s)
{
	(void)s;
	assert_int_equal(key.passphrase_len, RUNNERKEY_PASSPHRASE_LEN);
	assert_true(key.passphrase_len >= 32);
	assert_int_equal(strlen(key.passphrase), key.passphrase_len);
	for (size_t i = 0; i < key.passphrase_len; i++)
		assert_true(isalnum((unsigned char)key.passphrase[i]));
	char *a = runnerkey_passphrase(40), *b = runnerkey_passphrase(40);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_not_equal(a, b);
	secmem_free(a);
	secmem_free(b);
}

static void test_openssl_decrypts_with_the_passphrase_and_modulus_matches(void **s)
{
	(void)s;
	char out[8192], mod_priv[2048], mod_pub[2048];
	write_file("priv.pem", key.private_pem, key.private_len);
	write_file("pub.pem", key.public_pem, key.public_len);
	write_file("pass", key.passphrase, key.passphrase_len);
	assert_int_equal(run("openssl rsa -in priv.pem -passin fd:3 -noout -check 3<pass 2>&1", out, sizeof out), 0);
	assert_non_null(strstr(out, "RSA key ok"));
	assert_int_equal(run("openssl rsa -in priv.pem -passin fd:3 -noout -text 3<pass 2>/dev/null | head -n 1", out,
	                     sizeof out), 0);
	assert_non_null(strstr(out, "Private-Key: (4096 bit"));
	assert_int_equal(run("openssl rsa -in priv.pem -passin fd:3 -noout -modulus 3<pass", mod_priv, sizeof mod_priv), 0);
	assert_int_equal(run("openssl rsa -pubin -RSAPublicKey_in -in pub.pem -noout -modulus", mod_pub, sizeof mod_pub), 0);
	assert_memory_equal(mod_priv, "Modulus=", 8);
	assert_true(strlen(mod_priv) > 8 + 1000);
	assert_string_equal(mod_priv, mod_pub);
}

static void test_openssl_refuses_a_wrong_passphrase(void **s)
{
	(void)s;
	char out[4096];
	write_file("priv.pem", key.private_pem, key.private_len);
	write_file("wrong", "not-the-passphrase", 18);
	assert_int_not_equal(run("openssl rsa -in priv.pem -passin fd:3 -noout -check 3<wrong 2>&1", out, sizeof out), 0);
	assert_null(strstr(out, "RSA key ok"));
	/* and with no passphrase at all it cannot be read either */
	assert_int_not_equal(run("openssl rsa -in priv.pem -passin pass: -noout 2>&1", out, sizeof out), 0);
}

/* The experimenters' signing key (core/remote/keys.h, the one ed25519 encoder): ssh-keygen
 * reads it, derives the same public line, and a signature made with it verifies. */
static void test_ssh_keygen_reads_the_signing_key(void **s)
{
	(void)s;
	char fp_pub[1024], fp_priv[1024], derived[1024], line[256], sig[300];
	struct keys_pair *k = keys_generate("studioml-signing");
	size_t plen = 0;
	assert_non_null(k);
	char *priv = keys_private_openssh(k, &plen);
	assert_non_null(priv);
	assert_int_equal(keys_public_line(k, line, sizeof line), 0);
	assert_memory_equal(line, "ssh-ed25519 ", 12);
	assert_memory_equal(priv, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36);
	write_file("signing", priv, plen);
	char pub[300];
	snprintf(pub, sizeof pub, "%s\n", line);
	write_file("signing.pub", pub, strlen(pub));

	assert_int_equal(run("ssh-keygen -l -f signing.pub", fp_pub, sizeof fp_pub), 0);
	assert_non_null(strstr(fp_pub, "256 SHA256:"));
	assert_non_null(strstr(fp_pub, "studioml-signing (ED25519)"));
	assert_int_equal(run("ssh-keygen -l -f signing", fp_priv, sizeof fp_priv), 0);
	assert_string_equal(fp_priv, fp_pub);
	assert_int_equal(run("ssh-keygen -y -f signing", derived, sizeof derived), 0);
	assert_string_equal(derived, pub);

	/* The private half signs, and the public line verifies that signature. */
	write_file("data", "queue message", 13);
	snprintf(sig, sizeof sig, "x %s", pub);
	write_file("allowed", sig, strlen(sig));
	assert_int_equal(run("ssh-keygen -q -Y sign -f signing -n file data >/dev/null 2>&1 && "
	                     "ssh-keygen -Y verify -f allowed -I x -n file -s data.sig < data 2>&1",
	                     fp_priv, sizeof fp_priv), 0);
	assert_non_null(strstr(fp_priv, "Good \"file\" signature"));
	secmem_free(priv);
	keys_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_key_is_pkcs1_with_legacy_aes128_encryption),
		cmocka_unit_test(test_public_key_is_pkcs1),
		cmocka_unit_test(test_passphrase_is_alnum_without_newline),
		cmocka_unit_test(test_openssl_decrypts_with_the_passphrase_and_modulus_matches),
		cmocka_unit_test(test_openssl_refuses_a_wrong_passphrase),
		cmocka_unit_test(test_ssh_keygen_reads_the_signing_key),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
