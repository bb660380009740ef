/* tests/unit/fakecloud_child.c: the loopback fake cloud (tests/fake/fakecloud.py) as a child
 * of a C test, and blocking calls to its control endpoints. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sys/loop.h"
#include "tests/unit/fakecloud_child.h"

int fake_wait_ports(const char *portfile, pid_t pid, int *ports, int n)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		FILE *pf = fopen(portfile, "r");
		int got = 0;
		if (pf) {
			while (got < n && fscanf(pf, "%d", &ports[got]) == 1 && ports[got] > 0)
				got++;
			fclose(pf);
			if (got == n)
				return 0;
		}
		if (waitpid(pid, NULL, WNOHANG) != 0) {
			fprintf(stderr, "the fake (pid %d) exited before it wrote %s\n", (int)pid, portfile);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 120) {
			fprintf(stderr, "no ports in %s after 120 s\n", portfile);
			return -1;
		}
		usleep(25000);
	}
}

int fake_wait_port(const char *portfile, pid_t pid)
{
	int port;
	return fake_wait_ports(portfile, pid, &port, 1) == 0 ? port : -1;
}

int fake_tls_cert(const char *dir, char *cert, size_t certlen, char *key, size_t keylen)
{
	char cmd[2048];
	snprintf(cert, certlen, "%s/fake-cert.pem", dir);
	snprintf(key, keylen, "%s/fake-key.pem", dir);
	snprintf(cmd, sizeof cmd,
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
	         "-addext subjectAltName=IP:127.0.0.1 -days 1 -keyout '%s' -out '%s' 2>/dev/null",
	         key, cert);
	return system(cmd) == 0 ? 0 : -1;
}

int fakecloud_start_as(struct fakecloud *f, const char *dir, const char *name, const char *cert, const char *key)
{
	char portfile[700], cloudfile[700], script[600], err[256];
	const char *top = getenv("SW_TOP");
	snprintf(script, sizeof script, "%s/tests/fake/fakecloud.py", top ? top : ".");
	snprintf(portfile, sizeof portfile, "%s/%s.port", dir, name);
	snprintf(cloudfile, sizeof cloudfile, "%s/%s-cloud.json", dir, name);
	unlink(portfile);
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (f->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		if (cert)
			execlp("python3", "python3", script, "--port-file", portfile, "--cloud-file", cloudfile,
			       "--tls-cert", cert, "--tls-key", key, (char *)NULL);
		else
			execlp("python3", "python3", script, "--port-file", portfile, "--cloud-file", cloudfile,
			       (char *)NULL);
		_exit(127);
	}
	int port = fake_wait_port(portfile, f->pid);
	if (port < 0)
		return -1;
	snprintf(f->base, sizeof f->base, "%s://127.0.0.1:%d", cert ? "https" : "http", port);
	return cloud_load_file(cloudfile, &f->cloud, err, sizeof err);
}

int fakecloud_start(struct fakecloud *f, const char *dir)
{
	return fakecloud_start_as(f, dir, "fake", NULL, NULL);
}

void fakecloud_stop(struct fakecloud *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
	}
	f->pid = 0;
}

void fakecloud_on_reply(struct http_request *req, const struct http_response *r, void *arg)
{
	(void)req;
	struct fakecloud_reply *out = arg;
	out->status = r->status;
	out->body = strdup(r->body);
}

char *fakecloud_call(const struct fakecloud *f, const char *method, const char *path, const char *body)
{
	char url[512];
	snprintf(url, sizeof url, "%s%s", f->base, path);
	struct loop *l = loop_new();
	struct http_client *c = http_client_new(l);
	struct fakecloud_reply rep = {0, NULL};
	struct http_request *req = http_request_new(method, url, NULL, body ? body : (strcmp(method, "POST") == 0 ? "" : NULL));
	http_client_submit(c, req, fakecloud_on_reply, &rep);
	http_client_wait(c);
	http_client_free(c);
	loop_free(l);
	return rep.body;
}

int fakecloud_count(const struct fakecloud *f, const char *method, const char *needle, long status)
{
	char *body = fakecloud_call(f, "GET", "/_fake/requests", NULL);
	cJSON *j = cJSON_Parse(body);
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, j)
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "method");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "status");
		if (cJSON_IsString(m) && strcmp(m->valuestring, method) == 0 && cJSON_IsString(p) &&
		    strcasestr(p->valuestring, needle) && (!status || (cJSON_IsNumber(s) && (long)s->valuedouble == status)))
			n++;
	}
	cJSON_Delete(j);
	free(body);
	return n;
}

cJSON *fakecloud_requests(const struct fakecloud *f)
{
	char *body = fakecloud_call(f, "GET", "/_fake/requests", NULL);
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	free(body);
	if (j && !cJSON_IsArray(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

void fakecloud_reset(const struct fakecloud *f, const char *script)
{
	free(fakecloud_call(f, "POST", "/_fake/reset", script));
}
