/* core/steps/experimenter.c: the experimenter's studioml configuration; see experimenter.h. */
#include "core/steps/experimenter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/steps/overlay_int.h"
#include "secrets/secmem.h"

static const char *exp_output(const struct state *st, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st->outputs, key);
	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* The stored answer, else the plan's fixed default. */
static const char *exp_answer(const struct state *st, plan_qid q)
{
	const struct plan_question *pq = plan_question(q);
	const char *v = state_answer_get(st, pq->key);
	if (v && *v)
		return v;
	return pq->def_kind == PLAN_DEF_TEMPLATE && pq->def && !strchr(pq->def, '{') ? pq->def : "";
}

/* A double-quoted YAML scalar in secmem; percent-encodes first when url is set. NULL on failure. */
static char *exp_quote(const unsigned char *in, size_t len, int url)
{
	char *out = secmem_alloc(len * 3 + 3);
	size_t o = 0;
	if (!out)
		return NULL;
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (c < 0x20 || c == 0x7f) {
			secmem_free(out);
			return NULL;
		}
		if (url && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))) {
			o += (size_t)snprintf(out + o, 4, "%%%02X", c);
			continue;
		}
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = 0;
	return out;
}

static int exp_create(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, errno == EEXIST ? "exists already; not overwritten" : strerror(errno));
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, (const char *)data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int bad = off < len || fchmod(fd, 0600) != 0 || fsync(fd) != 0;
	if (bad)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (bad)
		unlink(path);
	return bad ? -1 : 0;
}

int experimenter_write(const struct state *st, const vault *v, const char *path, char *err, size_t errlen)
{
	const char *ip = exp_output(st, "rabbitmq.public_ip"), *endpoint = exp_output(st, "minio.endpoint"),
	           *pub = exp_output(st, "overlay.runner_public_key");
	const unsigned char *pass, *ak, *sk, *sign;
	size_t pass_len, ak_len, sk_len, sign_len;
	if (!ip || !endpoint || !pub) {
		snprintf(err, errlen, "%s is missing: the %s step provides it; install it first",
		         !ip ? "rabbitmq.public_ip" : !endpoint ? "minio.endpoint" : "overlay.runner_public_key",
		         !ip ? "rabbitmq" : !endpoint ? "minio" : "overlay");
		return -1;
	}
	static const char *const names[] = {"rabbitmq-password", "minio-access-key", "minio-secret-key",
	                                    "experimenter-signing-key"};
	static const char *const steps[] = {"rabbitmq", "minio", "minio", "overlay"};
	const unsigned char **vals[] = {&pass, &ak, &sk, &sign};
	size_t *lens[] = {&pass_len, &ak_len, &sk_len, &sign_len};
	for (int i = 0; i < 4; i++)
		if (vault_get(v, names[i], vals[i], lens[i], NULL) != VAULT_OK) {
			snprintf(err, errlen, "vault entry %s is missing: the %s step provides it; install it first", names[i],
			         steps[i]);
			return -1;
		}
	/* The key files beside the configuration: <stem>-request.pub.pem and <stem>-signing. */
	char full[PATH_MAX], dir[PATH_MAX], stem[PATH_MAX], pubpath[PATH_MAX + 32], signpath[PATH_MAX + 32];
	if (overlay_expand_home(path, full, sizeof full) != 0) {
		snprintf(err, errlen, "%s: cannot expand it (is HOME set?)", path);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", full);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : full;
	if (slash)
		*slash = 0;
	char absdir[PATH_MAX];
	if (!realpath(slash ? (dir[0] ? dir : "/") : ".", absdir)) {
		snprintf(err, errlen, "%s: %s", slash ? dir : ".", strerror(errno));
		return -1;
	}
	snprintf(stem, sizeof stem, "%s", base);
	size_t sl = strlen(stem);
	if (sl > 5 && !strcmp(stem + sl - 5, ".yaml"))
		stem[sl - 5] = 0;
	else if (sl > 4 && !strcmp(stem + sl - 4, ".yml"))
		stem[sl - 4] = 0;
	snprintf(pubpath, sizeof pubpath, "%s/%s-request.pub.pem", absdir, stem);
	snprintf(signpath, sizeof signpath, "%s/%s-signing", absdir, stem);
	const char *all[] = {full, pubpath, signpath};
	struct stat sb;
	for (int i = 0; i < 3; i++)
		if (lstat(all[i], &sb) == 0) {
			snprintf(err, errlen, "%s: exists already; not overwritten (choose another file with --out)", all[i]);
			return -1;
		}
	const char *user = exp_answer(st, Q_RMQ_AMQP_USER), *port = exp_answer(st, Q_RMQ_AMQP_PORT),
	           *bucket = exp_answer(st, Q_MINIO_BUCKET);
	char *qpass = exp_quote(pass, pass_len, 1), *qak = exp_quote(ak, ak_len, 0), *qsk = exp_quote(sk, sk_len, 0);
	char *text = NULL;
	char q_end[600], q_bucket[300], q_pub[PATH_MAX * 2 + 8], q_sign[PATH_MAX * 2 + 8], q_user[300];
	int rc = -1;
	if (!qpass || !qak || !qsk || overlay_yaml_quote(endpoint, q_end, sizeof q_end) ||
	    overlay_yaml_quote(bucket, q_bucket, sizeof q_bucket) || overlay_yaml_quote(pubpath, q_pub, sizeof q_pub) ||
	    overlay_yaml_quote(signpath, q_sign, sizeof q_sign) || overlay_yaml_quote(user, q_user, sizeof q_user)) {
		snprintf(err, errlen, "a value holds control characters or is too long");
		goto out;
	}
	size_t cap = 4096 + strlen(qpass) + 2 * (strlen(qak) + strlen(qsk)) + 4 * strlen(q_end) + sizeof q_pub * 2;
	if (!(text = secmem_alloc(cap))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* The amqp URL: the quoted password sits between the quotes of the whole URL. */
	qpass[strlen(qpass) - 1] = 0;
	int n = snprintf(text, cap,
	                 "# studioml client configuration for this install, written by studio-wizard.\n"
	                 "# It holds the queue's password and Minio's keys: keep it private (mode 0600).\n"
	                 "# Submit with: studio run --config=THIS_FILE --queue=rmq_<name> ...\n"
	                 "database:\n"
	                 "  type: s3\n"
	                 "  endpoint: %s\n"
	                 "  bucket: %s\n"
	                 "  authentication: none\n"
	                 "  credentials:\n"
	                 "    aws:\n"
	                 "      access_key: %s\n"
	                 "      secret_access_key: %s\n"
	                 "storage:\n"
	                 "  type: s3\n"
	                 "  endpoint: %s\n"
	                 "  bucket: %s\n"
	                 "  credentials:\n"
	                 "    aws:\n"
	                 "      access_key: %s\n"
	                 "      secret_access_key: %s\n"
	                 "env:\n"
	                 "  AWS_ACCESS_KEY_ID: %s\n"
	                 "  AWS_SECRET_ACCESS_KEY: %s\n"
	                 "  AWS_DEFAULT_REGION: us-east-1\n"
	                 "cloud:\n"
	                 "  queue:\n"
	                 "    rmq: \"amqp://%s:%s@%s:%s/%%2f?connection_attempts=30&retry_delay=.5&socket_timeout=5\"\n"
	                 "resources_needed:\n"
	                 "  cpus: 2\n"
	                 "  gpus: 1\n"
	                 "  hdd: 20gb\n"
	                 "  ram: 32gb\n"
	                 "public_key_path: %s\n"
	                 "signing_key_path: %s\n",
	                 q_end, q_bucket, qak, qsk, q_end, q_bucket, qak, qsk, qak, qsk, user, qpass + 1, ip, port, q_pub,
	                 q_sign);
	if (n < 0 || (size_t)n >= cap) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (exp_create(pubpath, pub, strlen(pub), err, errlen) != 0)
		goto out;
	if (exp_create(signpath, sign, sign_len, err, errlen) != 0) {
		unlink(pubpath);
		goto out;
	}
	if (exp_create(full, text, (size_t)n, err, errlen) != 0) {
		unlink(pubpath);
		unlink(signpath);
		goto out;
	}
	rc = 0;
out:
	secmem_free(qpass);
	secmem_free(qak);
	secmem_free(qsk);
	secmem_free(text);
	return rc;
}
