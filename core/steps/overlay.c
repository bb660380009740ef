/* Step 6, overlay: the runner in the cluster. Generates and seals the runner's message key,
 * its passphrase and the experimenter's signing key; writes the kustomize overlay the operator
 * keeps; applies the namespaces, the four Secrets and the overlay's objects (server-side apply
 * through core/kube, kubeconfig from the vault); then follows the rollout until every runner
 * pod is Running and ready. Reads rabbitmq.public_ip, acr.image, aks.* and the vault entries
 * rabbitmq-password and aks-kubeconfig that earlier steps left. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/crypto/runnerkey.h"
#include "core/kube/kube.h"
#include "core/kube/rollout.h"
#include "core/model/validate.h"
#include "core/remote/keys.h"
#include "core/steps/overlay.h"
#include "core/steps/overlay_int.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"
#include "core/sys/log.h"
#include "secrets/secmem.h"

#define OUT_PUBLIC "overlay.runner_public_key"
#define OUT_SIGNING "overlay.signing_public_key"
#define OUT_DIR "overlay.dir"
#define OUT_SUMS "overlay.files"
#define SIGNING_COMMENT "studioml experimenter signing key"

static long rollout_poll_ms = 3000, rollout_timeout_ms = 20L * 60 * 1000;

void overlay_set_rollout_timing(long poll_ms, long timeout_ms)
{
	rollout_poll_ms = poll_ms > 0 ? poll_ms : 3000;
	rollout_timeout_ms = timeout_ms > 0 ? timeout_ms : 20L * 60 * 1000;
}

/* ---- inputs ---- */

static int need_output(struct act *a, const char *key, const char *step, const char **out)
{
	*out = act_output(a, key);
	if (*out && **out)
		return 0;
	act_fail(a, "%s is missing: the %s step provides it; run that step first", key, step);
	return -1;
}

static int positive(const char *s)
{
	char *end;
	long v = s ? strtol(s, &end, 10) : 0;
	return s && *s && !*end && v > 0 && v < 10000 ? (int)v : 0;
}

/* The runner's CPU-only example (doc/runner.md, end of "GPUs each runner release recognises"): the share of a node size the wizard does
 * not know. */
static const struct runner_share share_unknown = {2000, 2, 8192, 7168, 20, 17};

/* The overlay's inputs from the answers and earlier outputs; act_fail and -1 when one is
 * missing. tell: say what each pod gets (once per run, from the files action). */
static int overlay_inputs(struct act *a, struct overlay_in *in, int tell)
{
	const char *ip, *image;
	memset(in, 0, sizeof *in);
	if (need_output(a, "rabbitmq.public_ip", "rabbitmq", &ip) || need_output(a, "acr.image", "acr", &image))
		return -1;
	snprintf(in->ns, sizeof in->ns, "%s", act_answer(a, "overlay.namespace"));
	snprintf(in->queue_match, sizeof in->queue_match, "%s", act_answer(a, "overlay.queue_match"));
	in->clear_text = strcmp(act_answer(a, "overlay.clear_text_messages"), "true") == 0;
	snprintf(in->amqp_url, sizeof in->amqp_url, "amqp://${RMQ_USER}:${RMQ_PASS}@%s:%s/", ip,
	         act_answer(a, "rabbitmq.amqp_port"));
	if (overlay_image_split(image, in) != 0) {
		act_fail(a, "acr.image '%s' is not an image reference (registry/repository:tag)", image);
		return -1;
	}
	/* Where the AKS step left nothing, what the answers say is safe to use. */
	const struct plan_gpu_size *g = plan_gpu_find(act_answer(a, "aks.node_vm_size"));
	const char *mode = act_output(a, "aks.mode");
	in->cpu_mode = mode ? strcmp(mode, "cpu") == 0 : !g;
	int nodes = positive(act_output(a, "aks.nodes"));
	if (!nodes)
		nodes = positive(act_answer(a, "aks.node_count"));
	int gpus = positive(act_output(a, "aks.node_gpus"));
	if (!gpus && g)
		gpus = g->gpus;
	if (!nodes || (!in->cpu_mode && !gpus)) {
		act_fail(a, "aks.nodes / aks.node_gpus are missing: the aks step provides them; run that step first");
		return -1;
	}
	in->replicas = in->cpu_mode ? nodes : nodes * gpus;
	snprintf(in->state, sizeof in->state, "%s", act_answer(a, "overlay.runner_state"));
	const char *size = act_answer(a, in->cpu_mode ? "aks.cpu_node_vm_size" : "aks.node_vm_size");
	char why[300];
	int rc = runner_share(size, in->cpu_mode ? 1 : gpus, &in->share, why, sizeof why);
	if (rc == -2) {
		act_fail(a, "%s; choose a larger node size", why);
		return -1;
	}
	if (rc == -1) {
		in->share = share_unknown;
		if (tell)
			act_warn(a, "%s: each runner pod asks for 2 CPUs, 8 GiB and 20 GiB of /tmp (the runner's CPU-only "
			         "example); change runner/deployment.yaml and runner/settings.yaml to fit the node", why);
	} else if (tell) {
		act_info(a, "each runner pod: %dm CPU (MAX_CORES %d), %ld MiB (MAX_MEM %ld MiB), /tmp %ld GiB (MAX_DISK %ld "
		         "GiB) of a %s shared by %d; STATE %s", in->share.cpu_milli, in->share.max_cores, in->share.mem_mib,
		         in->share.max_mem_mib, in->share.disk_gib, in->share.max_disk_gib, size, in->cpu_mode ? 1 : gpus,
		         in->state);
	}
	return 0;
}

/* ---- keys: generated and sealed before anything is applied ---- */

static int keys_present(struct act *a)
{
	const unsigned char *v;
	size_t len;
	return act_secret_get(a, "runner-encryption-key", &v, &len) == 0 &&
	       act_secret_get(a, "runner-key-passphrase", &v, &len) == 0 &&
	       act_secret_get(a, "experimenter-signing-key", &v, &len) == 0 && act_output(a, OUT_PUBLIC) &&
	       act_output(a, OUT_SIGNING);
}

static void keys_run(struct act *a)
{
	char err[512], line[KEYS_LINE_MAX];
	if (keys_present(a)) {
		act_done(a, "kept the keys made earlier");
		return;
	}
	act_progress(a, "generating the runner's RSA-4096 message key");
	struct runnerkey rk;
	struct keys_pair *sk = NULL;
	char *sk_text = NULL;
	size_t sk_len = 0;
	if (runnerkey_generate(&rk, err, sizeof err) != 0) {
		runnerkey_free(&rk);
		act_fail(a, "runner key: %s", err);
		return;
	}
	if (!(sk = keys_generate(SIGNING_COMMENT)) || !(sk_text = keys_private_openssh(sk, &sk_len)) ||
	    keys_public_line(sk, line, sizeof line) != 0) {
		act_fail(a, "experimenter signing key: out of memory");
		goto out;
	}
	if (act_secret_put(a, "runner-key-passphrase", VAULT_KIND_PASSWORD, rk.passphrase, rk.passphrase_len, err,
	                   sizeof err) != 0 ||
	    act_secret_put(a, "runner-encryption-key", VAULT_KIND_PRIVATE_KEY, rk.private_pem, rk.private_len, err,
	                   sizeof err) != 0 ||
	    act_secret_put(a, "experimenter-signing-key", VAULT_KIND_PRIVATE_KEY, sk_text, sk_len, err, sizeof err) != 0) {
		act_fail(a, "sealing the keys: %s", err);
		goto out;
	}
	if (act_output_set(a, OUT_PUBLIC, rk.public_pem) != 0 || act_output_set(a, OUT_SIGNING, line) != 0) {
		act_fail(a, "cannot save the state");
		goto out;
	}
	act_done(a, "sealed runner-encryption-key, runner-key-passphrase, experimenter-signing-key");
out:
	runnerkey_free(&rk);
	secmem_free(sk_text);
	keys_free(sk);
}

static void keys_start(struct act *a)
{
	/* RSA generation is a second of CPU: let the loop draw the progress first. */
	if (act_after(a, 0, keys_run) != 0)
		act_fail(a, "out of memory");
}

/* ---- the overlay directory ---- */

static void files_start(struct act *a)
{
	struct overlay_in in;
	struct overlay_files files;
	char dir[4096], err[600], sums[2048], kept[1024];
	if (overlay_inputs(a, &in, 1) != 0)
		return;
	if (validate_expand_home(act_answer(a, "overlay.dir"), dir, sizeof dir) != 0) {
		act_fail(a, "overlay.dir: cannot expand '%s' (is HOME set?)", act_answer(a, "overlay.dir"));
		return;
	}
	struct overlay_set set;
	if (overlay_set_build(&in, &set, err, sizeof err) != 0) {
		act_fail(a, "%s", err);
		return;
	}
	int built = overlay_files_build(&set, &files, err, sizeof err);
	overlay_set_free(&set);
	if (built != 0) {
		act_fail(a, "%s", err);
		return;
	}
	const char *was = act_output(a, OUT_SUMS);
	int rc = overlay_dir_write(dir, &files, was, sums, sizeof sums, kept, sizeof kept, err, sizeof err);
	size_t n = files.n;
	overlay_files_free(&files);
	if (rc != 0) {
		act_fail(a, "overlay.dir: %s", err);
		return;
	}
	if (kept[0])
		act_warn(a, "%s: kept %s, changed since the wizard wrote it; the wizard applies its own version, "
		         "apply yours with kubectl apply --server-side --force-conflicts -k %s", dir, kept, dir);
	if (act_output_set(a, OUT_DIR, dir) != 0 || act_output_set(a, OUT_SUMS, sums) != 0) {
		act_fail(a, "cannot save the state");
		return;
	}
	act_done(a, "%zu files in %s", n, dir);
}

/* ---- apply ---- */

struct apply_data {
	struct kube *k;
	cJSON *objs;        /* namespaces, Secrets, then the overlay's objects */
	int i, n, secret_from, secret_to;
};

void overlay_wipe_json(cJSON *o)
{
	for (cJSON *c = o ? o->child : NULL; c; c = c->next) {
		if (cJSON_IsString(c) && c->valuestring)
			sodium_memzero(c->valuestring, strlen(c->valuestring));
		overlay_wipe_json(c);
	}
}

static void apply_stop(struct act *a)
{
	struct apply_data *d = act_data(a);
	kube_free(d->k);
	d->k = NULL;
	for (int i = d->secret_from; i < d->secret_to; i++)
		overlay_wipe_json(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(d->objs, i), "data"));
	cJSON_Delete(d->objs);
	d->objs = NULL;
}

/* A Secret with data[key[i]] = base64(value[i]); the strings are wiped when applied. */
static cJSON *secret_obj(const char *ns, const char *name, size_t n, const char *const *keys,
                         const unsigned char *const *vals, const size_t *lens)
{
	cJSON *s = cJSON_CreateObject(), *meta = cJSON_AddObjectToObject(s, "metadata"), *data;
	cJSON_AddStringToObject(s, "apiVersion", "v1");
	cJSON_AddStringToObject(s, "kind", "Secret");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON_AddStringToObject(s, "type", "Opaque");
	data = cJSON_AddObjectToObject(s, "data");
	for (size_t i = 0; i < n; i++) {
		size_t blen = sodium_base64_encoded_len(lens[i], sodium_base64_VARIANT_ORIGINAL);
		char *b = secmem_alloc(blen);
		if (!b)
			continue;
		sodium_bin2base64(b, blen, vals[i], lens[i], sodium_base64_VARIANT_ORIGINAL);
		cJSON_AddStringToObject(data, keys[i], b);
		secmem_free(b);
	}
	return s;
}

static int apply_secrets(struct act *a, const char *ns, cJSON *list)
{
	const unsigned char *pass, *priv, *phrase, *sk;
	size_t pass_len, priv_len, phrase_len, sk_len;
	if (act_secret_get(a, "rabbitmq-password", &pass, &pass_len) != 0) {
		act_fail(a, "vault entry rabbitmq-password is missing: the rabbitmq step provides it; run that step first");
		return -1;
	}
	if (act_secret_get(a, "runner-encryption-key", &priv, &priv_len) || act_secret_get(a, "runner-key-passphrase", &phrase, &phrase_len) ||
	    act_secret_get(a, "experimenter-signing-key", &sk, &sk_len) || !act_output(a, OUT_PUBLIC) ||
	    !act_output(a, OUT_SIGNING)) {
		act_fail(a, "the runner keys are missing from the vault: run the overlay step again");
		return -1;
	}
	const char *user = act_answer(a, "rabbitmq.amqp_user"), *pub = act_output(a, OUT_PUBLIC),
	           *line = act_output(a, OUT_SIGNING);
	static const char info[] = "rmq_: the experimenter signing key studio-wizard made (experimenter-signing-key)";
	const char *k1[] = {"RMQ_USER", "RMQ_PASS"}, *k2[] = {"ssh-privatekey", "ssh-publickey"},
	           *k3[] = {"ssh-passphrase"}, *k4[] = {"rmq_", "info"};
	const unsigned char *v1[] = {(const unsigned char *)user, pass}, *v2[] = {priv, (const unsigned char *)pub},
	                    *v3[] = {phrase}, *v4[] = {(const unsigned char *)line, (const unsigned char *)info};
	size_t l1[] = {strlen(user), pass_len}, l2[] = {priv_len, strlen(pub)}, l3[] = {phrase_len},
	       l4[] = {strlen(line), sizeof info - 1};
	cJSON *s[] = {secret_obj(ns, "studioml-amqp", 2, k1, v1, l1),
	              secret_obj(ns, "studioml-runner-key-secret", 2, k2, v2, l2),
	              secret_obj(ns, "studioml-runner-passphrase-secret", 1, k3, v3, l3),
	              secret_obj(ns, "studioml-signing", 2, k4, v4, l4)};
	for (int i = 0; i < 4; i++)
		cJSON_AddItemToArray(list, s[i]);
	return 4;
}

static void apply_next(struct act *a);

static void apply_done_one(const struct kube_result *r, void *arg)
{
	struct act *a = arg;
	struct apply_data *d = act_data(a);
	cJSON *o = cJSON_GetArrayItem(d->objs, d->i);
	char kind[64], name[256];
	snprintf(kind, sizeof kind, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "kind")));
	snprintf(name, sizeof name, "%s",
	         cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "name")));
	if (d->i >= d->secret_from && d->i < d->secret_to)
		overlay_wipe_json(cJSON_GetObjectItemCaseSensitive(o, "data"));
	if (r->error) {
		apply_stop(a);
		act_fail(a, "applying %s %s: %s", kind, name, r->error);
		return;
	}
	act_progress(a, "%s %s %s", kind, name, r->status == 201 ? "created" : "applied");
	d->i++;
	apply_next(a);
}

static void apply_next(struct act *a)
{
	struct apply_data *d = act_data(a);
	if (d->i >= d->n) {
		int secrets = d->secret_to - d->secret_from;
		apply_stop(a);
		act_done(a, "%d objects and %d Secrets applied", d->n - secrets, secrets);
		return;
	}
	if (!kube_apply(d->k, cJSON_GetArrayItem(d->objs, d->i), apply_done_one, a)) {
		apply_stop(a);
		act_fail(a, "out of memory");
	}
}

static void apply_start(struct act *a)
{
	struct apply_data *d = act_data(a);
	struct overlay_in in;
	struct overlay_set set;
	char err[600];
	const unsigned char *kc;
	size_t kc_len;
	if (overlay_inputs(a, &in, 0) != 0)
		return;
	if (act_secret_get(a, "aks-kubeconfig", &kc, &kc_len) != 0) {
		act_fail(a, "vault entry aks-kubeconfig is missing: the aks step provides it; run that step first");
		return;
	}
	/* The objects the files step wrote, built again from the same inputs (never read back from
	 * the files: the operator's changes to those are the operator's to apply). */
	if (overlay_set_build(&in, &set, err, sizeof err) != 0) {
		act_fail(a, "%s", err);
		return;
	}
	/* The Secrets go right after the namespaces, which come first. */
	cJSON *list = d->objs = cJSON_CreateArray();
	size_t i = 0;
	for (; i < set.n && !strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set.d[i].obj, "kind")),
	                            "Namespace"); i++)
		cJSON_AddItemToArray(list, set.d[i].obj);
	int at = cJSON_GetArraySize(list);
	int ns = apply_secrets(a, in.ns, list);
	for (; i < set.n; i++)
		cJSON_AddItemToArray(list, set.d[i].obj);
	set.n = 0;   /* the list owns the objects now */
	if (ns < 0) {
		apply_stop(a);
		return;
	}
	d->secret_from = at;
	d->secret_to = at + ns;
	d->n = cJSON_GetArraySize(d->objs);
	d->k = kube_new(act_http(a), (const char *)kc, kc_len, err, sizeof err);
	if (!d->k) {
		apply_stop(a);
		act_fail(a, "aks-kubeconfig: %s", err);
		return;
	}
	act_progress(a, "applying to %s", kube_server(d->k));
	apply_next(a);
}

/* ---- the rollout ---- */

struct rollout_data {
	struct kube *k;
	struct kube_rollout *w;
	char ns[64];
	char last[1024];
};

static void rollout_stop(struct act *a)
{
	struct rollout_data *d = act_data(a);
	if (d->w)
		kube_rollout_cancel(d->w);
	d->w = NULL;
	kube_free(d->k);
	d->k = NULL;
}

/* "Pending (Unschedulable: ...)" for the first pod in each distinct state. */
static void rollout_summary(const struct kube_rollout_report *r, char *out, size_t outlen)
{
	size_t o = (size_t)snprintf(out, outlen, "%d of %d ready", r->ready, r->desired);
	for (size_t i = 0; i < r->npods && o < outlen; i++) {
		const struct kube_pod_state *p = &r->pods[i];
		int seen = 0, same = 0;
		for (size_t j = 0; j < r->npods; j++) {
			int eq = !strcmp(r->pods[j].phase, p->phase) && !strcmp(r->pods[j].reason, p->reason) &&
			         r->pods[j].ready == p->ready;
			same += eq;
			seen |= eq && j < i;
		}
		if (seen || (p->ready && !p->reason[0]))
			continue;
		o += (size_t)snprintf(out + o, outlen - o, "; %d pod%s %s%s%s%s%s%s%s", same, same == 1 ? "" : "s", p->phase,
		                      p->reason[0] ? " " : "", p->reason, p->message[0] ? ": " : "", p->message,
		                      p->log_tail[0] ? "; last log lines: " : "", p->log_tail);
	}
}

static const struct kube_pod_state *rollout_find(const struct kube_rollout_report *r, const char *reason)
{
	for (size_t i = 0; i < r->npods; i++)
		if (strstr(r->pods[i].reason, reason))
			return &r->pods[i];
	return NULL;
}

static void rollout_report(const struct kube_rollout_report *r, void *arg)
{
	struct act *a = arg;
	struct rollout_data *d = act_data(a);
	char sum[1024];
	rollout_summary(r, sum, sizeof sum);
	if (r->error)
		snprintf(sum + strlen(sum), sizeof sum - strlen(sum), " (%s)", r->error);
	if (strcmp(sum, d->last) != 0) {
		act_progress(a, "%s", sum);
		snprintf(d->last, sizeof d->last, "%s", sum);
	}
	if (!r->done)
		return;
	d->w = NULL;   /* freed after this report */
	rollout_stop(a);
	if (r->ok) {
		char ready[32];
		snprintf(ready, sizeof ready, "%d/%d", r->ready, r->desired);
		act_output_set(a, "overlay.ready", ready);
		act_done(a, "%d runner pod%s Running and ready in %s", r->ready, r->ready == 1 ? "" : "s", d->ns);
		return;
	}
	const struct kube_pod_state *p;
	long min = rollout_timeout_ms / 60000;
	if ((p = rollout_find(r, "ImagePull")) || (p = rollout_find(r, "ErrImage")))
		act_fail(a, "the cluster cannot pull the runner image (%s: %s). Check that acr.image is in the registry and that "
		         "the cluster may pull from it (az aks check-acr), then run the wizard again", p->reason, p->message);
	else if ((p = rollout_find(r, "CrashLoopBackOff")))
		act_fail(a, "the runner exits at start (%s); last log lines: %s. See kubectl -n %s logs deploy/" OVERLAY_DEPLOYMENT
		         ", fix the cause, then run the wizard again", p->message, p->log_tail[0] ? p->log_tail : "(none)", d->ns);
	else if ((p = rollout_find(r, "Unschedulable")))
		act_fail(a, "the runner pods cannot be scheduled after %ld min (%s). Check that the %s; then run the wizard again",
		         min, p->message,
		         strcmp(act_output(a, "aks.mode") ? act_output(a, "aks.mode") : "", "cpu") == 0
		             ? "nodes are Ready (kubectl get nodes), or add nodes"
		             : "GPU nodes are Ready (kubectl get nodes) and the NVIDIA device plugin runs (kubectl -n "
		               PLAN_DEVICE_PLUGIN_NAMESPACE " get pods), or add nodes");
	else
		act_fail(a, "the runner pods are not ready after %ld min: %s. See kubectl -n %s get pods; run the wizard again "
		         "to keep waiting", min, r->error ? r->error : sum, d->ns);
}

/* Every vault value the install's steps declare, and each long base64 word of the multi-line
 * ones (key lines, kubeconfig credentials; not its server URL), becomes a registered secret:
 * the rollout then withholds any pod log line or message that holds one (an image whose
 * run.sh prints the environment). */
static void redact_vault(struct act *a)
{
	const struct step_table *t = act_table(a);
	for (size_t s = 0; s < t->nsteps; s++)
		for (size_t i = 0; t->steps[s] && i < t->steps[s]->nsecrets; i++) {
			const unsigned char *v;
			size_t len;
			if (act_secret_get(a, t->steps[s]->secrets[i].name, &v, &len) != 0)
				continue;
			log_redact(v, len);
			if (!memchr(v, '\n', len))
				continue;
			for (size_t at = 0; at < len;) {
				size_t n = 0;
				while (at + n < len && (isalnum(v[at + n]) || strchr("+/=", v[at + n])) && v[at + n])
					n++;
				if (n >= 16)
					log_redact(v + at, n);
				at += n ? n : 1;
			}
		}
}

static void rollout_start(struct act *a)
{
	struct rollout_data *d = act_data(a);
	const unsigned char *kc;
	size_t kc_len;
	char err[600];
	if (act_secret_get(a, "aks-kubeconfig", &kc, &kc_len) != 0) {
		act_fail(a, "vault entry aks-kubeconfig is missing: the aks step provides it; run that step first");
		return;
	}
	snprintf(d->ns, sizeof d->ns, "%s", act_answer(a, "overlay.namespace"));
	redact_vault(a);
	if (!(d->k = kube_new(act_http(a), (const char *)kc, kc_len, err, sizeof err))) {
		act_fail(a, "aks-kubeconfig: %s", err);
		return;
	}
	d->w = kube_rollout_watch(d->k, d->ns, OVERLAY_DEPLOYMENT, rollout_poll_ms, rollout_timeout_ms, rollout_report, a);
	if (!d->w) {
		rollout_stop(a);
		act_fail(a, "out of memory");
	}
}

#define APPLY_REST                                                                                    \
	"Secrets studioml-amqp (the RabbitMQ user and password), studioml-runner-key-secret, "                 \
	"studioml-runner-passphrase-secret, studioml-signing, and the runner's objects (ConfigMap "              \
	OVERLAY_STATE_CONFIGMAP " with STATE {overlay.runner_state}; each pod's share of its node)"

/* CPU mode applies no device plugin (overlay_objects.c): its text does not name one. */
static void apply_describe(const struct answers *an, char *out, size_t outlen)
{
	answers_expand(an,
	               answers_cpu_mode(an) ? "apply namespace {overlay.namespace}, " APPLY_REST
	                                    : "apply the NVIDIA device plugin (namespace " PLAN_DEVICE_PLUGIN_NAMESPACE
	                                      "), namespace {overlay.namespace}, " APPLY_REST,
	               out, outlen, NULL, 0);
}

static const struct action_def actions[] = {
	{.key = "overlay.keys",
	 .text = "generate the runner's message key <sealed:runner-encryption-key> with its passphrase "
	         "<sealed:runner-key-passphrase>, and the experimenter signing key <sealed:experimenter-signing-key>",
	 .after = {"aks"}, .kind = ACTION_TASK, .expect_s = 2, .start = keys_start},
	{.key = "overlay.files", .text = "write the kustomize overlay to {overlay.dir}", .after = {"rabbitmq", "acr", "aks"},
	 .kind = ACTION_TASK, .expect_s = 1, .start = files_start},
	{.key = "overlay.apply",
	 .after = {"overlay.keys", "overlay.files"}, .kind = ACTION_TASK, .expect_s = 5, .start = apply_start,
	 .stop = apply_stop, .data_size = sizeof(struct apply_data), .describe = apply_describe},
	{.key = "overlay.rollout", .text = "wait until the runner pods in {overlay.namespace} are Running and ready",
	 .after = {"overlay.apply"}, .kind = ACTION_TASK, .expect_s = 120, .start = rollout_start, .stop = rollout_stop,
	 .data_size = sizeof(struct rollout_data)},
	{.key = "overlay.proof",
	 .text = "prove the runner's path from inside the cluster: a Job in {overlay.namespace} from the runner's image logs in "
	         "to RabbitMQ over AMQP and its management API and lists bucket {minio.bucket}, as the runner will (deleted after)",
	 .after = {"overlay.apply"}, .kind = ACTION_TASK, .expect_s = 30, .start = overlay_proof_start,
	 .stop = overlay_proof_stop, .data_size = OVERLAY_PROOF_DATA_SIZE},
};

static const struct plan_secret secrets[] = {
	{"runner-encryption-key", VAULT_KIND_PRIVATE_KEY, "the runner's RSA-4096 message key (PKCS#1, AES-128-CBC PEM)", NULL,
	 "experimenters encrypt their requests to this key: without it the runner's key secret cannot be made again"},
	{"runner-key-passphrase", VAULT_KIND_PASSWORD, "the passphrase of the runner's message key", NULL,
	 "the runner opens its message key with it: without it the runner's key secret cannot be made again"},
	{"experimenter-signing-key", VAULT_KIND_PRIVATE_KEY, "the experimenters' ed25519 request signing key", NULL,
	 "experimenters sign their requests with it and the runner checks them: the experimenters' config needs it"},
};

static const struct step_output outputs[] = {
	{OUT_DIR, "overlay directory"},
	{"overlay.ready", "runner pods ready"},
};

/* STATE of the ConfigMap the runner watches: the K8sState names it parses (go-service
 * pkg/types/appstate.go at runner 0.14.2). DrainAndTerminate is left out: the Deployment
 * restarts the runner, which reads it again and exits again. */
static const struct plan_choice runner_state_choices[] = {
	{"Running", "take work from the queues", 1},
	{"DrainAndSuspend", "finish the running jobs, then take no new work until Running", 1},
};

static const struct plan_question questions[] = {
	{.key = "overlay.dir", .label = "Overlay directory",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "~/studioml-overlay-{uniq_id}", .validate = validate_dir,
	 .help = "Where kustomization.yaml and its patches are written (no secrets go there)."},
	{.key = "overlay.namespace", .label = "Namespace",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "studioml", .validate = validate_k8s_namespace,
	 .help = "The runner's namespace; K8S_NAMESPACE and the RoleBinding follow it."},
	{.key = "overlay.queue_match", .label = "Queue match",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "^rmq_.*$", .validate = validate_regex_text,
	 .help = "Queues the runners serve (QUEUE_MATCH); experimenters use --queue=rmq_<name>."},
	{.key = "overlay.clear_text_messages", .label = "Accept clear-text requests",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "true", .validate = validate_bool,
	 .help = "true until experimenters' signing keys are in studioml-signing: otherwise the "
	         "runner refuses every request.",
	 PLAN_CHOICES(plan_true_false)},
	{.key = "overlay.runner_state", .label = "Runner state",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "Running",
	 .help = "STATE in the ConfigMap studioml-go-runner that the runner watches: Running takes work; "
	         "DrainAndSuspend pauses it after the running jobs (set Running to resume).",
	 PLAN_CHOICES(runner_state_choices)},
};

const struct step_def step_overlay = {
	.plan = {.key = "overlay", .title = "Kustomize overlay", .questions = questions,
	         .nquestions = sizeof questions / sizeof questions[0]},
	.actions = actions, .nactions = sizeof actions / sizeof actions[0], .secrets = secrets,
	.nsecrets = sizeof secrets / sizeof secrets[0], .outputs = outputs, .noutputs = sizeof outputs / sizeof outputs[0],
};
