/* AMQP 0-9-1 connection handshake (spec section 2.2.4 and the connection class),
 * non-blocking on the loop: connect, protocol header, start/start-ok, tune/tune-ok,
 * open/open-ok, close/close-ok. Nothing past channel 0. */
#include "core/probe/amqp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/format/wire.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define AMQP_OUT_CAP 4096
#define AMQP_IN_MAX (128u * 1024)
#define AMQP_FRAME_END 0xce

enum amqp_state { ST_CONNECT, ST_START, ST_TUNE, ST_OPEN, ST_CLOSING };

static const char *const amqp_waiting[] = {"the connection", "connection.start", "connection.tune",
                                           "connection.open-ok", "connection.close-ok"};

struct amqp_probe {
	struct loop *loop;
	struct amqp_probe_opts o;
	char host[64], vhost[128], where[96];
	char *cred;               /* secmem: "\0user\0password", the PLAIN response */
	size_t cred_len;
	int fd;
	enum amqp_state state;
	unsigned timer;
	unsigned char *out;       /* secmem; start-ok carries the password */
	size_t out_len, out_off;
	unsigned char *in;
	size_t in_len, in_cap;
	amqp_probe_done_fn done;
	void *arg;
	struct amqp_probe_result r;
};

/* Probe -------------------------------------------------------------------- */

static void amqp_finish(struct amqp_probe *p)
{
	if (p->timer)
		loop_cancel(p->loop, p->timer);
	p->timer = 0;
	if (p->fd >= 0) {
		loop_unwatch(p->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	if (p->r.ok)
		log_msg(LOG_INFO, "amqp probe %s: ok (%s %s)", p->where, p->r.product, p->r.version);
	else
		log_msg(LOG_WARN, "amqp probe %s: %s", p->where, p->r.error);
	amqp_probe_done_fn done = p->done;
	void *arg = p->arg;
	struct amqp_probe_result r = p->r;
	amqp_probe_cancel(p);
	if (done)
		done(&r, arg);
}

static void amqp_fail(struct amqp_probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void amqp_fail(struct amqp_probe *p, const char *fmt, ...)
{
	char raw[sizeof p->r.error];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	text_safe(raw, p->r.error, sizeof p->r.error);
	p->r.ok = 0;
	amqp_finish(p);
}

static void amqp_on_timeout(void *arg)
{
	struct amqp_probe *p = arg;
	p->timer = 0;
	if (p->state == ST_CONNECT) {
		p->r.connect_errno = ETIMEDOUT;
		amqp_fail(p, "cannot connect to %s: no answer in %ld ms", p->where, p->o.timeout_ms);
	}
	else
		amqp_fail(p, "%s did not send %s within %ld ms", p->where, amqp_waiting[p->state], p->o.timeout_ms);
}

static void amqp_arm(struct amqp_probe *p)
{
	if (p->timer)
		loop_cancel(p->loop, p->timer);
	p->timer = loop_after(p->loop, p->o.timeout_ms, amqp_on_timeout, p);
}

static void amqp_on_io(int fd, short revents, void *arg);

static int amqp_rewatch(struct amqp_probe *p)
{
	short ev = p->state == ST_CONNECT ? POLLOUT : (short)(POLLIN | (p->out_len > p->out_off ? POLLOUT : 0));
	loop_unwatch(p->loop, p->fd);
	return loop_watch(p->loop, p->fd, ev, amqp_on_io, p);
}

/* Sends what is queued; 0, or -1 after reporting the failure. */
static int amqp_flush(struct amqp_probe *p)
{
	while (p->out_off < p->out_len) {
		ssize_t n = send(p->fd, p->out + p->out_off, p->out_len - p->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			amqp_fail(p, "connection to %s broke while sending (%s)", p->where, strerror(errno));
			return -1;
		}
		p->out_off += (size_t)n;
	}
	if (p->out_off == p->out_len) {
		secmem_wipe(p->out, p->out_len);
		p->out_off = p->out_len = 0;
	}
	if (amqp_rewatch(p) != 0) {
		amqp_fail(p, "out of memory");
		return -1;
	}
	return 0;
}

/* Queues one method frame on channel 0: class, method, then the arguments that fill() writes. */
static int amqp_send_method(struct amqp_probe *p, unsigned cls, unsigned meth, void (*fill)(struct amqp_probe *, struct wire_wr *))
{
	struct wire_wr w = {p->out, p->out_len, AMQP_OUT_CAP, 0};
	wire_put_u8(&w, 1);
	wire_put_u16(&w, 0);
	size_t size_at = w.len;
	wire_put_u32(&w, 0);
	wire_put_u16(&w, cls);
	wire_put_u16(&w, meth);
	if (fill)
		fill(p, &w);
	wire_patch_len(&w, size_at);
	wire_put_u8(&w, AMQP_FRAME_END);
	if (w.bad) {
		amqp_fail(p, "cannot build an AMQP frame for %s (too long)", p->where);
		return -1;
	}
	p->out_len = w.len;
	return amqp_flush(p);
}

static void fill_start_ok(struct amqp_probe *p, struct wire_wr *w)
{
	size_t table = w->len;
	wire_put_u32(w, 0);
	wire_put_short(w, "product");
	wire_put_u8(w, 'S');
	wire_put_long(w, "studio-wizard", 13);
	wire_put_short(w, "version");
	wire_put_u8(w, 'S');
	wire_put_long(w, SW_VERSION, strlen(SW_VERSION));
	wire_put_short(w, "capabilities");
	wire_put_u8(w, 'F');
	size_t caps = w->len;
	wire_put_u32(w, 0);
	/* Without this capability RabbitMQ drops a refused login without saying why. */
	wire_put_short(w, "authentication_failure_close");
	wire_put_u8(w, 't');
	wire_put_u8(w, 1);
	wire_patch_len(w, caps);
	wire_patch_len(w, table);
	wire_put_short(w, "PLAIN");
	wire_put_long(w, p->cred, p->cred_len);
	wire_put_short(w, "en_US");
}

static void fill_tune_ok(struct amqp_probe *p, struct wire_wr *w)
{
	wire_put_u16(w, p->r.channel_max);
	wire_put_u32(w, p->r.frame_max);
	wire_put_u16(w, 0);   /* no heartbeats: the probe is over long before one is due */
}

static void fill_open(struct amqp_probe *p, struct wire_wr *w)
{
	wire_put_short(w, p->vhost);
	wire_put_short(w, "");
	wire_put_u8(w, 0);
}

static void fill_close(struct amqp_probe *p, struct wire_wr *w)
{
	(void)p;
	wire_put_u16(w, 200);
	wire_put_short(w, "probe done");
	wire_put_u16(w, 0);
	wire_put_u16(w, 0);
}

/* connection.start: version, server-properties, mechanisms, locales. 1 when the probe finished. */
static int amqp_on_start(struct amqp_probe *p, struct wire_rd *r)
{
	unsigned major = wire_u8(r), minor = wire_u8(r);
	uint32_t tlen = wire_u32(r);
	const unsigned char *t = wire_take(r, tlen);
	struct wire_rd tr = {t, t ? tlen : 0, 0, 0};
	while (t && !tr.bad && tr.off < tr.n) {
		size_t klen, vlen;
		const unsigned char *k = wire_str(&tr, 0, &klen);
		unsigned type = wire_u8(&tr);
		if (type != 'S') {
			wire_skip_value(&tr, type);
			continue;
		}
		const unsigned char *v = wire_str(&tr, 1, &vlen);
		if (!k || !v)
			break;
		static const char *const names[] = {"product", "version", "platform", "cluster_name"};
		char *dst[] = {p->r.product, p->r.version, p->r.platform, p->r.cluster_name};
		size_t dlen[] = {sizeof p->r.product, sizeof p->r.version, sizeof p->r.platform, sizeof p->r.cluster_name};
		for (size_t i = 0; i < 4; i++)
			if (klen == strlen(names[i]) && memcmp(k, names[i], klen) == 0)
				text_safe_n((const char *)v, vlen, dst[i], dlen[i]);
	}
	size_t mlen;
	const unsigned char *m = wire_str(r, 1, &mlen);
	if (r->bad || tr.bad) {
		amqp_fail(p, "%s sent a malformed connection.start", p->where);
		return 1;
	}
	text_safe_n((const char *)m, mlen, p->r.mechanisms, sizeof p->r.mechanisms);
	if (major != 0 || minor != 9) {
		amqp_fail(p, "%s speaks AMQP %u-%u, not 0-9-1", p->where, major, minor);
		return 1;
	}
	if (p->o.mode == AMQP_PROBE_HEADER) {
		p->r.ok = 1;
		amqp_finish(p);
		return 1;
	}
	int plain = 0;
	for (char *s = p->r.mechanisms; *s; s += strcspn(s, " ")) {
		s += strspn(s, " ");
		size_t n = strcspn(s, " ");
		plain |= n == 5 && strncmp(s, "PLAIN", 5) == 0;
	}
	if (!plain) {
		amqp_fail(p, "%s does not offer PLAIN login (mechanisms: %s)", p->where, p->r.mechanisms);
		return 1;
	}
	p->state = ST_TUNE;
	amqp_arm(p);
	return amqp_send_method(p, 10, 11, fill_start_ok) ? 1 : 0;
}

/* connection.close from the server: answer close-ok (best effort) and report its reason. */
static void amqp_on_close(struct amqp_probe *p, struct wire_rd *r)
{
	char text[512];
	size_t len;
	p->r.reply_code = (int)wire_u16(r);
	const unsigned char *t = wire_str(r, 0, &len);
	text_safe_n(t ? (const char *)t : "", t ? len : 0, text, sizeof text);
	static const unsigned char close_ok[] = {1, 0, 0, 0, 0, 0, 4, 0, 10, 0, 51, AMQP_FRAME_END};
	if (send(p->fd, close_ok, sizeof close_ok, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		(void)0;   /* the server closes the socket either way */
	if (p->state == ST_TUNE)
		amqp_fail(p, "%s refused the login of '%s': %d %s", p->where, p->o.user, p->r.reply_code, text);
	else if (p->state == ST_OPEN)
		amqp_fail(p, "%s refused vhost '%s' to '%s': %d %s", p->where, p->vhost, p->o.user, p->r.reply_code, text);
	else
		amqp_fail(p, "%s closed the connection: %d %s", p->where, p->r.reply_code, text);
}

/* One method frame on channel 0. Returns 1 when the probe finished (p is gone). */
static int amqp_on_method(struct amqp_probe *p, const unsigned char *payload, size_t len)
{
	struct wire_rd r = {payload, len, 0, 0};
	unsigned cls = wire_u16(&r), meth = wire_u16(&r);
	if (cls == 10 && meth == 50) {
		amqp_on_close(p, &r);
		return 1;
	}
	unsigned want = p->state == ST_START ? 10 : p->state == ST_TUNE ? 30 : p->state == ST_OPEN ? 41 : 51;
	if (cls == 10 && meth == 20 && p->state == ST_TUNE) {
		amqp_fail(p, "%s asked for a SASL challenge after PLAIN", p->where);
		return 1;
	}
	if (cls != 10 || meth != want) {
		amqp_fail(p, "%s sent method %u.%u while the probe waited for %s", p->where, cls, meth,
		          amqp_waiting[p->state]);
		return 1;
	}
	switch (p->state) {
	case ST_START:
		return amqp_on_start(p, &r);
	case ST_TUNE:
		p->r.channel_max = wire_u16(&r);
		p->r.frame_max = wire_u32(&r);
		p->r.heartbeat = wire_u16(&r);
		if (p->r.frame_max == 0 || p->r.frame_max > AMQP_IN_MAX)
			p->r.frame_max = AMQP_IN_MAX;
		p->state = ST_OPEN;
		amqp_arm(p);
		if (amqp_send_method(p, 10, 31, fill_tune_ok) || amqp_send_method(p, 10, 40, fill_open))
			return 1;
		return 0;
	case ST_OPEN:
		p->r.ok = 1;
		p->state = ST_CLOSING;
		amqp_arm(p);
		return amqp_send_method(p, 10, 50, fill_close) ? 1 : 0;
	default:
		amqp_finish(p);   /* close-ok: done, with r.ok from open-ok */
		return 1;
	}
}

/* Parses every complete frame in the input buffer. Returns 1 when the probe finished. */
static int amqp_parse(struct amqp_probe *p)
{
	size_t off = 0;
	while (p->in_len - off >= 8) {
		const unsigned char *f = p->in + off;
		if (memcmp(f, "AMQP", 4) == 0) {
			amqp_fail(p, "%s wants AMQP protocol %u-%u-%u, not 0-9-1", p->where, f[5], f[6], f[7]);
			return 1;
		}
		struct wire_rd hdr = {f + 3, 4, 0, 0};
		uint32_t size = wire_u32(&hdr);
		if ((f[0] != 1 && f[0] != 2 && f[0] != 3 && f[0] != 8) || size > AMQP_IN_MAX) {
			char first[64];
			text_safe_n((const char *)f, p->in_len - off < 24 ? p->in_len - off : 24, first, sizeof first);
			amqp_fail(p, "%s is not an AMQP server (it sent \"%s\")", p->where, first);
			return 1;
		}
		if (p->in_len - off < 8 + (size_t)size)
			break;
		if (f[7 + size] != AMQP_FRAME_END) {
			amqp_fail(p, "%s sent a malformed AMQP frame", p->where);
			return 1;
		}
		off += 8 + size;
		unsigned channel = (unsigned)(f[1] << 8 | f[2]);
		if (f[0] == 1 && channel == 0 && amqp_on_method(p, f + 7, size))
			return 1;
	}
	memmove(p->in, p->in + off, p->in_len - off);
	p->in_len -= off;
	return 0;
}

static void amqp_on_connected(struct amqp_probe *p)
{
	int err = 0;
	socklen_t el = sizeof err;
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
		err = errno;
	if (err) {
		p->r.connect_errno = err;
		amqp_fail(p, "cannot connect to %s (%s)", p->where, strerror(err));
		return;
	}
	static const unsigned char header[8] = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
	memcpy(p->out, header, sizeof header);
	p->out_len = sizeof header;
	p->out_off = 0;
	p->state = ST_START;
	amqp_arm(p);
	amqp_flush(p);
}

static void amqp_on_io(int fd, short revents, void *arg)
{
	struct amqp_probe *p = arg;
	(void)fd;
	if (p->state == ST_CONNECT) {
		amqp_on_connected(p);
		return;
	}
	if ((revents & POLLOUT) && p->out_len > p->out_off && amqp_flush(p))
		return;
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (p->in_cap - p->in_len < 4096) {
		size_t cap = p->in_cap * 2;
		unsigned char *n = cap <= 2 * AMQP_IN_MAX ? realloc(p->in, cap) : NULL;
		if (!n) {
			amqp_fail(p, "%s sent more than the probe can hold", p->where);
			return;
		}
		p->in = n;
		p->in_cap = cap;
	}
	ssize_t n = recv(p->fd, p->in + p->in_len, p->in_cap - p->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		if (p->state == ST_CLOSING) {
			amqp_finish(p);   /* open-ok was seen; the server may close before close-ok */
		} else if (p->state == ST_TUNE) {
			amqp_fail(p, "%s closed the connection after the login (credentials refused?)", p->where);
		} else {
			amqp_fail(p, "%s closed the connection while the probe waited for %s%s%s", p->where,
			          amqp_waiting[p->state], n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		}
		return;
	}
	p->in_len += (size_t)n;
	amqp_parse(p);
}

static void amqp_on_refused(void *arg)
{
	struct amqp_probe *p = arg;
	p->timer = 0;
	amqp_finish(p);
}

/* Fills sa from p->host; 0 or -1. */
static int amqp_address(struct amqp_probe *p, struct sockaddr_storage *sa, socklen_t *salen)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
	char h[64];
	size_t n = strlen(p->host);
	memset(sa, 0, sizeof *sa);
	if (n > 2 && p->host[0] == '[' && p->host[n - 1] == ']')
		snprintf(h, sizeof h, "%.*s", (int)(n - 2), p->host + 1);
	else
		snprintf(h, sizeof h, "%s", strcasecmp(p->host, "localhost") == 0 ? "127.0.0.1" : p->host);
	if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p->o.port);
		*salen = sizeof *a4;
		return 0;
	}
	if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p->o.port);
		*salen = sizeof *a6;
		return 0;
	}
	return -1;
}

static int amqp_connect(struct amqp_probe *p)
{
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	if (amqp_address(p, &sa, &salen) != 0) {
		snprintf(p->r.error, sizeof p->r.error, "AMQP host must be an IP address, not '%s'", p->host);
		return -1;
	}
	p->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || (connect(p->fd, (struct sockaddr *)&sa, salen) != 0 && errno != EINPROGRESS)) {
		p->r.connect_errno = errno;
		snprintf(p->r.error, sizeof p->r.error, "cannot connect to %s (%s)", p->where, strerror(errno));
		return -1;
	}
	if (amqp_rewatch(p) != 0 || !(p->timer = loop_after(p->loop, p->o.timeout_ms, amqp_on_timeout, p))) {
		snprintf(p->r.error, sizeof p->r.error, "out of memory");
		return -1;
	}
	return 0;
}

struct amqp_probe *amqp_probe_start(struct loop *l, const struct amqp_probe_opts *o, amqp_probe_done_fn done,
                                    void *arg)
{
	struct amqp_probe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->loop = l;
	p->o = *o;
	p->fd = -1;
	p->done = done;
	p->arg = arg;
	p->o.port = o->port ? o->port : 5672;
	p->o.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	char safe_host[64];
	text_safe(o->host, safe_host, sizeof safe_host);
	snprintf(p->host, sizeof p->host, "%s", o->host ? o->host : "");
	snprintf(p->vhost, sizeof p->vhost, "%s", o->vhost ? o->vhost : "/");
	snprintf(p->where, sizeof p->where, strchr(safe_host, ':') && safe_host[0] != '[' ? "[%s]:%u" : "%s:%u",
	         safe_host, p->o.port);
	p->o.host = p->host;
	p->o.vhost = p->vhost;
	p->o.password = NULL;   /* only p->cred keeps it */
	p->out = secmem_alloc(AMQP_OUT_CAP);
	p->in_cap = 8192;
	p->in = malloc(p->in_cap);
	if (o->mode == AMQP_PROBE_LOGIN) {
		const char *user = o->user ? o->user : "";
		size_t ulen = strlen(user);
		p->o.user = NULL;
		p->cred_len = 2 + ulen + o->password_len;
		p->cred = secmem_alloc(p->cred_len);
		if (p->cred) {
			p->cred[0] = 0;
			memcpy(p->cred + 1, user, ulen);
			p->cred[1 + ulen] = 0;
			memcpy(p->cred + 2 + ulen, o->password, o->password_len);
			p->o.user = p->cred + 1;
		}
		if (o->password_len)
			log_redact(o->password, o->password_len);
	}
	if (!p->out || !p->in || (o->mode == AMQP_PROBE_LOGIN && !p->cred)) {
		amqp_probe_cancel(p);
		return NULL;
	}
	if (amqp_connect(p) != 0) {
		/* Refused before any I/O: reported from the loop like every other outcome. */
		if (p->fd >= 0) {
			loop_unwatch(l, p->fd);
			close(p->fd);
			p->fd = -1;
		}
		if (p->timer)
			loop_cancel(l, p->timer);
		p->timer = loop_after(l, 0, amqp_on_refused, p);
		if (!p->timer) {
			amqp_probe_cancel(p);
			return NULL;
		}
	}
	return p;
}

void amqp_probe_cancel(struct amqp_probe *p)
{
	if (!p)
		return;
	if (p->timer)
		loop_cancel(p->loop, p->timer);
	if (p->fd >= 0) {
		loop_unwatch(p->loop, p->fd);
		close(p->fd);
	}
	secmem_free(p->out);
	secmem_free(p->cred);
	free(p->in);
	free(p);
}
