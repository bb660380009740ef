/* The vault: round trips, distinct failures, rekey. In-process, against real files. */
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

#include "secrets/secmem.h"
#include "secrets/vault.h"
#include "testutil.h"

#define PASS "correct horse battery staple"
#define PLEN (sizeof PASS - 1)

static char err[1024];

static int setup(void **state)
{
	*state = test_mkdtemp("vault");
	return 0;
}

static int teardown(void **state)
{
	test_rmrf(*state);
	free(*state);
	return 0;
}

static vault *create(const char *dir)
{
	vault *v = NULL;
	assert_int_equal(vault_create(dir, PASS, PLEN, VAULT_KDF_INTERACTIVE, &v, err, sizeof err),
	                 VAULT_OK);
	return v;
}

static void test_vault_round_trip_1000_entries_with_nul_and_1mib(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	unsigned char small[64];
	char name[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "entry-%04d", i);
		size_t len = (size_t)(i % 64);
		for (size_t k = 0; k < len; k++)
			small[k] = (unsigned char)((i * 31 + (int)k) % 256);  /* includes NUL bytes */
		assert_int_equal(vault_put(v, name, (vault_kind)(i % VAULT_KIND_COUNT), "test", small, len),
		                 VAULT_OK);
	}
	size_t big_len = 1024 * 1024;
	unsigned char *big = malloc(big_len);
	randombytes_buf(big, big_len);
	big[0] = 0;
	big[big_len - 1] = 0;
	assert_int_equal(vault_put(v, "big", VAULT_KIND_KUBECONFIG, "aks", big, big_len), VAULT_OK);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	uint64_t gen = vault_generation(v);
	vault_close(v);

	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_count(v), 1001);
	assert_int_equal(vault_generation(v), gen);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "entry-%04d", i);
		size_t len = (size_t)(i % 64);
		for (size_t k = 0; k < len; k++)
			small[k] = (unsigned char)((i * 31 + (int)k) % 256);
		const unsigned char *got;
		size_t got_len;
		struct vault_entry_info info;
		assert_int_equal(vault_get(v, name, &got, &got_len, &info), VAULT_OK);
		assert_int_equal(got_len, len);
		assert_memory_equal(got, small, len);
		assert_int_equal(info.kind, (vault_kind)(i % VAULT_KIND_COUNT));
		assert_string_equal(info.step, "test");
	}
	const unsigned char *got;
	size_t got_len;
	assert_int_equal(vault_get(v, "big", &got, &got_len, NULL), VAULT_OK);
	assert_int_equal(got_len, big_len);
	assert_memory_equal(got, big, big_len);
	/* Sorted by name, whatever the insertion order. */
	struct vault_entry_info a, b;
	for (size_t i = 1; i < vault_count(v); i++) {
		vault_entry_at(v, i - 1, &a);
		vault_entry_at(v, i, &b);
		assert_true(strcmp(a.name, b.name) < 0);
	}
	vault_close(v);
	free(big);
}

static void test_vault_wrong_passphrase_is_its_own_failure(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	vault_close(v);
	assert_int_equal(vault_open(dir, "wrong passphrase", 16, &v, err, sizeof err),
	                 VAULT_E_PASSPHRASE);
	assert_null(v);
	assert_non_null(strstr(err, "wrong passphrase"));
	assert_non_null(strstr(err, "vault.sealed"));
}

static unsigned char *slurp(const char *dir, size_t *len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/vault.sealed", dir);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	unsigned char *buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void spit(const char *dir, const unsigned char *buf, size_t len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/vault.sealed", dir);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void test_vault_from_newer_format_is_refused_as_newer(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	vault_close(v);
	size_t len;
	unsigned char *buf = slurp(dir, &len);
	buf[8] = 2;   /* format version 2, with a checksum that matches: a genuine newer file */
	crypto_generichash(buf + 104, 16, buf, 104, NULL, 0);
	spit(dir, buf, len);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_E_NEWER);
	assert_non_null(strstr(err, "newer"));
	free(buf);
}

static void test_vault_damaged_header_and_tampered_body_differ(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	assert_int_equal(vault_put(v, "x", VAULT_KIND_PASSWORD, "manual", "secret-x", 8), VAULT_OK);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	vault_close(v);
	size_t len;
	unsigned char *buf = slurp(dir, &len);
	buf[40] ^= 1;   /* salt */
	spit(dir, buf, len);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_E_HEADER);
	assert_non_null(strstr(err, "damaged header"));
	buf[40] ^= 1;
	buf[len - 3] ^= 0x80;   /* inside the authentication tag */
	spit(dir, buf, len);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_E_TAMPERED);
	assert_non_null(strstr(err, "tampered"));
	buf[len - 3] ^= 0x80;
	spit(dir, buf, len - 1);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_E_TRUNCATED);
	assert_non_null(strstr(err, "truncated"));
	spit(dir, buf, len);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_OK);
	vault_close(v);
	free(buf);
}

static void test_vault_replace_keeps_created_and_remove_forgets(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	assert_int_equal(vault_put(v, "a", VAULT_KIND_TOKEN, "subscription", "one", 3), VAULT_OK);
	struct vault_entry_info info;
	assert_int_equal(vault_get(v, "a", NULL, NULL, &info), VAULT_OK);
	int64_t created = info.created;
	assert_int_equal(vault_put(v, "a", VAULT_KIND_TOKEN, "subscription", "two!", 4), VAULT_OK);
	const unsigned char *val;
	size_t len;
	assert_int_equal(vault_get(v, "a", &val, &len, &info), VAULT_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(val, "two!", 4);
	assert_int_equal(info.created, created);
	assert_int_equal(vault_count(v), 1);
	assert_int_equal(vault_remove(v, "a"), VAULT_OK);
	assert_int_equal(vault_remove(v, "a"), VAULT_E_NOENT);
	assert_int_equal(vault_get(v, "a", NULL, NULL, NULL), VAULT_E_NOENT);
	vault_close(v);
}

static void test_vault_rejects_bad_names_with_the_rule(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(vault_name_valid("rabbitmq-password", why, sizeof why), 0);
	assert_int_equal(vault_name_valid("a.b_c-1", why, sizeof why), 0);
	assert_int_equal(vault_name_valid("", why, sizeof why), -1);
	assert_non_null(strstr(why, "name:"));
	assert_int_equal(vault_name_valid("-leading", why, sizeof why), -1);
	assert_int_equal(vault_name_valid("has space", why, sizeof why), -1);
	assert_int_equal(vault_name_valid("slash/no", why, sizeof why), -1);
	char longname[200];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	assert_int_equal(vault_name_valid(longname, why, sizeof why), -1);
}

static void test_vault_create_refuses_to_replace(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	vault_close(v);
	assert_int_equal(vault_create(dir, PASS, PLEN, VAULT_KDF_INTERACTIVE, &v, err, sizeof err),
	                 VAULT_E_EXISTS);
}

static void test_vault_rekey_changes_passphrase_and_keeps_entries(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	assert_int_equal(vault_put(v, "k", VAULT_KIND_PASSWORD, "rabbitmq", "value", 5), VAULT_OK);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_rekey(v, "new passphrase!", 15, VAULT_KDF_INTERACTIVE, err, sizeof err),
	                 VAULT_OK);
	vault_close(v);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_E_PASSPHRASE);
	assert_int_equal(vault_open(dir, "new passphrase!", 15, &v, err, sizeof err), VAULT_OK);
	const unsigned char *val;
	size_t len;
	assert_int_equal(vault_get(v, "k", &val, &len, NULL), VAULT_OK);
	assert_memory_equal(val, "value", 5);
	vault_close(v);
}

/* vault_open in two halves: the key derived once opens the vault (what make bench times),
 * a wrong one or one from before a rekey does not. */
static void test_vault_open_with_a_derived_key(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	assert_int_equal(vault_put(v, "k", VAULT_KIND_PASSWORD, "rabbitmq", "value", 5), VAULT_OK);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	vault_close(v);
	vault_key *k = NULL, *bad = NULL;
	assert_int_equal(vault_derive_key(dir, PASS, PLEN, &k, err, sizeof err), VAULT_OK);
	assert_non_null(k);
	for (int i = 0; i < 2; i++) {   /* the key is not used up by an open */
		assert_int_equal(vault_open_with_key(dir, k, &v, err, sizeof err), VAULT_OK);
		const unsigned char *val;
		size_t len;
		assert_int_equal(vault_get(v, "k", &val, &len, NULL), VAULT_OK);
		assert_memory_equal(val, "value", 5);
		vault_close(v);
	}
	assert_int_equal(vault_derive_key(dir, "not the passphrase", 18, &bad, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_open_with_key(dir, bad, &v, err, sizeof err), VAULT_E_PASSPHRASE);
	assert_null(v);
	assert_non_null(strstr(err, "wrong passphrase"));
	vault_key_free(bad);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_rekey(v, PASS, PLEN, VAULT_KDF_INTERACTIVE, err, sizeof err), VAULT_OK);
	vault_close(v);
	assert_int_equal(vault_open_with_key(dir, k, &v, err, sizeof err), VAULT_E_PASSPHRASE);
	assert_non_null(strstr(err, "another salt"));
	vault_key_free(k);
	char nope[4200];
	snprintf(nope, sizeof nope, "%s/nope", dir);
	assert_int_equal(vault_derive_key(nope, PASS, PLEN, &k, err, sizeof err), VAULT_E_MISSING);
	assert_null(k);
}

/* The state's key (core/model/state_auth.c): the same each time the vault opens, another
 * after a rekey, another for another vault with the same passphrase (its own salt). */
static void test_vault_state_key_follows_the_vault_key(void **state)
{
	const char *dir = *state;
	unsigned char k1[VAULT_STATE_KEY_LEN], k2[VAULT_STATE_KEY_LEN], k3[VAULT_STATE_KEY_LEN];
	vault *v = create(dir);
	vault_state_key(v, k1);
	vault_close(v);
	assert_int_equal(vault_open(dir, PASS, PLEN, &v, err, sizeof err), VAULT_OK);
	vault_state_key(v, k2);
	assert_memory_equal(k1, k2, sizeof k1);
	assert_int_equal(vault_rekey(v, PASS, PLEN, VAULT_KDF_INTERACTIVE, err, sizeof err), VAULT_OK);
	vault_state_key(v, k2);
	assert_memory_not_equal(k1, k2, sizeof k1);
	vault_close(v);
	char other[4200];
	snprintf(other, sizeof other, "%s/other", dir);
	assert_int_equal(mkdir(other, 0700), 0);
	v = create(other);
	vault_state_key(v, k3);
	assert_memory_not_equal(k1, k3, sizeof k1);
	assert_memory_not_equal(k2, k3, sizeof k1);
	vault_close(v);
}

static void test_vault_generation_grows_with_every_save(void **state)
{
	const char *dir = *state;
	vault *v = create(dir);
	uint64_t g = vault_generation(v);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	assert_int_equal(vault_generation(v), g + 1);
	vault_close(v);
	uint64_t peek = 0;
	assert_int_equal(vault_peek(dir, &peek, NULL, err, sizeof err), VAULT_OK);
	assert_int_equal(peek, g + 1);
}

/* A file stores a kind as its number: the kinds files already hold keep theirs, so an old
 * vault (its runner-encryption-key an ssh-key) reads as written; private-key came last. */
static void test_vault_kinds_keep_their_numbers(void **state)
{
	(void)state;
	static const char *const old[] = {"password", "access-key", "ssh-key", "token", "kubeconfig", "client-secret",
	                                  "other"};
	vault_kind k;
	for (int i = 0; i < 7; i++) {
		assert_int_equal(vault_kind_parse(old[i], &k), 0);
		assert_int_equal((int)k, i);
	}
	assert_int_equal(vault_kind_parse("private-key", &k), 0);
	assert_int_equal((int)k, 7);
	assert_string_equal(vault_kind_name(k), "private-key");
}

static void test_vault_file_is_private_and_nonce_fresh(void **state)
{
	const char *dir = *state;
	mode_t old = umask(0);
	vault *v = create(dir);
	umask(old);
	size_t l1, l2;
	unsigned char *a = slurp(dir, &l1);
	assert_int_equal(vault_save(v, err, sizeof err), VAULT_OK);
	unsigned char *b = slurp(dir, &l2);
	assert_memory_not_equal(a + 56, b + 56, 24);   /* nonce */
	char path[4200];
	snprintf(path, sizeof path, "%s/vault.sealed", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	vault_close(v);
	free(a);
	free(b);
}

int main(void)
{
	if (vault_process_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vault_round_trip_1000_entries_with_nul_and_1mib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_wrong_passphrase_is_its_own_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_from_newer_format_is_refused_as_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_damaged_header_and_tampered_body_differ, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_replace_keeps_created_and_remove_forgets, setup, teardown),
		cmocka_unit_test(test_vault_rejects_bad_names_with_the_rule),
		cmocka_unit_test_setup_teardown(test_vault_create_refuses_to_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_rekey_changes_passphrase_and_keeps_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_generation_grows_with_every_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_state_key_follows_the_vault_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_open_with_a_derived_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_file_is_private_and_nonce_fresh, setup, teardown),
		cmocka_unit_test(test_vault_kinds_keep_their_numbers),
	};
	return cmocka_run_group_tests_name("vault", tests, NULL, NULL);
}
