#include "core/model/answers.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/uniqid.h"
#include "core/model/validate.h"
#include "core/sys/text.h"

#define ANSWERS_FILE_MAX (1024 * 1024)
/* The Azure CLI's public client id: a service principal must bring its own. */
#define AZ_CLI_CLIENT_ID "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

void answers_init(struct answers *a)
{
	memset(a, 0, sizeof *a);
}

void answers_free(struct answers *a)
{
	for (int i = 0; i < PLAN_Q_MAX; i++)
		free(a->val[i]);
	answers_init(a);
}

static int answers_store(struct answers *a, plan_qid q, const char *value, int given)
{
	char *copy = NULL;
	if (value && !(copy = strdup(value)))
		return -1;
	free(a->val[q]);
	a->val[q] = copy;
	a->given[q] = value && given;
	return 0;
}

int answers_set(struct answers *a, plan_qid q, const char *value)
{
	if (q < 0 || (size_t)q >= plan_question_count())
		return -1;
	return answers_store(a, q, value, 1);
}

const char *answers_get(const struct answers *a, plan_qid q)
{
	return q >= 0 && (size_t)q < plan_question_count() ? a->val[q] : NULL;
}

int answers_given(const struct answers *a, const char *key)
{
	plan_qid q = plan_q(key);
	return q >= 0 && a->given[q];
}

static const char *ans(const struct answers *a, const char *key)
{
	return answers_get(a, plan_q(key));
}

static const char *answers_lookup(void *ctx, plan_qid q)
{
	return answers_get(ctx, q);
}

int answers_expand(const struct answers *a, const char *tpl, char *out, size_t outlen,
                   char *err, size_t errlen)
{
	return plan_expand(tpl, answers_lookup, (void *)a, out, outlen, err, errlen);
}

/* Words that mark a secret. ssh_public_key_file is the one "key" that is public. */
static int answers_secret_like(const char *path)
{
	static const char *const words[] = {"password", "passwd", "secret", "token", "passphrase",
	                                    "private", "credential", "key"};
	char low[256];
	size_t n = strlen(path);
	if (n >= sizeof low)
		n = sizeof low - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(path[i] >= 'A' && path[i] <= 'Z' ? path[i] - 'A' + 'a' : path[i]);
	low[n] = '\0';
	const char *last = strrchr(low, '.');
	last = last ? last + 1 : low;
	if (strcmp(last, "ssh_public_key_file") == 0)
		return 0;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

static enum answers_result answers_take(struct answers *a, const char *path, const cJSON *v,
                                        int check, char *err, size_t errlen)
{
	char num[32];
	const char *text;
	if (answers_secret_like(path)) {
		snprintf(err, errlen, "%s: looks like a secret; secrets never go in the answers file "
		                      "(the wizard generates them or asks for them and keeps them in "
		                      "the vault)", path);
		return ANSWERS_E_INVALID;
	}
	int q = plan_question_find(path);
	if (q < 0) {
		snprintf(err, errlen, "%s: unknown key (the README lists the answers file's keys; "
		                      "keys starting with _ are comments)", path);
		return ANSWERS_E_INVALID;
	}
	if (cJSON_IsNull(v))
		return ANSWERS_OK;   /* null: take the default */
	if (cJSON_IsString(v)) {
		text = v->valuestring;
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d < 0 || d > 1e15 || d != (double)(long long)d) {
			snprintf(err, errlen, "%s: must be a whole number", path);
			return ANSWERS_E_INVALID;
		}
		snprintf(num, sizeof num, "%.0f", d);
		text = num;
	} else if (cJSON_IsBool(v)) {
		text = cJSON_IsTrue(v) ? "true" : "false";
	} else {
		snprintf(err, errlen, "%s: must be a string, a number or true/false", path);
		return ANSWERS_E_INVALID;
	}
	if (a->given[q]) {
		snprintf(err, errlen, "%s: given twice", path);
		return ANSWERS_E_INVALID;
	}
	/* Before any rule: a message that quotes the value must not carry terminal escapes. */
	if (check && text_has_control(text)) {
		snprintf(err, errlen, "%s: must not hold control characters (C0, C1, DEL) or bytes "
		                      "that are not UTF-8", path);
		return ANSWERS_E_INVALID;
	}
	if (check && plan_question_check((plan_qid)q, text, err, errlen) < 0)
		return ANSWERS_E_INVALID;
	return answers_store(a, (plan_qid)q, text, 1) < 0 ? ANSWERS_E_NOMEM : ANSWERS_OK;
}

/* 1 when some question's key starts with "section.". */
static int answers_is_section(const char *section)
{
	size_t n = strlen(section);
	for (int i = 0; (size_t)i < plan_question_count(); i++) {
		const char *k = plan_question((plan_qid)i)->key;
		if (strncmp(k, section, n) == 0 && k[n] == '.')
			return 1;
	}
	return 0;
}

static enum answers_result answers_parse_opt(struct answers *a, const char *json, int check,
                                             char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
	if (!root) {
		int line = 1;
		for (const char *p = json; end && p < end && *p; p++)
			line += *p == '\n';
		snprintf(err, errlen, "not valid JSON (near line %d)", line);
		return ANSWERS_E_INVALID;
	}
	enum answers_result rc = ANSWERS_OK;
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "the answers file must hold one JSON object");
		rc = ANSWERS_E_INVALID;
	}
	const cJSON *top;
	char path[256];
	for (top = root->child; rc == ANSWERS_OK && cJSON_IsObject(root) && top; top = top->next) {
		if (top->string[0] == '_')
			continue;
		if (!cJSON_IsObject(top)) {
			rc = answers_take(a, top->string, top, check, err, errlen);
			continue;
		}
		if (!answers_is_section(top->string) && !answers_secret_like(top->string)) {
			snprintf(err, errlen, "%s: unknown section (the README lists the answers file's keys)",
			         top->string);
			rc = ANSWERS_E_INVALID;
			break;
		}
		for (const cJSON *v = top->child; rc == ANSWERS_OK && v; v = v->next) {
			if (v->string[0] == '_')
				continue;
			snprintf(path, sizeof path, "%s.%s", top->string, v->string);
			if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
				if (answers_secret_like(path))
					rc = answers_take(a, path, v, check, err, errlen);
				else {
					snprintf(err, errlen, "%s: must be a string, a number or true/false", path);
					rc = ANSWERS_E_INVALID;
				}
				continue;
			}
			rc = answers_take(a, path, v, check, err, errlen);
		}
	}
	cJSON_Delete(root);
	if (rc != ANSWERS_OK && text_has_control(err)) {
		/* Messages quote the file's keys: made safe for a terminal. */
		char raw[1024];
		snprintf(raw, sizeof raw, "%s", err);
		text_safe(raw, err, errlen);
	}
	return rc;
}

enum answers_result answers_parse(struct answers *a, const char *json, char *err, size_t errlen)
{
	return answers_parse_opt(a, json, 1, err, errlen);
}

enum answers_result answers_parse_kept(struct answers *a, const char *json, char *err, size_t errlen)
{
	return answers_parse_opt(a, json, 0, err, errlen);
}

enum answers_result answers_load(struct answers *a, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return ANSWERS_E_IO;
	}
	char *buf = malloc(ANSWERS_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return ANSWERS_E_NOMEM;
	}
	size_t n = fread(buf, 1, ANSWERS_FILE_MAX + 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || n > ANSWERS_FILE_MAX) {
		snprintf(err, errlen, bad ? "cannot read %s" : "%s is larger than 1 MiB", path);
		free(buf);
		return bad ? ANSWERS_E_IO : ANSWERS_E_INVALID;
	}
	buf[n] = '\0';
	char inner[512];
	enum answers_result rc = answers_parse(a, buf, inner, sizeof inner);
	free(buf);
	if (rc == ANSWERS_E_INVALID)
		snprintf(err, errlen, "%s", inner);
	return rc;
}

static int answers_default_ssh_key(char *out, size_t outlen, char *err, size_t errlen)
{
	static const char *const tries[] = {"~/.ssh/id_ed25519.pub", "~/.ssh/id_rsa.pub"};
	for (size_t i = 0; i < sizeof tries / sizeof *tries; i++)
		if (validate_ssh_public_key_file(tries[i], NULL, 0) == 0) {
			snprintf(out, outlen, "%s", tries[i]);
			return 0;
		}
	/* The operator's own key is optional: the wizard's admin key (in the vault) always works. */
	(void)err;
	(void)errlen;
	if (outlen)
		out[0] = '\0';
	return 0;
}

int answers_default(const struct answers *a, plan_qid q, char *out, size_t outlen,
                    char *err, size_t errlen)
{
	const struct plan_question *pq = plan_question(q);
	char why[256];
	int rc = -1;
	if (!pq)
		return -1;
	switch (pq->def_kind) {
	case PLAN_DEF_REQUIRED:
		snprintf(why, sizeof why, "required: there is no default");
		break;
	case PLAN_DEF_NONE:
		snprintf(why, sizeof why, "not answered yet");
		break;
	case PLAN_DEF_UNIQID: {
		const char *sub = ans(a, "subscription");
		char id[UNIQID_LEN + 1];
		if (!sub)
			snprintf(why, sizeof why, "subscription is needed first");
		else if (uniqid_derive(sub, NULL, id) < 0)
			snprintf(why, sizeof why, "cannot derive it (out of memory)");
		else
			rc = snprintf(out, outlen, "%s", id) < (int)outlen ? 0 : -1;
		break;
	}
	case PLAN_DEF_SSH_KEY:
		rc = answers_default_ssh_key(out, outlen, why, sizeof why);
		break;
	case PLAN_DEF_CLOUD:
		rc = snprintf(out, outlen, "%s", plan_default_cloud()) < (int)outlen ? 0 : -1;
		break;
	case PLAN_DEF_REGION: {
		size_t n;
		const struct plan_choice *r = plan_cloud_regions(ans(a, "cloud"), &n);
		rc = snprintf(out, outlen, "%s", n ? r[0].value : "eastus") < (int)outlen ? 0 : -1;
		break;
	}
	case PLAN_DEF_TEMPLATE:
		rc = answers_expand(a, pq->def, out, outlen, why, sizeof why);
		if (rc < 0 && pq->optional && outlen) {
			out[0] = '\0';   /* follows an optional answer left empty: empty too */
			rc = 0;
		}
		break;
	}
	if (rc < 0 && err)
		snprintf(err, errlen, "%s: %s", pq->key, why);
	return rc;
}

int answers_cpu_mode(const struct answers *a)
{
	const char *m = ans(a, "aks.runner_mode"), *d = ans(a, "decisions.low_quota");
	return (m && strcmp(m, "cpu") == 0) || (d && strcmp(d, "cpu") == 0);
}

/* In gpu mode the runner in the image must recognise the size's GPU; the message names the
 * field the operator chose (blame) and what to change. */
static int answers_runner_rule(const char *image, const char *mode, const char *size, plan_qid blame,
                               char *why, size_t whylen)
{
	char r[320];
	if (!image || !size || (mode && strcmp(mode, "gpu") != 0) || plan_gpu_usable(size, image, r, sizeof r))
		return 0;
	snprintf(why, whylen, "%s: %s (acr.image %s, aks.node_vm_size %s); choose an image the runner of which "
	         "can use it (F4 on aks.node_vm_size shows which), another GPU size, or aks.runner_mode cpu",
	         plan_question(blame)->key, r, image, size);
	return -1;
}

/* The region belongs to the cloud: for a cloud the wizard knows, one of its regions; a cloud
 * it does not know (--cloud FILE) takes the name as typed. */
static int answers_region_rule(const char *cloud, const char *location, char *why, size_t whylen)
{
	size_t n;
	const struct plan_choice *mine = plan_cloud_regions(cloud, &n);
	const struct plan_region *r = location ? plan_region_find(location) : NULL;
	if (!cloud || !location || plan_validate_cloud(cloud, why, whylen) != 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(mine[i].value, location) == 0)
			return 0;
	if (n == 0)
		return 0;
	if (r)
		snprintf(why, whylen, "location: %s is a region of %s, not of %s; F4 lists %s's", location, r->cloud, cloud,
		         cloud);
	else
		snprintf(why, whylen, "location: %s is not a region of %s; F4 lists them", location, cloud);
	return -1;
}

int answers_follow_cloud(struct answers *a, char *note, size_t notelen)
{
	char why[256];
	plan_qid ql = plan_q("location");
	if (!answers_given(a, "location") || answers_region_rule(ans(a, "cloud"), ans(a, "location"), why, sizeof why) == 0)
		return 0;
	snprintf(note, notelen, "location %s is not a region of %s: back to that cloud's default", ans(a, "location"),
	         ans(a, "cloud"));
	free(a->val[ql]);
	a->val[ql] = NULL;
	a->given[ql] = 0;
	return 1;
}

int answers_check(const struct answers *a, plan_qid q, const char *value, char *why, size_t whylen)
{
	if (plan_question_check(q, value, why, whylen) != 0)
		return -1;
	if (q == plan_q("location"))
		return answers_region_rule(ans(a, "cloud"), value, why, whylen);
	const char *image = q == plan_q("acr.image") ? value : ans(a, "acr.image");
	const char *size = q == plan_q("aks.node_vm_size") ? value : ans(a, "aks.node_vm_size");
	const char *mode = q == plan_q("aks.runner_mode") ? value : ans(a, "aks.runner_mode");
	if (q == plan_q("acr.image") || q == plan_q("aks.node_vm_size") || q == plan_q("aks.runner_mode"))
		return answers_runner_rule(image, mode, size, q, why, whylen);
	return 0;
}

const struct plan_choice *answers_choices(const struct answers *a, plan_qid q, size_t *n)
{
	if (q == plan_q("aks.node_vm_size"))
		return plan_gpu_choices(ans(a, "acr.image"), n);
	if (q == plan_q("cloud"))
		return plan_cloud_choices(n);
	if (q == plan_q("location"))
		return plan_cloud_regions(ans(a, "cloud"), n);
	const struct plan_question *pq = plan_question(q);
	*n = pq ? pq->nchoices : 0;
	return pq ? pq->choices : NULL;
}

/* Rules that join two answers. */
static enum answers_result answers_cross_check(const struct answers *a, char *err, size_t errlen)
{
	plan_qid blame = plan_q(answers_given(a, "acr.image") && !answers_given(a, "aks.node_vm_size") ? "acr.image"
	                                                                                              : "aks.node_vm_size");
	if (answers_runner_rule(ans(a, "acr.image"), ans(a, "aks.runner_mode"), ans(a, "aks.node_vm_size"), blame, err,
	                        errlen) != 0)
		return ANSWERS_E_INVALID;
	if (answers_region_rule(ans(a, "cloud"), ans(a, "location"), err, errlen) != 0)
		return ANSWERS_E_INVALID;
	const char *method = ans(a, "auth.method"), *t = ans(a, "auth.tenant");
	const char *client = ans(a, "auth.client_id");
	if (method && t && client && strcmp(method, "service-principal") == 0) {
		if (strcmp(t, "organizations") == 0 || strcmp(t, "common") == 0) {
			snprintf(err, errlen, "auth.tenant: a service principal signs in to one tenant; "
			                      "give its GUID or domain");
			return ANSWERS_E_INVALID;
		}
		if (strcmp(client, AZ_CLI_CLIENT_ID) == 0) {
			snprintf(err, errlen, "auth.client_id: a service principal signs in with its own "
			                      "application id, not the Azure CLI's");
			return ANSWERS_E_INVALID;
		}
	}
	return ANSWERS_OK;
}

void answers_clear_defaults(struct answers *a)
{
	for (int i = 0; (size_t)i < plan_question_count(); i++)
		if (!a->given[i]) {
			free(a->val[i]);
			a->val[i] = NULL;
		}
}

enum answers_result answers_complete(struct answers *a, char *err, size_t errlen)
{
	char value[PATH_MAX];
	for (int i = 0; (size_t)i < plan_question_count(); i++) {
		if (!a->val[i] && plan_question((plan_qid)i)->def_kind == PLAN_DEF_NONE)
			continue;   /* a decision: asked when it arises */
		if (!a->val[i]) {
			if (answers_default(a, (plan_qid)i, value, sizeof value, err, errlen) < 0)
				return ANSWERS_E_INVALID;
			if (answers_store(a, (plan_qid)i, value, 0) < 0)
				return ANSWERS_E_NOMEM;
		}
		if (plan_question_check((plan_qid)i, a->val[i], err, errlen) < 0)
			return ANSWERS_E_INVALID;
	}
	return answers_cross_check(a, err, errlen);
}

cJSON *answers_to_json(const struct answers *a)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	for (int i = 0; (size_t)i < plan_question_count(); i++) {
		const struct plan_question *pq = plan_question((plan_qid)i);
		const char *v = a->val[i];
		if (!v)
			continue;
		cJSON *parent = root;
		const char *name = pq->key;
		const char *dot = strchr(pq->key, '.');
		if (dot) {
			char section[64];
			snprintf(section, sizeof section, "%.*s", (int)(dot - pq->key), pq->key);
			parent = cJSON_GetObjectItemCaseSensitive(root, section);
			if (!parent)
				parent = cJSON_AddObjectToObject(root, section);
			name = dot + 1;
		}
		cJSON *item;
		if (pq->validate == validate_bool)
			item = cJSON_CreateBool(strcmp(v, "true") == 0);
		else if (pq->validate == validate_port || pq->validate == validate_amqp_port ||
		         pq->validate == validate_node_count || pq->validate == validate_data_disk_gb)
			item = cJSON_CreateNumber(strtod(v, NULL));
		else
			item = cJSON_CreateString(v);
		if (!parent || !item || !cJSON_AddItemToObject(parent, name, item)) {
			cJSON_Delete(item);
			cJSON_Delete(root);
			return NULL;
		}
	}
	return root;
}
