/* tests/tools/vault_light.c: a new, empty vault in DIR, sealed as any other (same header,
 * XChaCha20-Poly1305 body, atomic save) but with libsodium's smallest Argon2id limits.
 *
 * For tests whose subject is not the key derivation: the byte-flip and kill -9 loops and the
 * install runs open the vault hundreds of times, and at the `interactive` limits each open
 * costs 0.1 s of CPU and 64 MiB. The wizard opens such a file like any vault (its strength
 * reads "custom"); it never makes one. The strengths themselves are tested by test_vault and
 * test_vault_cli through `vault init --kdf`.
 *
 * Usage: vault_light DIR   (the passphrase is standard input's first line, read as
 * --passphrase-fd reads it; DIR is made 0700 when missing). Like `vault init`, it leaves
 * state.json mirroring the vault's generation, signed. Uses the vault's internals
 * (secrets/vault_int.h) on purpose: no option of the wizard makes a weak vault.
 *
 * vault_light --sign DIR: signs DIR's state.json as it is now with its vault's key, as if
 * the wizard had opened the vault and written it (following the vault's generation): for tests that set up a state by editing the file (a crash in
 * the middle of a step) and whose subject is not the state's authentication. */
#include "core/model/state.h"
#include "core/sys/secret_input.h"
#include "secrets/secmem.h"
#include "secrets/vault_int.h"
#include "tests/unit/testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define LIGHT_STRENGTH 0xff   /* not one of the named strengths: shown as "custom" */

/* Loads dir's state, binds v's key, saves it; frees the state. 0 or 1. */
static int light_sign(const char *dir, const vault *v, int mirror)
{
	char err[512];
	struct state *state = NULL;
	if (state_load(dir, "default", &state, err, sizeof err) != STATE_OK) {
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	if (mirror)
		state->vault_generation = vault_generation(v);
	enum state_result sr = state_bind(state, v) == 0 ? state_save(dir, state, err, sizeof err) : STATE_E_IO;
	state_free(state);
	if (sr != STATE_OK) {
		fprintf(stderr, "vault_light: %s\n", sr == STATE_E_IO && !*err ? "out of memory" : err);
		return 1;
	}
	return 0;
}

static int light_resign(const char *dir)
{
	char err[512];
	char *pass = NULL;
	size_t plen = 0;
	vault *v = NULL;
	if (secret_read_line_fd(0, &pass, &plen, err, sizeof err) != 0 ||
	    vault_open(dir, pass, plen, &v, err, sizeof err) != VAULT_OK) {
		secmem_free(pass);
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	secmem_free(pass);
	int rc = light_sign(dir, v, 1);
	vault_close(v);
	return rc;
}

int main(int argc, char **argv)
{
	test_use_steps();
	if (sodium_init() < 0) {
		fprintf(stderr, "vault_light: libsodium did not start\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--sign") == 0)
		return light_resign(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: vault_light DIR < passphrase\n       vault_light --sign DIR < passphrase\n");
		return 2;
	}
	if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "vault_light: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	char err[512];
	char *pass = NULL;
	size_t plen = 0;
	if (secret_read_line_fd(0, &pass, &plen, err, sizeof err) != 0) {
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	vault *v = vault_alloc(argv[1]);
	if (!v || vault_exists(argv[1])) {
		fprintf(stderr, "vault_light: %s: %s\n", argv[1], v ? "a vault exists already" : "out of memory");
		return 1;
	}
	v->strength = (vault_strength)LIGHT_STRENGTH;
	v->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	v->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
	randombytes_buf(v->salt, sizeof v->salt);
	vault_status st = vault_kdf_derive(v, pass, plen, err, sizeof err);
	secmem_free(pass);
	if (st == VAULT_OK)
		st = vault_save(v, err, sizeof err);
	if (st != VAULT_OK) {
		vault_close(v);
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	int rc = light_sign(argv[1], v, 1);
	vault_close(v);
	return rc;
}
