/* URLs: secret parameters redacted for the log, loopback hosts told apart. */
#include "core/http/http_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Redaction ------------------------------------------------------------ */

static int http_url_secret_param(const char *name, size_t len)
{
	static const char *const exact[] = {"code", "device_code", "sig", "se", "s", "h", "assertion",
	                                    "client_assertion", "key", "user_code"};
	static const char *const part[] = {"secret", "token", "password", "passwd"};
	char low[64];
	if (len >= sizeof low)
		return 1;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	low[len] = 0;
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(low, exact[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof part / sizeof part[0]; i++)
		if (strstr(low, part[i]))
			return 1;
	return 0;
}

static void http_url_out(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *o + 1 < outlen; i++)
		out[(*o)++] = s[i];
	out[*o] = 0;
}

/* Copies a&b=c parameters, replacing secret values; stops at end or '#'. */
static void http_url_redact_params(const char *p, char *out, size_t outlen, size_t *o)
{
	while (*p && *p != '#') {
		size_t plen = strcspn(p, "&#");
		const char *eq = memchr(p, '=', plen);
		if (eq && http_url_secret_param(p, (size_t)(eq - p))) {
			http_url_out(out, outlen, o, p, (size_t)(eq - p) + 1);
			http_url_out(out, outlen, o, "<redacted>", 10);
		} else {
			http_url_out(out, outlen, o, p, plen);
		}
		p += plen;
		if (*p == '&') {
			http_url_out(out, outlen, o, "&", 1);
			p++;
		}
	}
}

void http_redact_url(const char *url, char *out, size_t outlen)
{
	if (!outlen)
		return;
	size_t o = 0;
	out[0] = 0;
	const char *q = strchr(url, '?');
	if (!q) {
		http_url_out(out, outlen, &o, url, strcspn(url, "#"));
		return;
	}
	http_url_out(out, outlen, &o, url, (size_t)(q - url) + 1);
	http_url_redact_params(q + 1, out, outlen, &o);
}

void http_redact_form(const char *form, char *out, size_t outlen)
{
	if (!outlen)
		return;
	size_t o = 0;
	out[0] = 0;
	http_url_redact_params(form, out, outlen, &o);
}

/* URL checks ------------------------------------------------------------ */

int http_url_host_is_loopback(const char *host)
{
	char h[256];
	size_t n = strlen(host);
	if (n >= sizeof h)
		return 0;
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = 0;
	} else {
		memcpy(h, host, n + 1);
	}
	if (strcasecmp(h, "localhost") == 0)
		return 1;
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* Splits url into scheme and host; 0 or -1 when it is not a URL. */
int http_url_parse(const char *url, char *scheme, size_t slen, char *host, size_t hlen)
{
	CURLU *u = curl_url();
	char *s = NULL, *h = NULL;
	int rc = -1;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		snprintf(scheme, slen, "%s", s);
		snprintf(host, hlen, "%s", h);
		rc = 0;
	}
	curl_free(s);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

int http_url_is_loopback(const char *url)
{
	char scheme[16], host[256];
	return http_url_parse(url, scheme, sizeof scheme, host, sizeof host) == 0 && http_url_host_is_loopback(host);
}
