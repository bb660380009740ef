/* core/format/percent.c: percent-encoding; see percent.h. */
#include "core/format/percent.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

int percent_escape(const char *in, size_t len, char *out, size_t outlen)
{
	if (!len) {   /* curl_easy_escape would take a length 0 as "up to the NUL" */
		if (outlen)
			out[0] = '\0';
		return outlen ? 0 : -1;
	}
	/* The handle argument is unused by libcurl since 7.82.0 and allowed to be NULL. */
	char *e = len <= (size_t)0x7fffffff ? curl_easy_escape(NULL, in, (int)len) : NULL;
	int rc = e && strlen(e) < outlen ? 0 : -1;
	if (outlen)
		snprintf(out, outlen, "%s", rc == 0 ? e : "");
	curl_free(e);
	return rc;
}

/* Not curl_easy_escape: it returns its copy in libcurl's heap, which curl_free releases
 * without wiping, so the secret would stay behind in freed memory. */
long percent_escape_secret(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		           (c && strchr("-._~", c));
		if (o + (keep ? 1 : 3) >= outlen)
			return -1;
		if (keep) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return (long)o;
}
