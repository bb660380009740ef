/* The run set: the actions of the steps asked for, their dependencies (after, and the
 * first maker of a shared resource), what is done already and what is left to wait for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/engine/describe.h"
#include "core/engine/engine_int.h"
#include "core/sys/loop.h"

static struct act *engine_find(struct engine *e, const char *key)
{
	for (size_t i = 0; i < e->nacts; i++)
		if (strcmp(e->acts[i].def->key, key) == 0)
			return &e->acts[i];
	return NULL;
}

const char *engine_step_key(const struct engine *e, step_id s)
{
	return s >= 0 && (size_t)s < e->table->nsteps ? e->table->steps[s]->plan.key : "?";
}

static int engine_step_find(const struct engine *e, const char *key)
{
	for (size_t s = 0; s < e->table->nsteps; s++)
		if (strcmp(e->table->steps[s]->plan.key, key) == 0)
			return (int)s;
	return -1;
}

static void engine_add_dep(struct act *a, size_t dep)
{
	for (size_t i = 0; i < a->ndeps; i++)
		if (a->deps[i] == (int)dep)
			return;
	if (a->ndeps < sizeof a->deps / sizeof a->deps[0] && dep != a->index)
		a->deps[a->ndeps++] = (int)dep;
}

int engine_build(struct engine *e, step_id until, char *err, size_t errlen)
{
	const struct step_table *t = e->table;
	size_t n = 0;
	for (size_t s = 0; s <= (size_t)until && s < t->nsteps; s++)
		n += t->steps[s] ? t->steps[s]->nactions : 0;
	free(e->acts);
	e->acts = calloc(n ? n : 1, sizeof *e->acts);
	e->nacts = 0;
	if (!e->acts) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t s = 0; s <= (size_t)until && s < t->nsteps; s++) {
		const struct step_def *sd = t->steps[s];
		for (size_t i = 0; sd && i < sd->nactions; i++) {
			const struct action_def *d = &sd->actions[i];
			if (d->when && !d->when(e->cfg.answers))
				continue;
			struct act *a = &e->acts[e->nacts];
			*a = (struct act){.e = e, .step = sd, .sid = (step_id)s, .def = d, .index = e->nacts, .alias = -1};
			char why[256];
			/* The plan's line (describe_action) is the install screen's too: one text per action. */
			if (describe_action(d, e->cfg.answers, a->text, sizeof a->text, why, sizeof why) != 0 ||
			    (d->kind == ACTION_RESOURCE && answers_expand(e->cfg.answers, d->path, a->path, sizeof a->path, why,
			                                                  sizeof why) != 0)) {
				snprintf(err, errlen, "%s: %s", d->key, why);
				return -1;
			}
			e->nacts++;
		}
	}
	for (size_t i = 0; i < e->nacts; i++) {
		struct act *a = &e->acts[i];
		for (size_t k = 0; k < ACTION_AFTER_MAX && a->def->after[k]; k++) {
			const char *dep = a->def->after[k];
			int s = engine_step_find(e, dep);
			if (s >= 0) {
				for (size_t j = 0; j < e->nacts; j++)
					if (e->acts[j].sid == (step_id)s)
						engine_add_dep(a, j);
				continue;
			}
			struct act *d = engine_find(e, dep);
			if (d)
				engine_add_dep(a, d->index);
		}
		/* One resource, one creator: a later action naming the same id waits for the first. */
		for (size_t j = 0; a->def->kind == ACTION_RESOURCE && j < i; j++) {
			const struct act *o = &e->acts[j];
			if (o->def->kind == ACTION_RESOURCE && o->alias < 0 && strcasecmp(o->path, a->path) == 0) {
				a->alias = (int)j;
				engine_add_dep(a, j);
				break;
			}
		}
	}
	return 0;
}

int engine_recorded_done(struct engine *e, const struct act *a)
{
	const cJSON *rec = record_action(e->cfg.st, a->def->key, 0);
	const char *st = record_str(rec, "status");
	if (st)
		return strcmp(st, "done") == 0;
	/* Before schema 3 only whole steps were recorded. */
	return e->cfg.st->steps[a->sid].status == STEP_DONE;
}

/* The longest chain of Azure's usual durations through what is left, a running action
 * counting only what remains of its own (nothing once past it). */
double engine_expected(const struct engine *e)
{
	double *cp = calloc(e->nacts ? e->nacts : 1, sizeof *cp), best = 0;
	if (!cp)
		return 0;
	for (size_t i = 0; i < e->nacts; i++) {   /* dependencies always come earlier in the table */
		const struct act *a = &e->acts[i];
		double before = 0;
		for (size_t k = 0; k < a->ndeps; k++)
			if ((size_t)a->deps[k] < i && cp[a->deps[k]] > before)
				before = cp[a->deps[k]];
		double spent = a->state == ACT_RUNNING ? (double)(loop_now_ms() - a->started_ms) / 1000.0 : 0;
		double left = a->state == ACT_WAITING || a->state == ACT_RUNNING ? a->def->expect_s - spent : 0;
		cp[i] = before + (left > 0 ? left : 0);
		if (cp[i] > best)
			best = cp[i];
	}
	free(cp);
	return best;
}
