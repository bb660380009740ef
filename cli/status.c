#include "cli/status.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/engine/describe.h"
#include "core/sys/exitcode.h"
#include "core/sys/text.h"
#include "core/sys/timeutil.h"

/* text_safe into buf, for printf. */
static const char *status_safe(const char *in, char *buf, size_t len)
{
	text_safe(in, buf, len);
	return buf;
}
#include "secrets/vault.h"

static const char *status_rec_str(const cJSON *rec, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A kept operation's first start and Azure's last word on it (doc/azure-waits.md). */
static void status_op_since(const cJSON *rec, FILE *out)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "op_started");
	const char *said = status_rec_str(rec, "op_state");
	char when[TIME_ISO_LEN], safe[128];
	if (!cJSON_IsNumber(t) && !said)
		return;
	time_iso(cJSON_IsNumber(t) ? (int64_t)(t->valuedouble / 1000) : 0, when, sizeof when);
	fprintf(out, "                started %s%s%s\n", when, said ? "; Azure said " : "",
	        said ? status_safe(said, safe, sizeof safe) : "");
}

static void status_actions(const struct step_def *sd, const struct state *st, int working, FILE *out)
{
	char safe[1024];
	for (size_t i = 0; i < sd->nactions; i++) {
		const cJSON *rec = cJSON_GetObjectItemCaseSensitive(st->actions, sd->actions[i].key);
		const char *status = status_rec_str(rec, "status");
		if (!status)
			continue;
		const char *why = strcmp(status, "failed") == 0 ? status_rec_str(rec, "error") : status_rec_str(rec, "detail");
		fprintf(out, "    %-11s %s%s%s\n", state_status_shown(status, working), sd->actions[i].key, why ? ": " : "",
		        why ? status_safe(why, safe, sizeof safe) : "");
		const char *op = status_rec_str(rec, "operation");
		if (op) {
			fprintf(out, "                operation in flight: %s\n", status_safe(op, safe, sizeof safe));
			status_op_since(rec, out);
		}
	}
}

/* The action that makes resource id (its key and its line in the plan), from the state's
 * answers completed with their defaults: 0, or -1 when no action's resource is that id. */
static int status_resource_action(const struct step_table *t, const struct state *st, const char *id, char *out, size_t outlen)
{
	char *json = cJSON_PrintUnformatted(st->answers), err[256], rid[2048], text[1024];
	struct answers a;
	answers_init(&a);
	int found = -1;
	if (json && answers_parse_kept(&a, json, err, sizeof err) == ANSWERS_OK &&
	    answers_complete(&a, err, sizeof err) == ANSWERS_OK) {
		for (size_t s = 0; s < t->nsteps && found; s++)
			for (size_t i = 0; i < t->steps[s]->nactions && found; i++) {
				const struct action_def *d = &t->steps[s]->actions[i];
				if (describe_resource(d, &a, rid, sizeof rid) != 0 || strcasecmp(rid, id) != 0)
					continue;
				found = 0;
				snprintf(out, outlen, "%s: %s", d->key, describe_action(d, &a, text, sizeof text, NULL, 0) == 0 ? text : d->text);
			}
	}
	free(json);
	answers_free(&a);
	return found;
}

int status_print(const struct step_table *t, const struct profile *p, const struct state *st, FILE *out)
{
	char err[1024], safe[2048];
	fprintf(out, "profile  %s\n", p->name);
	/* Without the passphrase the MAC cannot be checked: say so rather than vouch for it. */
	const char *unverified = state_auth_unverified(st);
	fprintf(out, "state    %s/%s%s%s%s\n", p->dir, STATE_FILE, unverified ? " (" : "", unverified ? unverified : "",
	        unverified ? ")" : "");
	uint64_t gen = 0;
	vault_strength vs_kdf;
	vault_status vs = vault_peek(p->dir, &gen, &vs_kdf, err, sizeof err);
	if (vs == VAULT_OK)
		fprintf(out, "vault    %s/%s (generation %llu, %s key derivation)\n", p->dir, VAULT_FILE,
		        (unsigned long long)gen, vault_strength_name(vs_kdf));
	else if (vs == VAULT_E_MISSING)
		fprintf(out, "vault    none yet (the wizard creates it)\n");
	else
		fprintf(out, "vault    %s\n", err);
	if (vs == VAULT_OK && gen < st->vault_generation)
		fprintf(out, "warning  vault generation %llu is older than the state's %llu: restored from an old backup?\n",
		        (unsigned long long)gen, (unsigned long long)st->vault_generation);
	/* A "running" record is true only while a process works on the profile (holds its lock). */
	int working = profile_lock_held(p);
	fprintf(out, "\n%-3s %-14s %-11s %-21s %s\n", "#", "STEP", "STATUS", "SINCE", "");
	for (size_t i = 0; i < t->nsteps && i < PLAN_STEPS_MAX; i++) {
		const struct step_state *ss = &st->steps[i];
		char when[TIME_ISO_LEN];
		time_iso(ss->updated, when, sizeof when);
		int failed = ss->status == STEP_FAILED && ss->error;
		fprintf(out, "%-3zu %-14s %-11s %-21s %s%s%s\n", i + 1, t->steps[i]->plan.key,
		        state_status_shown(step_status_name(ss->status), working), when, t->steps[i]->plan.title,
		        failed ? ": " : "", failed ? status_safe(ss->error, safe, sizeof safe) : "");
		status_actions(t->steps[i], st, working, out);
	}
	const cJSON *it;
	int first = 1;
	cJSON_ArrayForEach(it, st->resources)
	{
		const char *op = status_rec_str(it, "operation");
		if (!op)
			continue;
		if (first)
			fprintf(out, "\nAzure operations in flight (polled again on resume):\n");
		first = 0;
		char u[2048], what[1024];
		if (status_resource_action(t, st, it->string, what, sizeof what) == 0)
			fprintf(out, "    %s\n      resource %s\n", status_safe(what, u, sizeof u),
			        status_safe(it->string, safe, sizeof safe));
		else
			fprintf(out, "    %s\n", status_safe(it->string, safe, sizeof safe));
		fprintf(out, "      operation in flight: %s\n", status_safe(op, u, sizeof u));
		status_op_since(it, out);
	}
	first = 1;
	cJSON_ArrayForEach(it, st->outputs)
	{
		if (!cJSON_IsString(it))
			continue;
		if (first)
			fprintf(out, "\nOutputs:\n");
		first = 0;
		char v[1024];
		fprintf(out, "    %-28s %s\n", status_safe(it->string, safe, sizeof safe), status_safe(it->valuestring, v, sizeof v));
	}
	int r = state_resume_step(st), started = 0;
	for (size_t i = 0; i < t->nsteps && i < PLAN_STEPS_MAX; i++)
		started |= st->steps[i].confirmed || st->steps[i].status != STEP_PENDING;
	if (r < 0)
		fprintf(out, "\ninstall complete: every step is done\n");
	else if (!started)
		fprintf(out, "\nnothing done yet: the wizard starts at %s (%s)\n", plan_step_key((step_id)r),
		        plan_step_title((step_id)r));
	else
		fprintf(out, "\nresume at %s (%s)\n", plan_step_key((step_id)r), plan_step_title((step_id)r));
	return fflush(out) == 0 ? SW_EXIT_OK : SW_EXIT_ERROR;
}
