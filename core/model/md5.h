/* core/model/md5.h: MD5 (RFC 1321, libcrypto EVP), only to reproduce the seed's uniq_id; never for security. */
#ifndef SW_MD5_H
#define SW_MD5_H

#include <stddef.h>

#define MD5_DIGEST_LEN 16

void md5_digest(const void *data, size_t len, unsigned char out[MD5_DIGEST_LEN]);
/* Lower-case hex like md5sum; out holds 33 bytes. */
void md5_hex(const void *data, size_t len, char out[2 * MD5_DIGEST_LEN + 1]);

#endif
