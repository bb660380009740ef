/* Key derivation: Argon2id strengths, the encryption and key-check subkeys, and a key
 * derived once and used to open later (vault_derive_key, vault_open_with_key). */
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

struct vault_key {
	unsigned char *key;       /* encryption subkey, protected */
	unsigned char kcv[VAULT_KCV_LEN];
	unsigned char salt[crypto_pwhash_SALTBYTES];
	uint64_t opslimit, memlimit;
};

vault_status vault_derive_key(const char *dir, const char *pass, size_t passlen, vault_key **out,
                              char *err, size_t errlen)
{
	*out = NULL;
	vault_key *k = calloc(1, sizeof *k);
	if (!k) {
		snprintf(err, errlen, "%s/%s: out of memory", dir, VAULT_FILE);
		return VAULT_E_NOMEM;
	}
	vault *v;
	unsigned char *b;
	size_t len;
	vault_status st = vault_file_load(dir, &v, &b, &len, err, errlen);
	free(b);
	if (st == VAULT_OK)
		st = vault_kdf_derive(v, pass, passlen, err, errlen);
	if (st == VAULT_OK) {
		k->key = v->key;
		v->key = NULL;
		memcpy(k->kcv, v->kcv, VAULT_KCV_LEN);
		memcpy(k->salt, v->salt, sizeof k->salt);
		k->opslimit = v->opslimit;
		k->memlimit = v->memlimit;
		*out = k;
	} else {
		free(k);
	}
	vault_close(v);
	return st;
}

vault_status vault_open_with_key(const char *dir, const vault_key *k, vault **out, char *err,
                                 size_t errlen)
{
	*out = NULL;
	vault *v;
	unsigned char *b;
	size_t len;
	vault_status st = vault_file_load(dir, &v, &b, &len, err, errlen);
	if (st == VAULT_OK && (sodium_memcmp(k->salt, v->salt, sizeof k->salt) != 0 ||
	                       k->opslimit != v->opslimit || k->memlimit != v->memlimit)) {
		snprintf(err, errlen, "%s: the key was derived for another salt or KDF (rekeyed since?)",
		         v->path);
		st = VAULT_E_PASSPHRASE;
	}
	if (st == VAULT_OK && !(v->key = secmem_alloc(VAULT_KEY_LEN))) {
		snprintf(err, errlen, "%s: out of protected memory", v->path);
		st = VAULT_E_NOMEM;
	}
	if (st == VAULT_OK) {
		memcpy(v->key, k->key, VAULT_KEY_LEN);
		memcpy(v->kcv, k->kcv, VAULT_KCV_LEN);
		st = vault_file_unseal(v, b, len, err, errlen);
	}
	return vault_file_done(v, st, b, out);
}

void vault_key_free(vault_key *k)
{
	if (!k)
		return;
	secmem_free(k->key);
	sodium_memzero(k, sizeof *k);
	free(k);
}
