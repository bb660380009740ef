/* secrets/secmem.h: protected memory for keys, passphrases and plaintext.
 * Guarded, locked pages from libsodium; wiped on free. The first allocation raises the soft
 * RLIMIT_MEMLOCK to the hard limit so that large values are locked too. */
#ifndef SW_SECMEM_H
#define SW_SECMEM_H

#include <stddef.h>

void *secmem_alloc(size_t len);           /* NULL on failure */
void secmem_free(void *p);                /* wipes; NULL is fine */
void secmem_wipe(void *p, size_t len);    /* for ordinary memory that briefly held a secret */
int secmem_equal(const void *a, const void *b, size_t len); /* constant time, 1 if equal */
/* Finds needle in haystack (memmem without leaking to libc buffers). */
const void *secmem_find(const void *hay, size_t haylen, const void *needle, size_t nlen);

#endif
