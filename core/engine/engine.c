/* The step runner: steps as tables of actions, driven by the loop. */
#include "core/engine/engine.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/azure/arm.h"
#include "core/sys/log.h"
#include "core/sys/loop.h"

#define ENGINE_ERR_MAX 2048
#define ENGINE_REGISTER_POLL_MS 5000L
#define ENGINE_REGISTER_TIMEOUT_S 1800
#define API_SUBSCRIPTIONS "2022-12-01"
#define API_PROVIDERS "2021-04-01"
#define API_PERMISSIONS "2022-04-01"
#define API_GROUPS "2021-04-01"
#define ENGINE_TAG_KEY "created-by"
#define ENGINE_TAG_VALUE "studio-wizard"
#define ROLE_WRITE "Microsoft.Authorization/roleAssignments/write"

static const char *const engine_providers[] = {
	"Microsoft.Compute", "Microsoft.Network", "Microsoft.ContainerRegistry", "Microsoft.ContainerService",
	"Microsoft.MarketplaceOrdering",
};
#define ENGINE_NPROVIDERS (sizeof engine_providers / sizeof engine_providers[0])
#define ENGINE_GROUPS_MAX 4

enum engine_wait { WAIT_NONE, WAIT_SUBSCRIPTION, WAIT_CONSENT };

struct engine;
typedef void (*engine_action_fn)(struct engine *e);

struct engine_step_def {
	step_id id;
	const engine_action_fn *actions;
	size_t nactions;
};

struct engine {
	struct engine_config cfg;
	struct loop *loop;
	struct auth *auth;
	struct arm *arm;
	int status;                /* 1 running, 0 ok, -1 failed; 2 before start */
	int sign_in_only;          /* engine_sign_in: stop once a subscription is chosen */
	int finished;              /* stops engine_run's loop */
	step_id until;
	int cur;                   /* current step id, -1 none */
	size_t action;
	long long step_started_ms;
	long long op_started_ms;
	char op_text[256];
	enum engine_wait wait;
	unsigned timer;
	struct arm_op *op;
	/* subscription step */
	struct engine_subscription *subs;
	size_t nsubs;
	char *subs_json;           /* keeps the strings subs point into */
	cJSON *subs_all;
	size_t prov_i;
	const char *unregistered[ENGINE_NPROVIDERS];
	size_t nunreg;
	time_t register_deadline;
	char groups[ENGINE_GROUPS_MAX][128];
	size_t ngroups, group_i;
	char res_path[1024];       /* the resource engine_ensure works on */
	const char *res_api;       /* its api-version */
	char res_body[8192];       /* its PUT body */
	void (*ensure_then)(struct engine *e);
};

static const char *const engine_event_names[] = {
#define ENGINE_NAME_(id, name) name,
	ENGINE_EVENTS(ENGINE_NAME_)
#undef ENGINE_NAME_
};

const char *engine_event_name(enum engine_event_kind k)
{
	return (unsigned)k < ENGINE_EV_COUNT ? engine_event_names[k] : "?";
}

/* ---- events and state ---- */

static void engine_emit(struct engine *e, struct engine_event *ev)
{
	ev->step = e->cur >= 0 ? (step_id)e->cur : STEP_SUBSCRIPTION;
	if (e->cfg.on_event)
		e->cfg.on_event(ev, e->cfg.arg);
}

static void engine_emit_text(struct engine *e, enum engine_event_kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void engine_emit_text(struct engine *e, enum engine_event_kind k, const char *fmt, ...)
{
	char text[ENGINE_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct engine_event ev = {.kind = k, .text = text};
	log_msg(k == ENGINE_EV_WARNING ? LOG_WARN : LOG_INFO, "%s: %s", e->cur >= 0 ? plan_step_key((step_id)e->cur) : "run",
	        text);
	engine_emit(e, &ev);
}

static void engine_op_begin(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void engine_op_begin(struct engine *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->op_text, sizeof e->op_text, fmt, ap);
	va_end(ap);
	e->op_started_ms = loop_now_ms();
	log_msg(LOG_INFO, "%s: %s ...", plan_step_key((step_id)e->cur), e->op_text);
	struct engine_event ev = {.kind = ENGINE_EV_OP_BEGIN, .text = e->op_text};
	engine_emit(e, &ev);
}

static void engine_op_end(struct engine *e, int ok, const char *detail)
{
	double secs = (double)(loop_now_ms() - e->op_started_ms) / 1000.0;
	log_msg(ok ? LOG_INFO : LOG_WARN, "%s: %s ... %s (%.1f s)", plan_step_key((step_id)e->cur), e->op_text,
	        detail, secs);
	struct engine_event ev = {.kind = ENGINE_EV_OP_END, .text = e->op_text, .detail = detail, .ok = ok,
	                          .seconds = secs};
	engine_emit(e, &ev);
}

static int engine_save(struct engine *e, char *err, size_t errlen)
{
	return state_save(e->cfg.state_dir, e->cfg.st, err, errlen) == STATE_OK ? 0 : -1;
}

static int engine_persist_vault(void *arg, char *err, size_t errlen)
{
	struct engine *e = arg;
	if (!e->cfg.vault || vault_save(e->cfg.vault, err, errlen) != VAULT_OK)
		return -1;
	e->cfg.st->vault_generation = vault_generation(e->cfg.vault);
	return engine_save(e, err, errlen);
}

static void engine_on_device_code(const struct auth_device_code *dc, void *arg)
{
	struct engine *e = arg;
	struct engine_event ev = {.kind = ENGINE_EV_DEVICE_CODE, .device = dc, .text = dc->message};
	engine_emit(e, &ev);
}

static struct step_state *engine_ss(struct engine *e)
{
	return &e->cfg.st->steps[e->cur];
}

static void engine_step_begin(struct engine *e);

static void engine_finish(struct engine *e, int ok, const char *text)
{
	e->status = ok ? 0 : -1;
	e->finished = 1;
	struct engine_event ev = {.kind = ENGINE_EV_FINISHED, .ok = ok, .text = text};
	engine_emit(e, &ev);
}

static void engine_fail(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void engine_fail(struct engine *e, const char *fmt, ...)
{
	char msg[ENGINE_ERR_MAX], err[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (e->timer)
		loop_cancel(e->loop, e->timer);
	e->timer = 0;
	e->wait = WAIT_NONE;
	/* A sign-in on the Subscription screen is not a run of the step: its state stays. */
	if (!e->sign_in_only) {
		state_step_set(e->cfg.st, (step_id)e->cur, STEP_FAILED, msg);
		if (engine_save(e, err, sizeof err) != 0)
			log_msg(LOG_ERROR, "%s", err);
	}
	e->sign_in_only = 0;
	log_msg(LOG_ERROR, "step %s failed: %s", plan_step_key((step_id)e->cur), msg);
	struct engine_event ev = {.kind = ENGINE_EV_STEP_FAILED, .text = msg};
	engine_emit(e, &ev);
	engine_finish(e, 0, msg);
}

/* ---- the step table ---- */

static void engine_next(struct engine *e);

static void sub_sign_in(struct engine *e);
static void sub_list(struct engine *e);
static void sub_uniq_id(struct engine *e);
static void sub_providers_check(struct engine *e);
static void sub_providers_register(struct engine *e);
static void sub_permissions(struct engine *e);
static void sub_groups(struct engine *e);

static const engine_action_fn subscription_actions[] = {
	sub_sign_in, sub_list, sub_uniq_id, sub_providers_check, sub_providers_register, sub_permissions, sub_groups,
};

static const struct engine_step_def engine_steps[] = {
	{STEP_SUBSCRIPTION, subscription_actions, sizeof subscription_actions / sizeof subscription_actions[0]},
};

static const struct engine_step_def *engine_step_def(step_id s)
{
	for (size_t i = 0; i < sizeof engine_steps / sizeof engine_steps[0]; i++)
		if (engine_steps[i].id == s)
			return &engine_steps[i];
	return NULL;
}

int engine_step_available(step_id s)
{
	return engine_step_def(s) != NULL;
}

/* Next step in range that is not done; FINISHED when none is left. */
static void engine_advance(struct engine *e, int from)
{
	for (int s = from; s <= (int)e->until; s++) {
		e->cur = s;
		if (e->cfg.st->steps[s].status == STEP_DONE) {
			struct engine_event ev = {.kind = ENGINE_EV_STEP_SKIPPED, .text = "done earlier"};
			engine_emit(e, &ev);
			continue;
		}
		if (!engine_step_def((step_id)s)) {
			char msg[256];
			snprintf(msg, sizeof msg, "step %s: not available in this version", plan_step_key((step_id)s));
			log_msg(LOG_ERROR, "%s", msg);
			struct engine_event ev = {.kind = ENGINE_EV_STEP_FAILED, .text = msg};
			engine_emit(e, &ev);
			engine_finish(e, 0, msg);
			return;
		}
		engine_step_begin(e);
		return;
	}
	engine_finish(e, 1, "every requested step is done");
}

static void engine_step_begin(struct engine *e)
{
	char err[512];
	e->action = 0;
	e->step_started_ms = loop_now_ms();
	state_step_set(e->cfg.st, (step_id)e->cur, STEP_RUNNING, NULL);
	if (engine_save(e, err, sizeof err) != 0) {
		engine_fail(e, "%s", err);
		return;
	}
	log_msg(LOG_INFO, "step %s: started", plan_step_key((step_id)e->cur));
	struct engine_event ev = {.kind = ENGINE_EV_STEP_START, .text = plan_step_title((step_id)e->cur)};
	engine_emit(e, &ev);
	engine_step_def((step_id)e->cur)->actions[0](e);
}

static void engine_next(struct engine *e)
{
	const struct engine_step_def *d = engine_step_def((step_id)e->cur);
	if (e->sign_in_only && d->actions[e->action] == sub_list) {
		e->sign_in_only = 0;
		engine_finish(e, 1, "signed in");
		return;
	}
	if (++e->action < d->nactions) {
		d->actions[e->action](e);
		return;
	}
	char err[512];
	struct step_state *ss = engine_ss(e);
	free(ss->operation);   /* nothing of this step is in flight any more */
	ss->operation = NULL;
	state_step_set(e->cfg.st, (step_id)e->cur, STEP_DONE, NULL);
	if (engine_save(e, err, sizeof err) != 0) {
		engine_fail(e, "%s", err);
		return;
	}
	double secs = (double)(loop_now_ms() - e->step_started_ms) / 1000.0;
	log_msg(LOG_INFO, "step %s: done in %.1f s", plan_step_key((step_id)e->cur), secs);
	struct engine_event ev = {.kind = ENGINE_EV_STEP_DONE, .seconds = secs, .ok = 1};
	engine_emit(e, &ev);
	engine_advance(e, e->cur + 1);
}

/* ---- resources: PUT once, resume after a crash ---- */

static int engine_has_resource(const struct step_state *ss, const char *id, int last_only)
{
	int n = cJSON_GetArraySize(ss->resources);
	for (int i = last_only ? n - 1 : 0; i >= 0 && i < n; i++) {
		const cJSON *it = cJSON_GetArrayItem(ss->resources, i);
		if (cJSON_IsString(it) && strcasecmp(it->valuestring, id) == 0)
			return 1;
	}
	return 0;
}

static int engine_add_resource(struct engine *e, const char *id)
{
	struct step_state *ss = engine_ss(e);
	if (engine_has_resource(ss, id, 0))
		return 0;
	cJSON_AddItemToArray(ss->resources, cJSON_CreateString(id));
	return 1;
}

/* The operation URL goes to the state before the first poll. */
static int engine_on_operation(const char *url, void *arg)
{
	struct engine *e = arg;
	char err[512];
	struct step_state *ss = engine_ss(e);
	engine_add_resource(e, e->res_path);
	free(ss->operation);
	ss->operation = strdup(url);
	if (!ss->operation || engine_save(e, err, sizeof err) != 0) {
		log_msg(LOG_ERROR, "cannot record the operation: %s", ss->operation ? err : "out of memory");
		return -1;
	}
	return 0;
}

static void engine_clear_operation(struct engine *e)
{
	struct step_state *ss = engine_ss(e);
	char err[512];
	if (!ss->operation)
		return;
	free(ss->operation);
	ss->operation = NULL;
	if (engine_save(e, err, sizeof err) != 0)
		log_msg(LOG_ERROR, "%s", err);
}

static void engine_ensure_put(struct engine *e);

static void engine_ensure_done(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	char err[512];
	e->op = NULL;
	/* Without any answer the operation may still run: keep it for the next run. */
	if (!(r->error && r->status == 0))
		engine_clear_operation(e);
	if (r->error) {
		engine_op_end(e, 0, r->error);
		engine_fail(e, "%s: %s", e->op_text, r->error);
		return;
	}
	const char *detail = "done";
	if (r->polls == 0 && r->status == 200 && !engine_has_resource(engine_ss(e), e->res_path, 0))
		detail = "exists already";   /* not ours: not listed as created */
	else if (engine_add_resource(e, e->res_path) && engine_save(e, err, sizeof err) != 0) {
		engine_op_end(e, 0, err);
		engine_fail(e, "%s", err);
		return;
	}
	engine_op_end(e, 1, detail);
	e->ensure_then(e);
}

static void engine_ensure_checked(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	e->op = NULL;
	if (!r->error) {
		engine_op_end(e, 1, "created earlier");
		e->ensure_then(e);
		return;
	}
	if (r->status == 404) {
		engine_ensure_put(e);
		return;
	}
	engine_op_end(e, 0, r->error);
	engine_fail(e, "%s: %s", e->op_text, r->error);
}

static void engine_ensure_resumed(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	e->op = NULL;
	if (r->error && (r->status == 404 || r->status == 0)) {
		/* The saved operation is gone or unreachable: look at the resource itself. */
		log_msg(LOG_WARN, "resumed operation: %s; checking the resource instead", r->error);
		engine_clear_operation(e);
		e->op = arm_get(e->arm, e->res_path, e->res_api, engine_ensure_checked, e);
		return;
	}
	engine_ensure_done(r, arg);
}

static void engine_ensure_put(struct engine *e)
{
	e->op = arm_put(e->arm, e->res_path, e->res_api, e->res_body, engine_on_operation, engine_ensure_done, e);
	if (!e->op)
		engine_fail(e, "out of memory");
}

/* Makes sure the resource at path exists: resumes a saved operation for it, checks one
 * this step created earlier, or PUTs body. Then calls then(e). The building block of
 * every step that creates Azure resources. */
static void engine_ensure(struct engine *e, const char *path, const char *api, const char *body,
                          void (*then)(struct engine *e))
{
	struct step_state *ss = engine_ss(e);
	snprintf(e->res_path, sizeof e->res_path, "%s", path);
	snprintf(e->res_body, sizeof e->res_body, "%s", body);
	e->res_api = api;
	e->ensure_then = then;
	if (ss->operation && engine_has_resource(ss, e->res_path, 1)) {
		engine_emit_text(e, ENGINE_EV_INFO, "resuming the operation started before the restart");
		e->op = arm_resume(e->arm, ss->operation, "PUT", e->res_path, e->res_api, engine_ensure_resumed, e);
	} else if (engine_has_resource(ss, e->res_path, 0)) {
		e->op = arm_get(e->arm, e->res_path, e->res_api, engine_ensure_checked, e);
	} else {
		engine_ensure_put(e);
		return;
	}
	if (!e->op)
		engine_fail(e, "out of memory");
}

/* ---- subscription step ---- */

static void sub_on_signed_in(const char *token, const char *error, void *arg)
{
	struct engine *e = arg;
	if (!token) {
		engine_op_end(e, 0, error);
		engine_fail(e, "sign-in: %s", error);
		return;
	}
	engine_op_end(e, 1, "done");
	engine_next(e);
}

static void sub_sign_in(struct engine *e)
{
	engine_op_begin(e, "signing in (%s)", answers_get(e->cfg.answers, Q_AUTH_METHOD));
	auth_request(e->auth, AUTH_ARM, sub_on_signed_in, e);
}

static const char *sub_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void sub_build_list(struct engine *e)
{
	free(e->subs);
	e->nsubs = 0;
	int n = cJSON_GetArraySize(e->subs_all);
	e->subs = calloc(n > 0 ? (size_t)n : 1, sizeof *e->subs);
	if (!e->subs)
		return;
	const cJSON *it;
	cJSON_ArrayForEach(it, e->subs_all)
	{
		struct engine_subscription *s = &e->subs[e->nsubs++];
		s->id = sub_str(it, "subscriptionId");
		s->name = sub_str(it, "displayName");
		s->state = sub_str(it, "state");
		s->tenant = sub_str(it, "tenantId");
	}
}

static const struct engine_subscription *sub_find(struct engine *e, const char *id)
{
	for (size_t i = 0; i < e->nsubs; i++)
		if (id && strcasecmp(e->subs[i].id, id) == 0)
			return &e->subs[i];
	return NULL;
}

static void sub_on_list(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	e->op = NULL;
	if (r->error) {
		engine_op_end(e, 0, r->error);
		engine_fail(e, "listing subscriptions: %s", r->error);
		return;
	}
	const cJSON *val = cJSON_GetObjectItemCaseSensitive(r->json, "value");
	const cJSON *it;
	cJSON_ArrayForEach(it, val)
	{
		cJSON_AddItemToArray(e->subs_all, cJSON_Duplicate(it, 1));
	}
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(r->json, "nextLink");
	if (cJSON_IsString(next) && *next->valuestring) {
		e->op = arm_get(e->arm, next->valuestring, NULL, sub_on_list, e);
		return;
	}
	sub_build_list(e);
	char detail[64];
	snprintf(detail, sizeof detail, "%zu found", e->nsubs);
	engine_op_end(e, 1, detail);
	if (!e->cfg.headless) {
		e->wait = WAIT_SUBSCRIPTION;
		struct engine_event ev = {.kind = ENGINE_EV_CHOOSE_SUBSCRIPTION, .subs = e->subs, .nsubs = e->nsubs};
		engine_emit(e, &ev);
		return;
	}
	const char *want = answers_get(e->cfg.answers, Q_SUBSCRIPTION);
	const struct engine_subscription *s = sub_find(e, want);
	if (!s) {
		char seen[1024] = "";
		size_t o = 0;
		for (size_t i = 0; i < e->nsubs && o < sizeof seen - 1; i++)
			o += (size_t)snprintf(seen + o, sizeof seen - o, "%s%s (%s)", i ? ", " : "", e->subs[i].id,
			                      e->subs[i].name);
		engine_fail(e, "subscription: %s is not among the %zu subscriptions this sign-in can see%s%s", want,
		            e->nsubs, e->nsubs ? ": " : "", seen);
		return;
	}
	if (strcmp(s->state, "Enabled") != 0) {
		engine_fail(e, "subscription: %s (%s) is %s, not Enabled: Azure refuses to create resources in it", s->id,
		            s->name, s->state);
		return;
	}
	engine_emit_text(e, ENGINE_EV_INFO, "using subscription %s (%s), tenant %s", s->id, s->name, s->tenant);
	engine_next(e);
}

static void sub_list(struct engine *e)
{
	engine_op_begin(e, "listing subscriptions");
	cJSON_Delete(e->subs_all);
	e->subs_all = cJSON_CreateArray();
	e->op = arm_get(e->arm, "/subscriptions", API_SUBSCRIPTIONS, sub_on_list, e);
	if (!e->op)
		engine_fail(e, "out of memory");
}

int engine_choose_subscription(struct engine *e, const char *id)
{
	if (e->wait != WAIT_SUBSCRIPTION)
		return -1;
	const struct engine_subscription *s = sub_find(e, id);
	if (!s || strcmp(s->state, "Enabled") != 0) {
		engine_emit_text(e, ENGINE_EV_WARNING, "%s: %s", id ? id : "(none)",
		                 s ? "not Enabled; Azure refuses to create resources in it" : "not in the list");
		return -1;
	}
	e->wait = WAIT_NONE;
	const char *old = answers_get(e->cfg.answers, Q_SUBSCRIPTION);
	if (e->sign_in_only) {
		/* The screen enters the choice like a typed answer; later answers are its business. */
	} else if (!old || strcasecmp(old, s->id) != 0) {
		/* uniq_id derives from the subscription unless the operator set it. */
		char err[512];
		answers_set(e->cfg.answers, Q_SUBSCRIPTION, s->id);
		answers_clear_defaults(e->cfg.answers);
		if (answers_complete(e->cfg.answers, err, sizeof err) != ANSWERS_OK) {
			engine_fail(e, "%s", err);
			return 0;
		}
	}
	engine_emit_text(e, ENGINE_EV_INFO, "using subscription %s (%s), tenant %s", s->id, s->name, s->tenant);
	engine_next(e);
	return 0;
}

static void sub_uniq_id(struct engine *e)
{
	char err[512];
	state_answer_set(e->cfg.st, "subscription", answers_get(e->cfg.answers, Q_SUBSCRIPTION));
	state_answer_set(e->cfg.st, "uniq_id", answers_get(e->cfg.answers, Q_UNIQ_ID));
	if (engine_save(e, err, sizeof err) != 0) {
		engine_fail(e, "%s", err);
		return;
	}
	engine_emit_text(e, ENGINE_EV_INFO, "uniq_id %s (resource names use it)", answers_get(e->cfg.answers, Q_UNIQ_ID));
	engine_next(e);
}

static void sub_provider_path(struct engine *e, const char *ns, const char *suffix, char *out, size_t outlen)
{
	snprintf(out, outlen, "/subscriptions/%s/providers/%s%s", answers_get(e->cfg.answers, Q_SUBSCRIPTION), ns,
	         suffix);
}

static void sub_on_provider(const struct arm_result *r, void *arg);

static void sub_provider_get(struct engine *e)
{
	char path[512];
	sub_provider_path(e, engine_providers[e->prov_i], "", path, sizeof path);
	e->op = arm_get(e->arm, path, API_PROVIDERS, sub_on_provider, e);
}

static void sub_on_provider(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	e->op = NULL;
	if (r->error) {
		engine_op_end(e, 0, r->error);
		engine_fail(e, "resource provider %s: %s", engine_providers[e->prov_i], r->error);
		return;
	}
	const char *st = sub_str(r->json, "registrationState");
	if (strcasecmp(st, "Registered") != 0)
		e->unregistered[e->nunreg++] = engine_providers[e->prov_i];
	if (++e->prov_i < ENGINE_NPROVIDERS) {
		sub_provider_get(e);
		return;
	}
	char detail[128];
	snprintf(detail, sizeof detail, "%zu of %zu registered", ENGINE_NPROVIDERS - e->nunreg, ENGINE_NPROVIDERS);
	engine_op_end(e, 1, detail);
	if (e->nunreg == 0) {
		e->action++;   /* nothing to register */
		engine_next(e);
		return;
	}
	if (e->cfg.headless) {
		engine_emit_text(e, ENGINE_EV_INFO, "registering %zu resource provider%s (consent: the answers file)",
		                 e->nunreg, e->nunreg == 1 ? "" : "s");
		engine_next(e);
		return;
	}
	e->wait = WAIT_CONSENT;
	struct engine_event ev = {.kind = ENGINE_EV_CONSENT_PROVIDERS, .names = e->unregistered, .nnames = e->nunreg};
	engine_emit(e, &ev);
}

static void sub_providers_check(struct engine *e)
{
	e->prov_i = 0;
	e->nunreg = 0;
	engine_op_begin(e, "checking resource providers");
	sub_provider_get(e);
}

void engine_consent(struct engine *e, int yes)
{
	if (e->wait != WAIT_CONSENT)
		return;
	e->wait = WAIT_NONE;
	if (!yes) {
		engine_fail(e, "resource providers not registered (%zu); the later steps need them", e->nunreg);
		return;
	}
	log_msg(LOG_INFO, "the operator consented to registering %zu resource providers", e->nunreg);
	engine_next(e);
}

static void sub_register_one(struct engine *e);
static void sub_on_register(const struct arm_result *r, void *arg);

static void sub_register_poll(void *arg)
{
	struct engine *e = arg;
	char path[512];
	e->timer = 0;
	sub_provider_path(e, e->unregistered[e->prov_i], "", path, sizeof path);
	e->op = arm_get(e->arm, path, API_PROVIDERS, sub_on_register, e);
}

static void sub_on_register(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	e->op = NULL;
	if (r->error) {
		engine_op_end(e, 0, r->error);
		engine_fail(e, "registering %s: %s", e->unregistered[e->prov_i], r->error);
		return;
	}
	const char *st = sub_str(r->json, "registrationState");
	if (strcasecmp(st, "Registered") == 0) {
		engine_op_end(e, 1, "done");
		e->prov_i++;
		sub_register_one(e);
		return;
	}
	if (time(NULL) > e->register_deadline) {
		engine_op_end(e, 0, "timed out");
		engine_fail(e, "registering %s: still %s after %d minutes; try again later", e->unregistered[e->prov_i],
		            st, ENGINE_REGISTER_TIMEOUT_S / 60);
		return;
	}
	e->timer = loop_after(e->loop, ENGINE_REGISTER_POLL_MS, sub_register_poll, e);
}

static void sub_register_one(struct engine *e)
{
	if (e->prov_i >= e->nunreg) {
		engine_next(e);
		return;
	}
	char path[512];
	engine_op_begin(e, "registering %s", e->unregistered[e->prov_i]);
	e->register_deadline = time(NULL) + ENGINE_REGISTER_TIMEOUT_S;
	sub_provider_path(e, e->unregistered[e->prov_i], "/register", path, sizeof path);
	e->op = arm_post(e->arm, path, API_PROVIDERS, NULL, NULL, sub_on_register, e);
}

static void sub_providers_register(struct engine *e)
{
	e->prov_i = 0;
	sub_register_one(e);
}

/* '*' patterns of role definitions, case-insensitive. */
static int sub_action_matches(const cJSON *list, const char *action)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (cJSON_IsString(it) && fnmatch(it->valuestring, action, FNM_CASEFOLD) == 0)
			return 1;
	}
	return 0;
}

static void sub_on_permissions(const struct arm_result *r, void *arg)
{
	struct engine *e = arg;
	e->op = NULL;
	if (r->error) {
		engine_op_end(e, 0, r->error);
		engine_emit_text(e, ENGINE_EV_WARNING,
		                 "could not read this identity's permissions (%s); the ACR step may fail if it cannot "
		                 "create role assignments",
		                 r->error);
		engine_next(e);
		return;
	}
	int allowed = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "value"))
	{
		if (sub_action_matches(cJSON_GetObjectItemCaseSensitive(it, "actions"), ROLE_WRITE) &&
		    !sub_action_matches(cJSON_GetObjectItemCaseSensitive(it, "notActions"), ROLE_WRITE))
			allowed = 1;
	}
	engine_op_end(e, 1, allowed ? "may create role assignments" : "may NOT create role assignments");
	if (!allowed)
		engine_emit_text(e, ENGINE_EV_WARNING,
		                 "this identity may not create role assignments (%s): the ACR step grants AKS pull "
		                 "access and will fail; ask an Owner or User Access Administrator of the subscription "
		                 "for that role before then",
		                 ROLE_WRITE);
	engine_next(e);
}

static void sub_permissions(struct engine *e)
{
	char path[256];
	engine_op_begin(e, "checking permission to create role assignments");
	snprintf(path, sizeof path, "/subscriptions/%s/providers/Microsoft.Authorization/permissions",
	         answers_get(e->cfg.answers, Q_SUBSCRIPTION));
	e->op = arm_get(e->arm, path, API_PERMISSIONS, sub_on_permissions, e);
}

static void sub_group_one(struct engine *e)
{
	if (e->group_i >= e->ngroups) {
		engine_next(e);
		return;
	}
	const char *rg = e->groups[e->group_i++];
	char path[512], body[512];
	snprintf(path, sizeof path, "/subscriptions/%s/resourceGroups/%s", answers_get(e->cfg.answers, Q_SUBSCRIPTION),
	         rg);
	snprintf(body, sizeof body, "{\"location\":\"%s\",\"tags\":{\"%s\":\"%s\"}}",
	         answers_get(e->cfg.answers, Q_LOCATION), ENGINE_TAG_KEY, ENGINE_TAG_VALUE);
	engine_op_begin(e, "creating resource group %s in %s", rg, answers_get(e->cfg.answers, Q_LOCATION));
	engine_ensure(e, path, API_GROUPS, body, sub_group_one);
}

static void sub_groups(struct engine *e)
{
	static const plan_qid qs[] = {Q_RMQ_RESOURCE_GROUP, Q_MINIO_RESOURCE_GROUP, Q_ACR_RESOURCE_GROUP,
	                              Q_AKS_RESOURCE_GROUP};
	e->ngroups = e->group_i = 0;
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		const char *rg = answers_get(e->cfg.answers, qs[i]);
		int dup = !rg || !*rg;
		for (size_t k = 0; k < e->ngroups && !dup; k++)
			dup = strcasecmp(e->groups[k], rg) == 0;
		if (!dup)
			snprintf(e->groups[e->ngroups++], sizeof e->groups[0], "%s", rg);
	}
	sub_group_one(e);
}

/* ---- life cycle ---- */

struct engine *engine_new(const struct engine_config *cfg, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof *e);
	struct http_client *http = http_client_new();
	if (!e || !http) {
		free(e);
		http_client_free(http);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->cur = -1;
	e->status = 2;
	if (cfg->ca_file && http_client_set_ca_file(http, cfg->ca_file) != 0) {
		snprintf(err, errlen, "--ca-file %s: cannot read it", cfg->ca_file);
		http_client_free(http);
		free(e);
		return NULL;
	}
	e->loop = loop_new(http);
	if (!e->loop) {
		http_client_free(http);
		free(e);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	enum auth_method m;
	if (auth_method_parse(answers_get(cfg->answers, Q_AUTH_METHOD), &m) != 0) {
		snprintf(err, errlen, "auth.method: must be device-code, azure-cli or service-principal");
		engine_free(e);
		return NULL;
	}
	struct auth_config ac = {
		.loop = e->loop, .cloud = cfg->cloud, .method = m,
		.tenant = answers_get(cfg->answers, Q_AUTH_TENANT),
		.client_id = answers_get(cfg->answers, Q_AUTH_CLIENT_ID), .vault = cfg->vault,
		.persist = engine_persist_vault, .on_device_code = engine_on_device_code, .arg = e, .az = cfg->az,
	};
	e->auth = auth_new(&ac, err, errlen);
	if (!e->auth) {
		engine_free(e);
		return NULL;
	}
	e->arm = arm_new(e->loop, e->auth, cfg->cloud);
	if (!e->arm) {
		snprintf(err, errlen, "out of memory");
		engine_free(e);
		return NULL;
	}
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	if (e->timer)
		loop_cancel(e->loop, e->timer);
	arm_free(e->arm);
	auth_free(e->auth);
	loop_free(e->loop);
	free(e->subs);
	cJSON_Delete(e->subs_all);
	free(e);
}

int engine_sign_in(struct engine *e)
{
	if (e->status == 1)
		return -1;
	e->status = 1;
	e->finished = 0;
	e->sign_in_only = 1;
	e->cur = STEP_SUBSCRIPTION;
	e->action = 0;
	sub_sign_in(e);
	return 0;
}

int engine_start(struct engine *e, step_id until)
{
	if (e->status == 1 || (unsigned)until >= STEP_COUNT)
		return -1;
	e->status = 1;
	e->finished = 0;
	e->until = until;
	engine_advance(e, 0);
	return 0;
}

int engine_fds(struct engine *e, struct pollfd *out, int max, int *timeout_ms)
{
	return loop_fds(e->loop, out, max, timeout_ms);
}

void engine_ready(struct engine *e, const struct pollfd *fds, int n)
{
	loop_ready(e->loop, fds, n);
}

int engine_status(const struct engine *e)
{
	return e->status == 2 ? 0 : e->status;
}

int engine_run(struct engine *e)
{
	loop_run(e->loop, &e->finished);
	if (e->status == 1) {
		/* Nothing pending yet not finished: a choice nobody will make. */
		if (e->cur >= 0 && e->wait != WAIT_NONE)
			engine_fail(e, "waiting for an operator's choice in a headless run");
		else if (e->cur >= 0)
			engine_fail(e, "internal error: the step stopped without finishing");
	}
	return e->status == 0 ? 0 : -1;
}

void engine_cancel(struct engine *e)
{
	if (e->status != 1)
		return;
	auth_cancel(e->auth);
	if (e->status != 1)
		return;   /* the sign-in's failure ended the step */
	if (e->op)
		arm_cancel(e->arm, e->op);
	e->op = NULL;
	engine_fail(e, "cancelled");
}
