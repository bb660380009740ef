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
 * state.json mirroring the vault's generation. Uses the vault's internals
 * (secrets/vault_int.h) on purpose: no option of the wizard makes a weak vault. */
#include "core/model/state.h"
#include "core/sys/secret_input.h"
#include "secrets/secmem.h"
#include "secrets/vault_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define LIGHT_STRENGTH 0xff   /* not one of the named strengths: shown as "custom" */

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vault_light DIR < passphrase\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "vault_light: libsodium did not start\n");
		return 1;
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
	uint64_t gen = vault_generation(v);
	vault_close(v);
	if (st != VAULT_OK) {
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	struct state *state = NULL;
	if (state_load(argv[1], "default", &state, err, sizeof err) != STATE_OK) {
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	state->vault_generation = gen;
	enum state_result sr = state_save(argv[1], state, err, sizeof err);
	state_free(state);
	if (sr != STATE_OK) {
		fprintf(stderr, "vault_light: %s\n", err);
		return 1;
	}
	return 0;
}
