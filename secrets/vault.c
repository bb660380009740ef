/* The open vault: entries sorted by name in protected memory, names and kinds, and the
 * vault's life (create, open, rekey, open with a derived key). Below it: the file format
 * (vault_file.c), the KDF (vault_kdf.c) and the vault's memory (vault_mem.c), which use
 * nothing of this file. */
#include "secrets/vault_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include "base/xalloc.h"
#include "secrets/secmem.h"

#define STATUS_TEXT_(id, text) text,
static const char *status_texts[] = {VAULT_STATUS(STATUS_TEXT_)};
#undef STATUS_TEXT_
#define KIND_TEXT_(id, text) text,
static const char *kind_names[] = {VAULT_KINDS(KIND_TEXT_)};
#undef KIND_TEXT_

const char *vault_status_text(vault_status st)
{
	return (unsigned)st < VAULT_STATUS_COUNT ? status_texts[st] : "unknown error";
}

const char *vault_kind_name(vault_kind k)
{
	return (unsigned)k < VAULT_KIND_COUNT ? kind_names[k] : "other";
}

int vault_kind_parse(const char *name, vault_kind *out)
{
	for (int i = 0; i < VAULT_KIND_COUNT; i++)
		if (strcmp(kind_names[i], name) == 0) {
			*out = (vault_kind)i;
			return 0;
		}
	return -1;
}

int vault_process_init(void)
{
	struct rlimit no_core = {0, 0};
	if (setrlimit(RLIMIT_CORE, &no_core) != 0)
		return -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return sodium_init() < 0 ? -1 : 0;
}

/* ---- names ---- */

int vault_name_valid(const char *name, char *why, size_t whylen)
{
	size_t len = name ? strlen(name) : 0;
	const char *rule = "name: 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit";
	int ok = len >= 1 && len <= VAULT_NAME_MAX &&
	         ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
	          (name[0] >= '0' && name[0] <= '9'));
	for (size_t i = 0; ok && i < len; i++) {
		char c = name[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '.' || c == '_' || c == '-';
	}
	if (!ok && why)
		snprintf(why, whylen, "%s", rule);
	return ok ? 0 : -1;
}

static int vault_step_valid(const char *step)
{
	size_t len = strlen(step);
	if (len < 1 || len > VAULT_STEP_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = step[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* ---- entries ---- */

static int vault_find(const vault *v, const char *name, size_t *slot)
{
	size_t lo = 0, hi = v->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->entries[mid].name, name);
		if (c == 0) {
			*slot = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*slot = lo;
	return 0;
}

vault_status vault_open(const char *dir, const char *pass, size_t passlen, vault **out,
                        char *err, size_t errlen)
{
	*out = NULL;
	/* One read: the key is derived for exactly the header that is decrypted. */
	vault *v;
	unsigned char *b;
	size_t len;
	vault_status st = vault_file_load(dir, &v, &b, &len, err, errlen);
	if (st == VAULT_OK)
		st = vault_kdf_derive(v, pass, passlen, err, errlen);
	if (st == VAULT_OK)
		st = vault_file_unseal(v, b, len, err, errlen);
	return vault_file_done(v, st, b, out);
}

vault_status vault_create(const char *dir, const char *pass, size_t passlen, vault_strength s,
                          vault **out, char *err, size_t errlen)
{
	*out = NULL;
	vault *v = vault_alloc(dir);
	if (vault_exists(dir)) {
		snprintf(err, errlen, "%s: a vault already exists; refusing to replace it", v->path);
		vault_close(v);
		return VAULT_E_EXISTS;
	}
	v->strength = s;
	vault_kdf_limits(s, &v->opslimit, &v->memlimit);
	randombytes_buf(v->salt, sizeof v->salt);
	vault_status st = vault_kdf_derive(v, pass, passlen, err, errlen);
	if (st == VAULT_OK)
		st = vault_save(v, err, errlen);
	if (st != VAULT_OK) {
		vault_close(v);
		return st;
	}
	*out = v;
	return VAULT_OK;
}

vault_status vault_rekey(vault *v, const char *newpass, size_t newlen, vault_strength s,
                         char *err, size_t errlen)
{
	/* Keep the old key material until the new file is on disk. */
	unsigned char *old_key = secmem_alloc(VAULT_KEY_LEN);
	if (!old_key) {
		snprintf(err, errlen, "%s: out of protected memory", v->path);
		return VAULT_E_NOMEM;
	}
	memcpy(old_key, v->key, VAULT_KEY_LEN);
	unsigned char old_kcv[VAULT_KCV_LEN], old_salt[sizeof v->salt];
	memcpy(old_kcv, v->kcv, VAULT_KCV_LEN);
	memcpy(old_salt, v->salt, sizeof old_salt);
	uint64_t old_ops = v->opslimit, old_mem = v->memlimit;
	vault_strength old_s = v->strength;

	v->strength = s;
	vault_kdf_limits(s, &v->opslimit, &v->memlimit);
	randombytes_buf(v->salt, sizeof v->salt);
	vault_status st = vault_kdf_derive(v, newpass, newlen, err, errlen);
	if (st == VAULT_OK)
		st = vault_save(v, err, errlen);
	if (st != VAULT_OK) {
		memcpy(v->key, old_key, VAULT_KEY_LEN);
		memcpy(v->kcv, old_kcv, VAULT_KCV_LEN);
		memcpy(v->salt, old_salt, sizeof old_salt);
		v->opslimit = old_ops;
		v->memlimit = old_mem;
		v->strength = old_s;
	}
	secmem_free(old_key);
	sodium_memzero(old_kcv, sizeof old_kcv);
	return st;
}

uint64_t vault_generation(const vault *v)
{
	return v->generation;
}

vault_strength vault_strength_of(const vault *v)
{
	return v->strength;
}

const char *vault_path(const vault *v)
{
	return v->path;
}

size_t vault_count(const vault *v)
{
	return v->count;
}

static void vault_fill_info(const struct vault_entry *e, struct vault_entry_info *info)
{
	info->name = e->name;
	info->kind = e->kind;
	info->step = e->step;
	info->created = e->created;
	info->updated = e->updated;
	info->value_len = e->value_len;
}

int vault_entry_at(const vault *v, size_t i, struct vault_entry_info *info)
{
	if (i >= v->count)
		return -1;
	vault_fill_info(&v->entries[i], info);
	return 0;
}

vault_status vault_get(const vault *v, const char *name, const unsigned char **value,
                       size_t *len, struct vault_entry_info *info)
{
	size_t slot;
	if (!vault_find(v, name, &slot))
		return VAULT_E_NOENT;
	const struct vault_entry *e = &v->entries[slot];
	if (value)
		*value = e->value;
	if (len)
		*len = e->value_len;
	if (info)
		vault_fill_info(e, info);
	return VAULT_OK;
}

vault_status vault_put(vault *v, const char *name, vault_kind kind, const char *step,
                       const void *value, size_t len)
{
	if (vault_name_valid(name, NULL, 0) != 0 || (unsigned)kind >= VAULT_KIND_COUNT ||
	    !vault_step_valid(step) || len > VAULT_VALUE_MAX || (len && !value))
		return VAULT_E_INVALID;
	size_t nl = strlen(name), sl = strlen(step);
	unsigned char *block = secmem_alloc(nl + 1 + sl + 1 + len);
	if (!block)
		return VAULT_E_NOMEM;
	memcpy(block, name, nl + 1);
	memcpy(block + nl + 1, step, sl + 1);
	if (len)
		memcpy(block + nl + sl + 2, value, len);
	struct vault_entry e = {
		.name = (char *)block,
		.step = (char *)block + nl + 1,
		.value = block + nl + sl + 2,
		.value_len = len,
		.kind = kind,
		.block = block,
	};
	e.created = e.updated = (int64_t)time(NULL);
	size_t slot;
	if (vault_find(v, name, &slot)) {
		e.created = v->entries[slot].created;
		vault_mem_release(&v->entries[slot]);
		v->entries[slot] = e;
		return VAULT_OK;
	}
	if (vault_reserve(v, v->count + 1) != 0) {
		secmem_free(block);
		return VAULT_E_NOMEM;
	}
	memmove(&v->entries[slot + 1], &v->entries[slot], (v->count - slot) * sizeof e);
	v->entries[slot] = e;
	v->count++;
	return VAULT_OK;
}

vault_status vault_remove(vault *v, const char *name)
{
	size_t slot;
	if (!vault_find(v, name, &slot))
		return VAULT_E_NOENT;
	vault_mem_release(&v->entries[slot]);
	memmove(&v->entries[slot], &v->entries[slot + 1], (v->count - slot - 1) * sizeof v->entries[0]);
	v->count--;
	return VAULT_OK;
}

/* ---- a key derived once, to open again later ---- */

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
	vault_key *k = xcalloc(1, sizeof *k);
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
