/* tests/unit/test_amqp.c: the AMQP probe against a real, private rabbitmq-server started
 * here (loopback only, its own ports, epmd, cookie and data under TEST_TMP), plus small
 * loopback sockets for the failures RabbitMQ never shows (no answer, not AMQP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/probe/amqp.h"
#include "core/probe/connect.h"
#include "core/sys/log.h"

#define RMQ_BIN "/usr/lib/rabbitmq/bin/"
#define USER "sw-probe"

static char dir[600], logpath[700], password[33];
static unsigned amqp_port;
static pid_t server = -1;

/* A port that was free a moment ago on 127.0.0.1. */
static unsigned free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &l))
		abort();
	close(s);
	return ntohs(a.sin_port);
}

static int write_text(const char *name, const char *text)
{
	char p[700];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* rabbitmqctl with the private node's environment; stdin gets input when not NULL. */
static int ctl(const char *args, const char *input)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, RMQ_BIN "rabbitmqctl %s >>'%s/ctl.out' 2>&1", args, dir);
	FILE *p = popen(cmd, "w");
	if (!p)
		return -1;
	if (input)
		fputs(input, p);
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int group_teardown(void **s);

static int group_setup(void **s)
{
	(void)s;
	if (sodium_init() < 0)
		return -1;
	const char *t = getenv("TEST_TMP");
	snprintf(dir, sizeof dir, "%s/rabbit.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	if (access(RMQ_BIN "rabbitmq-server", X_OK) != 0) {
		fprintf(stderr, "rabbitmq-server is not installed (Debian package rabbitmq-server)\n");
		return -1;
	}
	amqp_port = free_port();
	unsigned dist = free_port(), mgmt = free_port(), epmd = free_port();
	char text[1024], v[700];
	snprintf(text, sizeof text, "management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %u\nlog.console = false\n",
	         mgmt);
	if (write_text("rabbit.conf", text) || write_text("enabled_plugins", "[rabbitmq_management].\n"))
		return -1;
	/* The node, rabbitmqctl and its epmd all read this environment; HOME holds the cookie. */
	setenv("HOME", dir, 1);
#define ENV_PATH(name, leaf) (snprintf(v, sizeof v, "%s/%s", dir, leaf), setenv(name, v, 1))
	ENV_PATH("RABBITMQ_MNESIA_BASE", "mnesia");
	ENV_PATH("RABBITMQ_LOG_BASE", "log");
	ENV_PATH("RABBITMQ_CONFIG_FILE", "rabbit.conf");
	ENV_PATH("RABBITMQ_ENABLED_PLUGINS_FILE", "enabled_plugins");
	ENV_PATH("RABBITMQ_PLUGINS_EXPAND_DIR", "plugins");
	ENV_PATH("RABBITMQ_PID_FILE", "rabbit.pid");
	snprintf(v, sizeof v, "sw%08x@localhost", randombytes_random());
	setenv("RABBITMQ_NODENAME", v, 1);
	setenv("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1", 1);
	snprintf(v, sizeof v, "%u", amqp_port);
	setenv("RABBITMQ_NODE_PORT", v, 1);
	snprintf(v, sizeof v, "%u", dist);
	setenv("RABBITMQ_DIST_PORT", v, 1);
	snprintf(v, sizeof v, "%u", epmd);
	setenv("ERL_EPMD_PORT", v, 1);
	setenv("ERL_EPMD_ADDRESS", "127.0.0.1", 1);
	setenv("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}", 1);
	setenv("RABBITMQ_CTL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}", 1);

	server = fork();
	if (server < 0)
		return -1;
	if (server == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(v, sizeof v, "%s/server.out", dir);
		int fd = open(v, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		execl(RMQ_BIN "rabbitmq-server", "rabbitmq-server", (char *)NULL);
		_exit(127);
	}
	snprintf(text, sizeof text, "wait --timeout 120 '%s/rabbit.pid'", dir);
	if (ctl(text, NULL) != 0) {
		fprintf(stderr, "rabbitmq-server did not start; see %s/server.out and ctl.out\n", dir);
		group_teardown(s);   /* cmocka skips the teardown when the setup fails */
		return -1;
	}
	/* The password goes to rabbitmqctl on stdin, never in argv. */
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	for (size_t i = 0; i < sizeof password - 1; i++)
		password[i] = set[randombytes_uniform(sizeof set - 1)];
	password[sizeof password - 1] = 0;
	if (ctl("add_user " USER, password) != 0 || ctl("set_permissions -p / " USER " '.*' '.*' '.*'", NULL) != 0) {
		group_teardown(s);
		return -1;
	}
	snprintf(logpath, sizeof logpath, "%s/wizard.log", dir);
	return log_open(logpath);
}

static int group_teardown(void **s)
{
	(void)s;
	char args[800];
	log_close();
	snprintf(args, sizeof args, "stop '%s/rabbit.pid'", dir);
	if (server > 0) {
		if (ctl(args, NULL) != 0)
			kill(-server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	/* Our own epmd (ERL_EPMD_PORT) outlives the node; the host's epmd is left alone. */
	if (system("epmd -kill >/dev/null 2>&1") != 0)
		fprintf(stderr, "private epmd was not running\n");
	return 0;
}

struct outcome {
	int done;
	struct amqp_probe_result r;
};

static void on_done(const struct amqp_probe_result *r, void *arg)
{
	struct outcome *o = arg;
	o->done++;
	o->r = *r;
}

static void run_probe(struct amqp_probe_opts *o, struct outcome *out)
{
	struct loop *l = loop_new();
	assert_non_null(l);
	memset(out, 0, sizeof *out);
	assert_non_null(amqp_probe_start(l, o, on_done, out));
	assert_int_equal(out->done, 0);   /* never synchronously */
	loop_run(l, NULL);
	loop_free(l);
	assert_int_equal(out->done, 1);
}

static void test_right_password_reaches_open_ok(void **s)
{
	(void)s;
	struct amqp_probe_opts o = {"127.0.0.1", amqp_port, AMQP_PROBE_LOGIN, USER, password, strlen(password), NULL, 5000};
	struct outcome out;
	run_probe(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.error, "");
	assert_string_equal(out.r.product, "RabbitMQ");
	assert_true(out.r.frame_max >= 4096);
	assert_true(out.r.channel_max > 0);
}

static void test_wrong_password_gives_access_refused(void **s)
{
	(void)s;
	struct amqp_probe_opts o = {"localhost", amqp_port, AMQP_PROBE_LOGIN, USER, "wrong-password", 14, "/", 5000};
	struct outcome out;
	run_probe(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.reply_code, 403);
	assert_non_null(strstr(out.r.error, "ACCESS_REFUSED"));
	assert_non_null(strstr(out.r.error, "Login was refused using authentication mechanism PLAIN"));
	assert_null(strstr(out.r.error, "wrong-password"));
}

static void test_unknown_vhost_is_not_allowed(void **s)
{
	(void)s;
	struct amqp_probe_opts o = {"127.0.0.1", amqp_port, AMQP_PROBE_LOGIN, USER, password, strlen(password), "/nope", 5000};
	struct outcome out;
	run_probe(&o, &out);
	assert_false(out.r.ok);
	assert_int_equal(out.r.reply_code, 530);
	assert_non_null(strstr(out.r.error, "NOT_ALLOWED"));
	assert_non_null(strstr(out.r.error, "'/nope'"));
}

static void test_header_only_names_the_server_without_credentials(void **s)
{
	(void)s;
	struct amqp_probe_opts o = {"127.0.0.1", amqp_port, AMQP_PROBE_HEADER, NULL, NULL, 0, NULL, 5000};
	struct outcome out;
	run_probe(&o, &out);
	assert_true(out.r.ok);
	assert_string_equal(out.r.product, "RabbitMQ");
	assert_true(strlen(out.r.version) >= 3);
	assert_non_null(strstr(out.r.mechanisms, "PLAIN"));
	assert_int_equal(out.r.frame_max, 0);   /* it stopped before connection.tune */
}

static void test_log_has_outcomes_but_never_the_password(void **s)
{
	(void)s;
	struct amqp_probe_opts o = {"127.0.0.1", amqp_port, AMQP_PROBE_LOGIN, USER, password, strlen(password), NULL, 5000};
	struct outcome out;
	run_probe(&o, &out);
	assert_true(out.r.ok);
	char buf[65536];
	FILE *f = fopen(logpath, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	assert_non_null(strstr(buf, "amqp probe 127.0.0.1:"));
	assert_non_null(strstr(buf, "ACCESS_REFUSED"));
	assert_null(strstr(buf, password));
}

static void test_closed_port_and_hostname_are_reported(void **s)
{
	(void)s;
	struct amqp_probe_opts o = {"127.0.0.1", free_port(), AMQP_PROBE_HEADER, NULL, NULL, 0, NULL, 2000};
	struct outcome out;
	run_probe(&o, &out);
	assert_false(out.r.ok);
	assert_non_null(strstr(out.r.error, "cannot connect to 127.0.0.1:"));
	assert_non_null(strstr(out.r.error, "Connection refused"));
	/* A refusal is the host's answer: the advice is that nothing listens, not the security group. */
	char advice[256];
	assert_int_equal(out.r.connect_errno, ECONNREFUSED);
	probe_connect_advice(out.r.connect_errno, "rabbitmq.allowed_sources", advice, sizeof advice);
	assert_non_null(strstr(advice, "nothing listens on that port"));
	assert_null(strstr(advice, "check the security group"));
	probe_connect_advice(ETIMEDOUT, "rabbitmq.allowed_sources", advice, sizeof advice);
	assert_string_equal(advice, "no answer: check the security group and rabbitmq.allowed_sources");
	o.host = "rabbit.example.com";
	run_probe(&o, &out);
	assert_false(out.r.ok);
	assert_non_null(strstr(out.r.error, "must be an IP address"));
}

/* A loopback listener; with reply set, it answers each connection with that text. */
struct peer {
	int fd;
	const char *reply;
	struct loop *loop;
};

static void peer_on_accept(int fd, short ev, void *arg)
{
	struct peer *p = arg;
	(void)ev;
	int c = accept(fd, NULL, NULL);
	if (c >= 0) {
		if (write(c, p->reply, strlen(p->reply)) < 0)
			fprintf(stderr, "peer write failed\n");
		close(c);
	}
	loop_unwatch(p->loop, fd);
}

static unsigned peer_listen(struct peer *p)
{
	p->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(p->fd, 4), 0);
	assert_int_equal(getsockname(p->fd, (struct sockaddr *)&a, &l), 0);
	return ntohs(a.sin_port);
}

static void test_silent_server_times_out(void **s)
{
	(void)s;
	struct peer p = {0};
	unsigned port = peer_listen(&p);   /* accepts by backlog, never says anything */
	struct amqp_probe_opts o = {"127.0.0.1", port, AMQP_PROBE_HEADER, NULL, NULL, 0, NULL, 300};
	struct outcome out;
	long long t0 = loop_now_ms();
	run_probe(&o, &out);
	assert_true(loop_now_ms() - t0 >= 300);
	assert_false(out.r.ok);
	assert_non_null(strstr(out.r.error, "did not send connection.start within 300 ms"));
	close(p.fd);
}

static void test_other_protocol_is_named_and_made_safe(void **s)
{
	(void)s;
	struct peer p = {0, "HTTP/1.1 400 \x1b[2J\xc2\x9b" "Bad\r\n\r\n", NULL};
	unsigned port = peer_listen(&p);
	struct loop *l = loop_new();
	p.loop = l;
	assert_int_equal(loop_watch(l, p.fd, POLLIN, peer_on_accept, &p), 0);
	struct amqp_probe_opts o = {"127.0.0.1", port, AMQP_PROBE_HEADER, NULL, NULL, 0, NULL, 3000};
	struct outcome out = {0};
	assert_non_null(amqp_probe_start(l, &o, on_done, &out));
	loop_run(l, NULL);
	loop_free(l);
	close(p.fd);
	assert_int_equal(out.done, 1);
	print_message("error: %s\n", out.r.error);
	/* text_safe: ESC, the C1 CSI and CR LF arrive escaped, never raw. */
	assert_non_null(strstr(out.r.error, "is not an AMQP server (it sent \"HTTP/1.1 400 \\x1b[2J\\u009bBad\\x0d\\x0a\")"));
	assert_null(strchr(out.r.error, 0x1b));
	assert_null(strstr(out.r.error, "\xc2\x9b"));
	assert_null(strpbrk(out.r.error, "\r\n"));
}

static void test_cancel_never_calls_back(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	struct amqp_probe_opts o = {"127.0.0.1", amqp_port, AMQP_PROBE_HEADER, NULL, NULL, 0, NULL, 2000};
	struct outcome out = {0};
	struct amqp_probe *p = amqp_probe_start(l, &o, on_done, &out);
	assert_non_null(p);
	amqp_probe_cancel(p);
	assert_int_equal(loop_pending(l), 0);
	loop_free(l);
	assert_int_equal(out.done, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_right_password_reaches_open_ok),
		cmocka_unit_test(test_wrong_password_gives_access_refused),
		cmocka_unit_test(test_unknown_vhost_is_not_allowed),
		cmocka_unit_test(test_header_only_names_the_server_without_credentials),
		cmocka_unit_test(test_log_has_outcomes_but_never_the_password),
		cmocka_unit_test(test_closed_port_and_hostname_are_reported),
		cmocka_unit_test(test_silent_server_times_out),
		cmocka_unit_test(test_other_protocol_is_named_and_made_safe),
		cmocka_unit_test(test_cancel_never_calls_back),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
