/* The steps in use (registered by the front end) and the catalogues their questions offer.
 * Sizes follow the 2020 guide (doc/runner.md, "The guide") except where Azure or the runner
 * moved on: the guide's Standard_NC6 is retired and the runner only schedules on GPUs it
 * recognises (doc/runner.md, "GPUs each runner release recognises"). */
#include "core/model/plan.h"

#include <stdio.h>
#include <string.h>

#include "core/model/runner.h"
#include "core/model/validate.h"

/* ---- choice lists ---------------------------------------------------------------- */

const struct plan_choice plan_auth_choices[] = {
	{"device-code", "open a URL on any device and enter a code; works over SSH", 1},
	{"azure-cli", "reuse the sign-in of `az login` on this machine", 1},
	{"service-principal", "an app registration's id and secret (secret kept in the vault)", 1},
};

const struct plan_choice plan_acr_sku_choices[] = {
	{"Basic", "enough for one runner image", 1},
	{"Standard", "more storage and throughput", 1},
	{"Premium", "geo-replication, private link", 1},
};

const struct plan_choice plan_yes_no[] = {
	{"yes", "", 1},
	{"no", "", 1},
};

const struct plan_choice plan_true_false[] = {
	{"true", "", 1},
	{"false", "", 1},
};

/* Suggestions only: any Standard_* size is accepted for the service VMs. Each boots the Ubuntu
 * image of a Hyper-V generation it supports (core/steps/vm.c asks resourceSkus); the
 * generations here are Microsoft's size pages' (doc/azure-vm-generations.md). */
const struct plan_choice plan_vm_choices[] = {
	{"Standard_B2s", "2 vCPU, 4 GiB, burstable; Gen 1 and 2 (RabbitMQ's default)", 1},
	{"Standard_B2ms", "2 vCPU, 8 GiB, burstable; Gen 1 and 2", 1},
	{"Standard_D2s_v3", "2 vCPU, 8 GiB; Gen 1 and 2 (the guide's Minio size)", 1},
	{"Standard_D4s_v3", "4 vCPU, 16 GiB; Gen 1 and 2", 1},
	{"Standard_D2s_v5", "2 vCPU, 8 GiB; Gen 1 and 2", 1},
	{"Standard_D4s_v5", "4 vCPU, 16 GiB; Gen 1 and 2", 1},
	{"Standard_DS12_v2", "4 vCPU, 28 GiB; Gen 1 and 2", 1},
	{"Standard_A2_v2", "2 vCPU, 4 GiB; Gen 1 only: Ubuntu's Gen 1 image (the guide's RabbitMQ size)", 1},
	{"Standard_A4_v2", "4 vCPU, 8 GiB; Gen 1 only: Ubuntu's Gen 1 image", 1},
};

/* Sizes with a GPU, current and retired; which ones a runner release can use is
 * core/model/runner.c's business. Of the sizes Azure still sells, only ND A100 v4 has a GPU a
 * released runner knows (A100-SXM4-40GB, from 0.13.2). */
static const struct plan_gpu_size gpu_sizes[] = {
	{"Standard_ND96asr_v4", "A100-SXM4-40GB", 8, 96, 0},
	{"Standard_NC6s_v3", "Tesla V100-PCIE-16GB", 1, 6, 1},
	{"Standard_NC12s_v3", "Tesla V100-PCIE-16GB", 2, 12, 1},
	{"Standard_NC24s_v3", "Tesla V100-PCIE-16GB", 4, 24, 1},
	{"Standard_NC6", "Tesla K80", 1, 6, 1},
	{"Standard_NC4as_T4_v3", "Tesla T4", 1, 4, 0},
	{"Standard_NC8as_T4_v3", "Tesla T4", 1, 8, 0},
	{"Standard_NC16as_T4_v3", "Tesla T4", 1, 16, 0},
	{"Standard_NC64as_T4_v3", "Tesla T4", 4, 64, 0},
	{"Standard_NV36ads_A10_v5", "A10", 1, 36, 0},
	{"Standard_NC24ads_A100_v4", "A100 80GB PCIe", 1, 24, 0},
	{"Standard_NC48ads_A100_v4", "A100 80GB PCIe", 2, 48, 0},
	{"Standard_NC96ads_A100_v4", "A100 80GB PCIe", 4, 96, 0},
	{"Standard_ND96amsr_A100_v4", "A100-SXM4-80GB", 8, 96, 0},
	{"Standard_NC40ads_H100_v5", "H100 NVL", 1, 40, 0},
	{"Standard_NC80adis_H100_v5", "H100 NVL", 2, 80, 0},
	{"Standard_ND96isr_H100_v5", "H100 80GB HBM3", 8, 96, 0},
};
#define GPU_COUNT (sizeof gpu_sizes / sizeof *gpu_sizes)


/* Built from the tables above so the detail text cannot drift from them (plan_gpu_choices). */
#define GPU_DETAIL_MAX 200
static struct plan_choice gpu_for[GPU_COUNT];
static char gpu_for_details[GPU_COUNT][GPU_DETAIL_MAX];

static void plan_label_gpus(const char *image, struct plan_choice *out, char (*detail)[GPU_DETAIL_MAX])
{
	for (size_t i = 0; i < GPU_COUNT; i++) {
		const struct plan_gpu_size *g = &gpu_sizes[i];
		char why[160];
		int ok = !g->retired && runner_can_use(image, g->gpu_model, why, sizeof why);
		snprintf(detail[i], GPU_DETAIL_MAX, "%d x %s, %d vCPU; %s", g->gpus, g->gpu_model, g->vcpus,
		         g->retired ? "retired by Azure" : ok ? "runner can use it" : why);
		if (ok) {
			struct runner_version v;
			char tag[64];
			if (runner_version_of(image, &v, tag, sizeof tag) == 0)
				snprintf(detail[i], GPU_DETAIL_MAX, "%d x %s, %d vCPU; runner %s can use it", g->gpus,
				         g->gpu_model, g->vcpus, tag);
		}
		out[i] = (struct plan_choice){g->size, detail[i], ok};
	}
}

const struct plan_choice *plan_gpu_choices(const char *image, size_t *n)
{
	plan_label_gpus(image && *image ? image : RUNNER_IMAGE_DEFAULT, gpu_for, gpu_for_details);
	*n = GPU_COUNT;
	return gpu_for;
}

int plan_gpu_usable(const char *size, const char *image, char *why, size_t whylen)
{
	const struct plan_gpu_size *g = plan_gpu_find(size);
	char r[200];
	if (!g)
		snprintf(why, whylen, "%s is not a GPU size the wizard knows", size);
	else if (g->retired)
		snprintf(why, whylen, "%s (%s) is retired by Azure", size, g->gpu_model);
	else if (!runner_can_use(image, g->gpu_model, r, sizeof r))
		snprintf(why, whylen, "%s: %s", size, r);
	else
		return 1;
	return 0;
}

const struct plan_gpu_size *plan_gpu_sizes(size_t *n)
{
	*n = GPU_COUNT;
	return gpu_sizes;
}

const struct plan_gpu_size *plan_gpu_find(const char *size)
{
	for (size_t i = 0; i < GPU_COUNT; i++)
		if (strcmp(gpu_sizes[i].size, size) == 0)
			return &gpu_sizes[i];
	return NULL;
}

static int plan_in_choices(const struct plan_choice *c, size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].selectable && strcmp(c[i].value, value) == 0)
			return 1;
	return 0;
}


int plan_validate_auth_method(const char *value, char *why, size_t whylen)
{
	if (plan_in_choices(plan_auth_choices, 3, value))
		return 0;
	snprintf(why, whylen, "must be device-code, azure-cli or service-principal");
	return -1;
}

int plan_validate_acr_sku(const char *value, char *why, size_t whylen)
{
	if (plan_in_choices(plan_acr_sku_choices, 3, value))
		return 0;
	snprintf(why, whylen, "must be Basic, Standard or Premium");
	return -1;
}

/* A size Azure still sells. Whether the chosen runner can use it joins acr.image and is
 * checked with the answers (answers_check, answers_complete): a GPU pool that idles at full
 * price while the runner refuses to start is the costliest mistake this wizard could make. */
int plan_validate_gpu_size(const char *value, char *why, size_t whylen)
{
	const struct plan_gpu_size *g = plan_gpu_find(value);
	if (!g)
		snprintf(why, whylen, "must be one of the GPU sizes the wizard knows, such as %s",
		         PLAN_GPU_DEFAULT);
	else if (g->retired)
		snprintf(why, whylen, "%s (%s) is retired by Azure; use %s", value, g->gpu_model,
		         PLAN_GPU_DEFAULT);
	else
		return 0;
	return -1;
}

/* docker.io, a registry host[:port], or (tests, private mirrors) an https:// URL; http:// only
 * to loopback. */
int plan_validate_source_registry(const char *value, char *why, size_t whylen)
{
	const char *h = value;
	int url = 0;
	if (strncmp(h, "https://", 8) == 0)
		h += 8, url = 1;
	else if (strncmp(h, "http://", 7) == 0) {
		h += 7, url = 1;
		if (strncmp(h, "127.", 4) != 0 && strncmp(h, "localhost", 9) != 0) {
			snprintf(why, whylen, "plain http:// is only for loopback addresses (tests); use https://");
			return -1;
		}
	}
	size_t n = strcspn(h, "/");
	int ok = n > 0 && n < 254 && (h[n] == '\0' || (url && strcmp(h + n, "/") == 0));
	for (size_t i = 0; ok && i < n; i++)
		ok = (h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '-' ||
		     h[i] == ':';
	if (ok)
		return 0;
	snprintf(why, whylen, "must be a registry host such as docker.io or quay.io (lower case, optional :port)");
	return -1;
}

/* ---- the steps in use ------------------------------------------------------------- */

static const struct plan_step *const *steps;
static size_t nsteps;
static struct {
	const struct plan_question *q;
	step_id step;
} questions[PLAN_Q_MAX];
static size_t nquestions;
static char step_list[PLAN_STEPS_MAX * 24];

int plan_use(const struct plan_step *const *list, size_t n, char *why, size_t whylen)
{
	size_t nq = 0, o = 0;
	if (n > PLAN_STEPS_MAX) {
		snprintf(why, whylen, "%zu steps: at most %d", n, PLAN_STEPS_MAX);
		return -1;
	}
	for (size_t s = 0; s < n; s++) {
		for (size_t t = 0; t < s; t++)
			if (strcmp(list[s]->key, list[t]->key) == 0) {
				snprintf(why, whylen, "step %s: listed twice", list[s]->key);
				return -1;
			}
		for (size_t i = 0; i < list[s]->nquestions; i++, nq++) {
			const char *k = list[s]->questions[i].key;
			for (size_t j = 0; nq < PLAN_Q_MAX && j < nq; j++)
				if (strcmp(questions[j].q->key, k) == 0) {
					snprintf(why, whylen, "question %s: asked by %s and %s", k,
					         plan_step_key(questions[j].step), list[s]->key);
					return -1;
				}
			if (nq >= PLAN_Q_MAX) {
				snprintf(why, whylen, "more than %d questions", PLAN_Q_MAX);
				return -1;
			}
			questions[nq].q = &list[s]->questions[i];
			questions[nq].step = (step_id)s;
		}
		o += (size_t)snprintf(step_list + o, o < sizeof step_list ? sizeof step_list - o : 0, "%s%s",
		                      s ? ", " : "", list[s]->key);
	}
	steps = list;
	nsteps = n;
	nquestions = nq;
	return 0;
}

size_t plan_step_count(void)
{
	return nsteps;
}

const char *plan_step_key(step_id s)
{
	return s >= 0 && (size_t)s < nsteps ? steps[s]->key : "?";
}

const char *plan_step_title(step_id s)
{
	return s >= 0 && (size_t)s < nsteps ? steps[s]->title : "?";
}

int plan_step_parse(const char *key)
{
	for (size_t i = 0; i < nsteps; i++)
		if (strcmp(steps[i]->key, key) == 0)
			return (int)i;
	return -1;
}

const char *plan_step_list(void)
{
	return step_list;
}

size_t plan_question_count(void)
{
	return nquestions;
}

const struct plan_question *plan_question(plan_qid q)
{
	return q >= 0 && (size_t)q < nquestions ? questions[q].q : NULL;
}

step_id plan_question_step(plan_qid q)
{
	return q >= 0 && (size_t)q < nquestions ? questions[q].step : -1;
}

int plan_question_find(const char *key)
{
	for (size_t i = 0; i < nquestions; i++)
		if (strcmp(questions[i].q->key, key) == 0)
			return (int)i;
	return -1;
}

/* A question without a validator takes one of its selectable choices: "must be a, b or c". */
static int plan_check_choice(const struct plan_question *pq, const char *value, char *why, size_t whylen)
{
	size_t o = 0, n = 0;
	if (plan_in_choices(pq->choices, pq->nchoices, value))
		return 0;
	for (size_t i = 0; i < pq->nchoices; i++)
		n += pq->choices[i].selectable;
	o = (size_t)snprintf(why, whylen, "must be ");
	for (size_t i = 0, k = 0; i < pq->nchoices && o < whylen; i++)
		if (pq->choices[i].selectable) {
			k++;
			o += (size_t)snprintf(why + o, whylen - o, "%s%s", k == 1 ? "" : k == n ? " or " : ", ",
			                      pq->choices[i].value);
		}
	return -1;
}

int plan_question_check(plan_qid q, const char *value, char *why, size_t whylen)
{
	const struct plan_question *pq = plan_question(q);
	char rule[512];
	if (!pq)
		return -1;
	if ((!value || !*value) && pq->optional)
		return 0;
	if (!value || !*value) {
		snprintf(why, whylen, "%s: must not be empty", pq->key);
		return -1;
	}
	if ((pq->validate ? pq->validate(value, rule, sizeof rule) : plan_check_choice(pq, value, rule, sizeof rule)) == 0)
		return 0;
	snprintf(why, whylen, "%s: %s", pq->key, rule);
	return -1;
}

size_t plan_step_questions(step_id s, plan_qid *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < nquestions; i++)
		if (questions[i].step == s && !questions[i].q->decision) {
			if (n < max)
				out[n] = (plan_qid)i;
			n++;
		}
	return n;
}

int plan_expand(const char *tpl, const char *(*get)(void *ctx, plan_qid q), void *ctx,
                char *out, size_t outlen, char *err, size_t errlen)
{
	size_t o = 0;
	char key[64];
	if (outlen == 0)
		return -1;
	for (const char *p = tpl; *p;) {
		const char *piece = p;
		size_t n = 1;
		size_t kn = *p == '{' ? strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_.") : 0;
		if (kn > 0 && p[kn + 1] == '}') {
			const char *close = p + kn + 1;
			if (kn >= sizeof key) {
				if (err)
					snprintf(err, errlen, "placeholder too long in \"%s\"", tpl);
				return -1;
			}
			memcpy(key, p + 1, kn);
			key[kn] = '\0';
			int q = plan_question_find(key);
			piece = q < 0 ? NULL : get(ctx, (plan_qid)q);
			if (!piece || !*piece) {
				if (err)
					snprintf(err, errlen, "%s is needed first", key);
				return -1;
			}
			n = strlen(piece);
			p = close + 1;
		} else {
			p++;
		}
		if (o + n >= outlen) {
			if (err)
				snprintf(err, errlen, "\"%s\" expands to more than %zu bytes", tpl, outlen - 1);
			return -1;
		}
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o] = '\0';
	return 0;
}
