#include "core/sys/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (at most left bytes), or 0 when s[0] does not
 * start one. Overlong forms, surrogates and code points above U+10FFFF are invalid. */
static size_t text_utf8_len(const unsigned char *s, size_t left, unsigned *cp)
{
	unsigned c = s[0], min, v;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, v = c & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* What the sequence at s becomes: its own bytes (esc empty) or an escape in esc. */
static size_t text_step(const unsigned char *s, size_t left, char esc[8])
{
	unsigned cp = 0;
	size_t n = text_utf8_len(s, left, &cp);
	esc[0] = '\0';
	if (n == 0) {
		snprintf(esc, 8, "\\x%02x", s[0]);
		return 1;
	}
	if (cp < 0x20 || cp == 0x7f)
		snprintf(esc, 8, "\\x%02x", cp);
	else if (cp >= 0x80 && cp <= 0x9f)
		snprintf(esc, 8, "\\u%04x", cp);
	return n;
}

size_t text_safe_n(const char *in, size_t len, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	while (i < len) {
		char esc[8];
		size_t n = text_step(s + i, len - i, esc);
		const char *piece = esc[0] ? esc : in + i;
		size_t plen = esc[0] ? strlen(esc) : n;
		if (o + plen >= outlen)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		i += n;
	}
	out[o] = '\0';
	return o;
}

size_t text_safe(const char *in, char *out, size_t outlen)
{
	return text_safe_n(in ? in : "", in ? strlen(in) : 0, out, outlen);
}

char *text_safe_dup(const char *in)
{
	size_t len = in ? strlen(in) : 0;
	char *out = malloc(4 * len + 1);   /* at worst 4 bytes per byte ("\x1b"), 6 per 2 */
	if (out)
		text_safe(in, out, 4 * len + 1);
	return out;
}

int text_has_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		char esc[8];
		i += text_step(p + i, len - i, esc);
		if (esc[0])
			return 1;
	}
	return 0;
}

size_t text_prefix(const char *prefix, const char *text, char *out, size_t outlen)
{
	if (outlen == 0)
		return 0;
	size_t plen = strlen(prefix);
	while (strncmp(text, prefix, plen) == 0 && text[plen] == ':' && text[plen + 1] == ' ')
		text += plen + 2;
	const char *colon = strstr(text, ": ");
	size_t first = colon ? (size_t)(colon - text) : strlen(text);
	int named = 0;
	for (const char *p = text; plen && p + plen <= text + first && !named; p++)
		named = strncmp(p, prefix, plen) == 0;
	int n = named || !plen ? snprintf(out, outlen, "%s", text)
	                       : snprintf(out, outlen, "%s: %s", prefix, text);
	return n < 0 ? 0 : (size_t)n < outlen ? (size_t)n : outlen - 1;
}

int num_whole(double d, double max, long *out)
{
	if (!(d >= 0 && d <= max) || d != (double)(long)d)
		return -1;
	*out = (long)d;
	return 0;
}
