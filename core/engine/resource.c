/* The resource primitive: an ARM resource exists after it, created by one PUT at most.
 *
 * Look first (GET): one that exists and this install did not make is used as is (when the
 * table allows it) and never changed. Else the intent is recorded in the state BEFORE the
 * PUT, and the PUT is not replayed by the HTTP layer once it may have reached Azure: after
 * a dropped connection, a 5xx or a crash, a GET decides (ours and present: go on; absent:
 * PUT again, three times at most, waiting longer each time). A long-running operation's URL
 * is saved before the first poll and polled again after a restart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/engine/engine_int.h"
#include "core/sys/log.h"

#define RESOURCE_RECHECK_MS 2000L
#define RESOURCE_RETRY_MS 10000L
#define RESOURCE_QUIET_TRIES 3
#define RESOURCE_REPUTS_MAX 3    /* PUTs again after an accepted one whose resource never appeared */

static void resource_put(struct act *a);
void resource_start(struct act *a);
static void resource_check(struct act *a);
static void resource_on_retry(struct act *a);

static cJSON *resource_record(struct act *a, int create)
{
	return record_resource(a->e->cfg.st, a->path, create);
}

static int resource_ours(struct act *a)
{
	const cJSON *rec = resource_record(a, 0);
	return rec && (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "ours")) ||
	               cJSON_GetObjectItemCaseSensitive(rec, "intent_ms"));
}

static void resource_save(struct act *a)
{
	char err[512];
	if (engine_save(a->e, err, sizeof err) != 0)
		log_msg(LOG_ERROR, "%s", err);
}

static const char *resource_state(const cJSON *j)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "properties"),
	                                                  "provisioningState");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int resource_tagged_ours(struct act *a, const cJSON *j)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "tags"),
	                                                  ENGINE_TAG_INSTALL);
	return cJSON_IsString(v) && strcmp(v->valuestring, act_install_id(a)) == 0;
}

static void resource_fail(struct act *a, const struct arm_result *r, const char *what)
{
	const char *fix = a->def->fix;
	if (fix && r->code && (strcasecmp(r->code, "AlreadyExists") == 0 || strcasecmp(r->code, "AlreadyInUse") == 0 ||
	                       strcasestr(r->code, "NameNotAvailable") || strcasestr(r->code, "InUse")))
		act_fail(a, "%s: %s (change %s in the answers)", what, r->error, fix);
	else
		act_fail(a, "%s: %s", what, r->error);
}

/* The resource is there and ours (or used as is): outputs, then done. */
static void resource_finish(struct act *a, const cJSON *body, const char *detail)
{
	char err[512];
	cJSON *rec = resource_record(a, 0);
	if (rec && (cJSON_GetObjectItemCaseSensitive(rec, "operation") ||
	            cJSON_GetObjectItemCaseSensitive(rec, "op_started"))) {
		record_set_str(rec, "operation", NULL);
		record_set_str(rec, "method", NULL);
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "op_started");
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "op_state");
		resource_save(a);
	}
	if (a->def->created && a->def->created(a, body, err, sizeof err) != 0) {
		act_fail(a, "%s", err);
		return;
	}
	act_done(a, "%s", detail);
}

static void resource_mark_ours(struct act *a)
{
	cJSON *rec = resource_record(a, 1);
	if (rec && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "ours"))) {
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "ours");
		cJSON_AddBoolToObject(rec, "ours", 1);
		resource_save(a);
	}
}

static void resource_on_recheck(struct act *a)
{
	resource_check(a);
}

/* The resource is absent after a PUT of this run was accepted and its outcome lost (an
 * endpoint that refuses its own operation URL would be PUT to forever): a few PUTs again,
 * waiting the poll interval doubled each time, then the action fails saying why. */
static void resource_reput(struct act *a)
{
	if (a->lost > RESOURCE_REPUTS_MAX) {
		act_fail(a, "%s: sent %d times, and each time the outcome was lost and the resource was not there "
		         "afterwards; last: %s", a->text, a->lost, a->lost_error);
		return;
	}
	long wait = (a->e->cfg.poll_ms > 0 ? a->e->cfg.poll_ms : ARM_POLL_DEFAULT_MS) << (a->lost - 1);
	act_progress(a, "not there after an accepted PUT (%s); sending it again in %ld s", a->lost_error,
	             (wait + 999) / 1000);
	if (act_after(a, wait, resource_on_retry) != 0)
		act_fail(a, "out of memory");
}

static void resource_on_checked(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	a->op = NULL;
	if (r->status == 404) {
		/* The PUT we recorded never landed (or the resource is gone): create it. */
		if (a->lost)
			resource_reput(a);
		else
			resource_put(a);
		return;
	}
	if (r->error) {
		resource_fail(a, r, "checking it");
		return;
	}
	if (!a->def->untagged && !resource_tagged_ours(a, r->json)) {
		if (!a->def->use_existing) {
			act_fail(a, "%s exists already and was not made by this install: choose another name%s%s, or "
			         "delete it", a->path, a->def->fix ? " (" : "", a->def->fix ? a->def->fix : "");
			return;
		}
		resource_finish(a, r->json, "exists already; used as it is");
		return;
	}
	resource_mark_ours(a);
	const char *ps = resource_state(r->json);
	if (ps && strcasecmp(ps, "Succeeded") != 0 && strcasecmp(ps, "Failed") != 0 &&
	    strcasecmp(ps, "Canceled") != 0) {
		long deadline = arm_lro_deadline(a->e->arm, a->path);
		if (!a->wait_ms)
			a->wait_ms = loop_now_ms();
		if (loop_now_ms() - a->wait_ms >= deadline) {
			int min = deadline >= 60000;
			act_fail(a, "%s: Azure is still working on it after %ld %s (provisioningState %s); stopped waiting. "
			         "It is looked at again when the install starts again", a->path,
			         min ? (deadline + 59999) / 60000 : (deadline + 999) / 1000, min ? "min" : "s", ps);
			return;
		}
		if (strcmp(a->azure_state, ps) != 0)
			act_on_arm_state(ps, a);
		if (act_after(a, RESOURCE_RECHECK_MS, resource_on_recheck) != 0)
			act_fail(a, "out of memory");
		return;
	}
	if (ps && strcasecmp(ps, "Succeeded") != 0) {
		act_fail(a, "%s ended in provisioningState %s%s%s", a->path, ps, a->def->fix ? "; check " : "",
		         a->def->fix ? a->def->fix : "");
		return;
	}
	resource_finish(a, r->json, a->resumed ? "done" : "created earlier");
}

static void resource_check(struct act *a)
{
	a->op = arm_get(a->e->arm, a->path, a->def->api, resource_on_checked, a);
	if (!a->op)
		act_fail(a, "out of memory");
}

static int resource_on_operation(const char *url, void *arg)
{
	struct act *a = arg;
	char err[512];
	cJSON *rec = resource_record(a, 1);
	record_set_str(rec, "operation", url);
	record_set_str(rec, "method", "PUT");
	clock_mark_started(rec);
	if (!rec || engine_save(a->e, err, sizeof err) != 0) {
		log_msg(LOG_ERROR, "%s: cannot record the operation", a->def->key);
		return -1;
	}
	return 0;
}

static void resource_on_retry(struct act *a)
{
	resource_put(a);
}

static void resource_on_put(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	a->op = NULL;
	if (r->still_running) {
		clock_keep_state(a, resource_record(a, 0));
		act_fail(a, "%s: %s", a->path, r->error);   /* the operation stays recorded */
		return;
	}
	if (r->error && (r->status == 0 || r->status >= 500)) {
		/* Azure may have taken the PUT before the answer was lost: look instead of sending twice. */
		log_msg(LOG_WARN, "%s: %s; looking at the resource before trying again", a->def->key, r->error);
		if (r->status == 0 && resource_record(a, 0) && cJSON_GetObjectItemCaseSensitive(resource_record(a, 0), "operation")) {
			/* Accepted and recorded, then Azure went quiet: poll the saved operation again a
			 * few times before giving up (a later run resumes it too). */
			if (++a->quiet <= RESOURCE_QUIET_TRIES) {
				act_progress(a, "no answer from Azure (%s); polling the saved operation again", r->error);
				if (act_after(a, RESOURCE_RETRY_MS, resource_start) != 0)
					act_fail(a, "out of memory");
				return;
			}
			act_fail(a, "%s: %s (the operation is saved; run again to resume it)", a->text, r->error);
			return;
		}
		a->lost++;
		snprintf(a->lost_error, sizeof a->lost_error, "%s", r->error);
		a->resumed = 1;
		resource_check(a);
		return;
	}
	if (r->error && a->def->retry_code && r->code && strcasecmp(r->code, a->def->retry_code) == 0) {
		long long waited = loop_now_ms() - a->started_ms;
		if (waited < (long long)a->def->retry_s * 1000) {
			act_progress(a, "Azure answers %s; trying again in %ld s", r->code, RESOURCE_RETRY_MS / 1000);
			if (act_after(a, RESOURCE_RETRY_MS, resource_on_retry) != 0)
				act_fail(a, "out of memory");
			return;
		}
	}
	if (r->error && r->code && strcasecmp(r->code, "RoleAssignmentExists") == 0) {
		resource_finish(a, r->json, "exists already");
		return;
	}
	if (r->error) {
		resource_fail(a, r, a->text);
		return;
	}
	resource_mark_ours(a);
	resource_finish(a, r->json, "created");
}

static void resource_put(struct act *a)
{
	char err[512] = "";
	cJSON *body = a->def->body ? a->def->body(a, err, sizeof err) : cJSON_CreateObject();
	if (!body) {
		act_fail(a, "%s", *err ? err : "out of memory");
		return;
	}
	if (!a->def->untagged) {
		cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
		if (!tags)
			tags = cJSON_AddObjectToObject(body, "tags");
		cJSON_DeleteItemFromObjectCaseSensitive(tags, ENGINE_TAG_KEY);
		cJSON_DeleteItemFromObjectCaseSensitive(tags, ENGINE_TAG_INSTALL);
		cJSON_AddStringToObject(tags, ENGINE_TAG_KEY, ENGINE_TAG_VALUE);
		cJSON_AddStringToObject(tags, ENGINE_TAG_INSTALL, act_install_id(a));
	}
	char *text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!text) {
		act_fail(a, "out of memory");
		return;
	}
	/* The intent goes to the state before anything is sent. */
	cJSON *rec = resource_record(a, 1);
	if (!rec) {
		free(text);
		act_fail(a, "out of memory");
		return;
	}
	record_set_str(rec, "step", a->step->plan.key);
	record_set_str(rec, "action", a->def->key);
	if (!cJSON_GetObjectItemCaseSensitive(rec, "intent_ms"))
		record_set_num(rec, "intent_ms", (double)loop_now_ms());
	if (engine_save(a->e, err, sizeof err) != 0) {
		free(text);
		act_fail(a, "%s", err);
		return;
	}
	a->op = arm_put_once(a->e->arm, a->path, a->def->api, text, resource_on_operation, resource_on_put, a);
	arm_watch(a->op, act_on_arm_state);
	free(text);
	if (!a->op)
		act_fail(a, "out of memory");
}

static void resource_on_resumed(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	a->op = NULL;
	if (r->error && (r->status == 404 || r->status == 0 || r->status >= 500)) {
		log_msg(LOG_WARN, "%s: resumed operation: %s; looking at the resource instead", a->def->key, r->error);
		cJSON *rec = resource_record(a, 0);
		record_set_str(rec, "operation", NULL);
		resource_save(a);
		resource_check(a);
		return;
	}
	resource_on_put(r, arg);
}

static void resource_on_probe(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	a->op = NULL;
	if (r->status == 404) {
		resource_put(a);
		return;
	}
	resource_on_checked(r, arg);
}

void resource_start(struct act *a)
{
	const cJSON *rec = resource_record(a, 0);
	const char *op = record_str(rec, "operation");
	if (op) {
		act_info(a, "resuming the operation started before the restart");
		a->resumed = 1;
		clock_resume_from(a, rec);
		a->op = arm_resume(a->e->arm, op, "PUT", a->path, a->def->api, resource_on_resumed, a);
		arm_watch(a->op, act_on_arm_state);
	} else if (resource_ours(a)) {
		clock_resume_from(a, rec);
		a->resumed = 1;
		a->op = arm_get(a->e->arm, a->path, a->def->api, resource_on_checked, a);
	} else {
		a->op = arm_get(a->e->arm, a->path, a->def->api, resource_on_probe, a);
	}
	if (!a->op)
		act_fail(a, "out of memory");
}
