/* The plan, read from the step table: what `plan` prints, what the review shows, what a
 * test compares with the requests the fake cloud saw. Secrets appear as <sealed:NAME>. */
#include "core/engine/describe.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int step_table_use(const struct step_table *t, char *why, size_t whylen)
{
	static const struct plan_step *view[PLAN_STEPS_MAX];
	if (t->nsteps > PLAN_STEPS_MAX) {
		snprintf(why, whylen, "%zu steps: at most %d", t->nsteps, PLAN_STEPS_MAX);
		return -1;
	}
	for (size_t s = 0; s < t->nsteps; s++)
		view[s] = &t->steps[s]->plan;
	return plan_use(view, t->nsteps, why, whylen);
}

static const char *describe_get(void *ctx, plan_qid q)
{
	return answers_get(ctx, q);
}

int describe_action(const struct action_def *d, const struct answers *a, char *out, size_t outlen, char *err,
                    size_t errlen)
{
	if (d->describe) {
		d->describe(a, out, outlen);
		return 0;
	}
	return plan_expand(d->text, describe_get, (void *)a, out, outlen, err, errlen);
}

int describe_resource(const struct action_def *d, const struct answers *a, char *out, size_t outlen)
{
	if (d->kind != ACTION_RESOURCE)
		return -1;
	return plan_expand(d->path, describe_get, (void *)a, out, outlen, NULL, 0);
}

/* The action that first names the same resource, or NULL when d makes it. */
static const struct action_def *describe_maker(const struct step_table *t, const struct action_def *d,
                                               const struct answers *a)
{
	char mine[1024], other[1024];
	if (describe_resource(d, a, mine, sizeof mine) != 0)
		return NULL;
	for (size_t s = 0; s < t->nsteps; s++)
		for (size_t i = 0; t->steps[s] && i < t->steps[s]->nactions; i++) {
			const struct action_def *o = &t->steps[s]->actions[i];
			if (o == d)
				return NULL;
			if ((o->when && !o->when(a)) || describe_resource(o, a, other, sizeof other) != 0)
				continue;
			if (strcasecmp(mine, other) == 0)
				return o;
		}
	return NULL;
}

static int describe_secret_applies(const struct plan_secret *sec, const struct answers *a)
{
	if (!sec->only_if)
		return 1;
	const char *eq = strchr(sec->only_if, '=');
	char key[64];
	if (!eq || (size_t)(eq - sec->only_if) >= sizeof key)
		return 1;
	memcpy(key, sec->only_if, (size_t)(eq - sec->only_if));
	key[eq - sec->only_if] = '\0';
	int q = plan_question_find(key);
	const char *v = q >= 0 ? answers_get(a, (plan_qid)q) : NULL;
	return v && strcmp(v, eq + 1) == 0;
}

cJSON *describe_plan_json(const struct step_table *t, const struct answers *a)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *steps = cJSON_AddArrayToObject(root, "steps");
	char text[2048], id[1024];
	for (size_t s = 0; s < t->nsteps; s++) {
		const struct step_def *sd = t->steps[s];
		cJSON *js = cJSON_CreateObject();
		cJSON_AddItemToArray(steps, js);
		cJSON_AddStringToObject(js, "key", sd->plan.key);
		cJSON_AddStringToObject(js, "title", sd->plan.title);
		cJSON *acts = cJSON_AddArrayToObject(js, "actions");
		for (size_t i = 0; sd && i < sd->nactions; i++) {
			const struct action_def *d = &sd->actions[i];
			if (d->when && !d->when(a))
				continue;
			cJSON *ja = cJSON_CreateObject();
			cJSON_AddItemToArray(acts, ja);
			cJSON_AddStringToObject(ja, "key", d->key);
			cJSON_AddStringToObject(ja, "text", describe_action(d, a, text, sizeof text, NULL, 0) == 0 ? text : d->text);
			cJSON *after = cJSON_AddArrayToObject(ja, "after");
			for (size_t k = 0; k < ACTION_AFTER_MAX && d->after[k]; k++)
				cJSON_AddItemToArray(after, cJSON_CreateString(d->after[k]));
			if (describe_resource(d, a, id, sizeof id) == 0) {
				const struct action_def *maker = describe_maker(t, d, a);
				cJSON_AddStringToObject(ja, "type", d->type ? d->type : "");
				cJSON_AddStringToObject(ja, "resource", id);
				if (maker)
					cJSON_AddStringToObject(ja, "made_by", maker->key);
			}
		}
		cJSON *secs = cJSON_AddArrayToObject(js, "secrets");
		for (size_t i = 0; sd && i < sd->nsecrets; i++)
			if (describe_secret_applies(&sd->secrets[i], a))
				cJSON_AddItemToArray(secs, cJSON_CreateString(sd->secrets[i].name));
	}
	return root;
}

static const char *describe_kind(vault_kind k)
{
#define DESCRIBE_KIND_(id, text) text,
	static const char *const names[VAULT_KIND_COUNT] = {VAULT_KINDS(DESCRIBE_KIND_)};
#undef DESCRIBE_KIND_
	return (unsigned)k < VAULT_KIND_COUNT ? names[k] : "other";
}

int describe_plan(const struct step_table *t, const struct answers *a, FILE *out)
{
	char line[2048], id[1024];
	int failed = 0;
	if (answers_expand(a, "studio-wizard plan: subscription {subscription} ({cloud}), region {location}, "
	                      "uniq_id {uniq_id}", line, sizeof line, NULL, 0) < 0)
		return -1;
	fprintf(out, "%s\n", line);
	fprintf(out, "Nothing is created by this command. Secrets appear as <sealed:NAME>: they are generated or "
	             "asked for during the install and kept only in the vault. Actions of different steps run at the "
	             "same time once what they wait for is done.\n");
	for (size_t s = 0; s < t->nsteps; s++) {
		const struct step_def *sd = t->steps[s];
		fprintf(out, "\n%zu. %s: %s\n", s + 1, sd->plan.key, sd->plan.title);
		for (size_t i = 0; sd && i < sd->nactions; i++) {
			const struct action_def *d = &sd->actions[i];
			if (d->when && !d->when(a))
				continue;
			if (describe_action(d, a, line, sizeof line, NULL, 0) != 0) {
				fprintf(out, "   - (cannot describe %s)\n", d->key);
				failed = 1;
				continue;
			}
			const struct action_def *maker = describe_maker(t, d, a);
			if (maker) {
				fprintf(out, "   - %s: made once, by %s\n", line, maker->key);
				continue;
			}
			fprintf(out, "   - %s\n", line);
			if (describe_resource(d, a, id, sizeof id) == 0)
				fprintf(out, "       %s\n", id);
		}
	}
	fprintf(out, "\nVault entries (values never leave the vault):\n");
	for (size_t s = 0; s < t->nsteps; s++) {
		const struct step_def *sd = t->steps[s];
		for (size_t i = 0; sd && i < sd->nsecrets; i++) {
			const struct plan_secret *sec = &sd->secrets[i];
			if (describe_secret_applies(sec, a))
				fprintf(out, "   <sealed:%s> %s, %s (%s)\n", sec->name, describe_kind(sec->kind), sec->what,
				        sd->plan.key);
		}
	}
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return failed ? -1 : 0;
}
