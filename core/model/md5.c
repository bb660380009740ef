/* MD5 through libcrypto's EVP: only to reproduce the seed's uniq_id, never for security. */
#include "core/model/md5.h"

#include <openssl/evp.h>
#include <string.h>

void md5_digest(const void *data, size_t len, unsigned char out[MD5_DIGEST_LEN])
{
	unsigned int n = 0;
	if (EVP_Digest(data, len, out, &n, EVP_md5(), NULL) != 1 || n != MD5_DIGEST_LEN)
		memset(out, 0, MD5_DIGEST_LEN);   /* only when libcrypto has no MD5 (a FIPS-only build) */
}

void md5_hex(const void *data, size_t len, char out[2 * MD5_DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[MD5_DIGEST_LEN];
	md5_digest(data, len, d);
	for (size_t i = 0; i < MD5_DIGEST_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * MD5_DIGEST_LEN] = 0;
}
