/* Network byte order and length-prefixed strings (AMQP 0-9-1 spec 4.2, RFC 4251 section 5). */
#include "core/format/wire.h"

#include <string.h>

const unsigned char *wire_take(struct wire_rd *r, size_t k)
{
	if (r->bad || r->n - r->off < k) {
		r->bad = 1;
		return NULL;
	}
	r->off += k;
	return r->p + r->off - k;
}

unsigned wire_u8(struct wire_rd *r)
{
	const unsigned char *b = wire_take(r, 1);
	return b ? b[0] : 0;
}

unsigned wire_u16(struct wire_rd *r)
{
	const unsigned char *b = wire_take(r, 2);
	return b ? (unsigned)(b[0] << 8 | b[1]) : 0;
}

uint32_t wire_u32(struct wire_rd *r)
{
	const unsigned char *b = wire_take(r, 4);
	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

/* A shortstr (len8) or longstr (len32); returns its bytes and length. */
const unsigned char *wire_str(struct wire_rd *r, int longstr, size_t *len)
{
	*len = longstr ? wire_u32(r) : wire_u8(r);
	const unsigned char *s = wire_take(r, *len);
	if (!s)
		*len = 0;
	return s;
}

/* Skips one field value of the given type (0-9-1 plus RabbitMQ's extensions). */
void wire_skip_value(struct wire_rd *r, unsigned type)
{
	size_t len;
	switch (type) {
	case 't': case 'b': case 'B': wire_take(r, 1); break;
	case 's': case 'u': wire_take(r, 2); break;
	case 'I': case 'i': case 'f': wire_take(r, 4); break;
	case 'l': case 'L': case 'd': case 'T': wire_take(r, 8); break;
	case 'D': wire_take(r, 5); break;
	case 'S': case 'x': case 'A': case 'F': wire_str(r, 1, &len); break;
	case 'V': break;
	default: r->bad = 1;
	}
}

void wire_put(struct wire_wr *w, const void *d, size_t n)
{
	if (w->bad || w->cap - w->len < n) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->len, d, n);
	w->len += n;
}

void wire_put_u8(struct wire_wr *w, unsigned v)
{
	unsigned char b = (unsigned char)v;
	wire_put(w, &b, 1);
}

void wire_put_u16(struct wire_wr *w, unsigned v)
{
	unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
	wire_put(w, b, 2);
}

void wire_put_u32(struct wire_wr *w, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	                      (unsigned char)v};
	wire_put(w, b, 4);
}

void wire_put_short(struct wire_wr *w, const char *s)
{
	size_t n = strlen(s);
	wire_put_u8(w, (unsigned)(n > 255 ? 255 : n));
	wire_put(w, s, n > 255 ? 255 : n);
}

void wire_put_long(struct wire_wr *w, const void *d, size_t n)
{
	wire_put_u32(w, (uint32_t)n);
	wire_put(w, d, n);
}

/* Patches the 32-bit length written at off to cover everything after it. */
void wire_patch_len(struct wire_wr *w, size_t off)
{
	if (w->bad)
		return;
	uint32_t n = (uint32_t)(w->len - off - 4);
	w->p[off] = (unsigned char)(n >> 24);
	w->p[off + 1] = (unsigned char)(n >> 16);
	w->p[off + 2] = (unsigned char)(n >> 8);
	w->p[off + 3] = (unsigned char)n;
}

