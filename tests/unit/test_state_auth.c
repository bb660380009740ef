/* state.json's MAC under a key from the vault: a signed save verifies, a changed byte or
 * generation is a mismatch that names what changed, a state without MAC is trusted only when
 * it records nothing, an old copy beside a newer vault is told apart; in-process, real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model/state.h"
#include "secrets/vault.h"
#include "testutil.h"

#define PASS "correct horse battery staple"
#define PLEN (sizeof PASS - 1)

static char err[1024];
static char report[4096];

struct fixture {
	char *dir;
	vault *v;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = test_mkdtemp("state_auth");
	assert_int_equal(vault_create(f->dir, PASS, PLEN, VAULT_KDF_INTERACTIVE, &f->v, err, sizeof err), VAULT_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vault_close(f->v);
	test_rmrf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* A state with outputs, signed with the vault's key and saved. */
static void save_signed(struct fixture *f)
{
	struct state *st = NULL;
	assert_int_equal(state_load(f->dir, "default", &st, err, sizeof err), STATE_OK);
	cJSON_AddStringToObject(st->outputs, "minio.data_partuuid", "6c3e9a4f-01");
	cJSON_AddStringToObject(st->outputs, "rabbitmq.public_ip", "20.1.2.3");
	st->vault_generation = vault_generation(f->v);
	assert_int_equal(state_bind(st, f->v), 0);
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
}

/* The file's text with from replaced by to (once; the test fails when from is absent). */
static void edit(const char *dir, const char *from, const char *to)
{
	int missing;
	char *text = state_read_text(dir, STATE_FILE, &missing, err, sizeof err);
	assert_non_null(text);
	char *at = strstr(text, from);
	assert_non_null(at);
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, STATE_FILE);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	fclose(fp);
	free(text);
}

static enum state_auth verify(struct fixture *f, struct state **st)
{
	assert_int_equal(state_load(f->dir, "default", st, err, sizeof err), STATE_OK);
	return state_verify(*st, f->v, f->dir, report, sizeof report);
}

static void test_state_auth_signed_state_verifies_and_signs_its_saves(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_OK);
	assert_string_equal(report, "");
	assert_non_null(st->mac_key);
	cJSON_AddStringToObject(st->outputs, "acr.login_server", "leafai1a2b3c4d.azurecr.io");
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
	assert_int_equal(verify(f, &st), STATE_AUTH_OK);
	state_free(st);
}

static void test_state_auth_one_changed_byte_is_named(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	edit(f->dir, "6c3e9a4f-01", "6c3e9a4f-02");
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_MISMATCH);
	assert_null(st->mac_key);
	assert_non_null(strstr(report, "does not match its MAC"));
	assert_non_null(strstr(report, "  outputs.\"minio.data_partuuid\": \"6c3e9a4f-01\" -> \"6c3e9a4f-02\"\n"));
	assert_null(strstr(report, "rabbitmq.public_ip"));
	/* Unverified, it is not written back without its MAC either. */
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_E_IO);
	assert_non_null(strstr(err, "carries a MAC and the vault is not open"));
	state_free(st);
}

/* The generation the rollback check reads is under the MAC too. */
static void test_state_auth_edited_generation_is_a_mismatch(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	char from[64], to[64];
	snprintf(from, sizeof from, "\"vault_generation\":\t%llu,", (unsigned long long)vault_generation(f->v));
	snprintf(to, sizeof to, "\"vault_generation\":\t0,");
	edit(f->dir, from, to);
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_MISMATCH);
	char want[64];
	snprintf(want, sizeof want, "  vault_generation: %llu -> 0\n", (unsigned long long)vault_generation(f->v));
	assert_non_null(strstr(report, want));
	state_free(st);
}

/* Text from the file reaches the report only made safe. */
static void test_state_auth_report_is_made_safe(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	edit(f->dir, "\"20.1.2.3\"", "\"20.1.2.3\\u001b]0;pwned\\u0007\", \"x\\u001b[2J\": \"y\"");
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_MISMATCH);
	for (const char *p = report; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && *p != 0x7f));
	assert_non_null(strstr(report, "  outputs.\"x\\x1b[2J\": (absent) -> \"y\"\n"));
	state_free(st);
}

static void test_state_auth_without_mac_is_trusted_only_when_it_records_nothing(void **state)
{
	struct fixture *f = *state;
	struct state *st = NULL;
	assert_int_equal(state_load(f->dir, "default", &st, err, sizeof err), STATE_OK);
	state_answer_set(st, "location", "eastus");
	st->vault_generation = vault_generation(f->v);
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);   /* no key: no MAC */
	state_free(st);
	assert_int_equal(verify(f, &st), STATE_AUTH_FRESH);
	assert_non_null(st->mac_key);
	state_free(st);
	assert_int_equal(state_load(f->dir, "default", &st, err, sizeof err), STATE_OK);
	cJSON_AddStringToObject(st->outputs, "minio.data_partuuid", "6c3e9a4f-01");
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
	assert_int_equal(verify(f, &st), STATE_AUTH_UNSIGNED);
	assert_non_null(strstr(report, "carries no MAC"));
	assert_null(st->mac_key);
	state_free(st);
}

/* A genuine old state beside a newer vault, but not one a crash between the two saves leaves. */
static void test_state_auth_old_copy_beside_a_newer_vault(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	assert_int_equal(vault_save(f->v, err, sizeof err), VAULT_OK);
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_OK);   /* one behind: the crash window */
	state_free(st);
	assert_int_equal(vault_save(f->v, err, sizeof err), VAULT_OK);
	assert_int_equal(verify(f, &st), STATE_AUTH_OLD);
	assert_non_null(strstr(report, "older than the vault"));
	state_free(st);
}

static void copy_file(const char *dir, const char *from, const char *to)
{
	char a[4200], b[4200], cmd[8600];
	snprintf(a, sizeof a, "%s/%s", dir, from);
	snprintf(b, sizeof b, "%s/%s", dir, to);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", a, b);
	assert_int_equal(system(cmd), 0);
}

/* The vault and the state of one day put back together: consistent, but behind the copy of
 * the last signed state, which a restore of those two files leaves in place. */
static void test_state_auth_vault_and_state_put_back_together(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	copy_file(f->dir, VAULT_FILE, "vault.old");
	copy_file(f->dir, STATE_FILE, "state.old");
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_OK);
	assert_int_equal(vault_put(f->v, "rabbitmq-password", VAULT_KIND_PASSWORD, "rabbitmq", "rotated", 7), VAULT_OK);
	assert_int_equal(vault_save(f->v, err, sizeof err), VAULT_OK);
	st->vault_generation = vault_generation(f->v);
	assert_int_equal(state_save(f->dir, st, err, sizeof err), STATE_OK);
	state_free(st);
	copy_file(f->dir, "vault.old", VAULT_FILE);
	copy_file(f->dir, "state.old", STATE_FILE);
	vault_close(f->v);
	assert_int_equal(vault_open(f->dir, PASS, PLEN, &f->v, err, sizeof err), VAULT_OK);
	assert_int_equal(verify(f, &st), STATE_AUTH_OLD);
	assert_non_null(strstr(report, "older than state.json.verified"));
	char want[64];
	snprintf(want, sizeof want, "  vault_generation: %llu -> %llu\n", (unsigned long long)vault_generation(f->v) + 1,
	         (unsigned long long)vault_generation(f->v));
	assert_non_null(strstr(report, want));
	state_free(st);
}

/* Another vault's (or passphrase's) key verifies neither it nor its verified copy. */
static void test_state_auth_key_is_the_vaults(void **state)
{
	struct fixture *f = *state;
	save_signed(f);
	assert_int_equal(vault_rekey(f->v, "another passphrase", 18, VAULT_KDF_INTERACTIVE, err, sizeof err), VAULT_OK);
	struct state *st = NULL;
	assert_int_equal(verify(f, &st), STATE_AUTH_MISMATCH);
	assert_non_null(strstr(report, "does not match its MAC either: what changed cannot be named"));
	state_free(st);
}

int main(void)
{
	test_use_steps();
	if (vault_process_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_auth_signed_state_verifies_and_signs_its_saves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_one_changed_byte_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_edited_generation_is_a_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_report_is_made_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_without_mac_is_trusted_only_when_it_records_nothing, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_old_copy_beside_a_newer_vault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_vault_and_state_put_back_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_auth_key_is_the_vaults, setup, teardown),
	};
	return cmocka_run_group_tests_name("state_auth", tests, NULL, NULL);
}
