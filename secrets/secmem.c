#include "secrets/secmem.h"

#include <sodium.h>
#include <string.h>
#include <sys/resource.h>

/* sodium_malloc locks its pages but says nothing when mlock fails: past the soft
 * RLIMIT_MEMLOCK (often 64 KiB to 8 MiB) a large value would stay swappable. An
 * unprivileged process may raise its soft limit up to the hard one; beyond that the
 * README's threat model says what is left. */
static void secmem_raise_memlock(void)
{
	static int done;
	struct rlimit rl;
	if (done)
		return;
	done = 1;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}

void *secmem_alloc(size_t len)
{
	/* Idempotent and cheap once done; lets any caller allocate before main's set-up. */
	if (sodium_init() < 0)
		return NULL;
	secmem_raise_memlock();
	/* sodium_malloc(0) is valid but keep every buffer non-empty for simple callers. */
	return sodium_malloc(len ? len : 1);
}

void secmem_free(void *p)
{
	if (p)
		sodium_free(p);
}

void secmem_wipe(void *p, size_t len)
{
	if (p && len)
		sodium_memzero(p, len);
}

int secmem_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

const void *secmem_find(const void *hay, size_t haylen, const void *needle, size_t nlen)
{
	if (nlen == 0 || nlen > haylen)
		return NULL;
	const unsigned char *h = hay;
	const unsigned char *n = needle;
	for (size_t i = 0; i + nlen <= haylen; i++)
		if (h[i] == n[0] && memcmp(h + i, n, nlen) == 0)
			return h + i;
	return NULL;
}
