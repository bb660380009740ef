/* secrets/vault_int.h: what the vault's files share: the open vault and its entries
 * (vault_mem.c), the file format (vault_file.c) and the key derivation (vault_kdf.c), all
 * below vault.c, which alone uses the others. Not for use outside secrets/vault*.c. */
#ifndef SW_VAULT_INT_H
#define SW_VAULT_INT_H

#include <limits.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "secrets/vault.h"

#define VAULT_KEY_LEN 32
#define VAULT_KCV_LEN 16

struct vault_entry {
	char *name;
	char *step;
	unsigned char *value;
	size_t value_len;
	vault_kind kind;
	int64_t created;
	int64_t updated;
	void *block;        /* protected block this entry owns, or NULL when it points into plain */
};

struct vault {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	unsigned char *key;       /* encryption subkey, protected */
	unsigned char kcv[VAULT_KCV_LEN];
	unsigned char salt[crypto_pwhash_SALTBYTES];
	uint64_t opslimit;
	uint64_t memlimit;
	vault_strength strength;
	uint64_t generation;
	unsigned char *plain;     /* decrypted body as read, protected */
	struct vault_entry *entries;    /* protected array */
	size_t count;
	size_t cap;
};

/* vault_mem.c (vault_close too) */
vault *vault_alloc(const char *dir);   /* empty, for dir's vault file */
int vault_reserve(vault *v, size_t want);   /* room for want entries; 0 or -1 */
void vault_mem_release(struct vault_entry *e);   /* the entry's protected block */

/* vault_kdf.c */
void vault_kdf_limits(vault_strength s, uint64_t *ops, uint64_t *mem);   /* Argon2id limits */
/* Argon2id of pass with v's salt and limits into v->key and v->kcv. */
vault_status vault_kdf_derive(vault *v, const char *pass, size_t passlen, char *err, size_t errlen);

/* vault_file.c */
/* A new vault for dir (*v), the whole file into *b (malloc'd)
 * and its header checked and parsed into *v; vault_file_done ends it either way. */
vault_status vault_file_load(const char *dir, vault **v, unsigned char **b, size_t *len, char *err,
                             size_t errlen);
/* With v->key and v->kcv set: the key check, then the body decrypted and indexed. */
vault_status vault_file_unseal(vault *v, const unsigned char *b, size_t len, char *err, size_t errlen);
/* Ends an open: frees b, and v too unless st is VAULT_OK (then *out = v). */
vault_status vault_file_done(vault *v, vault_status st, unsigned char *b, vault **out);

#endif
