/* core/kube/rollout.c: polls a Deployment and its pods; see rollout.h. */
#include "core/kube/rollout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/format/percent.h"
#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define ROLLOUT_MAX_PODS 64
#define ROLLOUT_MAX_LOGS 4

struct kube_rollout {
	struct kube *k;
	char ns[254], name[254];
	long interval_ms;
	long long deadline;
	kube_rollout_fn fn;
	void *arg;
	struct kube_call *call;
	unsigned timer;
	char selector[1024];     /* URL-encoded label selector */
	int desired, ready, updated, available, current;
	struct kube_pod_state pods[ROLLOUT_MAX_PODS];
	char containers[ROLLOUT_MAX_PODS][64];   /* the crashing container of each pod */
	size_t npods, next_log;
	char error[600];
	int in_report, cancelled;   /* kube_rollout_cancel from inside the callback */
};

static void rollout_poll(void *arg);

static int json_int(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valueint : 0;
}

static const char *json_str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : "";
}

static void rollout_free(struct kube_rollout *w)
{
	free(w);
}

/* Reports; on the last report frees w. Returns 1 when w is gone. */
static int rollout_report(struct kube_rollout *w, int done)
{
	struct kube_rollout_report r = {w->desired, w->ready, w->updated, w->available, w->npods, w->pods, 0, 0, 0,
	                                w->error[0] ? w->error : NULL};
	int ok = w->current && w->desired > 0 && w->ready >= w->desired && w->updated >= w->desired &&
	         w->available >= w->desired;
	int late = loop_now_ms() >= w->deadline;
	r.done = done || ok || late;
	r.ok = ok;
	r.timed_out = !ok && late;
	w->in_report = 1;
	w->fn(&r, w->arg);
	w->in_report = 0;
	if (r.done || w->cancelled) {
		rollout_free(w);
		return 1;
	}
	w->timer = loop_after(kube_loop(w->k), w->interval_ms, rollout_poll, w);
	return 0;
}

static void rollout_pod(struct kube_rollout *w, const cJSON *pod)
{
	struct kube_pod_state *p = &w->pods[w->npods];
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(pod, "status");
	const cJSON *c;
	memset(p, 0, sizeof *p);
	w->containers[w->npods][0] = 0;
	text_safe(json_str(meta, "name"), p->name, sizeof p->name);
	text_safe(json_str(st, "phase"), p->phase, sizeof p->phase);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "conditions"))
	{
		if (strcmp(json_str(c, "type"), "Ready") == 0)
			p->ready = strcmp(json_str(c, "status"), "True") == 0;
		if (strcmp(json_str(c, "type"), "PodScheduled") == 0 && strcmp(json_str(c, "status"), "False") == 0) {
			text_safe(json_str(c, "reason"), p->reason, sizeof p->reason);
			text_safe(json_str(c, "message"), p->message, sizeof p->message);
		}
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(st, "containerStatuses"))
	{
		const cJSON *state = cJSON_GetObjectItemCaseSensitive(c, "state");
		const cJSON *waiting = cJSON_GetObjectItemCaseSensitive(state, "waiting");
		const cJSON *term = cJSON_GetObjectItemCaseSensitive(state, "terminated");
		p->restarts += json_int(c, "restartCount");
		if (p->reason[0] || (!waiting && !term))
			continue;
		const cJSON *why = waiting ? waiting : term;
		text_safe(json_str(why, "reason"), p->reason, sizeof p->reason);
		if (log_holds_secret(json_str(why, "message"), strlen(json_str(why, "message"))))
			snprintf(p->message, sizeof p->message, "(withheld: it holds a vault value)");
		else
			text_safe(json_str(why, "message"), p->message, sizeof p->message);
		if (strcmp(p->reason, "CrashLoopBackOff") == 0)
			text_safe(json_str(c, "name"), w->containers[w->npods], sizeof w->containers[0]);
	}
	w->npods++;
}

static void rollout_next_log(struct kube_rollout *w);

/* The log's non-blank lines, each made safe (text_safe_n), joined with "; "; lines holding a
 * registered secret are left out and counted at the end. */
static void rollout_join_lines(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	int withheld = 0;
	out[0] = '\0';
	for (const char *line = in ? in : ""; *line && o + 1 < outlen;) {
		size_t n = strcspn(line, "\n");
		const char *next = line + n + (line[n] ? 1 : 0);
		while (n && line[0] == ' ')
			line++, n--;
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\r'))
			n--;
		if (n && log_holds_secret(line, n)) {
			withheld++;
		} else if (n) {
			if (o && o + 3 < outlen) {
				memcpy(out + o, "; ", 3);
				o += 2;
			} else if (o) {
				break;
			}
			o += text_safe_n(line, n, out + o, outlen - o);
		}
		line = next;
	}
	if (withheld)
		snprintf(out + o, outlen - o, "%s(%d line%s withheld: %s a vault value)", o ? "; " : "", withheld,
		         withheld == 1 ? "" : "s", withheld == 1 ? "it holds" : "they hold");
}

static void rollout_on_log(const struct kube_result *r, void *arg)
{
	struct kube_rollout *w = arg;
	w->call = NULL;
	struct kube_pod_state *p = &w->pods[w->next_log];
	if (r->error)
		snprintf(p->log_tail, sizeof p->log_tail, "(log: %.900s)", r->error);
	else
		rollout_join_lines(r->text, p->log_tail, sizeof p->log_tail);
	w->next_log++;
	rollout_next_log(w);
}

/* Fetches the last log lines of each crashing pod in turn, then reports. */
static void rollout_next_log(struct kube_rollout *w)
{
	size_t fetched = 0;
	for (size_t i = 0; i < w->next_log; i++)
		fetched += w->containers[i][0] != 0;
	while (w->next_log < w->npods && !w->containers[w->next_log][0])
		w->next_log++;
	if (w->next_log < w->npods && fetched < ROLLOUT_MAX_LOGS) {
		char path[1400], c[200];
		percent_escape(w->containers[w->next_log], strlen(w->containers[w->next_log]), c, sizeof c);
		snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods/%s/log?container=%s&tailLines=%d", w->ns,
		         w->pods[w->next_log].name, c, KUBE_LOG_LINES);
		w->call = kube_get(w->k, path, rollout_on_log, w);
		if (w->call)
			return;
	}
	rollout_report(w, 0);
}

static void rollout_on_pods(const struct kube_result *r, void *arg)
{
	struct kube_rollout *w = arg;
	const cJSON *it;
	w->call = NULL;
	w->npods = 0;
	w->next_log = 0;
	if (r->error) {
		snprintf(w->error, sizeof w->error, "listing pods: %.580s", r->error);
		rollout_report(w, 0);
		return;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "items"))
	{
		if (w->npods == ROLLOUT_MAX_PODS)
			break;
		rollout_pod(w, it);
	}
	rollout_next_log(w);
}

static void rollout_on_deployment(const struct kube_result *r, void *arg)
{
	struct kube_rollout *w = arg;
	w->call = NULL;
	if (r->error) {
		snprintf(w->error, sizeof w->error, "%.590s", r->error);
		rollout_report(w, 0);
		return;
	}
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(r->json, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(r->json, "spec");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(r->json, "status");
	const cJSON *rep = cJSON_GetObjectItemCaseSensitive(spec, "replicas");
	w->desired = cJSON_IsNumber(rep) ? rep->valueint : 1;
	w->ready = json_int(st, "readyReplicas");
	w->updated = json_int(st, "updatedReplicas");
	w->available = json_int(st, "availableReplicas");
	w->current = json_int(st, "observedGeneration") >= json_int(meta, "generation");
	/* The selector: matchLabels as k=v pairs. */
	char sel[900] = "";
	const cJSON *ml = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "selector"), "matchLabels");
	const cJSON *l;
	cJSON_ArrayForEach(l, ml)
	{
		if (cJSON_IsString(l) && strlen(sel) + strlen(l->string) + strlen(l->valuestring) + 3 < sizeof sel)
			snprintf(sel + strlen(sel), sizeof sel - strlen(sel), "%s%s=%s", sel[0] ? "," : "", l->string, l->valuestring);
	}
	if (!sel[0] || percent_escape(sel, strlen(sel), w->selector, sizeof w->selector) != 0) {
		snprintf(w->error, sizeof w->error, "deployment %s has %s spec.selector.matchLabels", w->name,
		         sel[0] ? "too long a" : "no");
		rollout_report(w, 0);
		return;
	}
	char path[1600];
	snprintf(path, sizeof path, "/api/v1/namespaces/%s/pods?labelSelector=%s", w->ns, w->selector);
	w->call = kube_get(w->k, path, rollout_on_pods, w);
	if (!w->call) {
		snprintf(w->error, sizeof w->error, "out of memory");
		rollout_report(w, 1);
	}
}

static void rollout_poll(void *arg)
{
	struct kube_rollout *w = arg;
	char path[700];
	w->timer = 0;
	w->error[0] = 0;
	snprintf(path, sizeof path, "/apis/apps/v1/namespaces/%s/deployments/%s", w->ns, w->name);
	w->call = kube_get(w->k, path, rollout_on_deployment, w);
	if (!w->call) {
		snprintf(w->error, sizeof w->error, "out of memory");
		rollout_report(w, 1);
	}
}

struct kube_rollout *kube_rollout_watch(struct kube *k, const char *ns, const char *deployment, long interval_ms,
                                        long timeout_ms, kube_rollout_fn on_report, void *arg)
{
	struct kube_rollout *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->k = k;
	snprintf(w->ns, sizeof w->ns, "%s", ns);
	snprintf(w->name, sizeof w->name, "%s", deployment);
	w->interval_ms = interval_ms > 0 ? interval_ms : 2000;
	w->deadline = loop_now_ms() + timeout_ms;
	w->fn = on_report;
	w->arg = arg;
	w->timer = loop_after(kube_loop(k), 0, rollout_poll, w);
	if (!w->timer) {
		free(w);
		return NULL;
	}
	return w;
}

void kube_rollout_cancel(struct kube_rollout *w)
{
	if (!w)
		return;
	if (w->call)
		kube_cancel(w->k, w->call);
	if (w->timer)
		loop_cancel(kube_loop(w->k), w->timer);
	w->call = NULL;
	w->timer = 0;
	if (w->in_report)
		w->cancelled = 1;   /* freed when the callback returns */
	else
		rollout_free(w);
}
