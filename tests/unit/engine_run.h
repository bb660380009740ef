/* tests/unit/engine_run.h: running a step table on the fake cloud and reading what happened,
 * for the engine's tests and its bench (tests/unit/engine_run.c, no cmocka; the engine tests run the small graph of tests/unit/engine_table.h): a profile
 * directory with a vault holding the fake's client secret, a headless engine on it, the
 * fake's request log, the checks every test makes, and the critical path. */
#ifndef SW_ENGINE_RUN_H
#define SW_ENGINE_RUN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/engine/engine.h"
#include "core/engine/step.h"
#include "core/model/state.h"
#include "secrets/vault.h"
#include "tests/unit/fakecloud_child.h"

#define ET_PASS "passphrase-for-tests"

struct et_run {
	const struct fakecloud *fake;
	const struct step_table *table;   /* what the engine runs */
	char *dir;
	struct answers ans;
	struct state *st;
	vault *v;
	struct loop *loop;       /* the engine's, given to it as the TUI gives its own */
	struct engine *e;
	char finished[4096];     /* the FINISHED event's text */
	int finished_seen;
	long long t0, t1;        /* engine_start, engine_run's return (loop_now_ms) */
	long poll_ms;            /* engine_config.poll_ms of the next attach (0: the default) */
	long lro_deadline_ms;    /* engine_config.lro_deadline_ms of the next attach (0: the default) */
	void (*also)(const struct engine_event *ev, struct et_run *r);   /* sees every event too */
	void *data;              /* for also */
};

/* Answers for the fake's subscription and service principal, decisions.register_providers yes
 * when decision; the graph's own questions keep their defaults. 0, or -1 with err. */
int et_answers(struct answers *a, int decision, char *err, size_t errlen);

/* The longest chain of the actions' own measured durations (state.actions[key].started_ms and
 * finished_ms) along the table's dependencies (after, and the first maker of a shared resource).
 * Returns seconds, or -1 when an action of the run has no times; path gets "a > b > c". */
double et_critical_path(const struct step_table *t, const struct answers *ans, const struct state *st, char *path,
                        size_t pathlen);

/* Milliseconds on loop_now_ms()'s clock minus the wall clock's (the fake stamps requests with
 * time.time()): a fake's "time" t is at t * 1000 + et_clock_offset_ms() on the engine's clock. */
double et_clock_offset_ms(void);

/* Opens r->dir's state and vault and a new engine on them running r->table. 0, or -1 with err. */
int et_run_attach(struct et_run *r, char *err, size_t errlen);
/* Frees engine, state and vault without writing anything (as a crash would leave them). */
void et_run_detach(struct et_run *r);
/* A fresh profile directory under TEST_TMP: a vault holding the fake's client secret, an
 * empty state; answers (decision: decisions.register_providers yes); an engine
 * on table. 0 or -1. */
int et_run_open(struct et_run *r, const struct fakecloud *fake, const struct step_table *table, const char *tag,
                int decision, char *err, size_t errlen);
void et_run_close(struct et_run *r);
/* engine_start up to the table's last step. 0 or -1 with err. */
int et_run_start(struct et_run *r, char *err, size_t errlen);
/* Headless to the end: engine_run's result (-1 also when it cannot start). */
int et_run_all(struct et_run *r);
/* Drives the engine's loop until cond holds (1), or the run ends or 20 s pass (cond's value). */
int et_run_until(struct et_run *r, int (*cond)(struct et_run *r));

/* The action's string field in the state, or NULL. */
const char *et_action_str(const struct state *st, const char *key, const char *field);
/* A number of the action's record, or -1. */
double et_action_num(const struct state *st, const char *key, const char *field);
/* The resource's record (the engine keys them by the lower-case id). */
cJSON *et_resource_rec(const struct state *st, const char *id);
/* The resource id the plan of table t gives the action key; "" when it has none. */
void et_plan_id(const struct step_table *t, const struct answers *a, const char *key, char *out, size_t outlen);

/* A request's string field, "" when absent. */
const char *et_str(const cJSON *o, const char *k);
/* How many requests have method and path (case-insensitive). */
int et_count(const cJSON *reqs, const char *method, const char *path);
/* The fake's time of the first such request on loop_now_ms()'s clock; -1 when none. */
double et_first_ms(const cJSON *reqs, const char *method, const char *path);

/* Every resource the plan lists (made_by duplicates aside) was PUT exactly once, recorded
 * under the step the plan names, and nothing else was PUT. 0, or -1 with why. */
int et_check_plan_put_once(const struct et_run *r, const cJSON *reqs, char *why, size_t whylen);
/* Every action of the run recorded done, no operation left in any record. 0, or -1 with why. */
int et_check_all_done(const struct et_run *r, char *why, size_t whylen);

#endif
