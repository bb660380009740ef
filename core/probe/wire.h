/* core/probe/wire.h: big-endian readers and bounded writers for AMQP 0-9-1 frames:
 * a failed read or an overflowing write sets bad and does nothing more. */
#ifndef SW_WIRE_H
#define SW_WIRE_H

#include <stddef.h>
#include <stdint.h>

struct wire_rd {
	const unsigned char *p;
	size_t n, off;
	int bad;
};

struct wire_wr {
	unsigned char *p;
	size_t len, cap;
	int bad;
};

const unsigned char *wire_take(struct wire_rd *r, size_t k);   /* k bytes, or NULL */
unsigned wire_u8(struct wire_rd *r);
unsigned wire_u16(struct wire_rd *r);
uint32_t wire_u32(struct wire_rd *r);
/* A shortstr (8-bit length) or longstr (32-bit length): its bytes, length in *len. */
const unsigned char *wire_str(struct wire_rd *r, int longstr, size_t *len);
/* Skips one field-table value of the given type letter (0-9-1 and RabbitMQ's). */
void wire_skip_value(struct wire_rd *r, unsigned type);

void wire_put(struct wire_wr *w, const void *d, size_t n);

/* What a failed TCP connect says about where the fault is, as advice after the error: a
 * refusal comes from the host itself (the network let it through, nothing listens on the
 * port); silence is what a security group that drops the packets looks like. err is the
 * connect's errno, ETIMEDOUT for no answer; sources_key names the answer that opens the port. */
void wire_connect_advice(int err, const char *sources_key, char *out, size_t outlen);
void wire_put_u8(struct wire_wr *w, unsigned v);
void wire_put_u16(struct wire_wr *w, unsigned v);
void wire_put_u32(struct wire_wr *w, uint32_t v);
void wire_put_short(struct wire_wr *w, const char *s);            /* shortstr, cut at 255 */
void wire_put_long(struct wire_wr *w, const void *d, size_t n);   /* longstr */
/* Sets the 32-bit length written at off to the byte count after it (tables, frames). */
void wire_patch_len(struct wire_wr *w, size_t off);

#endif
