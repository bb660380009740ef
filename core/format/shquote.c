/* core/format/shquote.c: values as single-quoted sh words; see shquote.h. */
#include "core/format/shquote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inside '...' sh gives every byte its literal meaning except ' itself (POSIX 2.2.2). */
int shquote(const char *value, char *out, size_t outlen)
{
	size_t o = 0;
	if (!value || outlen < 3)
		return -1;
	out[o++] = '\'';
	for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			return -1;
		const char *w = *s == '\'' ? "'\\''" : NULL;
		size_t n = w ? 4 : 1;
		if (o + n + 2 > outlen)
			return -1;
		memcpy(out + o, w ? w : (const char *)s, n);
		o += n;
	}
	out[o++] = '\'';
	out[o] = '\0';
	return 0;
}

static int shquote_name_ok(const char *n)
{
	if (!*n || (*n >= '0' && *n <= '9'))
		return 0;
	for (; *n; n++)
		if (!((*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') || *n == '_'))
			return 0;
	return 1;
}

char *shquote_script(const char *const *kv, const char *body)
{
	size_t cap = strlen(body) + 1;
	for (size_t i = 0; kv && kv[i]; i += 2) {
		if (!kv[i + 1] || !shquote_name_ok(kv[i]))
			return NULL;
		cap += strlen(kv[i]) + 4 * strlen(kv[i + 1]) + 4;
	}
	char *out = malloc(cap);
	size_t o = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; kv && kv[i]; i += 2) {
		size_t n = strlen(kv[i]);
		memcpy(out + o, kv[i], n);
		o += n;
		out[o++] = '=';
		if (shquote(kv[i + 1], out + o, cap - o) != 0) {
			free(out);
			return NULL;
		}
		o += strlen(out + o);
		out[o++] = '\n';
	}
	memcpy(out + o, body, strlen(body) + 1);
	return out;
}

void shquote_word(const char *value, char *out, size_t outlen)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:@%";
	if (*value && strspn(value, plain) == strlen(value)) {
		snprintf(out, outlen, "%s", value);
		return;
	}
	if (shquote(value, out, outlen) != 0)
		snprintf(out, outlen, "%s", value);
}
