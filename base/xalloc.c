/* Allocation that aborts instead of returning NULL (base/xalloc.h). Nothing here may
 * allocate on the way out: the hook and a fixed message only. */
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void (*failure_hook)(void);

void xalloc_on_failure(void (*hook)(void))
{
	failure_hook = hook;
}

static void xalloc_fail(size_t n) __attribute__((noreturn));

static void xalloc_fail(size_t n)
{
	void (*hook)(void) = failure_hook;
	failure_hook = NULL;   /* a hook that itself runs out does not come back here */
	if (hook)
		hook();
	char msg[96];
	int len = snprintf(msg, sizeof msg, "studio-wizard: out of memory (%zu bytes); stopping\n", n);
	if (len > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		xalloc_fail(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		xalloc_fail(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		xalloc_fail(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}
