/* core/probe/amqp.h: an AMQP 0-9-1 probe of a RabbitMQ server, on the event loop.
 * Login mode runs the connection handshake with PLAIN credentials up to open-ok on a
 * vhost and closes politely: it proves the user, password and vhost permission work.
 * Header mode stops after connection.start: it proves the port is open and names the
 * server (product, version) without sending any credential. */
#ifndef SW_AMQP_H
#define SW_AMQP_H

#include <stddef.h>

#include "core/sys/loop.h"

enum amqp_probe_mode { AMQP_PROBE_LOGIN, AMQP_PROBE_HEADER };

struct amqp_probe_opts {
	const char *host;          /* an IP address (v4 or v6) or "localhost"; names are not resolved */
	unsigned port;             /* 0 = 5672 */
	enum amqp_probe_mode mode;
	const char *user;          /* login mode */
	const char *password;      /* login mode; copied into secmem by amqp_probe_start */
	size_t password_len;
	const char *vhost;         /* NULL = "/" */
	long timeout_ms;           /* for the connect and for each answer; 0 = 10000 */
};

struct amqp_probe_result {
	int ok;                    /* login: open-ok reached; header: connection.start read */
	int reply_code;            /* the server's connection.close code (403, 530, ...), else 0 */
	int connect_errno;         /* the TCP connect failed: its errno, ETIMEDOUT for no answer; else 0 */
	char error[600];           /* one terminal-safe line when !ok */
	char product[128];         /* server-properties, terminal-safe ("RabbitMQ") */
	char version[64];
	char platform[64];
	char cluster_name[128];
	char mechanisms[256];      /* "PLAIN AMQPLAIN" */
	unsigned channel_max, frame_max, heartbeat;   /* connection.tune (login mode) */
};

/* Called once from the loop; the probe is freed after it returns. */
typedef void (*amqp_probe_done_fn)(const struct amqp_probe_result *r, void *arg);

/* Starts a probe; every outcome, a bad host included, reaches done() from the loop.
 * NULL only when out of memory. */
struct amqp_probe *amqp_probe_start(struct loop *l, const struct amqp_probe_opts *o, amqp_probe_done_fn done,
                                    void *arg);
/* Stops an unfinished probe without calling done(). */
void amqp_probe_cancel(struct amqp_probe *p);

#endif
