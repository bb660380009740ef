/* overlay.proof: the runner's own path, proven from inside the cluster. The operator's
 * machine is not where the runner connects from: Azure sees the runner pods come from the
 * cluster's outbound IPs, which only the aks step's security rules admit. So a short Job in
 * the runner's namespace, from the runner's own image with a command override, opens the
 * AMQP URL as the runner does (AMQP_URL from studioml-env with ${RMQ_USER}/${RMQ_PASS}
 * expanded from the studioml-amqp Secret), the management API the runner lists bindings
 * from (AMQP port + 10000) and the S3 endpoint (a signed ListObjectsV2 of the bucket with the
 * Minio keys from a Secret made for the Job). Its pod log says which path failed; the Job
 * and its Secret are deleted afterwards. The script is Python 3.6 (Ubuntu 18.04's, in the
 * 0.14.2 image: doc/runner-path.md) and prints no secret. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/kube/kube.h"
#include "core/steps/overlay.h"
#include "core/steps/overlay_int.h"
#include "core/steps/steps.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define PROOF_NAME "studioml-path-proof"
#define PROOF_DEADLINE_S 900     /* pulling the runner's image on a fresh node takes minutes */
#define PROOF_POLL_MS 2000L

static const char proof_script[] =
	"import base64, datetime, hashlib, hmac, json, os, socket, struct, sys\n"
	"import urllib.parse, urllib.request, urllib.error\n"
	"T = 8\n"
	"def out(path, why):\n"
	"    print('studio-wizard-proof %s %s' % (path, 'ok' if why is None else 'failed: ' + why))\n"
	"    sys.stdout.flush()\n"
	"def short(s):\n"
	"    b = s.encode()\n"
	"    return bytes([len(b)]) + b\n"
	"def frame(s, cls, meth, args):\n"
	"    p = struct.pack('>HH', cls, meth) + args\n"
	"    s.sendall(struct.pack('>BHI', 1, 0, len(p)) + p + b'\\xce')\n"
	"def recv(s, n):\n"
	"    b = b''\n"
	"    while len(b) < n:\n"
	"        c = s.recv(n - len(b))\n"
	"        if not c:\n"
	"            raise EOFError('the server closed the connection')\n"
	"        b += c\n"
	"    return b\n"
	"def method(s):\n"
	"    while True:\n"
	"        t, ch, n = struct.unpack('>BHI', recv(s, 7))\n"
	"        p = recv(s, n + 1)[:-1]\n"
	"        if t == 1:\n"
	"            return struct.unpack('>HH', p[:4]), p[4:]\n"
	"def text(p):\n"
	"    return p[3:3 + p[2]].decode('utf-8', 'replace')\n"
	"# The runner: os.ExpandEnv on AMQP_URL, then an AMQP 0-9-1 login and the vhost.\n"
	"u = urllib.parse.urlsplit(os.path.expandvars(os.environ.get('AMQP_URL', '')))\n"
	"user = urllib.parse.unquote(u.username or '')\n"
	"pw = urllib.parse.unquote(u.password or '')\n"
	"def amqp():\n"
	"    vhost = urllib.parse.unquote(u.path[1:]) if len(u.path) > 1 else '/'\n"
	"    s = socket.create_connection((u.hostname, u.port or 5672), timeout=T)\n"
	"    s.sendall(b'AMQP\\x00\\x00\\x09\\x01')\n"
	"    if method(s)[0] != (10, 10):\n"
	"        raise ValueError('no AMQP Connection.Start')\n"
	"    login = ('\\0' + user + '\\0' + pw).encode()\n"
	"    frame(s, 10, 11, struct.pack('>I', 0) + short('PLAIN') + struct.pack('>I', len(login)) + login + short('en_US'))\n"
	"    try:\n"
	"        m, p = method(s)\n"
	"    except EOFError:\n"
	"        raise ValueError('login refused (user or password)')\n"
	"    if m == (10, 50):\n"
	"        raise ValueError('refused: ' + text(p))\n"
	"    cm, fm, hb = struct.unpack('>HIH', p[:8])\n"
	"    frame(s, 10, 31, struct.pack('>HIH', cm, fm, 0))\n"
	"    frame(s, 10, 40, short(vhost) + short('') + b'\\x00')\n"
	"    m, p = method(s)\n"
	"    if m != (10, 41):\n"
	"        raise ValueError('vhost %s refused: %s' % (vhost, text(p) if m == (10, 50) else m))\n"
	"    frame(s, 10, 50, struct.pack('>H', 200) + short('studio-wizard proof done') + struct.pack('>HH', 0, 0))\n"
	"    s.close()\n"
	"def management():\n"
	"    r = urllib.request.Request('http://%s:%d/api/bindings/' % (u.hostname, (u.port or 5672) + 10000))\n"
	"    r.add_header('Authorization', 'Basic ' + base64.b64encode((user + ':' + pw).encode()).decode())\n"
	"    json.loads(urllib.request.urlopen(r, timeout=T).read().decode())\n"
	"def s3():\n"
	"    ep, bucket = os.environ['PROOF_S3_ENDPOINT'].rstrip('/'), os.environ['PROOF_S3_BUCKET']\n"
	"    ak, sk = os.environ['PROOF_S3_ACCESS_KEY'], os.environ['PROOF_S3_SECRET_KEY']\n"
	"    amz = datetime.datetime.utcnow().strftime('%Y%m%dT%H%M%SZ')\n"
	"    empty = hashlib.sha256(b'').hexdigest()\n"
	"    q = 'list-type=2&max-keys=1'\n"
	"    host = urllib.parse.urlsplit(ep).netloc\n"
	"    canon = 'GET\\n/%s\\n%s\\nhost:%s\\nx-amz-content-sha256:%s\\nx-amz-date:%s\\n\\n' \\\n"
	"        'host;x-amz-content-sha256;x-amz-date\\n%s' % (urllib.parse.quote(bucket), q, host, empty, amz, empty)\n"
	"    scope = amz[:8] + '/us-east-1/s3/aws4_request'\n"
	"    sts = 'AWS4-HMAC-SHA256\\n%s\\n%s\\n%s' % (amz, scope, hashlib.sha256(canon.encode()).hexdigest())\n"
	"    k = ('AWS4' + sk).encode()\n"
	"    for part in (amz[:8], 'us-east-1', 's3', 'aws4_request'):\n"
	"        k = hmac.new(k, part.encode(), hashlib.sha256).digest()\n"
	"    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()\n"
	"    r = urllib.request.Request('%s/%s?%s' % (ep, urllib.parse.quote(bucket), q))\n"
	"    r.add_header('x-amz-date', amz)\n"
	"    r.add_header('x-amz-content-sha256', empty)\n"
	"    r.add_header('Authorization', 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;x-amz-content-sha256;'\n"
	"                 'x-amz-date, Signature=%s' % (ak, scope, sig))\n"
	"    urllib.request.urlopen(r, timeout=T).read()\n"
	"def why(e):\n"
	"    if isinstance(e, urllib.error.HTTPError):\n"
	"        b = e.read().decode('utf-8', 'replace')\n"
	"        c = b.split('<Code>')[1].split('</Code>')[0] if '<Code>' in b else ''\n"
	"        return 'HTTP %d %s' % (e.code, c)\n"
	"    if isinstance(e, urllib.error.URLError):\n"
	"        e = e.reason\n"
	"    if isinstance(e, socket.timeout) or 'timed out' in str(e):\n"
	"        return 'timed out: no answer'\n"
	"    if isinstance(e, ConnectionRefusedError):\n"
	"        return 'connection refused'\n"
	"    return str(e)[:200] or e.__class__.__name__\n"
	"bad = 0\n"
	"for name, fn in (('amqp', amqp), ('management', management), ('s3', s3)):\n"
	"    try:\n"
	"        fn()\n"
	"        out(name, None)\n"
	"    except Exception as e:\n"
	"        bad += 1\n"
	"        out(name, why(e))\n"
	"sys.exit(1 if bad else 0)\n";

struct proof_data {
	struct kube *k;
	cJSON *secret, *job;
	char ns[64], uid[64], pod[254], job_path[512], secret_path[512];
	char rmq[64], amqp_port[8], mgmt_port[8], s3[128], ips[160];
	long long deadline_ms;
	int failed;                  /* the verdict, given once the Job and Secret are gone */
	char msg[1400];
};
_Static_assert(sizeof(struct proof_data) <= OVERLAY_PROOF_DATA_SIZE, "OVERLAY_PROOF_DATA_SIZE too small");

static void proof_stop(struct act *a)
{
	struct proof_data *d = act_data(a);
	kube_free(d->k);
	d->k = NULL;
	overlay_wipe_json(d->secret);
	cJSON_Delete(d->secret);
	cJSON_Delete(d->job);
	d->secret = d->job = NULL;
}

static void proof_end(struct act *a)
{
	struct proof_data *d = act_data(a);
	int failed = d->failed;
	char msg[sizeof d->msg];
	snprintf(msg, sizeof msg, "%s", d->msg);
	proof_stop(a);
	if (failed)
		act_fail(a, "%s", msg);
	else
		act_done(a, "%s", msg);
}

/* ---- cleanup: the Job (with its pod) and the Secret go, whatever the verdict ---- */

static void proof_on_secret_gone(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	if (r->error && r->status != 404)
		act_warn(a, "deleting Secret " PROOF_NAME ": %s; delete it with kubectl", r->error);
	proof_end(a);
}

static void proof_on_job_gone(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	if (r->error && r->status != 404)
		act_warn(a, "deleting Job " PROOF_NAME ": %s (it expires by itself after 10 min)", r->error);
	if (!kube_delete(d->k, d->secret_path, proof_on_secret_gone, a))
		proof_end(a);
}

static void proof_verdict(struct act *a, int failed, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void proof_verdict(struct act *a, int failed, const char *fmt, ...)
{
	struct proof_data *d = act_data(a);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	d->failed = failed;
	char path[600];
	snprintf(path, sizeof path, "%s?propagationPolicy=Background", d->job_path);
	if (!kube_delete(d->k, path, proof_on_job_gone, a))
		proof_end(a);
}

/* ---- the verdict from the pod's log ---- */

/* "failed: REASON" of path in the log, made safe; NULL when the path said ok. */
static int proof_line(const char *log, const char *path, char *why, size_t whylen)
{
	char tag[64];
	snprintf(tag, sizeof tag, "studio-wizard-proof %s ", path);
	for (const char *p = log; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, tag, strlen(tag)) != 0)
			continue;
		const char *v = p + strlen(tag);
		size_t n = strcspn(v, "\n");
		if (n == 2 && strncmp(v, "ok", 2) == 0)
			return 0;
		char raw[300];
		snprintf(raw, sizeof raw, "%.*s", (int)(n < 299 ? n : 299), v);
		if (log_holds_secret(v, n)) {
			snprintf(why, whylen, "failed (the reason is withheld: it holds a vault value)");
			return -1;
		}
		text_safe(strncmp(raw, "failed: ", 8) == 0 ? raw + 8 : raw, why, whylen);
		return -1;
	}
	snprintf(why, whylen, "no result in the Job's log");
	return -1;
}

static void proof_on_log(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	char w1[300], w2[300], w3[300];
	if (r->error) {
		proof_verdict(a, 1, "reading the proof Job's log: %s", r->error);
		return;
	}
	int amqp = proof_line(r->text, "amqp", w1, sizeof w1), mgmt = proof_line(r->text, "management", w2, sizeof w2),
	    s3 = proof_line(r->text, "s3", w3, sizeof w3);
	if (!amqp && !mgmt && !s3) {
		proof_verdict(a, 0, "from the cluster (outbound %s): AMQP login, management API and S3 bucket list work", d->ips);
		return;
	}
	char out[1200] = "";
	size_t o = 0;
	if (amqp)
		o += (size_t)snprintf(out + o, sizeof out - o, "; AMQP %s:%s: %s", d->rmq, d->amqp_port, w1);
	if (mgmt && o < sizeof out)
		o += (size_t)snprintf(out + o, sizeof out - o, "; management API %s:%s: %s", d->rmq, d->mgmt_port, w2);
	if (s3 && o < sizeof out)
		o += (size_t)snprintf(out + o, sizeof out - o, "; S3 %s: %s", d->s3, w3);
	proof_verdict(a, 1,
	              "the runner cannot reach its services from the cluster%s. Azure sees the runner come from the "
	              "cluster's outbound IPs (%s): the VMs' security groups must admit them (rule " "allow-aks-runner, "
	              "made by the aks step; check it and any Deny rule of a lower priority number), then run the wizard again",
	              out, d->ips);
}

static void proof_on_pods(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	const cJSON *pod = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r->json, "items"), 0);
	const char *name = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "name"));
	if (r->error || !name) {
		proof_verdict(a, 1, "finding the proof Job's pod: %s", r->error ? r->error : "none");
		return;
	}
	char path[800];
	snprintf(d->pod, sizeof d->pod, "%s", name);
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s/log?container=proof", d->ns, d->pod);
	if (!kube_get(d->k, path, proof_on_log, a))
		proof_verdict(a, 1, "out of memory");
}

static void proof_poll(struct act *a);

static void proof_on_job(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	if (r->error) {
		proof_verdict(a, 1, "reading Job " PROOF_NAME ": %s", r->error);
		return;
	}
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r->json, "status"), *c;
	int finished = 0;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "conditions"))
	{
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "type"));
		const char *is = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
		if (type && is && !strcmp(is, "True") && (!strcmp(type, "Complete") || !strcmp(type, "Failed")))
			finished = 1;
	}
	if (finished) {
		char path[600];
		snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods?labelSelector=batch.kubernetes.io%%2Fcontroller-uid%%3D%s",
		         d->ns, d->uid);
		if (!kube_get(d->k, path, proof_on_pods, a))
			proof_verdict(a, 1, "out of memory");
		return;
	}
	if (loop_now_ms() > d->deadline_ms) {
		proof_verdict(a, 1, "the proof Job did not finish in %d min; see kubectl -n %s describe job " PROOF_NAME,
		              PROOF_DEADLINE_S / 60 + 1, d->ns);
		return;
	}
	if (act_after(a, PROOF_POLL_MS, proof_poll) != 0)
		proof_verdict(a, 1, "out of memory");
}

static void proof_poll(struct act *a)
{
	struct proof_data *d = act_data(a);
	if (!kube_get(d->k, d->job_path, proof_on_job, a))
		proof_verdict(a, 1, "out of memory");
}

/* ---- apply: an earlier Job goes first (a Job's template cannot change), then Secret and Job ---- */

static void proof_on_job_applied(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	const char *uid = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "metadata"), "uid"));
	if (r->error || !uid) {
		proof_verdict(a, 1, "applying Job " PROOF_NAME ": %s", r->error ? r->error : "no uid in the answer");
		return;
	}
	snprintf(d->uid, sizeof d->uid, "%s", uid);
	act_progress(a, "Job " PROOF_NAME " started in %s", d->ns);
	d->deadline_ms = loop_now_ms() + (PROOF_DEADLINE_S + 60) * 1000LL;
	proof_poll(a);
}

static void proof_on_secret(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	overlay_wipe_json(d->secret);
	if (r->error) {
		proof_verdict(a, 1, "applying Secret " PROOF_NAME ": %s", r->error);
		return;
	}
	if (!kube_apply(d->k, d->job, proof_on_job_applied, a))
		proof_verdict(a, 1, "out of memory");
}

static void proof_on_old_gone(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct proof_data *d = act_data(a);
	if (r->error && r->status != 404) {
		proof_stop(a);
		act_fail(a, "deleting the Job " PROOF_NAME " of an earlier run: %s", r->error);
		return;
	}
	if (!kube_apply(d->k, d->secret, proof_on_secret, a)) {
		proof_stop(a);
		act_fail(a, "out of memory");
	}
}

static cJSON *proof_meta(cJSON *o, const char *api, const char *kind, const char *ns)
{
	cJSON_AddStringToObject(o, "apiVersion", api);
	cJSON_AddStringToObject(o, "kind", kind);
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", PROOF_NAME);
	cJSON_AddStringToObject(m, "namespace", ns);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "labels"), "app.kubernetes.io/managed-by", "studio-wizard");
	return o;
}

static void proof_env(cJSON *env, const char *name, const char *value, const char *secret_key)
{
	cJSON *e = cJSON_CreateObject();
	cJSON_AddItemToArray(env, e);
	cJSON_AddStringToObject(e, "name", name);
	if (!secret_key) {
		cJSON_AddStringToObject(e, "value", value);
		return;
	}
	cJSON *ref = cJSON_AddObjectToObject(cJSON_AddObjectToObject(e, "valueFrom"), "secretKeyRef");
	cJSON_AddStringToObject(ref, "name", PROOF_NAME);
	cJSON_AddStringToObject(ref, "key", secret_key);
}

static cJSON *proof_job(const char *ns, const char *image, const char *endpoint, const char *bucket)
{
	cJSON *j = proof_meta(cJSON_CreateObject(), "batch/v1", "Job", ns), *spec = cJSON_AddObjectToObject(j, "spec");
	cJSON_AddNumberToObject(spec, "backoffLimit", 0);
	cJSON_AddNumberToObject(spec, "activeDeadlineSeconds", PROOF_DEADLINE_S);
	cJSON_AddNumberToObject(spec, "ttlSecondsAfterFinished", 600);
	cJSON *ps = cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "template"), "spec");
	cJSON_AddStringToObject(ps, "restartPolicy", "Never");
	/* Any node will do, the runner's GPU nodes too (their image is pulled already). */
	cJSON *tol = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(ps, "tolerations"), tol);
	cJSON_AddStringToObject(tol, "key", "sku");
	cJSON_AddStringToObject(tol, "operator", "Equal");
	cJSON_AddStringToObject(tol, "value", "gpu");
	cJSON_AddStringToObject(tol, "effect", "NoSchedule");
	cJSON *c = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(ps, "containers"), c);
	cJSON_AddStringToObject(c, "name", "proof");
	cJSON_AddStringToObject(c, "image", image);
	cJSON *cmd = cJSON_AddArrayToObject(c, "command");
	cJSON_AddItemToArray(cmd, cJSON_CreateString("python3"));
	cJSON_AddItemToArray(cmd, cJSON_CreateString("-c"));
	cJSON_AddItemToArray(cmd, cJSON_CreateString(proof_script));
	/* The runner's own environment, exactly as its Deployment takes it (core/steps/overlay_objects.c). */
	cJSON *from = cJSON_AddArrayToObject(c, "envFrom"), *f1 = cJSON_CreateObject(), *f2 = cJSON_CreateObject();
	cJSON_AddItemToArray(from, f1);
	cJSON_AddItemToArray(from, f2);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(f1, "configMapRef"), "name", "studioml-env");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(f2, "secretRef"), "name", "studioml-amqp");
	cJSON *env = cJSON_AddArrayToObject(c, "env");
	proof_env(env, "PROOF_S3_ENDPOINT", endpoint, NULL);
	proof_env(env, "PROOF_S3_BUCKET", bucket, NULL);
	proof_env(env, "PROOF_S3_ACCESS_KEY", NULL, "access-key");
	proof_env(env, "PROOF_S3_SECRET_KEY", NULL, "secret-key");
	return j;
}

static int proof_secret_add(cJSON *data, const char *key, const unsigned char *v, size_t len)
{
	size_t blen = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b = secmem_alloc(blen);
	if (!b)
		return -1;
	sodium_bin2base64(b, blen, v, len, sodium_base64_VARIANT_ORIGINAL);
	int rc = cJSON_AddStringToObject(data, key, b) ? 0 : -1;
	secmem_free(b);
	return rc;
}

void overlay_proof_start(struct act *a)
{
	struct proof_data *d = act_data(a);
	const char *image = act_output(a, "acr.image"), *endpoint = act_output(a, "minio.endpoint"),
	           *rmq = act_output(a, "rabbitmq.public_ip"), *ips = act_output(a, "aks.outbound_ips");
	const unsigned char *kc, *ak, *sk;
	size_t kc_len, ak_len, sk_len;
	char err[600];
	if (!image || !endpoint || !rmq) {
		act_fail(a, "%s is missing: run the %s step first", !image ? "acr.image" : !endpoint ? "minio.endpoint" : "rabbitmq.public_ip",
		         !image ? "acr" : !endpoint ? "minio" : "rabbitmq");
		return;
	}
	if (act_secret_get(a, "aks-kubeconfig", &kc, &kc_len) != 0 || act_secret_get(a, "minio-access-key", &ak, &ak_len) != 0 ||
	    act_secret_get(a, "minio-secret-key", &sk, &sk_len) != 0) {
		act_fail(a, "the vault lacks aks-kubeconfig or the Minio keys: run the aks and minio steps first");
		return;
	}
	snprintf(d->ns, sizeof d->ns, "%s", act_answer(a, "overlay.namespace"));
	snprintf(d->rmq, sizeof d->rmq, "%s", rmq);
	snprintf(d->amqp_port, sizeof d->amqp_port, "%s", act_answer(a, "rabbitmq.amqp_port"));
	snprintf(d->mgmt_port, sizeof d->mgmt_port, "%d", atoi(d->amqp_port) + 10000);
	snprintf(d->s3, sizeof d->s3, "%s", endpoint);
	snprintf(d->ips, sizeof d->ips, "%s", ips && *ips ? ips : "unknown");
	d->job = proof_job(d->ns, image, endpoint, act_answer(a, "minio.bucket"));
	d->secret = proof_meta(cJSON_CreateObject(), "v1", "Secret", d->ns);
	cJSON_AddStringToObject(d->secret, "type", "Opaque");
	cJSON *data = cJSON_AddObjectToObject(d->secret, "data");
	if (!d->job || !data || proof_secret_add(data, "access-key", ak, ak_len) != 0 ||
	    proof_secret_add(data, "secret-key", sk, sk_len) != 0 ||
	    kube_object_path(d->job, d->job_path, sizeof d->job_path, err, sizeof err) != 0 ||
	    kube_object_path(d->secret, d->secret_path, sizeof d->secret_path, err, sizeof err) != 0) {
		proof_stop(a);
		act_fail(a, "building the proof Job: out of memory");
		return;
	}
	if (!(d->k = kube_new(act_http(a), (const char *)kc, kc_len, err, sizeof err))) {
		proof_stop(a);
		act_fail(a, "aks-kubeconfig: %s", err);
		return;
	}
	char path[600];
	snprintf(path, sizeof path, "%s?propagationPolicy=Background", d->job_path);
	if (!kube_delete(d->k, path, proof_on_old_gone, a)) {
		proof_stop(a);
		act_fail(a, "out of memory");
	}
}

void overlay_proof_stop(struct act *a)
{
	proof_stop(a);
}

