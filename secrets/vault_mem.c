/* The open vault's memory: the vault itself, its entry array in protected memory, and
 * their release. The lowest of the vault's files: vault_file.c builds a vault through it. */
#include "secrets/vault_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "secrets/secmem.h"

void vault_mem_release(struct vault_entry *e)
{
	secmem_free(e->block);
	e->block = NULL;
}

int vault_reserve(vault *v, size_t want)
{
	if (want <= v->cap)
		return 0;
	size_t cap = v->cap ? v->cap : 16;
	while (cap < want)
		cap *= 2;
	struct vault_entry *n = secmem_alloc(cap * sizeof *n);
	if (!n)
		return -1;
	if (v->count)
		memcpy(n, v->entries, v->count * sizeof *n);
	secmem_free(v->entries);
	v->entries = n;
	v->cap = cap;
	return 0;
}

vault *vault_alloc(const char *dir)
{
	vault *v = xcalloc(1, sizeof *v);
	snprintf(v->dir, sizeof v->dir, "%s", dir);
	snprintf(v->path, sizeof v->path, "%s/%s", dir, VAULT_FILE);
	return v;
}

void vault_close(vault *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->count; i++)
		vault_mem_release(&v->entries[i]);
	secmem_free(v->entries);
	secmem_free(v->plain);
	secmem_free(v->key);
	sodium_memzero(v->kcv, sizeof v->kcv);
	free(v);
}

