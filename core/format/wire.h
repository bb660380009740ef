/* core/format/wire.h: the one reader and writer of binary wire formats, big-endian with
 * 32-bit length-prefixed strings: AMQP 0-9-1 frames (core/probe/amqp.c), SSH's (RFC 4251
 * section 5: OpenSSH key files in core/remote/keys.c, SFTP packets in core/remote/ssh_sftp.c).
 * A failed read (past the end, or a length longer than what is left) or an overflowing write
 * sets bad, sticks, and does nothing more. */
#ifndef SW_FORMAT_WIRE_H
#define SW_FORMAT_WIRE_H

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
/* A shortstr (8-bit length) or longstr (32-bit length; SSH's string): its bytes, length in
 * *len; NULL and *len 0 when it does not fit in what is left. */
const unsigned char *wire_str(struct wire_rd *r, int longstr, size_t *len);
/* Skips one field-table value of the given type letter (0-9-1 and RabbitMQ's). */
void wire_skip_value(struct wire_rd *r, unsigned type);

void wire_put(struct wire_wr *w, const void *d, size_t n);
void wire_put_u8(struct wire_wr *w, unsigned v);
void wire_put_u16(struct wire_wr *w, unsigned v);
void wire_put_u32(struct wire_wr *w, uint32_t v);
void wire_put_short(struct wire_wr *w, const char *s);            /* shortstr, cut at 255 */
void wire_put_long(struct wire_wr *w, const void *d, size_t n);   /* longstr; SSH's string */
/* Sets the 32-bit length written at off to the byte count after it (tables, frames). */
void wire_patch_len(struct wire_wr *w, size_t off);

#endif
