#include "core/sys/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/sys/text.h"
#include "secrets/secmem.h"

#define LOG_LINE_MAX 8192
#define LOG_SECRETS_MAX 256
#define REDACTED "<redacted>"

static int log_fd = -1;
static struct {
	unsigned char *p;
	size_t len;
} secrets[LOG_SECRETS_MAX];
static size_t nsecrets;

int log_open(const char *path)
{
	log_close();
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	return log_fd < 0 ? -1 : 0;
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void log_redact(const void *secret, size_t len)
{
	if (!secret || len < 4)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (secrets[i].len == len && secmem_equal(secrets[i].p, secret, len))
			return;
	if (nsecrets == LOG_SECRETS_MAX) {
		/* Oldest out: the newest secrets are the ones still in flight. */
		secmem_free(secrets[0].p);
		memmove(secrets, secrets + 1, sizeof secrets[0] * (LOG_SECRETS_MAX - 1));
		nsecrets--;
	}
	unsigned char *copy = secmem_alloc(len);
	if (!copy)
		return;
	memcpy(copy, secret, len);
	secrets[nsecrets].p = copy;
	secrets[nsecrets].len = len;
	nsecrets++;
}

void log_redact_clear(void)
{
	for (size_t i = 0; i < nsecrets; i++)
		secmem_free(secrets[i].p);
	nsecrets = 0;
}

void log_scrub(const char *src, char *dst, size_t dstlen)
{
	if (dstlen == 0)
		return;
	size_t in = strlen(src), o = 0;
	for (size_t i = 0; i < in && o + 1 < dstlen;) {
		size_t hit = 0;
		for (size_t s = 0; s < nsecrets; s++) {
			if (secrets[s].len <= in - i && memcmp(src + i, secrets[s].p, secrets[s].len) == 0 &&
			    secrets[s].len > hit)
				hit = secrets[s].len;
		}
		if (hit) {
			size_t r = strlen(REDACTED);
			if (o + r >= dstlen)
				break;
			memcpy(dst + o, REDACTED, r);
			o += r;
			i += hit;
		} else {
			dst[o++] = src[i++];
		}
	}
	dst[o] = '\0';
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
	if (log_fd < 0)
		return;
	/* An escape is at most 6 bytes for 2 in ("\u0085"), 4 for 1 ("\x1b"). */
	const size_t cleanlen = 4 * LOG_LINE_MAX + 64;
	char *raw = secmem_alloc(LOG_LINE_MAX);
	char *scrubbed = secmem_alloc(LOG_LINE_MAX);
	char *clean = secmem_alloc(cleanlen);
	if (!raw || !scrubbed || !clean) {
		secmem_free(raw);
		secmem_free(scrubbed);
		secmem_free(clean);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, LOG_LINE_MAX, fmt, ap);
	va_end(ap);
	/* Secrets are matched on the bytes as given, before escaping changes them. */
	log_scrub(raw, scrubbed, LOG_LINE_MAX);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	int n = (int)strftime(clean, 32, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	n += snprintf(clean + n, 16, "%-5s ", names[(unsigned)lvl < 4 ? lvl : 3]);
	/* One line per message, no terminal escapes: a newline could forge a line, an escape
	 * sequence from Azure could drive the terminal of whoever reads the log. */
	size_t len = (size_t)n + text_safe(scrubbed, clean + n, cleanlen - (size_t)n - 1);
	clean[len++] = '\n';
	/* O_APPEND + a single write keeps lines whole even with two writers. */
	ssize_t w = write(log_fd, clean, len);
	(void)w;
	secmem_free(raw);
	secmem_free(scrubbed);
	secmem_free(clean);
}

int log_holds_secret(const char *text, size_t n)
{
	size_t cap = 3 * n + 16;
	char *in = secmem_alloc(n + 1), *out = secmem_alloc(cap);
	int holds = 1;   /* out of memory: withhold rather than risk it */
	if (in && out) {
		memcpy(in, text, n);
		in[n] = 0;
		log_scrub(in, out, cap);
		holds = strcmp(in, out) != 0;
	}
	secmem_free(in);
	secmem_free(out);
	return holds;
}
