/* core/format/percent.h: percent-encoding (RFC 3986 section 2.1): every byte but the
 * unreserved A-Z a-z 0-9 - . _ ~ becomes %XX, for a URL's query values, path segments and
 * form bodies. */
#ifndef SW_FORMAT_PERCENT_H
#define SW_FORMAT_PERCENT_H

#include <stddef.h>

/* in[0..len) into out, NUL-terminated, by libcurl's curl_easy_escape. 0, or -1 when it does
 * not fit (or out of memory). */
int percent_escape(const char *in, size_t len, char *out, size_t outlen);

/* The same for a secret (a password, a refresh token), written straight into out, which the
 * caller keeps in secmem. Returns the length written, or -1 when it does not fit. */
long percent_escape_secret(const unsigned char *in, size_t len, char *out, size_t outlen);

#endif
