/* tests/fuzz/fuzz_amqp.c: what an AMQP server (or anything listening on its port) sends the
 * probe of core/probe/amqp.c: frames, connection.start and its field tables, tune, open-ok,
 * close. The input is the server's whole byte stream; it reaches the probe through its real
 * path, a loopback TCP connection on the event loop, once in header mode and once in login
 * mode (start-ok, tune-ok, open, close). Property: every text in the result (error, server
 * properties, mechanisms) is one terminal-safe line. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/probe/amqp.h"
#include "core/sys/loop.h"
#include "tests/fuzz/fuzz.h"

/* More than this could fill the socket buffers while the probe waits; the probe itself
 * gives up at 128 KiB (AMQP_IN_MAX in core/probe/amqp.c). */
#define FUZZ_AMQP_MAX (64 * 1024)

static struct loop *fuzz_loop;
static int fuzz_listen = -1;
static unsigned fuzz_port;

struct fuzz_amqp_run {
	int done;
	struct amqp_probe_result r;
};

static void fuzz_amqp_done(const struct amqp_probe_result *r, void *arg)
{
	struct fuzz_amqp_run *run = arg;
	run->r = *r;
	run->done = 1;
}

static void fuzz_amqp_setup(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	fuzz_listen = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fuzz_listen < 0 || bind(fuzz_listen, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(fuzz_listen, 4) != 0 || getsockname(fuzz_listen, (struct sockaddr *)&a, &l) != 0)
		abort();
	fuzz_port = ntohs(a.sin_port);
	fuzz_loop = loop_new();
	if (!fuzz_loop)
		abort();
}

static void fuzz_amqp_once(const uint8_t *data, size_t size, enum amqp_probe_mode mode)
{
	static const char password[] = "fuzz-password";
	struct amqp_probe_opts o = {.host = "127.0.0.1", .port = fuzz_port, .mode = mode, .user = "fuzz",
	                            .password = password, .password_len = sizeof password - 1,
	                            .vhost = "/", .timeout_ms = 10000};
	struct fuzz_amqp_run run = {0};
	if (!amqp_probe_start(fuzz_loop, &o, fuzz_amqp_done, &run))
		abort();
	/* The probe's connect is queued by the kernel at once: accept does not wait for the loop. */
	int c = accept(fuzz_listen, NULL, NULL);
	if (c < 0)
		abort();
	size_t off = 0;
	while (off < size) {
		ssize_t n = send(c, data + off, size - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	shutdown(c, SHUT_WR);
	loop_run(fuzz_loop, &run.done);
	close(c);
	if (!run.done)
		abort();   /* the loop ran dry without an outcome */
	fuzz_line_safe("amqp error", run.r.error);
	fuzz_line_safe("amqp product", run.r.product);
	fuzz_line_safe("amqp version", run.r.version);
	fuzz_line_safe("amqp platform", run.r.platform);
	fuzz_line_safe("amqp cluster_name", run.r.cluster_name);
	fuzz_line_safe("amqp mechanisms", run.r.mechanisms);
	if (mode == AMQP_PROBE_HEADER && run.r.ok)
		fuzz_accepted = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_AMQP_MAX)
		return 0;
	if (!fuzz_loop)
		fuzz_amqp_setup();
	fuzz_amqp_once(data, size, AMQP_PROBE_HEADER);
	fuzz_amqp_once(data, size, AMQP_PROBE_LOGIN);
	return 0;
}
