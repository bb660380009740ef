/* What an action may do (core/engine/step.h): answers, outputs, secrets, messages, ARM calls
 * and timers owned by the action, questions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine/engine_int.h"
#include "core/sys/log.h"
#include "core/sys/text.h"

const char *act_key(const struct act *a) { return a->def->key; }
step_id act_step(const struct act *a) { return a->sid; }
const struct step_table *act_table(const struct act *a) { return a->e->table; }
const struct answers *act_answers(const struct act *a) { return a->e->cfg.answers; }
const char *act_answer(const struct act *a, const char *key) { return answers_get(a->e->cfg.answers, plan_q(key)); }
void *act_data(struct act *a) { return a->data; }
struct loop *act_loop(struct act *a) { return a->e->loop; }
struct http_client *act_http(struct act *a) { return a->e->http; }
struct arm *act_arm(struct act *a) { return a->e->arm; }
struct auth *act_auth(struct act *a) { return a->e->auth; }
const struct cloud *act_cloud(const struct act *a) { return a->e->cfg.cloud; }
const char *act_install_id(const struct act *a) { return a->e->cfg.st->install_id; }
const char *act_state_dir(const struct act *a) { return a->e->cfg.state_dir; }
int act_headless(const struct act *a) { return a->e->cfg.headless; }

int act_output_set(struct act *a, const char *key, const char *value)
{
	char err[512];
	cJSON *outs = a->e->cfg.st->outputs;
	cJSON_DeleteItemFromObjectCaseSensitive(outs, key);
	if (!cJSON_AddStringToObject(outs, key, value))
		return -1;
	if (engine_save(a->e, err, sizeof err) != 0) {
		log_msg(LOG_ERROR, "%s", err);
		return -1;
	}
	return 0;
}

const char *act_output(const struct act *a, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->e->cfg.st->outputs, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int act_secret_put(struct act *a, const char *name, vault_kind kind, const void *value, size_t len, char *err,
                   size_t errlen)
{
	struct engine *e = a->e;
	log_redact(value, len);
	if (!e->cfg.vault) {
		snprintf(err, errlen, "%s: the vault is not open", name);
		return -1;
	}
	vault_status vs = vault_put(e->cfg.vault, name, kind, a->step->plan.key, value, len);
	if (vs == VAULT_OK)
		vs = vault_save(e->cfg.vault, err, errlen);
	else
		snprintf(err, errlen, "%s: %s", name, vault_status_text(vs));
	if (vs != VAULT_OK)
		return -1;
	e->cfg.st->vault_generation = vault_generation(e->cfg.vault);
	record_step_secret(e->cfg.st, a->sid, name);
	return engine_save(e, err, errlen);
}

int act_secret_get(const struct act *a, const char *name, const unsigned char **value, size_t *len)
{
	if (!a->e->cfg.vault || vault_get(a->e->cfg.vault, name, value, len, NULL) != VAULT_OK)
		return -1;
	/* A resumed run reads what an earlier one sealed: masked in the log from here on too. */
	log_redact(*value, *len);
	return 0;
}

static void act_vformat(char *out, size_t outlen, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void act_vformat(char *out, size_t outlen, const char *fmt, va_list ap)
{
	char raw[ENGINE_MSG_MAX];
	vsnprintf(raw, sizeof raw, fmt, ap);
	text_safe(raw, out, outlen);
}

void act_progress(struct act *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	act_vformat(a->detail, sizeof a->detail, fmt, ap);
	va_end(ap);
	log_msg(LOG_INFO, "%s: %s", a->def->key, a->detail);
	struct engine_event ev = {.kind = ENGINE_EV_ACTION_PROGRESS, .step = a->sid, .action = a->def->key,
	                          .text = a->text, .detail = a->detail};
	engine_emit(a->e, &ev);
}

static void act_say(struct act *a, enum engine_event_kind k, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void act_say(struct act *a, enum engine_event_kind k, const char *fmt, va_list ap)
{
	char msg[ENGINE_MSG_MAX];
	act_vformat(msg, sizeof msg, fmt, ap);
	engine_emit_text(a->e, k, a->sid, a->def->key, "%s", msg);
}

void act_info(struct act *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	act_say(a, ENGINE_EV_INFO, fmt, ap);
	va_end(ap);
}

void act_warn(struct act *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	act_say(a, ENGINE_EV_WARNING, fmt, ap);
	va_end(ap);
}

void act_done(struct act *a, const char *fmt, ...)
{
	char msg[ENGINE_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	act_vformat(msg, sizeof msg, fmt, ap);
	va_end(ap);
	engine_act_end(a, 1, msg);
}

void act_fail(struct act *a, const char *fmt, ...)
{
	char msg[ENGINE_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	act_vformat(msg, sizeof msg, fmt, ap);
	va_end(ap);
	engine_act_end(a, 0, msg);
}

/* ---- ARM calls and timers owned by the action ---- */

static int act_on_operation(const char *url, void *arg)
{
	struct act *a = arg;
	char err[512];
	cJSON *rec = record_action(a->e->cfg.st, a->def->key, 1);
	record_set_str(rec, "operation", url);
	record_set_str(rec, "op_method", a->call_method);
	record_set_str(rec, "op_path", a->call_path);
	clock_mark_started(rec);
	if (!rec || engine_save(a->e, err, sizeof err) != 0) {
		log_msg(LOG_ERROR, "%s: cannot record the operation", a->def->key);
		return -1;
	}
	return 0;
}

static void act_clear_operation(struct act *a)
{
	char err[512];
	cJSON *rec = record_action(a->e->cfg.st, a->def->key, 0);
	if (!rec || !record_str(rec, "operation"))
		return;
	record_set_str(rec, "operation", NULL);
	record_set_str(rec, "op_method", NULL);
	record_set_str(rec, "op_path", NULL);
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "op_started");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "op_state");
	if (engine_save(a->e, err, sizeof err) != 0)
		log_msg(LOG_ERROR, "%s", err);
}

static void act_call_done(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	a->op = NULL;
	/* No answer at all, or its deadline passed: it may still run, keep it for the next run. */
	if (!(r->error && (r->status == 0 || r->still_running)))
		act_clear_operation(a);
	else if (r->still_running)
		clock_keep_state(a, record_action(a->e->cfg.st, a->def->key, 0));
	a->call_done(r, a);
}

int act_call(struct act *a, const char *method, const char *path, const char *api, const char *body,
             arm_done_fn done)
{
	if (a->op)
		return -1;
	a->call_done = done;
	snprintf(a->call_method, sizeof a->call_method, "%s", method);
	snprintf(a->call_path, sizeof a->call_path, "%s", path);
	const cJSON *rec = record_action(a->e->cfg.st, a->def->key, 0);
	const char *op = record_str(rec, "operation");
	const char *m = record_str(rec, "op_method");
	const char *p = record_str(rec, "op_path");
	if (op && m && p && strcmp(m, method) == 0 && strcmp(p, path) == 0) {
		act_info(a, "resuming the operation started before the restart");
		clock_resume_from(a, rec);
		a->op = arm_resume(a->e->arm, op, method, path, api, act_call_done, a);
	} else {
		a->op = arm_call(a->e->arm, method, path, api, body, act_on_operation, act_call_done, a);
	}
	arm_watch(a->op, act_on_arm_state);
	return a->op ? 0 : -1;
}

static void act_on_timer(void *arg)
{
	struct act_timer *t = arg;
	struct act *a = t->a;
	a->timers[t->i] = 0;
	a->timer_fn[t->i](a);
}

int act_after(struct act *a, long ms, void (*fn)(struct act *a))
{
	for (int i = 0; i < ACT_TIMERS_MAX; i++) {
		if (a->timers[i])
			continue;
		a->tslot[i] = (struct act_timer){a, i};
		a->timer_fn[i] = fn;
		a->timers[i] = loop_after(a->e->loop, ms, act_on_timer, &a->tslot[i]);
		return a->timers[i] ? 0 : -1;
	}
	return -1;
}

void act_ask(struct act *a, const struct engine_question *q, void (*answered)(struct act *a, const char *value))
{
	a->question = *q;
	a->answered = answered;
	engine_ask(a);
}

/* Everything the action still owns: calls, timers, scratch memory. */
void act_release(struct act *a)
{
	if (a->op) {
		arm_cancel(a->e->arm, a->op);
		a->op = NULL;
	}
	for (int i = 0; i < ACT_TIMERS_MAX; i++)
		if (a->timers[i]) {
			loop_cancel(a->e->loop, a->timers[i]);
			a->timers[i] = 0;
		}
	if (a->late_timer)
		loop_cancel(a->e->loop, a->late_timer);
	a->late_timer = 0;
	free(a->data);
	a->data = NULL;
	a->asking = 0;
}
