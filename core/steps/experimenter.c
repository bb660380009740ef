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

#include "core/format/percent.h"
#include "core/format/yaml.h"
#include "core/model/outputs.h"
#include "core/model/plan.h"
#include "core/model/validate.h"
#include "core/sys/profile.h"
#include "secrets/secmem.h"

/* The stored answer (a string, or a number as answers_to_json keeps ports), else the plan's
 * fixed default; checked by the answer's own validator (the state is a file: its answers are
 * read as if the operator had typed them). buf, or NULL with err. */
static const char *exp_answer(const struct state *st, plan_qid q, char *buf, size_t buflen, char *err, size_t errlen)
{
	const struct plan_question *pq = plan_question(q);
	const char *dot = strchr(pq->key, '.');
	char section[64], why[512];
	snprintf(section, sizeof section, "%.*s", dot ? (int)(dot - pq->key) : 0, pq->key);
	const cJSON *node = cJSON_GetObjectItemCaseSensitive(st->answers, section);
	node = dot ? cJSON_GetObjectItemCaseSensitive(node, dot + 1) : NULL;
	if (cJSON_IsString(node) && *node->valuestring)
		snprintf(buf, buflen, "%s", node->valuestring);
	else if (cJSON_IsNumber(node))
		snprintf(buf, buflen, "%.17g", node->valuedouble);
	else if (node)
		snprintf(buf, buflen, "(not a string or a number)");
	else if (pq->def_kind == PLAN_DEF_TEMPLATE && pq->def && !strchr(pq->def, '{'))
		snprintf(buf, buflen, "%s", pq->def);
	else
		buf[0] = '\0';
	if (plan_question_check(q, buf, why, sizeof why) != 0) {
		snprintf(err, errlen, "refused answers in state.json: %s; nothing was written", why);
		return NULL;
	}
	return buf;
}

/* Percent-encoded into secmem (the password is one). NULL when out of memory. */
static char *exp_urlencode(const unsigned char *in, size_t len)
{
	char *out = secmem_alloc(len * 3 + 1);
	if (out && percent_escape_secret(in, len, out, len * 3 + 1) < 0) {
		secmem_free(out);
		out = NULL;
	}
	return out;
}

/* in (len bytes, a secret) NUL-terminated in secmem; NULL when it holds a NUL or out of memory. */
static char *exp_dup(const void *in, size_t len)
{
	char *z = memchr(in, 0, len) ? NULL : secmem_alloc(len + 1);
	if (z) {
		memcpy(z, in, len);
		z[len] = '\0';
	}
	return z;
}

/* key: s without a copy: the secrets stay in secmem, never in cJSON's heap strings. */
static void exp_ref(cJSON *o, const char *key, const char *s, int *bad)
{
	cJSON *v = cJSON_CreateStringReference(s);
	if (!v || !cJSON_AddItemToObject(o, key, v)) {
		cJSON_Delete(v);
		*bad = 1;
	}
}

/* database and storage: Minio by S3 with the keys. */
static void exp_s3(cJSON *doc, const char *name, const char *endpoint, const char *bucket, const char *ak,
                   const char *sk, int *bad)
{
	cJSON *d = cJSON_AddObjectToObject(doc, name);
	exp_ref(d, "type", "s3", bad);
	exp_ref(d, "endpoint", endpoint, bad);
	exp_ref(d, "bucket", bucket, bad);
	if (!strcmp(name, "database"))
		exp_ref(d, "authentication", "none", bad);
	cJSON *aws = cJSON_AddObjectToObject(cJSON_AddObjectToObject(d, "credentials"), "aws");
	exp_ref(aws, "access_key", ak, bad);
	exp_ref(aws, "secret_access_key", sk, bad);
}

/* The configuration as YAML in secmem (*len bytes), or NULL. */
static char *exp_yaml(const char *endpoint, const char *bucket, const char *ak, const char *sk, const char *url,
                      const char *pubpath, const char *signpath, size_t *len)
{
	int bad = 0;
	cJSON *doc = cJSON_CreateObject(), *env, *res;
	exp_s3(doc, "database", endpoint, bucket, ak, sk, &bad);
	exp_s3(doc, "storage", endpoint, bucket, ak, sk, &bad);
	env = cJSON_AddObjectToObject(doc, "env");
	exp_ref(env, "AWS_ACCESS_KEY_ID", ak, &bad);
	exp_ref(env, "AWS_SECRET_ACCESS_KEY", sk, &bad);
	exp_ref(env, "AWS_DEFAULT_REGION", "us-east-1", &bad);
	exp_ref(cJSON_AddObjectToObject(cJSON_AddObjectToObject(doc, "cloud"), "queue"), "rmq", url, &bad);
	res = cJSON_AddObjectToObject(doc, "resources_needed");
	exp_ref(res, "cpus", "2", &bad);
	exp_ref(res, "gpus", "1", &bad);
	exp_ref(res, "hdd", "20gb", &bad);
	exp_ref(res, "ram", "32gb", &bad);
	exp_ref(doc, "public_key_path", pubpath, &bad);
	exp_ref(doc, "signing_key_path", signpath, &bad);
	static const char head[] = "# studioml client configuration for this install, written by studio-wizard.\n"
	                           "# It holds the queue's password and Minio's keys: keep it private (mode 0600).\n"
	                           "# Submit with: studio run --config=THIS_FILE --queue=rmq_<name> ...";
	long n = bad ? -1 : yaml_emit(doc, head, NULL, 0);
	char *text = n < 0 ? NULL : secmem_alloc((size_t)n + 1);
	if (text && yaml_emit(doc, head, text, (size_t)n + 1) != n) {
		secmem_free(text);
		text = NULL;
	}
	cJSON_Delete(doc);
	*len = text ? (size_t)n : 0;
	return text;
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
	/* Every value of the file read where it is used, in its exact format: an edited state
	 * must not send the password to another host or break the YAML. */
	static const char *const out_keys[] = {"rabbitmq.public_ip", "minio.endpoint", "overlay.runner_public_key"};
	static const char *const out_steps[] = {"rabbitmq", "minio", "overlay"};
	const char *outv[3];
	char why[512];
	for (int i = 0; i < 3; i++) {
		if (outputs_get(st->outputs, out_keys[i], &outv[i], why, sizeof why) != 0) {
			snprintf(err, errlen, "refused %s; nothing was written", why);
			return -1;
		}
		if (!outv[i]) {
			snprintf(err, errlen, "%s is missing: the %s step provides it; install it first", out_keys[i],
			         out_steps[i]);
			return -1;
		}
	}
	const char *ip = outv[0], *endpoint = outv[1], *pub = outv[2];
	char ubuf[256], pbuf[64], bbuf[256];
	const char *user = exp_answer(st, plan_q("rabbitmq.amqp_user"), ubuf, sizeof ubuf, err, errlen);
	const char *port = user ? exp_answer(st, plan_q("rabbitmq.amqp_port"), pbuf, sizeof pbuf, err, errlen) : NULL;
	const char *bucket = port ? exp_answer(st, plan_q("minio.bucket"), bbuf, sizeof bbuf, err, errlen) : NULL;
	if (!bucket)
		return -1;
	const unsigned char *pass, *ak, *sk, *sign;
	size_t pass_len, ak_len, sk_len, sign_len;
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
	if (validate_expand_home(path, full, sizeof full) != 0) {
		snprintf(err, errlen, "%s: cannot expand it (is HOME set?)", path);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", full);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : full;
	if (slash)
		*slash = 0;
	char absdir[PATH_MAX];
	/* A file in a directory not made yet: made 0700, as the default ~/.studioml is (one level;
	 * its parent must exist). Only now, once everything to write is known to be there. */
	if (slash && dir[0] && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
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
			snprintf(err, errlen, "%s: exists already; not overwritten", all[i]);
			return -2;
		}
	char *euser = exp_urlencode((const unsigned char *)user, strlen(user)), *epass = exp_urlencode(pass, pass_len);
	char *url = NULL, *zak = exp_dup(ak, ak_len), *zsk = exp_dup(sk, sk_len), *text = NULL;
	size_t n = 0;
	int rc = -1;
	size_t urlcap = (euser ? strlen(euser) : 0) + (epass ? strlen(epass) : 0) + 128;
	if (!euser || !epass || !(url = secmem_alloc(urlcap))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* The runner's queue URL (doc/runner.md, "The queue"): user and password percent-encoded, vhost "/". */
	snprintf(url, urlcap, "amqp://%s:%s@%s:%s/%%2f?connection_attempts=30&retry_delay=.5&socket_timeout=5", euser,
	         epass, ip, port);
	if (!zak || !zsk || !(text = exp_yaml(endpoint, bucket, zak, zsk, url, pubpath, signpath, &n))) {
		snprintf(err, errlen, "a value holds a NUL or is not UTF-8, or out of memory");
		goto out;
	}
	if (exp_create(pubpath, pub, strlen(pub), err, errlen) != 0)
		goto out;
	if (exp_create(signpath, sign, sign_len, err, errlen) != 0) {
		unlink(pubpath);
		goto out;
	}
	if (exp_create(full, text, n, err, errlen) != 0) {
		unlink(pubpath);
		unlink(signpath);
		goto out;
	}
	rc = 0;
out:
	secmem_free(euser);
	secmem_free(epass);
	secmem_free(url);
	secmem_free(zak);
	secmem_free(zsk);
	secmem_free(text);
	return rc;
}

int experimenter_default_dir(char *err, size_t errlen)
{
	const char *home = getenv("HOME");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/.studioml", home && *home ? home : ".");
	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return profile_dir_private(dir, "", err, errlen);
}
