/* base/xalloc.h: ordinary memory that cannot fail. When the C library has none left, the
 * registered hook runs (the wizard restores the terminal), one line goes to stderr and the
 * process aborts, as htop's xMalloc and minisign's xmalloc do: a branch per allocation buys
 * no safety, and a half-done step resumes from the state file. Protected memory for secrets
 * (secrets/secmem.h) is not this: it can run out while the program goes on, so its callers
 * keep their explicit errors, as do I/O and the network. */
#ifndef SW_XALLOC_H
#define SW_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Runs once, before the abort; NULL removes it. One hook: the front end that owns the
 * terminal registers it. */
void xalloc_on_failure(void (*hook)(void));

#endif
