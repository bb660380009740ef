/* Validators for the service VMs' network and binary answers: NSG source ranges, the MinIO
 * download URL, its sha256 and the local copy offered for upload; the VMs' addresses. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model/validate.h"

static int vnfail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int vnfail(char *why, size_t whylen, const char *fmt, ...)
{
	if (why && whylen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* a.b.c.d or a.b.c.d/n, each part in range, no leading zeros. */
static int vn_cidr_ok(const char *s, size_t n)
{
	int parts = 0, bits = -1;
	size_t i = 0;
	while (i < n && parts < 4) {
		size_t d = 0;
		long v = 0;
		while (i + d < n && s[i + d] >= '0' && s[i + d] <= '9' && d < 4)
			v = v * 10 + (s[i + d] - '0'), d++;
		if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i] == '0'))
			return 0;
		i += d;
		parts++;
		if (parts < 4) {
			if (i >= n || s[i] != '.')
				return 0;
			i++;
		}
	}
	if (parts != 4)
		return 0;
	if (i < n) {
		if (s[i] != '/' || i + 1 >= n || n - i - 1 > 2)
			return 0;
		bits = 0;
		for (size_t k = i + 1; k < n; k++) {
			if (s[k] < '0' || s[k] > '9')
				return 0;
			bits = bits * 10 + (s[k] - '0');
		}
		if (bits > 32)
			return 0;
	}
	return 1;
}

int validate_sources(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "*") == 0)
		return 0;
	const char *p = value;
	int count = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		while (n && *p == ' ')
			p++, n--;
		size_t m = n;
		while (m && p[m - 1] == ' ')
			m--;
		if (!m || !vn_cidr_ok(p, m))
			return vnfail(why, whylen, "must be * (any address) or IPv4 addresses or CIDR ranges separated "
			                           "by commas, such as 203.0.113.7,198.51.100.0/24");
		count++;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!count || count > 64)
		return vnfail(why, whylen, "must name between 1 and 64 sources");
	return 0;
}

int validate_ipv4(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	if (n > 15 || strchr(value, '/') || !vn_cidr_ok(value, n))
		return vnfail(why, whylen, "must be an IPv4 address such as 203.0.113.7");
	return 0;
}

/* http://a.b.c.d:port, as the Minio step records its S3 endpoint. */
int validate_endpoint(const char *value, char *why, size_t whylen)
{
	char ip[16];
	const char *host = value + 7, *colon = strncmp(value, "http://", 7) == 0 ? strchr(host, ':') : NULL;
	int ok = colon && (size_t)(colon - host) < sizeof ip && colon[1] && strlen(colon + 1) <= 5 &&
	         strspn(colon + 1, "0123456789") == strlen(colon + 1) && colon[1] != '0';
	if (ok) {
		snprintf(ip, sizeof ip, "%.*s", (int)(colon - host), host);
		long port = strtol(colon + 1, NULL, 10);
		ok = validate_ipv4(ip, NULL, 0) == 0 && port >= 1 && port <= 65535;
	}
	if (!ok)
		return vnfail(why, whylen, "must be http://IPv4:port such as http://203.0.113.7:9000");
	return 0;
}

int validate_url(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = (strncmp(value, "https://", 8) == 0 && n > 8) || (strncmp(value, "http://", 7) == 0 && n > 7);
	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)value[i] > 0x20 && (unsigned char)value[i] < 0x7f && !strchr("\"'`\\<>{}|^", value[i]);
	if (!ok || n > 1024)
		return vnfail(why, whylen, "must be an http:// or https:// URL of at most 1024 printable characters, "
		                           "without spaces or quotes");
	return 0;
}

int validate_sha256(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n == 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = (value[i] >= '0' && value[i] <= '9') || (value[i] >= 'a' && value[i] <= 'f');
	if (!ok)
		return vnfail(why, whylen, "must be a sha256 in hex: 64 digits 0-9 and a-f");
	return 0;
}

int validate_binary_file(const char *value, char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct stat st;
	if (!*value || validate_expand_home(value, path, sizeof path) < 0)
		return vnfail(why, whylen, "must name a file");
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return vnfail(why, whylen, "%s is not a readable regular file", path);
	if (st.st_size > 512L * 1024 * 1024)
		return vnfail(why, whylen, "%s is larger than 512 MiB", path);
	return 0;
}
