/* Key derivation: Argon2id strengths and limits, the encryption, key-check and state subkeys.
 * It reads no file: opening with a key derived once is vault.c's. */
#include "secrets/vault_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secrets/secmem.h"

const char *vault_strength_name(vault_strength s)
{
	switch (s) {
	case VAULT_KDF_INTERACTIVE: return "interactive";
	case VAULT_KDF_MODERATE: return "moderate";
	case VAULT_KDF_SENSITIVE: return "sensitive";
	}
	return "custom";
}

int vault_strength_parse(const char *name, vault_strength *out)
{
	for (int s = VAULT_KDF_INTERACTIVE; s <= VAULT_KDF_SENSITIVE; s++)
		if (strcmp(name, vault_strength_name((vault_strength)s)) == 0) {
			*out = (vault_strength)s;
			return 0;
		}
	return -1;
}

void vault_kdf_limits(vault_strength s, uint64_t *ops, uint64_t *mem)
{
	switch (s) {
	case VAULT_KDF_INTERACTIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
		break;
	case VAULT_KDF_SENSITIVE:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
		break;
	case VAULT_KDF_MODERATE:
	default:
		*ops = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
		break;
	}
}

/* ---- keys ---- */

static void vault_kdf_subkeys(const unsigned char *master, unsigned char *enc, unsigned char *kcv)
{
	static const char enc_ctx[] = "studio-wizard vault v1 encryption key";
	static const char kcv_ctx[] = "studio-wizard vault v1 key check";
	crypto_generichash(enc, VAULT_KEY_LEN, (const unsigned char *)enc_ctx, sizeof enc_ctx - 1, master,
	                   VAULT_KEY_LEN);
	crypto_generichash(kcv, VAULT_KCV_LEN, (const unsigned char *)kcv_ctx, sizeof kcv_ctx - 1, master,
	                   VAULT_KEY_LEN);
}

void vault_state_key(const vault *v, unsigned char *out)
{
	static const char ctx[] = "studio-wizard state.json mac key v1";
	crypto_generichash(out, VAULT_STATE_KEY_LEN, (const unsigned char *)ctx, sizeof ctx - 1, v->key, VAULT_KEY_LEN);
}

/* Argon2id into v->key and v->kcv. */
vault_status vault_kdf_derive(vault *v, const char *pass, size_t passlen, char *err, size_t errlen)
{
	unsigned char *master = secmem_alloc(VAULT_KEY_LEN);
	if (!master)
		goto nomem;
	if (!v->key && !(v->key = secmem_alloc(VAULT_KEY_LEN))) {
		secmem_free(master);
		goto nomem;
	}
	if (crypto_pwhash(master, VAULT_KEY_LEN, pass, passlen, v->salt, v->opslimit, (size_t)v->memlimit,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		secmem_free(master);
		snprintf(err, errlen, "%s: key derivation needs %llu MiB of memory and could not get it",
		         v->path, (unsigned long long)(v->memlimit >> 20));
		return VAULT_E_NOMEM;
	}
	vault_kdf_subkeys(master, v->key, v->kcv);
	secmem_free(master);
	return VAULT_OK;
nomem:
	snprintf(err, errlen, "%s: out of protected memory", v->path);
	return VAULT_E_NOMEM;
}
