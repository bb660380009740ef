/* Rules come from Azure's "Naming rules and restrictions for Azure resources", the
 * compute API's adminUsername docs, the S3/MinIO bucket rules and the runner's code
 * (runner 0.14.2; doc/ gives the sources). Where we are stricter than Azure, a comment says why. */
#include "core/model/validate.h"
#include "core/format/wire.h"
#include "core/sys/text.h"

#include <errno.h>
#include <sodium.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int vfail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int vfail(char *why, size_t whylen, const char *fmt, ...)
{
	if (why && whylen) {
		/* Messages quote what was checked (a key file's first line): made safe for a terminal. */
		char raw[1024];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof raw, fmt, ap);
		va_end(ap);
		text_safe(raw, why, whylen);
	}
	return -1;
}

static int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
static int is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static int is_lalnum(char c) { return is_lower(c) || is_digit(c); }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* Unsigned decimal without sign or spaces; -1 when not a number or above max. */
static long parse_count(const char *s, long max)
{
	if (!*s || strlen(s) > 10)
		return -1;
	long v = 0;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v > max ? -1 : v;
}

static int validate_range(const char *value, long lo, long hi, const char *what,
                          char *why, size_t whylen)
{
	long v = parse_count(value, hi);
	if (v < lo)
		return vfail(why, whylen, "must be a whole number from %ld to %ld (%s)", lo, hi, what);
	return 0;
}

int validate_guid(const char *value, char *why, size_t whylen)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t n = strlen(value);
	int ok = n == sizeof shape - 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = shape[i] == '-' ? value[i] == '-' : is_hex(value[i]);
	if (!ok)
		return vfail(why, whylen, "must be a GUID such as 00000000-0000-0000-0000-000000000000");
	return 0;
}

/* A DNS name with at least two labels, as tenant domains are. */
static int is_domain(const char *s)
{
	size_t n = strlen(s), label = 0;
	int dots = 0;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			dots += c == '.';
			label = 0;
			continue;
		}
		if (!(is_alnum(c) || (c == '-' && label > 0)))
			return 0;
		label++;
	}
	return dots > 0;
}

int validate_tenant(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "organizations") == 0 || strcmp(value, "common") == 0 ||
	    validate_guid(value, NULL, 0) == 0 || is_domain(value))
		return 0;
	return vfail(why, whylen, "must be a tenant GUID, a domain such as contoso.onmicrosoft.com, "
	                          "or organizations or common");
}

/* 8 is what the seed derives; names built from it stay far inside every limit
 * (leafai-cluster-<id> is 23 of 63). Lower-case because registry login servers,
 * bucket names and DNS prefixes are lower-case. */
int validate_uniq_id(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 1 && n <= 8;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_lalnum(value[i]);
	if (!ok)
		return vfail(why, whylen, "must be 1-8 lower-case letters and digits "
		                          "(it becomes part of registry, bucket and DNS names)");
	return 0;
}

/* Azure also allows non-ASCII letters; we keep to ASCII so every tool can type them. */
int validate_resource_group(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 1 && n <= 90 && value[n - 1] != '.';
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum(value[i]) || strchr("_-.()", value[i]);
	if (!ok)
		return vfail(why, whylen, "must be 1-90 letters, digits, underscores, hyphens, periods "
		                          "or parentheses, not ending in a period");
	return 0;
}

/* Azure's VM resource name is looser (1-64, most punctuation), but the name is also the
 * Linux host name, which allows only letters, digits, hyphens and periods. */
int validate_vm_name(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 1 && n <= 64 && is_alnum(value[0]) && value[n - 1] != '.' &&
	         value[n - 1] != '-';
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum(value[i]) || value[i] == '-' || value[i] == '.';
	if (!ok)
		return vfail(why, whylen, "must be 1-64 letters, digits, hyphens or periods (it is also "
		                          "the Linux host name), starting with a letter or digit and not "
		                          "ending in a period or hyphen");
	return 0;
}

int validate_vm_size(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value), p = strlen("Standard_");
	int ok = n > p && n <= 64 && strncmp(value, "Standard_", p) == 0;
	for (size_t i = p; ok && i < n; i++)
		ok = is_alnum(value[i]) || value[i] == '_';
	if (!ok)
		return vfail(why, whylen, "must be an Azure VM size such as Standard_D2s_v3");
	return 0;
}

/* Disallowed by the Compute API (osProfile.adminUsername). */
static const char *const azure_reserved_users[] = {
	"administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1",
	"1", "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david",
	"guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys",
	"test2", "test3", "user4", "user5",
};
/* Accounts the Ubuntu and Bitnami images already have ("Selecting user names for Linux
 * on Azure"); provisioning fails or takes over a system account. */
static const char *const linux_system_users[] = {
	"daemon", "bin", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
	"www-data", "list", "irc", "gnats", "nobody", "libuuid", "syslog", "messagebus",
	"landscape", "sshd", "pollinate", "systemd-network", "systemd-resolve", "systemd-timesync",
	"_apt", "uuidd", "lxd", "tss", "tcpdump", "ubuntu", "bitnami", "rabbitmq", "minio-user",
};

/* Azure allows 64 characters, but useradd on the images stops at 32 and wants
 * [a-z_][a-z0-9_-]*. */
int validate_admin_user(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	for (size_t i = 0; i < sizeof azure_reserved_users / sizeof *azure_reserved_users; i++)
		if (strcasecmp(value, azure_reserved_users[i]) == 0)
			return vfail(why, whylen, "'%s' is a user name Azure does not allow", value);
	for (size_t i = 0; i < sizeof linux_system_users / sizeof *linux_system_users; i++)
		if (strcmp(value, linux_system_users[i]) == 0)
			return vfail(why, whylen, "'%s' is a system account on the VM image", value);
	int ok = n >= 1 && n <= 32 && (is_lower(value[0]) || value[0] == '_');
	for (size_t i = 1; ok && i < n; i++)
		ok = is_lalnum(value[i]) || value[i] == '_' || value[i] == '-';
	if (!ok)
		return vfail(why, whylen, "must be 1-32 lower-case letters, digits, underscores or "
		                          "hyphens, starting with a letter or underscore");
	return 0;
}

int validate_expand_home(const char *path, char *out, size_t outlen)
{
	int n;
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
		const char *home = getenv("HOME");
		if (!home || !*home)
			return -1;
		n = snprintf(out, outlen, "%s%s", home, path + 1);
	} else {
		n = snprintf(out, outlen, "%s", path);
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* Standard base64 with '=' padding, all n characters; returns decoded length or -1. */
static long b64_decode(const char *s, size_t n, unsigned char *out, size_t outcap)
{
	size_t got = 0;
	if (n == 0 || sodium_base642bin(out, outcap, s, n, NULL, &got, NULL,
	                                sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return (long)got;
}

/* Bits in an SSH mpint (big-endian, may carry a leading zero byte). */
static size_t mpint_bits(const unsigned char *s, size_t len)
{
	while (len && *s == 0) {
		s++;
		len--;
	}
	if (!len)
		return 0;
	size_t bits = (len - 1) * 8;
	for (unsigned c = *s; c; c >>= 1)
		bits++;
	return bits;
}

#define SSH_LINE_MAX 16384

/* Azure VMs accept ssh-rsa (2048 bits or more) and ssh-ed25519; ECDSA parses but
 * the Compute API rejects it, so we say so here instead of mid-install. */
int validate_ssh_public_key(const char *line, char *why, size_t whylen)
{
	if (strncmp(line, "-----BEGIN", 10) == 0)
		return vfail(why, whylen, "is a PEM file (perhaps a private key), not an OpenSSH public "
		                          "key; give the .pub file");
	if (strncmp(line, "---- BEGIN SSH2", 15) == 0)
		return vfail(why, whylen, "is in SSH2 (RFC 4716) format; convert it with "
		                          "ssh-keygen -i -f FILE");
	const char *sp = strchr(line, ' ');
	if (!sp || sp == line)
		return vfail(why, whylen, "must start with an OpenSSH public key line: TYPE BASE64 [COMMENT]");
	size_t tlen = (size_t)(sp - line);
	const char *b = sp + 1;
	size_t blen = strcspn(b, " \t\r\n");
	static unsigned char blob[SSH_LINE_MAX];
	long n = b64_decode(b, blen, blob, sizeof blob);
	if (n < 0)
		return vfail(why, whylen, "the key's base64 part does not decode");
	struct wire_rd r = {blob, (size_t)n, 0, 0};
	size_t slen;
	const unsigned char *s = wire_str(&r, 1, &slen);
	if (!s || slen != tlen || memcmp(s, line, tlen) != 0)
		return vfail(why, whylen, "the key's type (%.*s) does not match the type inside its data",
		             (int)(tlen > 40 ? 40 : tlen), line);
	if (tlen == 11 && memcmp(line, "ssh-ed25519", 11) == 0) {
		if (!wire_str(&r, 1, &slen) || slen != 32 || r.off != r.n)
			return vfail(why, whylen, "the ssh-ed25519 key data is damaged");
		return 0;
	}
	if (tlen == 7 && memcmp(line, "ssh-rsa", 7) == 0) {
		size_t elen, mlen;
		wire_str(&r, 1, &elen);
		const unsigned char *m = wire_str(&r, 1, &mlen);
		if (r.bad || r.off != r.n || elen == 0)
			return vfail(why, whylen, "the ssh-rsa key data is damaged");
		size_t bits = mpint_bits(m, mlen);
		if (bits < 2048)
			return vfail(why, whylen, "is a %zu-bit RSA key; Azure needs 2048 bits or more", bits);
		return 0;
	}
	if (tlen > 11 && memcmp(line, "ecdsa-sha2-", 11) == 0)
		return vfail(why, whylen, "is an ECDSA key, which Azure VMs do not accept; use "
		                          "ssh-ed25519 or ssh-rsa (2048 bits or more)");
	return vfail(why, whylen, "must be an ssh-ed25519 or ssh-rsa public key");
}

int validate_ssh_public_key_file(const char *value, char *why, size_t whylen)
{
	char path[PATH_MAX];
	if (!*value || validate_expand_home(value, path, sizeof path) < 0)
		return vfail(why, whylen, "must name an SSH public key file such as ~/.ssh/id_ed25519.pub");
	FILE *f = fopen(path, "r");
	if (!f)
		return vfail(why, whylen, "cannot read %s: %s", path, strerror(errno));
	static char line[SSH_LINE_MAX];
	char pre[128];
	int got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	if (!got)
		return vfail(why, whylen, "%s is empty", path);
	int rc = validate_ssh_public_key(line, pre, sizeof pre);
	explicit_bzero(line, sizeof line);  /* it might have been a private key */
	if (rc < 0)
		return vfail(why, whylen, "%s %s", path, pre);
	return 0;
}

int validate_registry_name(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 5 && n <= 50;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum(value[i]);
	if (!ok)
		return vfail(why, whylen, "must be 5-50 letters and digits only (registry names are "
		                          "global across Azure)");
	return 0;
}

/* One path component: [a-z0-9]+ joined by '.', '_', "__" or any run of '-'. */
static int image_component_ok(const char *s, size_t n)
{
	if (n == 0 || !is_lalnum(s[0]) || !is_lalnum(s[n - 1]))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (is_lalnum(c))
			continue;
		if (c == '.' || c == '_') {
			if (!is_lalnum(s[i - 1]))
				return 0;
			if (c == '_' && s[i + 1] == '_')
				i++;
			if (!is_lalnum(s[i + 1]))
				return 0;
			continue;
		}
		if (c == '-')
			continue;
		return 0;
	}
	return 1;
}

/* A registry host: DNS labels with an optional :port. */
static int image_domain_ok(const char *s, size_t n)
{
	char host[256];
	const char *colon = memchr(s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n;
	if (hn == 0 || hn >= sizeof host)
		return 0;
	memcpy(host, s, hn);
	host[hn] = '\0';
	if (strcmp(host, "localhost") != 0 && !is_domain(host))
		return 0;
	if (colon) {
		char port[8];
		size_t pn = n - hn - 1;
		if (pn == 0 || pn >= sizeof port)
			return 0;
		memcpy(port, colon + 1, pn);
		port[pn] = '\0';
		return validate_port(port, NULL, 0) == 0;
	}
	return 1;
}

int validate_image_ref(const char *value, char *why, size_t whylen)
{
	static const char rule[] = "must be an image reference like "
	                           "leafai/azure-studio-go-runner:0.9.21 (lower-case repository "
	                           "path, optional :tag)";
	size_t n = strlen(value);
	if (n == 0 || n > 255)
		return vfail(why, whylen, "%s", rule);
	const char *at = strchr(value, '@');
	size_t end = n;
	if (at) {
		const char *d = at + 1;
		size_t dn = strlen(d);
		int ok = dn == 71 && strncmp(d, "sha256:", 7) == 0;
		for (size_t i = 7; ok && i < dn; i++)
			ok = is_digit(d[i]) || (d[i] >= 'a' && d[i] <= 'f');
		if (!ok)
			return vfail(why, whylen, "%s; a digest must be @sha256: and 64 hex digits", rule);
		end = (size_t)(at - value);
	}
	const char *slash = NULL;
	for (size_t i = 0; i < end; i++)
		if (value[i] == '/')
			slash = value + i;
	const char *colon = NULL;
	for (size_t i = slash ? (size_t)(slash - value) : 0; i < end; i++)
		if (value[i] == ':')
			colon = value + i;
	size_t name_end = colon ? (size_t)(colon - value) : end;
	if (colon) {
		const char *t = colon + 1;
		size_t tn = end - name_end - 1;
		int ok = tn >= 1 && tn <= 128 && (is_alnum(t[0]) || t[0] == '_');
		for (size_t i = 1; ok && i < tn; i++)
			ok = is_alnum(t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-';
		if (!ok)
			return vfail(why, whylen, "%s; a tag is 1-128 letters, digits, '_', '.' or '-'", rule);
	}
	size_t start = 0, comp = 0;
	for (size_t i = 0; i <= name_end; i++) {
		if (i < name_end && value[i] != '/')
			continue;
		const char *c = value + start;
		size_t cn = i - start;
		/* The first of several components is a registry host when it looks like one. */
		int domain = comp == 0 && i < name_end &&
		             (memchr(c, '.', cn) || memchr(c, ':', cn) ||
		              (cn == 9 && memcmp(c, "localhost", 9) == 0));
		if (domain ? !image_domain_ok(c, cn) : !image_component_ok(c, cn))
			return vfail(why, whylen, "%s", rule);
		comp++;
		start = i + 1;
	}
	return 0;
}

int validate_aks_name(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 1 && n <= 63 && is_alnum(value[0]) && is_alnum(value[n - 1]);
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum(value[i]) || value[i] == '_' || value[i] == '-';
	if (!ok)
		return vfail(why, whylen, "must be 1-63 letters, digits, underscores or hyphens, "
		                          "starting and ending with a letter or digit");
	return 0;
}

int validate_dns_prefix(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 1 && n <= 54 && is_alnum(value[0]) && is_alnum(value[n - 1]);
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum(value[i]) || value[i] == '-';
	if (!ok)
		return vfail(why, whylen, "must be 1-54 letters, digits or hyphens, starting and "
		                          "ending with a letter or digit");
	return 0;
}

static int looks_like_ipv4(const char *s)
{
	int parts = 0;
	while (*s) {
		int digits = 0;
		while (is_digit(*s)) {
			s++;
			digits++;
		}
		if (digits == 0 || digits > 3)
			return 0;
		parts++;
		if (*s == '.')
			s++;
		else if (*s)
			return 0;
	}
	return parts == 4;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* S3's bucket rules, which MinIO enforces too (it also refuses ".-" and "-."). */
int validate_bucket(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 3 && n <= 63;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_lalnum(value[i]) || value[i] == '.' || value[i] == '-';
	if (!ok)
		return vfail(why, whylen, "must be 3-63 lower-case letters, digits, periods or hyphens");
	if (!is_lalnum(value[0]) || !is_lalnum(value[n - 1]))
		return vfail(why, whylen, "must start and end with a lower-case letter or digit");
	if (strstr(value, "..") || strstr(value, ".-") || strstr(value, "-."))
		return vfail(why, whylen, "must not have two periods, or a period and a hyphen, together");
	if (looks_like_ipv4(value))
		return vfail(why, whylen, "must not look like an IP address");
	if (strncmp(value, "xn--", 4) == 0 || strncmp(value, "sthree-", 7) == 0)
		return vfail(why, whylen, "must not start with xn-- or sthree-");
	if (ends_with(value, "-s3alias") || ends_with(value, "--ol-s3"))
		return vfail(why, whylen, "must not end with -s3alias or --ol-s3");
	return 0;
}

int validate_port(const char *value, char *why, size_t whylen)
{
	return validate_range(value, 1, 65535, "a TCP port", why, whylen);
}

/* The runner finds RabbitMQ's management API at the AMQP port + 10000 (doc/runner.md, "The queue"). */
int validate_amqp_port(const char *value, char *why, size_t whylen)
{
	return validate_range(value, 1, 55535,
	                      "the runner reaches the management API at this port + 10000",
	                      why, whylen);
}

/* The runner re-escapes the user info of AMQP_URL, so only URL-unreserved characters
 * survive; guest is limited to localhost by RabbitMQ. */
int validate_amqp_user(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	if (strcmp(value, "guest") == 0)
		return vfail(why, whylen, "'guest' may only connect from localhost in RabbitMQ");
	int ok = n >= 1 && n <= 64;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_alnum(value[i]) || strchr("-._~", value[i]);
	if (!ok)
		return vfail(why, whylen, "must be 1-64 letters, digits, '-', '.', '_' or '~' "
		                          "(the runner mangles other characters in AMQP_URL)");
	return 0;
}

int validate_node_count(const char *value, char *why, size_t whylen)
{
	return validate_range(value, 1, 1000, "AKS allows 1000 nodes per node pool", why, whylen);
}

int validate_data_disk_gb(const char *value, char *why, size_t whylen)
{
	return validate_range(value, 4, 32767, "the sizes of an Azure managed disk in GiB", why, whylen);
}

/* RFC 1123 label; kube-* is where Kubernetes keeps its own namespaces. */
int validate_k8s_namespace(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	int ok = n >= 1 && n <= 63 && is_lalnum(value[0]) && is_lalnum(value[n - 1]);
	for (size_t i = 0; ok && i < n; i++)
		ok = is_lalnum(value[i]) || value[i] == '-';
	if (!ok)
		return vfail(why, whylen, "must be 1-63 lower-case letters, digits or hyphens, "
		                          "starting and ending with a letter or digit");
	if (strncmp(value, "kube-", 5) == 0)
		return vfail(why, whylen, "must not start with kube- (reserved for Kubernetes)");
	return 0;
}

int validate_bool(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
		return 0;
	return vfail(why, whylen, "must be true or false");
}

/* C0, DEL, C1 (as UTF-8 or raw bytes) and other bytes that are not UTF-8. */
static int has_control(const char *s)
{
	return text_has_control(s);
}

int validate_dir(const char *value, char *why, size_t whylen)
{
	char path[PATH_MAX];
	if (!*value || has_control(value) || validate_expand_home(value, path, sizeof path) < 0)
		return vfail(why, whylen, "must be a directory path without control characters, "
		                          "shorter than %d bytes", PATH_MAX);
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		return vfail(why, whylen, "%s exists and is not a directory", path);
	return 0;
}

int validate_regex_text(const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);
	if (n == 0 || n > 256 || has_control(value))
		return vfail(why, whylen, "must be a regular expression of 1-256 printable characters");
	return 0;
}
