#include "core/sys/text.h"

/* Length of a valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t text_utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0 || (n == 2 && c < 0xc2) || (n == 4 && c > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && c == 0xe0 && p[1] < 0xa0)
		return 0;   /* overlong */
	if (n == 3 && c == 0xed && p[1] >= 0xa0)
		return 0;   /* surrogates */
	if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
		return 0;
	return n;
}

char *text_safe(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen == 0)
		return out;
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	while (*p && o + 1 < outlen) {
		size_t n = text_utf8_len(p);
		/* C1 controls are U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8. */
		int control = n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)) || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
		if (control) {
			out[o++] = '?';
			p += n ? n : 1;
			continue;
		}
		if (o + n >= outlen)
			break;
		for (size_t i = 0; i < n; i++)
			out[o++] = (char)p[i];
		p += n;
	}
	out[o] = '\0';
	return out;
}
