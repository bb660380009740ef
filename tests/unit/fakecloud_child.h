/* tests/unit/fakecloud_child.h: the loopback fake cloud as a child of a cmocka test, and
 * synchronous calls to its control endpoints (tests/unit/fakecloud_child.c). */
#ifndef SW_FAKECLOUD_CHILD_H
#define SW_FAKECLOUD_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "core/azure/cloud.h"
#include "core/http/http.h"

struct fakecloud {
	pid_t pid;
	char base[64];
	struct cloud cloud;
};

/* The n ports a fake (child pid) wrote to portfile (atomically, once it listens) into ports:
 * 0, or -1 when the fake exited first, or after two minutes (a cap that only turns a fake that
 * never starts into a failure). */
int fake_wait_ports(const char *portfile, pid_t pid, int *ports, int n);
/* The first port, or -1. */
int fake_wait_port(const char *portfile, pid_t pid);

/* A throwaway self-signed certificate for 127.0.0.1: dir/fake-cert.pem and dir/fake-key.pem
 * (PEM), their paths into cert and key. 0 or -1. */
int fake_tls_cert(const char *dir, char *cert, size_t certlen, char *key, size_t keylen);

/* Starts the fake on 127.0.0.1; its port and --cloud files are <dir>/<name>.port and
 * <dir>/<name>-cloud.json. With cert and key (PEM files) it answers https. 0 or -1. */
int fakecloud_start_as(struct fakecloud *f, const char *dir, const char *name, const char *cert, const char *key);
int fakecloud_start(struct fakecloud *f, const char *dir);
void fakecloud_stop(struct fakecloud *f);

/* What fakecloud_on_reply keeps of an answer (body: the caller frees). */
struct fakecloud_reply {
	long status;
	char *body;
};
/* An http_client_submit callback filling the struct fakecloud_reply at arg. */
void fakecloud_on_reply(struct http_request *req, const struct http_response *r, void *arg);

/* A blocking call on its own client; the caller frees the returned body. */
char *fakecloud_call(const struct fakecloud *f, const char *method, const char *path, const char *body);

/* How many recorded requests have method and a path containing needle (status 0 = any). */
int fakecloud_count(const struct fakecloud *f, const char *method, const char *needle, long status);

/* Every request the fake has recorded (a JSON array: method, path, query, time, status, ...),
 * or NULL when it cannot be read; caller frees. */
cJSON *fakecloud_requests(const struct fakecloud *f);

void fakecloud_reset(const struct fakecloud *f, const char *script);

#endif
