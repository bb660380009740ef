/* tests/unit/engine_run.c: running a step table on the fake cloud and reading what happened,
 * for the engine's tests and its bench (no cmocka). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/engine/describe.h"
#include "core/sys/loop.h"
#include "tests/unit/engine_run.h"
#include "tests/unit/testutil.h"

int et_answers(struct answers *a, int decision, char *err, size_t errlen)
{
	char json[2048];
	snprintf(json, sizeof json,
	         "{\"cloud\": \"AzureCloud\", \"subscription\": \"00000000-0000-0000-0000-000000000000\", "
	         "\"location\": \"eastus\", \"uniq_id\": \"1a2b3c4d\", \"auth\": {\"method\": \"service-principal\", "
	         "\"tenant\": \"11111111-1111-1111-1111-111111111111\", "
	         "\"client_id\": \"33333333-3333-3333-3333-333333333333\"}%s}",
	         decision ? ", \"decisions\": {\"register_providers\": \"yes\"}" : "");
	answers_init(a);
	if (answers_parse(a, json, err, errlen) != ANSWERS_OK || answers_complete(a, err, errlen) != ANSWERS_OK)
		return -1;
	return 0;
}

/* ---- measuring a run (tests and bench) ---- */

#define ET_MAX_ACTIONS 64

double et_critical_path(const struct step_table *t, const struct answers *ans, const struct state *st,
                                      char *path, size_t pathlen)
{
	const struct action_def *defs[ET_MAX_ACTIONS];
	step_id sid[ET_MAX_ACTIONS];
	char ids[ET_MAX_ACTIONS][512];
	double cp[ET_MAX_ACTIONS];
	int prev[ET_MAX_ACTIONS];
	size_t n = 0;
	for (size_t s = 0; s < t->nsteps; s++)
		for (size_t i = 0; t->steps[s] && i < t->steps[s]->nactions && n < ET_MAX_ACTIONS; i++) {
			const struct action_def *d = &t->steps[s]->actions[i];
			if (d->when && !d->when(ans))
				continue;
			defs[n] = d;
			sid[n] = (step_id)s;
			ids[n][0] = '\0';
			if (d->kind == ACTION_RESOURCE)
				answers_expand(ans, d->path, ids[n], sizeof ids[n], NULL, 0);
			n++;
		}
	double best = 0;
	int last = -1;
	for (size_t i = 0; i < n; i++) {
		const cJSON *rec = cJSON_GetObjectItemCaseSensitive(st->actions, defs[i]->key);
		const cJSON *s0 = cJSON_GetObjectItemCaseSensitive(rec, "started_ms");
		const cJSON *s1 = cJSON_GetObjectItemCaseSensitive(rec, "finished_ms");
		if (!cJSON_IsNumber(s0) || !cJSON_IsNumber(s1))
			return -1;
		double before = 0;
		prev[i] = -1;
		for (size_t j = 0; j < i; j++) {
			int dep = 0;
			for (size_t k = 0; k < ACTION_AFTER_MAX && defs[i]->after[k]; k++) {
				int ps = plan_step_parse(defs[i]->after[k]);
				dep |= ps >= 0 ? sid[j] == (step_id)ps : strcmp(defs[i]->after[k], defs[j]->key) == 0;
			}
			dep |= ids[i][0] && strcasecmp(ids[i], ids[j]) == 0;
			if (dep && cp[j] > before) {
				before = cp[j];
				prev[i] = (int)j;
			}
		}
		cp[i] = before + (s1->valuedouble - s0->valuedouble) / 1000.0;
		if (cp[i] > best) {
			best = cp[i];
			last = (int)i;
		}
	}
	if (path && pathlen) {
		int chain[ET_MAX_ACTIONS], m = 0;
		for (int i = last; i >= 0 && m < ET_MAX_ACTIONS; i = prev[i])
			chain[m++] = i;
		size_t o = 0;
		path[0] = '\0';
		while (m-- > 0 && o < pathlen)
			o += (size_t)snprintf(path + o, pathlen - o, "%s%s", o ? " > " : "", defs[chain[m]]->key);
	}
	return best;
}

double et_clock_offset_ms(void)
{
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	long long mono = loop_now_ms();
	return (double)mono - ((double)rt.tv_sec * 1000.0 + (double)rt.tv_nsec / 1e6);
}

/* ---- a run: profile directory, state, vault, engine ---- */

static void et_on_event(const struct engine_event *ev, void *arg)
{
	struct et_run *r = arg;
	if (r->also)
		r->also(ev, r);
	if (ev->kind == ENGINE_EV_FINISHED) {
		snprintf(r->finished, sizeof r->finished, "%s", ev->text ? ev->text : "");
		r->finished_seen++;
	}
}

int et_run_attach(struct et_run *r, char *err, size_t errlen)
{
	r->finished[0] = '\0';
	r->finished_seen = 0;
	if (state_load(r->dir, "default", &r->st, err, errlen) != STATE_OK ||
	    vault_open(r->dir, ET_PASS, strlen(ET_PASS), &r->v, err, errlen) != VAULT_OK)
		return -1;
	if (!(r->loop = loop_new()))
		return -1;
	struct engine_config cfg = {.loop = r->loop, .cloud = &r->fake->cloud, .answers = &r->ans, .st = r->st, .state_dir = r->dir,
	                            .vault = r->v, .headless = 1, .on_event = et_on_event, .arg = r,
	                            .table = r->table, .poll_ms = r->poll_ms,
	                            .lro_deadline_ms = r->lro_deadline_ms};
	r->e = engine_new(&cfg, err, errlen);
	return r->e ? 0 : -1;
}

void et_run_detach(struct et_run *r)
{
	engine_free(r->e);
	r->e = NULL;
	/* Nothing of the engine's may stay on its caller's loop: the TUI's outlives every engine. */
	if (r->loop && loop_pending(r->loop) != 0) {
		fprintf(stderr, "engine_free left %d timers or watches on the loop\n", loop_pending(r->loop));
		abort();
	}
	loop_free(r->loop);
	r->loop = NULL;
	state_free(r->st);
	r->st = NULL;
	vault_close(r->v);
	r->v = NULL;
}

int et_run_open(struct et_run *r, const struct fakecloud *fake, const struct step_table *table, const char *tag,
                int decision, char *err, size_t errlen)
{
	vault *v = NULL;
	memset(r, 0, sizeof *r);
	r->fake = fake;
	r->table = table;
	r->dir = test_mkdtemp(tag);
	if (vault_create(r->dir, ET_PASS, strlen(ET_PASS), VAULT_KDF_INTERACTIVE, &v, err, errlen) != VAULT_OK)
		return -1;
	int bad = vault_put(v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "manual", "fake-secret-0001", 16) != VAULT_OK ||
	          vault_save(v, err, errlen) != VAULT_OK;
	vault_close(v);
	if (bad || et_answers(&r->ans, decision, err, errlen) != 0)
		return -1;
	return et_run_attach(r, err, errlen);
}

void et_run_close(struct et_run *r)
{
	et_run_detach(r);
	answers_free(&r->ans);
	test_rmrf(r->dir);
	free(r->dir);
	r->dir = NULL;
}

int et_run_start(struct et_run *r, char *err, size_t errlen)
{
	r->t0 = loop_now_ms();
	return engine_start(r->e, (step_id)(r->table->nsteps - 1), err, errlen);
}

int et_run_all(struct et_run *r)
{
	char err[512];
	if (et_run_start(r, err, sizeof err) != 0) {
		fprintf(stderr, "engine_start: %s\n", err);
		return -1;
	}
	int rc = engine_run(r->e);
	r->t1 = loop_now_ms();
	return rc;
}

int et_run_until(struct et_run *r, int (*cond)(struct et_run *r))
{
	long long end = loop_now_ms() + 20000;
	while (loop_now_ms() < end && engine_status(r->e) == 1) {
		if (cond(r))
			return 1;
		loop_once(r->loop, 50);
	}
	return cond(r);
}

/* ---- the state's records ---- */

const char *et_action_str(const struct state *st, const char *key, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st->actions, key), field);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double et_action_num(const struct state *st, const char *key, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st->actions, key), field);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

cJSON *et_resource_rec(const struct state *st, const char *id)
{
	char key[1024];
	snprintf(key, sizeof key, "%s", id);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return cJSON_GetObjectItemCaseSensitive(st->resources, key);
}

void et_plan_id(const struct step_table *t, const struct answers *a, const char *key, char *out, size_t outlen)
{
	out[0] = '\0';
	for (size_t s = 0; s < t->nsteps; s++)
		for (size_t i = 0; i < t->steps[s]->nactions; i++)
			if (strcmp(t->steps[s]->actions[i].key, key) == 0 &&
			    describe_resource(&t->steps[s]->actions[i], a, out, outlen) != 0)
				out[0] = '\0';
}

/* ---- the fake's request log ---- */

const char *et_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int et_count(const cJSON *reqs, const char *method, const char *path)
{
	int n = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		n += strcmp(et_str(it, "method"), method) == 0 && strcasecmp(et_str(it, "path"), path) == 0;
	}
	return n;
}

double et_first_ms(const cJSON *reqs, const char *method, const char *path)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "time");
		if (strcmp(et_str(it, "method"), method) == 0 && strcasecmp(et_str(it, "path"), path) == 0 &&
		    cJSON_IsNumber(t))
			return t->valuedouble * 1000.0 + et_clock_offset_ms();
	}
	return -1;
}

/* ---- the checks ---- */

int et_check_plan_put_once(const struct et_run *r, const cJSON *reqs, char *why, size_t whylen)
{
	cJSON *plan = describe_plan_json(r->table, &r->ans);
	int planned = 0, puts = 0, bad = 0;
	const cJSON *js, *ja, *it;
	snprintf(why, whylen, "no plan");
	cJSON_ArrayForEach(js, cJSON_GetObjectItemCaseSensitive(plan, "steps"))
	{
		cJSON_ArrayForEach(ja, cJSON_GetObjectItemCaseSensitive(js, "actions"))
		{
			const char *id = et_str(ja, "resource");
			if (bad || !*id || cJSON_GetObjectItemCaseSensitive(ja, "made_by"))
				continue;
			planned++;
			int n = et_count(reqs, "PUT", id);
			const char *step = et_str(et_resource_rec(r->st, id), "step");
			if (n != 1)
				bad = snprintf(why, whylen, "%s: %d PUTs of %s", et_str(ja, "key"), n, id);
			else if (strcmp(step, et_str(js, "key")) != 0)
				bad = snprintf(why, whylen, "%s: recorded under step '%s', planned under %s", id, step,
				               et_str(js, "key"));
		}
	}
	cJSON_ArrayForEach(it, reqs)
	{
		puts += strcmp(et_str(it, "method"), "PUT") == 0;
	}
	cJSON_Delete(plan);
	if (!bad && (puts != planned || planned == 0))
		bad = snprintf(why, whylen, "%d PUTs for %d planned resources", puts, planned);
	return bad ? -1 : 0;
}

int et_check_all_done(const struct et_run *r, char *why, size_t whylen)
{
	for (size_t i = 0; i < engine_action_count(r->e); i++) {
		struct engine_action_view v;
		engine_action_at(r->e, i, &v);
		const char *st = et_action_str(r->st, v.key, "status");
		if (!st || strcmp(st, "done") != 0) {
			snprintf(why, whylen, "%s: %s (%s)", v.key, st ? st : "no record", v.detail);
			return -1;
		}
		if (et_action_str(r->st, v.key, "operation")) {
			snprintf(why, whylen, "%s: an operation is left in its record", v.key);
			return -1;
		}
	}
	const cJSON *rec;
	cJSON_ArrayForEach(rec, r->st->resources)
	{
		if (cJSON_GetObjectItemCaseSensitive(rec, "operation")) {
			snprintf(why, whylen, "%s: an operation is left in its record", rec->string);
			return -1;
		}
	}
	if (engine_action_count(r->e) == 0) {
		snprintf(why, whylen, "no actions");
		return -1;
	}
	return 0;
}
