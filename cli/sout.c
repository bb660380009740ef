/* Secure output: values go from protected memory to fd 1 without stdio buffers. */
#include "cli/sout.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "secrets/secmem.h"

int sout_open(struct sout *s)
{
	*s = (struct sout){secmem_alloc(SOUT_CAP), 0, 0};
	if (!s->buf) {
		cli_fail("out of protected memory");
		return -1;
	}
	return 0;
}

int sout_close(struct sout *s)
{
	sout_flush(s);
	secmem_free(s->buf);
	s->buf = NULL;
	if (s->failed) {
		cli_fail("standard output: write failed");
		return -1;
	}
	return 0;
}

void sout_flush(struct sout *s)
{
	size_t off = 0;
	while (off < s->len && !s->failed) {
		ssize_t n = write(STDOUT_FILENO, s->buf + off, s->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			s->failed = 1;
		else
			off += (size_t)n;
	}
	secmem_wipe(s->buf, s->len);
	s->len = 0;
}

void sout_put(struct sout *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len) {
		if (s->len == SOUT_CAP)
			sout_flush(s);
		size_t n = SOUT_CAP - s->len < len ? SOUT_CAP - s->len : len;
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		p += n;
		len -= n;
	}
}

void sout_str(struct sout *s, const char *str)
{
	sout_put(s, str, strlen(str));
}

int sout_utf8_clean(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (c == 0 || k == 9 || (k == 1 && c < 0xc2) || i + k >= n + (k ? 0 : 1))
			return 0;
		for (size_t j = 1; j <= k; j++)
			if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

void sout_json_string(struct sout *s, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sout_str(s, "\"");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		char esc[7];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sout_put(s, esc, 2);
		} else if (c < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			sout_put(s, esc, 6);
		} else {
			sout_put(s, &c, 1);
		}
	}
	sout_str(s, "\"");
	secmem_wipe(&n, sizeof n);
}

/* libsodium's encoder, a chunk at a time (a multiple of 3 bytes, so '=' only at the end). */
void sout_base64(struct sout *s, const unsigned char *p, size_t n)
{
	enum { CHUNK = 3 * 1024 };
	const size_t enclen = sodium_base64_ENCODED_LEN(CHUNK, sodium_base64_VARIANT_ORIGINAL);
	/* The encoded text is the secret in another alphabet: guarded memory, wiped on free. */
	char *enc = secmem_alloc(enclen);
	if (!enc) {
		s->failed = 1;
		return;
	}
	for (size_t i = 0; i < n; i += CHUNK) {
		size_t take = n - i < CHUNK ? n - i : CHUNK;
		sodium_bin2base64(enc, enclen, p + i, take, sodium_base64_VARIANT_ORIGINAL);
		sout_put(s, enc, strlen(enc));
	}
	secmem_free(enc);
}