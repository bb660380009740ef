/* The scheduler: every action whose dependencies are done starts at once; each ends in
 * done or failed, and what depends on a failure is blocked, not started. */
#include "core/engine/engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/engine/engine_int.h"
#include "core/sys/log.h"
#include "core/sys/text.h"

static const char *const engine_event_names[] = {
#define ENGINE_NAME_(id, name) name,
	ENGINE_EVENTS(ENGINE_NAME_)
#undef ENGINE_NAME_
};

const char *engine_event_name(enum engine_event_kind k)
{
	return (unsigned)k < ENGINE_EV_COUNT ? engine_event_names[k] : "?";
}

/* ---- events and saving ---- */

void engine_emit(struct engine *e, struct engine_event *ev)
{
	if (e->cfg.on_event)
		e->cfg.on_event(ev, e->cfg.arg);
}

void engine_emit_text(struct engine *e, enum engine_event_kind k, step_id s, const char *action, const char *fmt,
                      ...)
{
	char raw[ENGINE_MSG_MAX], text[ENGINE_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	text_safe(raw, text, sizeof text);
	log_msg(k == ENGINE_EV_WARNING ? LOG_WARN : LOG_INFO, "%s: %s", action ? action : engine_step_key(e, s), text);
	struct engine_event ev = {.kind = k, .step = s, .action = action, .text = text};
	engine_emit(e, &ev);
}

int engine_save(struct engine *e, char *err, size_t errlen)
{
	if (e->sign_in_only)
		return 0;   /* the Subscription screen's sign-in changes nothing */
	return state_save(e->cfg.state_dir, e->cfg.st, err, errlen) == STATE_OK ? 0 : -1;
}

static int engine_persist_vault(void *arg, char *err, size_t errlen)
{
	struct engine *e = arg;
	if (!e->cfg.vault || vault_save(e->cfg.vault, err, errlen) != VAULT_OK)
		return -1;
	e->cfg.st->vault_generation = vault_generation(e->cfg.vault);
	return state_save(e->cfg.state_dir, e->cfg.st, err, errlen) == STATE_OK ? 0 : -1;
}

static void engine_on_device_code(const struct auth_device_code *dc, void *arg)
{
	struct engine *e = arg;
	struct engine_event ev = {.kind = ENGINE_EV_DEVICE_CODE, .step = e->sign_in_step, .device = dc,
	                          .text = dc->message};
	engine_emit(e, &ev);
}

/* ---- steps ---- */

static void engine_step_check(struct engine *e, step_id s)
{
	int total = 0, done = 0, failed = 0;
	const char *error = NULL;
	long long first = 0;
	for (size_t i = 0; i < e->nacts; i++) {
		const struct act *a = &e->acts[i];
		if (a->sid != s)
			continue;
		total++;
		done += a->state == ACT_DONE;
		if (a->state == ACT_FAILED && !a->stopped && !error) {
			failed++;
			error = a->detail;
		}
		if (a->started_ms && (!first || a->started_ms < first))
			first = a->started_ms;
	}
	struct step_state *ss = &e->cfg.st->steps[s];
	char err[512];
	if (total && done == total && ss->status != STEP_DONE) {
		state_step_set(e->cfg.st, s, STEP_DONE, NULL);
		if (engine_save(e, err, sizeof err) != 0)
			log_msg(LOG_ERROR, "%s", err);
		double secs = first ? (double)(loop_now_ms() - first) / 1000.0 : 0;
		log_msg(LOG_INFO, "step %s: done in %.1f s", engine_step_key(e, s), secs);
		struct engine_event ev = {.kind = ENGINE_EV_STEP_DONE, .step = s, .ok = 1, .seconds = secs};
		engine_emit(e, &ev);
	} else if (failed && ss->status != STEP_FAILED) {
		state_step_set(e->cfg.st, s, STEP_FAILED, error);
		if (engine_save(e, err, sizeof err) != 0)
			log_msg(LOG_ERROR, "%s", err);
		log_msg(LOG_ERROR, "step %s failed: %s", engine_step_key(e, s), error);
		struct engine_event ev = {.kind = ENGINE_EV_STEP_FAILED, .step = s, .text = error};
		engine_emit(e, &ev);
	}
}

/* ---- actions ---- */

static void engine_act_begin(struct act *a)
{
	struct engine *e = a->e;
	char err[512];
	a->state = ACT_RUNNING;
	a->started_ms = loop_now_ms();
	a->detail[0] = '\0';
	if (!e->step_started[a->sid]) {
		e->step_started[a->sid] = 1;
		if (e->cfg.st->steps[a->sid].status != STEP_RUNNING) {
			state_step_set(e->cfg.st, a->sid, STEP_RUNNING, NULL);
		}
		log_msg(LOG_INFO, "step %s: started", a->step->plan.key);
		struct engine_event ev = {.kind = ENGINE_EV_STEP_START, .step = a->sid,
		                          .text = a->step->plan.title};
		engine_emit(e, &ev);
	}
	cJSON *rec = record_action(e->cfg.st, a->def->key, 1);
	record_set_str(rec, "status", "running");
	record_set_num(rec, "started_ms", (double)a->started_ms);
	record_set_str(rec, "error", NULL);
	if (engine_save(e, err, sizeof err) != 0) {
		engine_act_end(a, 0, err);
		return;
	}
	log_msg(LOG_INFO, "%s: %s ...", a->def->key, a->text);
	struct engine_event ev = {.kind = ENGINE_EV_ACTION_START, .step = a->sid, .action = a->def->key,
	                          .text = a->text};
	engine_emit(e, &ev);
	if (a->alias >= 0) {
		char detail[256];
		snprintf(detail, sizeof detail, "made by %s", e->acts[a->alias].def->key);
		engine_act_end(a, 1, detail);
		return;
	}
	if (a->def->data_size) {
		a->data = calloc(1, a->def->data_size);
		if (!a->data) {
			engine_act_end(a, 0, "out of memory");
			return;
		}
	}
	clock_late_arm(a);
	if (a->def->kind == ACTION_RESOURCE)
		resource_start(a);
	else
		a->def->start(a);
}

void engine_act_end(struct act *a, int ok, const char *text)
{
	struct engine *e = a->e;
	char err[512];
	if (a->state != ACT_RUNNING)
		return;
	act_release(a);
	a->state = ok ? ACT_DONE : ACT_FAILED;
	a->finished_ms = loop_now_ms();
	snprintf(a->detail, sizeof a->detail, "%s", text);
	double secs = (double)(a->finished_ms - a->started_ms) / 1000.0;
	if (a != &e->sign_in) {
		cJSON *rec = record_action(e->cfg.st, a->def->key, 1);
		record_set_str(rec, "status", ok ? "done" : a->stopped ? "stopped" : "failed");
		record_set_num(rec, "finished_ms", (double)a->finished_ms);
		record_set_str(rec, ok || a->stopped ? "detail" : "error", text);
		if (engine_save(e, err, sizeof err) != 0)
			log_msg(LOG_ERROR, "%s", err);
	}
	log_msg(ok ? LOG_INFO : LOG_WARN, "%s: %s ... %s (%.1f s)", a->def->key, a->text, text, secs);
	struct engine_event ev = {.kind = ENGINE_EV_ACTION_END, .step = a->sid, .action = a->def->key,
	                          .text = a->text, .detail = a->detail, .ok = ok, .stopped = a->stopped,
	                          .seconds = secs};
	engine_emit(e, &ev);
	engine_step_check(e, a->sid);
	engine_pump_later(e);
}

/* The failed action at the start of a blocked action's chain (the first failed or blocked
 * dependency, followed until one failed). */
static const struct act *engine_root(const struct engine *e, const struct act *a)
{
	for (size_t guard = 0; a->state == ACT_BLOCKED && guard <= e->nacts; guard++) {
		const struct act *next = NULL;
		for (size_t k = 0; k < a->ndeps && !next; k++) {
			const struct act *d = &e->acts[a->deps[k]];
			if (d->state == ACT_FAILED || d->state == ACT_BLOCKED)
				next = d;
		}
		if (!next)
			break;
		a = next;
	}
	return a;
}

static void engine_finish(struct engine *e)
{
	struct engine_summary s;
	engine_summary(e, &s);
	char text[ENGINE_MSG_MAX];
	int ok = s.failed == 0 && s.stopped == 0 && s.blocked == 0 && s.waiting == 0 && s.running == 0;
	size_t o = (size_t)snprintf(text, sizeof text, "%d done, %d failed, ", s.done, s.failed);
	if (s.stopped)
		o += (size_t)snprintf(text + o, sizeof text - o, "%d stopped by the operator, ", s.stopped);
	o += (size_t)snprintf(text + o, sizeof text - o, "%d not started", s.blocked + s.waiting);
	/* Each root cause once, with what it blocks, instead of a chain of "waits for" lines. */
	for (size_t i = 0; i < e->nacts && o < sizeof text; i++) {
		const struct act *a = &e->acts[i];
		if (a->state != ACT_FAILED)
			continue;
		if (a->stopped)
			o += (size_t)snprintf(text + o, sizeof text - o, "; %s was stopped by the operator", a->def->key);
		else
			o += (size_t)snprintf(text + o, sizeof text - o, "; %s failed: %s", a->def->key, a->detail);
		int n = 0;
		for (size_t k = 0; k < e->nacts && o < sizeof text; k++)
			if (e->acts[k].state == ACT_BLOCKED && engine_root(e, &e->acts[k]) == a)
				o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", n++ ? ", " : "; it blocks ",
				                      e->acts[k].def->key);
	}
	if (e->sign_in_only)
		snprintf(text, sizeof text, "signed in");
	e->status = ok ? 0 : -1;
	e->finished = 1;
	log_msg(ok ? LOG_INFO : LOG_WARN, "install: %s", text);
	struct engine_event ev = {.kind = ENGINE_EV_FINISHED, .ok = ok, .text = text};
	engine_emit(e, &ev);
}

static void engine_pump(struct engine *e)
{
	if (e->status != 1)
		return;
	int progress = 1;
	while (progress) {
		progress = 0;
		for (size_t i = 0; i < e->nacts && e->status == 1; i++) {
			struct act *a = &e->acts[i];
			if (a->state != ACT_WAITING)
				continue;
			int ready = 1;
			for (size_t k = 0; k < a->ndeps; k++) {
				const struct act *d = &e->acts[a->deps[k]];
				if (d->state == ACT_FAILED || d->state == ACT_BLOCKED) {
					a->state = ACT_BLOCKED;
					snprintf(a->detail, sizeof a->detail, "%s, which %s", d->def->key,
					         d->state != ACT_FAILED ? "could not start"
					         : d->stopped           ? "was stopped by the operator"
					                                : "failed");
					progress = 1;
					ready = 0;
					break;
				}
				ready &= d->state == ACT_DONE;
			}
			if (ready && a->state == ACT_WAITING && !e->stopping) {
				engine_act_begin(a);
				progress = 1;
			}
		}
	}
	int running = e->sign_in.state == ACT_RUNNING;
	for (size_t i = 0; i < e->nacts; i++)
		running += e->acts[i].state == ACT_RUNNING;
	if (!running && e->status == 1) {
		if (e->sign_in_only && e->sign_in.state == ACT_FAILED) {
			e->status = -1;
			e->finished = 1;
			struct engine_event ev = {.kind = ENGINE_EV_FINISHED, .step = e->sign_in_step, .ok = 0,
			                          .text = e->sign_in.detail};
			engine_emit(e, &ev);
			return;
		}
		engine_finish(e);
	}
}

static void engine_on_pump(void *arg)
{
	struct engine *e = arg;
	e->pump_timer = 0;
	engine_pump(e);
}

void engine_pump_later(struct engine *e)
{
	if (!e->pump_timer && e->status == 1)
		e->pump_timer = loop_after(e->loop, 0, engine_on_pump, e);
}

/* ---- life cycle ---- */

struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->table = cfg->table;
	e->status = 2;
	e->loop = cfg->loop;
	if (!e->loop) {
		e->loop = loop_new();
		e->own_loop = 1;
	}
	if (!e->loop || !(e->http = http_client_new(e->loop))) {
		snprintf(err, errlen, "out of memory");
		engine_free(e);
		return NULL;
	}
	e->sign_in_step = -1;
	for (size_t s = 0; cfg->table && s < cfg->table->nsteps; s++)
		if (cfg->table->steps[s]->sign_in && e->sign_in_step < 0)
			e->sign_in_step = (step_id)s;
	/* The state and the answers index steps and questions as plan_use() was given them. */
	size_t same = 0;
	while (cfg->table && same < cfg->table->nsteps && same < plan_step_count() &&
	       strcmp(cfg->table->steps[same]->plan.key, plan_step_key((step_id)same)) == 0)
		same++;
	if (!cfg->table || same < cfg->table->nsteps) {
		snprintf(err, errlen, "the step table is not (the start of) the steps in use (plan_use)");
		engine_free(e);
		return NULL;
	}
	if (cfg->ca_file && http_client_set_ca_file(e->http, cfg->ca_file) != 0) {
		snprintf(err, errlen, "--ca-file %s: cannot read it", cfg->ca_file);
		engine_free(e);
		return NULL;
	}
	enum auth_method m;
	if (auth_method_parse(answers_get(cfg->answers, plan_q("auth.method")), &m) != 0) {
		snprintf(err, errlen, "auth.method: must be device-code, azure-cli or service-principal");
		engine_free(e);
		return NULL;
	}
	struct auth_config ac = {
		.http = e->http, .cloud = cfg->cloud, .method = m,
		.tenant = answers_get(cfg->answers, plan_q("auth.tenant")),
		.client_id = answers_get(cfg->answers, plan_q("auth.client_id")), .vault = cfg->vault,
		.persist = engine_persist_vault, .on_device_code = engine_on_device_code, .arg = e, .az = cfg->az,
		.command = cfg->command,
	};
	e->auth = auth_new(&ac, err, errlen);
	if (!e->auth) {
		engine_free(e);
		return NULL;
	}
	e->arm = arm_new(e->http, e->auth, cfg->cloud);
	if (!e->arm) {
		snprintf(err, errlen, "out of memory");
		engine_free(e);
		return NULL;
	}
	if (cfg->poll_ms > 0)
		arm_set_poll_default(e->arm, cfg->poll_ms);
	for (int k = 0; cfg->lro_deadline_ms > 0 && k < ARM_LRO_COUNT; k++)
		arm_set_lro_deadline(e->arm, (enum arm_lro_kind)k, cfg->lro_deadline_ms);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nacts; i++)
		act_release(&e->acts[i]);
	act_release(&e->sign_in);
	if (e->pump_timer)
		loop_cancel(e->loop, e->pump_timer);
	arm_free(e->arm);
	auth_free(e->auth);
	http_client_free(e->http);
	if (e->own_loop)
		loop_free(e->loop);
	free(e->acts);
	free(e);
}

int engine_start(struct engine *e, step_id until, char *err, size_t errlen)
{
	if (e->status == 1 || until < 0 || (size_t)until >= e->table->nsteps) {
		snprintf(err, errlen, e->status == 1 ? "the install is running already" : "no step %d", until);
		return -1;
	}
	if (engine_build(e, until, err, errlen) != 0)
		return -1;
	e->until = until;
	e->status = 1;
	e->finished = 0;
	e->stopping = 0;
	e->started_ms = loop_now_ms();
	memset(e->step_started, 0, sizeof e->step_started);
	for (size_t i = 0; i < e->nacts; i++)
		if (engine_recorded_done(e, &e->acts[i])) {
			e->acts[i].state = ACT_DONE;
			snprintf(e->acts[i].detail, sizeof e->acts[i].detail, "done earlier");
		}
	for (size_t s = 0; s <= (size_t)until; s++) {
		int all = 1, any = 0;
		for (size_t i = 0; i < e->nacts; i++)
			if (e->acts[i].sid == (step_id)s) {
				any = 1;
				all &= e->acts[i].state == ACT_DONE;
			}
		if (any && all) {
			if (e->cfg.st->steps[s].status != STEP_DONE)
				state_step_set(e->cfg.st, (step_id)s, STEP_DONE, NULL);
			struct engine_event ev = {.kind = ENGINE_EV_STEP_SKIPPED, .step = (step_id)s, .text = "done earlier"};
			engine_emit(e, &ev);
		}
	}
	engine_pump_later(e);
	return 0;
}

int engine_sign_in(struct engine *e)
{
	if (e->status == 1 || e->sign_in_step < 0)
		return -1;
	const struct step_def *sd = e->table->steps[e->sign_in_step];
	e->status = 1;
	e->finished = 0;
	e->sign_in_only = 1;
	e->nacts = 0;
	act_release(&e->sign_in);
	e->sign_in = (struct act){.e = e, .step = sd, .sid = e->sign_in_step, .def = sd->sign_in, .alias = -1,
	                          .state = ACT_RUNNING, .started_ms = loop_now_ms()};
	snprintf(e->sign_in.text, sizeof e->sign_in.text, "signing in");
	e->sign_in.data = calloc(1, sd->sign_in->data_size);
	if (!e->sign_in.data) {
		engine_act_end(&e->sign_in, 0, "out of memory");
		return 0;
	}
	sd->sign_in->start(&e->sign_in);
	return 0;
}

int engine_status(const struct engine *e)
{
	return e->status == 2 ? 0 : e->status;
}

int engine_run(struct engine *e)
{
	loop_run(e->loop, &e->finished);
	if (e->status == 1) {
		/* Nothing pending, yet not finished: a question nobody will answer. */
		for (size_t i = 0; i < e->nacts; i++)
			if (e->acts[i].state == ACT_RUNNING)
				engine_act_end(&e->acts[i], 0, e->acts[i].asking ? "waiting for an operator's answer in a "
				                                                    "headless run"
				                                                  : "internal error: stopped without finishing");
		engine_pump(e);
	}
	return e->status == 0 ? 0 : -1;
}

void engine_cancel(struct engine *e)
{
	if (e->status != 1)
		return;
	e->stopping = 1;
	auth_cancel(e->auth);
	for (size_t i = 0; i < e->nacts; i++) {
		struct act *a = &e->acts[i];
		if (a->state != ACT_RUNNING)
			continue;
		if (a->def->stop)
			a->def->stop(a);
		a->stopped = 1;
		engine_act_end(a, 0, "stopped by the operator");
	}
	if (e->sign_in_only && e->sign_in.state == ACT_RUNNING)
		engine_act_end(&e->sign_in, 0, "cancelled");
	engine_pump(e);
}

size_t engine_action_count(const struct engine *e)
{
	return e->nacts;
}

int engine_action_at(const struct engine *e, size_t i, struct engine_action_view *out)
{
	if (i >= e->nacts)
		return -1;
	const struct act *a = &e->acts[i];
	*out = (struct engine_action_view){a->def->key, a->sid, a->text, a->detail, a->state,
	                                   a->started_ms, a->finished_ms, a->def->expect_s};
	return 0;
}

void engine_summary(const struct engine *e, struct engine_summary *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < e->nacts; i++) {
		switch (e->acts[i].state) {
		case ACT_WAITING: out->waiting++; break;
		case ACT_RUNNING: out->running++; break;
		case ACT_DONE: out->done++; break;
		case ACT_FAILED: e->acts[i].stopped ? out->stopped++ : out->failed++; break;
		case ACT_BLOCKED: out->blocked++; break;
		}
	}
	out->elapsed_s = e->started_ms ? (double)(loop_now_ms() - e->started_ms) / 1000.0 : 0;
	out->expected_s = engine_expected(e);
}
