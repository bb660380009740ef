/* One-line, terminal-safe copies of server text. */
#include "core/probe/probetext.h"

#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0; *cp gets the code point. */
static size_t probetext_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k;
	uint32_t c = s[0], min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		k = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		k = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		k = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return k;
}

char *probetext_safe(const void *src, size_t len, char *dst, size_t dstlen)
{
	const unsigned char *s = src;
	size_t o = 0;
	if (!dstlen)
		return dst;
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t k = probetext_utf8(s + i, len - i, &cp);
		if (k == 1 && (cp == '\r' || cp == '\n' || cp == '\t')) {
			if (o > 0 && dst[o - 1] != ' ' && o + 1 < dstlen)
				dst[o++] = ' ';
			i++;
			continue;
		}
		if (k == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		if (o + k >= dstlen)
			break;
		for (size_t j = 0; j < k; j++)
			dst[o++] = (char)s[i + j];
		i += k;
	}
	while (o > 0 && dst[o - 1] == ' ' && len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' || s[len - 1] == '\t'))
		o--;
	dst[o] = 0;
	return dst;
}
