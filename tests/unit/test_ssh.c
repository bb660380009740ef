/* core/remote/ssh against the real OpenSSH sshd on 127.0.0.1: exec with streamed lines and
 * exit status, secrets on stdin only, SFTP writes, host key pinning, retries, two sessions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/remote/ssh.h"
#include "core/sys/log.h"
#include "secrets/secmem.h"
#include "tests/unit/sshd_child.h"
#include "testutil.h"

static struct sshd d;
static char *dir;

struct res {
	struct ssh_session *s;
	int ready, failed, done, status;
	char err[1024];
	char out[8192], errout[8192];
};

static void on_ready(struct ssh_session *s, void *arg)
{
	(void)s;
	((struct res *)arg)->ready = 1;
	sshd_wake();
}

static void on_error(struct ssh_session *s, const char *msg, void *arg)
{
	(void)s;
	struct res *r = arg;
	r->failed = 1;
	snprintf(r->err, sizeof r->err, "%s", msg);
	sshd_wake();
}

static void on_line(const char *line, int is_stderr, void *arg)
{
	struct res *r = arg;
	if (is_stderr && strncmp(line, "debug", 5) == 0)
		return;   /* sshd -e at LogLevel DEBUG3 echoes its session set-up on the channel's stderr */
	char *b = is_stderr ? r->errout : r->out;
	size_t n = strlen(b);
	snprintf(b + n, sizeof r->out - n, "%s|", line);
}

static void on_exit_status(int status, const char *err, void *arg)
{
	struct res *r = arg;
	r->done = 1;
	r->status = status;
	if (err)
		snprintf(r->err, sizeof r->err, "%s", err);
	sshd_wake();
}

static void on_written(int rc, const char *err, void *arg)
{
	on_exit_status(rc, err, arg);
}

static struct ssh_target target(const struct sshd *sd, const char *host_line)
{
	struct ssh_target t = {.host = "127.0.0.1", .port = sd->port, .host_key = host_line, .user = sd->user,
	                       .private_key = sd->admin_priv, .private_key_len = sd->admin_len,
	                       .attempt_timeout_ms = 10000};
	return t;
}

static struct ssh_session *connect_ok(struct loop *l, struct res *r)
{
	char err[256];
	struct ssh_target t = target(&d, d.host_line);
	r->s = ssh_connect(l, &t, on_ready, on_error, r, err, sizeof err);
	assert_non_null(r->s);
	sshd_run_until(l, &r->ready, SSHD_WAIT_MS);
	if (!r->ready)
		fail_msg("not connected: %s", r->err);
	return r->s;
}

static void test_ssh_exec_streams_lines_and_exit_status(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res r = {0};
	connect_ok(l, &r);
	assert_int_equal(strlen(ssh_fingerprint(r.s)), 50);
	assert_int_equal(ssh_exec(r.s, "echo hi; echo err >&2; printf 'a\\033[31mb\\tc\\r\\nlast'; exit 3", NULL, 0,
	                          on_line, on_exit_status, &r), 0);
	assert_true(sshd_run_until(l, &r.done, SSHD_WAIT_MS));
	assert_int_equal(r.status, 3);
	/* text_safe_n: the escape and the tab arrive escaped, never raw. */
	assert_string_equal(r.out, "hi|a\\x1b[31mb\\x09c|last|");
	assert_string_equal(r.errout, "err|");
	/* Three at once on one session, each with its own output and stdin. */
	struct res m[3] = {{0}};
	const char *cmds[3] = {"sleep 0.2; echo three", "echo one", "read x; echo \"two $x\""};
	for (int i = 0; i < 3; i++)
		assert_int_equal(ssh_exec(r.s, cmds[i], i == 2 ? "in\n" : NULL, i == 2 ? 3 : 0, on_line, on_exit_status,
		                          &m[i]), 0);
	for (int i = 0; i < 3; i++)
		assert_true(sshd_run_until(l, &m[i].done, SSHD_WAIT_MS));
	assert_string_equal(m[0].out, "three|");
	assert_string_equal(m[1].out, "one|");
	assert_string_equal(m[2].out, "two in|");
	/* A command on the same session, killed by a signal. */
	struct res k = {0};
	assert_int_equal(ssh_exec(r.s, "kill -9 $$", NULL, 0, on_line, on_exit_status, &k), 0);
	assert_true(sshd_run_until(l, &k.done, SSHD_WAIT_MS));
	assert_int_equal(k.status, -1);
	assert_non_null(strstr(k.err, "signal KILL"));
	ssh_free(r.s);
	loop_free(l);
}

static void test_ssh_secret_goes_on_stdin_never_in_the_command(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res r = {0};
	connect_ok(l, &r);
	unsigned char raw[24];
	char secret[64], cmd[1400], path[1200];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
	snprintf(path, sizeof path, "%s/secret.out", dir);
	snprintf(cmd, sizeof cmd, "cat >%s; tr -d '\\0' </proc/$$/cmdline", path);
	size_t from = sshd_log_size(&d);
	assert_int_equal(ssh_exec(r.s, cmd, secret, strlen(secret), on_line, on_exit_status, &r), 0);
	assert_true(sshd_run_until(l, &r.done, SSHD_WAIT_MS));
	assert_int_equal(r.status, 0);
	size_t n;
	char *got = sshd_slurp(path, 0, &n);
	assert_string_equal(got, secret);
	free(got);
	/* The remote shell's own argv holds the command, not the secret. */
	assert_non_null(strstr(r.out, "cat >"));
	assert_null(strstr(r.out, secret));
	/* sshd's DEBUG3 log of this session (captured: it names the exec) lacks the secret. */
	char *log = sshd_slurp(d.log, from, NULL);
	assert_non_null(strstr(log, "Starting session: command for"));
	assert_null(strstr(log, secret));
	free(log);
	/* A command that holds a registered secret is refused outright. */
	log_redact(secret, strlen(secret));
	snprintf(cmd, sizeof cmd, "echo %s", secret);
	assert_int_equal(ssh_exec(r.s, cmd, NULL, 0, on_line, on_exit_status, &r), -1);
	log_redact_clear();
	ssh_free(r.s);
	loop_free(l);
}

static void check_remote_file(const char *path, const unsigned char *want, size_t len, unsigned mode)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
	size_t n;
	char *got = sshd_slurp(path, 0, &n);
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void test_ssh_write_file_is_atomic_with_exact_mode(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res r = {0};
	connect_ok(l, &r);
	char sub[1100], path[1200];
	snprintf(sub, sizeof sub, "%s/files", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof path, "%s/big.bin", sub);
	size_t len = 1024 * 1024 + 17;
	unsigned char *data = malloc(len);
	randombytes_buf(data, len);
	assert_int_equal(ssh_write_file(r.s, path, data, len, 0600, on_written, &r), 0);
	assert_true(sshd_run_until(l, &r.done, SSHD_WAIT_MS));
	if (r.status != 0)
		fail_msg("write failed: %s", r.err);
	check_remote_file(path, data, len, 0600);
	/* Replacing it: a mode the server's umask (022) would narrow, and other bytes. */
	struct res r2 = {.s = r.s};
	assert_int_equal(ssh_write_file(r.s, path, "small\n", 6, 0666, on_written, &r2), 0);
	assert_true(sshd_run_until(l, &r2.done, SSHD_WAIT_MS));
	assert_int_equal(r2.status, 0);
	check_remote_file(path, (const unsigned char *)"small\n", 6, 0666);
	/* No temporary file is left beside it. */
	char cmd[1300], out[256] = "";
	snprintf(cmd, sizeof cmd, "ls -A '%s'", sub);
	FILE *p = popen(cmd, "r");
	size_t got = fread(out, 1, sizeof out - 1, p);
	out[got] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_string_equal(out, "big.bin\n");
	/* A directory that does not exist: a clear error naming the path. */
	struct res r3 = {0};
	assert_int_equal(ssh_write_file(r.s, "/nonexistent-dir/x", "x", 1, 0600, on_written, &r3), 0);
	assert_true(sshd_run_until(l, &r3.done, SSHD_WAIT_MS));
	assert_int_equal(r3.status, -1);
	assert_non_null(strstr(r3.err, "/nonexistent-dir/x"));
	free(data);
	ssh_free(r.s);
	loop_free(l);
}

static void test_ssh_host_key_mismatch_stops_before_login(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct keys_pair *other = keys_generate("impostor");
	char other_line[KEYS_LINE_MAX], other_fp[KEYS_FP_MAX], host_fp[KEYS_FP_MAX], err[256];
	keys_public_line(other, other_line, sizeof other_line);
	keys_fingerprint(other, other_fp, sizeof other_fp);
	keys_fingerprint(d.host, host_fp, sizeof host_fp);
	size_t from = sshd_log_size(&d);
	struct res r = {0};
	struct ssh_target t = target(&d, other_line);
	t.retry_for_ms = 20000;   /* must not be used: a wrong key is no booting VM */
	t.retry_every_ms = 100;
	r.s = ssh_connect(l, &t, on_ready, on_error, &r, err, sizeof err);
	assert_non_null(r.s);
	long long t0 = loop_now_ms();
	assert_true(sshd_run_until(l, &r.failed, SSHD_WAIT_MS));
	assert_true(loop_now_ms() - t0 < 5000);
	assert_false(r.ready);
	char want[300];
	snprintf(want, sizeof want, "host key mismatch: expected %s, the server offered %s; nothing was sent", other_fp,
	         host_fp);
	assert_string_equal(r.err, want);
	assert_true(sshd_wait_log(&d, from, "[preauth]", SSHD_WAIT_MS));
	assert_true(sshd_wait_log(&d, from, "Connection closed by 127.0.0.1", SSHD_WAIT_MS));
	char *log = sshd_slurp(d.log, from, NULL);
	assert_non_null(strstr(log, "Connection from 127.0.0.1"));
	assert_null(strstr(log, "userauth-request"));
	assert_null(strstr(strstr(log, "Connection from 127.0.0.1") + 1, "Connection from 127.0.0.1"));   /* one try */
	free(log);
	ssh_free(r.s);
	keys_free(other);
	loop_free(l);
}

static void test_ssh_refused_key_is_reported(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct keys_pair *stranger = keys_generate("stranger");
	size_t len;
	char *priv = keys_private_openssh(stranger, &len), err[256];
	struct res r = {0};
	struct ssh_target t = target(&d, d.host_line);
	t.private_key = priv;
	t.private_key_len = len;
	r.s = ssh_connect(l, &t, on_ready, on_error, &r, err, sizeof err);
	assert_true(sshd_run_until(l, &r.failed, SSHD_WAIT_MS));
	assert_non_null(strstr(r.err, "refused the login"));
	ssh_free(r.s);
	secmem_free(priv);
	keys_free(stranger);
	loop_free(l);
}

/* The second sshd comes up only after the client has been refused a few times. */
static struct sshd late;
static void start_late(void *arg)
{
	(void)arg;
	late.host = d.host;   /* same keys and files */
	snprintf(late.dir, sizeof late.dir, "%s", d.dir);
	if (sshd_start(&late, dir, late.port) != 0)
		fail_msg("late sshd did not start");
}

static void test_ssh_connect_retries_until_the_server_listens(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	char logpath[1200], err[256];
	snprintf(logpath, sizeof logpath, "%s/wizard.log", dir);
	assert_int_equal(log_open(logpath), 0);
	/* Nobody listens: refused, retried, then given up with the count. */
	struct res r = {0};
	struct ssh_target t = target(&d, d.host_line);
	t.port = sshd_free_port();
	t.retry_for_ms = 800;
	t.retry_every_ms = 150;
	r.s = ssh_connect(l, &t, on_ready, on_error, &r, err, sizeof err);
	assert_true(sshd_run_until(l, &r.failed, SSHD_WAIT_MS));
	assert_non_null(strstr(r.err, "Connection refused"));
	assert_non_null(strstr(r.err, "gave up after"));
	ssh_free(r.s);
	/* Now one that appears after 600 ms. */
	struct res r2 = {0};
	late.port = sshd_free_port();
	t.port = late.port;
	t.retry_for_ms = 15000;
	t.retry_every_ms = 100;
	r2.s = ssh_connect(l, &t, on_ready, on_error, &r2, err, sizeof err);
	loop_after(l, 600, start_late, NULL);
	assert_true(sshd_run_until(l, &r2.ready, SSHD_WAIT_MS));
	assert_int_equal(r2.failed, 0);
	log_close();
	char *wl = sshd_slurp(logpath, 0, NULL);
	assert_non_null(strstr(wl, "trying again"));
	free(wl);
	ssh_free(r2.s);
	sshd_stop(&late);
	loop_free(l);
}

/* A waits for a file that B creates: only runs to the end if both run at once. */
static void test_ssh_two_sessions_at_once(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res a = {0}, b = {0};
	char err[256], cmd_a[1300], cmd_b[1300];
	struct ssh_target t = target(&d, d.host_line);
	a.s = ssh_connect(l, &t, on_ready, on_error, &a, err, sizeof err);
	b.s = ssh_connect(l, &t, on_ready, on_error, &b, err, sizeof err);
	int both = 0;
	while (!(a.ready && b.ready) && !a.failed && !b.failed && sshd_run_until(l, &both, 200) == 0 && !a.failed)
		if (a.ready && b.ready)
			break;
	assert_true(a.ready && b.ready);
	/* a waits for b's flag (up to 2400 naps: a cap that only reports b never ran). */
	snprintf(cmd_a, sizeof cmd_a, "i=0; while [ ! -e %s/flag ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i+1)); done; "
	         "test -e %s/flag && echo saw-b", dir, dir);
	snprintf(cmd_b, sizeof cmd_b, "sleep 0.3; touch %s/flag; echo b", dir);
	assert_int_equal(ssh_exec(a.s, cmd_a, NULL, 0, on_line, on_exit_status, &a), 0);
	assert_int_equal(ssh_exec(b.s, cmd_b, NULL, 0, on_line, on_exit_status, &b), 0);
	assert_true(sshd_run_until(l, &a.done, SSHD_WAIT_MS));
	assert_true(sshd_run_until(l, &b.done, SSHD_WAIT_MS));
	assert_string_equal(a.out, "saw-b|");
	assert_string_equal(b.out, "b|");
	ssh_free(a.s);
	ssh_free(b.s);
	loop_free(l);
}

/* ssh_free from inside a callback is deferred; freeing with work in flight calls nothing. */
static struct res *free_me;
static void free_on_exit(int status, const char *err, void *arg)
{
	on_exit_status(status, err, arg);
	ssh_free(free_me->s);
}

static void test_ssh_free_inside_callback_and_with_work_in_flight(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res r = {0};
	connect_ok(l, &r);
	free_me = &r;
	assert_int_equal(ssh_exec(r.s, "echo x", NULL, 0, on_line, free_on_exit, &r), 0);
	assert_true(sshd_run_until(l, &r.done, SSHD_WAIT_MS));
	assert_int_equal(r.status, 0);
	struct res r2 = {0};
	connect_ok(l, &r2);
	assert_int_equal(ssh_exec(r2.s, "sleep 30", "in", 2, on_line, on_exit_status, &r2), 0);
	struct res r3 = {0};
	assert_int_equal(ssh_exec(r2.s, "cat", NULL, 0, on_line, on_exit_status, &r3), 0);
	char err[128];
	assert_true(ssh_forward_local(r2.s, "127.0.0.1", 9, err, sizeof err) > 0);
	int cond = 0;
	assert_true(sshd_run_until(l, &r3.done, SSHD_WAIT_MS));   /* the session works meanwhile */
	assert_int_equal(r3.status, 0);
	ssh_free(r2.s);
	sshd_run_until(l, &cond, 100);
	assert_int_equal(r2.done, 0);
	assert_int_equal(r2.failed, 0);
	assert_int_equal(loop_pending(l), 0);   /* no timer or watch left behind */
	loop_free(l);
}

/* The connection dies under a running command: the command fails, then the session. */
static void test_ssh_broken_connection_fails_work_and_session(void **state)
{
	(void)state;
	struct loop *l = loop_new();
	struct res r = {0};
	connect_ok(l, &r);
	struct res x = {0};
	assert_int_equal(ssh_exec(r.s, "echo going; kill -9 $PPID; sleep 5", NULL, 0, on_line, on_exit_status, &x), 0);
	assert_true(sshd_run_until(l, &x.done, SSHD_WAIT_MS));
	assert_int_equal(x.status, -1);
	assert_non_null(strstr(x.err, "broke"));
	assert_true(sshd_run_until(l, &r.failed, SSHD_WAIT_MS));
	assert_non_null(strstr(r.err, "broke"));
	assert_int_equal(ssh_exec(r.s, "true", NULL, 0, on_line, on_exit_status, &x), -1);
	ssh_free(r.s);
	loop_free(l);
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	dir = test_mkdtemp("ssh");
	chmod(dir, 0755);
	return sshd_start(&d, dir, 0);
}

static int teardown(void **state)
{
	(void)state;
	sshd_stop(&d);
	sshd_free_keys(&d);
	if (getenv("SW_KEEP_TMP") == NULL)
		test_rmrf(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ssh_exec_streams_lines_and_exit_status),
		cmocka_unit_test(test_ssh_secret_goes_on_stdin_never_in_the_command),
		cmocka_unit_test(test_ssh_write_file_is_atomic_with_exact_mode),
		cmocka_unit_test(test_ssh_host_key_mismatch_stops_before_login),
		cmocka_unit_test(test_ssh_refused_key_is_reported),
		cmocka_unit_test(test_ssh_connect_retries_until_the_server_listens),
		cmocka_unit_test(test_ssh_two_sessions_at_once),
		cmocka_unit_test(test_ssh_free_inside_callback_and_with_work_in_flight),
		cmocka_unit_test(test_ssh_broken_connection_fails_work_and_session),
	};
	return cmocka_run_group_tests_name("ssh", tests, setup, teardown);
}
