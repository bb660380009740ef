/* core/format/shquote.h: the one way a value reaches a shell on a VM. A value becomes one
 * POSIX single-quoted word, and a script gets its values as variable assignments in front of
 * a fixed body that only says "$NAME": no template splices a value into a command. */
#ifndef SW_FORMAT_SHQUOTE_H
#define SW_FORMAT_SHQUOTE_H

#include <stddef.h>

/* value as one sh word: '...' with each ' written '\''. 0, or -1 when it does not fit in out
 * or value holds a control character (the callers' formats have none). */
int shquote(const char *value, char *out, size_t outlen);
/* value for a command line shown to the operator: as it is when a shell takes it literally,
 * else shquote()d; as it is when shquote refuses it (the message is made safe later). */
void shquote_word(const char *value, char *out, size_t outlen);
/* "NAME=<shquote(value)>\n" for each pair of kv (names [A-Z_][A-Z0-9_]*, NULL-ended), then
 * body. Malloc'd, or NULL (a bad name or value, out of memory). */
char *shquote_script(const char *const *kv, const char *body);

#endif
