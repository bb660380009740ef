/* Sign-in and access tokens: the token cache, the waiters, dispatch by method. */
#include "core/azure/auth_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/log.h"
#include "core/sys/subprocess.h"
#include "secrets/secmem.h"

static const char *const auth_names[] = {
#define AUTH_NAME_(id, name) name,
	AUTH_METHODS(AUTH_NAME_)
#undef AUTH_NAME_
};

const char *auth_method_name(enum auth_method m)
{
	return (unsigned)m < AUTH_METHOD_COUNT ? auth_names[m] : "?";
}

int auth_method_parse(const char *name, enum auth_method *out)
{
	for (int i = 0; i < AUTH_METHOD_COUNT; i++) {
		if (name && strcmp(name, auth_names[i]) == 0) {
			*out = (enum auth_method)i;
			return 0;
		}
	}
	return -1;
}

char *auth_secdup(const char *s, size_t len)
{
	char *p = secmem_alloc(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

const char *auth_res_name(enum auth_resource r)
{
	return r == AUTH_ARM ? "Azure Resource Manager" : "Microsoft Graph";
}

/* ---- waiters ---- */

static void auth_deliver(struct auth *a, enum auth_resource r, const char *token, const char *error)
{
	/* Take the matching waiters off first: a callback may queue new ones. */
	struct auth_waiter *mine = NULL, **tail = &mine;
	for (struct auth_waiter **p = &a->waiters; *p;) {
		if ((*p)->res == r) {
			struct auth_waiter *w = *p;
			*p = w->next;
			w->next = NULL;
			*tail = w;
			tail = &w->next;
		} else {
			p = &(*p)->next;
		}
	}
	while (mine) {
		struct auth_waiter *w = mine;
		mine = w->next;
		w->done(token, error, w->arg);
		free(w);
	}
}

/* Compared as double before any cast: (long)1e300 is undefined. */
long auth_seconds(const cJSON *v, long lo, long hi, long dflt)
{
	double d;
	if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
	} else if (cJSON_IsString(v) && v->valuestring[0]) {
		char *end;
		d = strtod(v->valuestring, &end);
		if (*end)
			return dflt;
	} else {
		return dflt;
	}
	if (!isfinite(d))
		return dflt;
	if (d <= (double)lo)
		return lo;
	if (d >= (double)hi)
		return hi;
	return (long)d;
}

void auth_store(struct auth *a, enum auth_resource r, const char *token, long lifetime_s)
{
	struct auth_token *t = &a->tok[r];
	secmem_free(t->value);
	t->value = auth_secdup(token, strlen(token));
	log_redact(token, strlen(token));
	long margin = lifetime_s / 10;
	if (margin > 300)
		margin = 300;
	if (lifetime_s < 1)
		lifetime_s = 1;
	t->valid_until = time(NULL) + lifetime_s - margin;
}

void auth_finish(struct auth *a, enum auth_resource r, const char *error)
{
	a->fetching[r] = 0;
	a->inflight[r] = NULL;
	a->az[r] = NULL;
	auth_deliver(a, r, error ? NULL : a->tok[r].value, error);
}

static void auth_on_later(void *arg)
{
	struct auth *a = arg;
	a->later_timer = 0;
	for (int r = 0; r < AUTH_RESOURCE_COUNT; r++) {
		char *msg = a->later[r];
		if (!msg)
			continue;
		a->later[r] = NULL;
		auth_finish(a, (enum auth_resource)r, msg);
		free(msg);
	}
}

/* A failure found while starting a fetch still reaches the caller from the loop. */
void auth_finish_later(struct auth *a, enum auth_resource r, const char *msg)
{
	free(a->later[r]);
	a->later[r] = strdup(msg);
	if (!a->later_timer)
		a->later_timer = loop_after(http_client_loop(a->cfg.http), 0, auth_on_later, a);
}

/* ---- requests ---- */

void auth_fetch(struct auth *a, enum auth_resource r)
{
	if (a->fetching[r])
		return;
	a->fetching[r] = 1;
	switch (a->cfg.method) {
	case AUTH_SERVICE_PRINCIPAL:
		auth_oauth_fetch_sp(a, r);
		break;
	case AUTH_AZURE_CLI:
		auth_cli_fetch(a, r);
		break;
	default:
		/* Without a refresh token, sign in for ARM; Graph follows in auth_device_end. */
		if (a->refresh)
			auth_oauth_fetch_refresh(a, r);
		else
			auth_device_start(a);
		break;
	}
}

const char *auth_token(struct auth *a, enum auth_resource r)
{
	struct auth_token *t = &a->tok[r];
	return t->value && time(NULL) < t->valid_until ? t->value : NULL;
}

static void auth_deliver_cached(void *arg)
{
	struct auth *a = arg;
	a->deliver_timer = 0;
	for (int r = 0; r < AUTH_RESOURCE_COUNT; r++)
		if (!a->fetching[r] && auth_token(a, (enum auth_resource)r))
			auth_deliver(a, (enum auth_resource)r, a->tok[r].value, NULL);
}

void auth_request(struct auth *a, enum auth_resource r, auth_done_fn done, void *arg)
{
	struct auth_waiter *w = calloc(1, sizeof *w), **tail = &a->waiters;
	if (!w) {
		log_msg(LOG_ERROR, "auth: out of memory");
		return;
	}
	w->res = r;
	w->done = done;
	w->arg = arg;
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;
	if (!a->fetching[r] && auth_token(a, r)) {
		if (!a->deliver_timer)
			a->deliver_timer = loop_after(http_client_loop(a->cfg.http), 0, auth_deliver_cached, a);
		return;
	}
	auth_fetch(a, r);
}

void auth_invalidate(struct auth *a, enum auth_resource r, const char *token)
{
	struct auth_token *t = &a->tok[r];
	if (t->value && (!token || strcmp(t->value, token) == 0)) {
		secmem_free(t->value);
		t->value = NULL;
		t->valid_until = 0;
	}
}

void auth_forget(struct auth *a, void *arg)
{
	for (struct auth_waiter **p = &a->waiters; *p;) {
		if ((*p)->arg == arg) {
			struct auth_waiter *w = *p;
			*p = w->next;
			free(w);
		} else {
			p = &(*p)->next;
		}
	}
}

void auth_cancel(struct auth *a)
{
	if (!a->device_active)
		return;
	if (a->device_req)
		http_client_cancel(a->cfg.http, a->device_req);
	a->device_req = NULL;
	log_msg(LOG_INFO, "auth: device code sign-in cancelled");
	auth_device_end(a, "sign-in cancelled");
}

int auth_has_refresh_token(const struct auth *a)
{
	return a->refresh != NULL;
}

unsigned auth_fetches(const struct auth *a)
{
	return a->fetches;
}

struct auth *auth_new(const struct auth_config *cfg, char *err, size_t errlen)
{
	struct auth *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->cfg = *cfg;
	snprintf(a->tenant, sizeof a->tenant, "%s", cfg->tenant && *cfg->tenant ? cfg->tenant : "organizations");
	snprintf(a->client_id, sizeof a->client_id, "%s", cfg->client_id ? cfg->client_id : "");
	a->cfg.tenant = a->tenant;
	a->cfg.client_id = a->client_id;
	const unsigned char *val;
	size_t len;
	if (cfg->method == AUTH_SERVICE_PRINCIPAL) {
		if (!a->client_id[0] || strcmp(a->tenant, "organizations") == 0) {
			snprintf(err, errlen, "auth: a service principal needs auth.tenant (a tenant id) and auth.client_id");
			free(a);
			return NULL;
		}
		if (!cfg->vault || vault_get(cfg->vault, AUTH_SECRET_ENTRY, &val, &len, NULL) != VAULT_OK) {
			snprintf(err, errlen,
			         "auth: the service principal's secret is not in the vault; store it with "
			         "`%s vault set %s --kind client-secret`",
			         cfg->command ? cfg->command : "studio-wizard", AUTH_SECRET_ENTRY);
			free(a);
			return NULL;
		}
		a->secret = auth_secdup((const char *)val, len);
		a->secret_len = len;
		log_redact(val, len);
	}
	if (cfg->method == AUTH_DEVICE_CODE && cfg->vault &&
	    vault_get(cfg->vault, AUTH_REFRESH_ENTRY, &val, &len, NULL) == VAULT_OK && len > 0) {
		a->refresh = auth_secdup((const char *)val, len);
		log_redact(val, len);
	}
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	struct http_client *http = a->cfg.http;
	for (int r = 0; r < AUTH_RESOURCE_COUNT; r++) {
		if (a->inflight[r])
			http_client_cancel(http, a->inflight[r]);
		if (a->az[r])
			subprocess_kill(a->az[r]);
		secmem_free(a->tok[r].value);
	}
	if (a->device_req)
		http_client_cancel(http, a->device_req);
	if (a->device_timer)
		loop_cancel(http_client_loop(a->cfg.http), a->device_timer);
	if (a->deliver_timer)
		loop_cancel(http_client_loop(a->cfg.http), a->deliver_timer);
	if (a->later_timer)
		loop_cancel(http_client_loop(a->cfg.http), a->later_timer);
	for (int r = 0; r < AUTH_RESOURCE_COUNT; r++)
		free(a->later[r]);
	while (a->waiters) {
		struct auth_waiter *w = a->waiters;
		a->waiters = w->next;
		free(w);
	}
	secmem_free(a->device_code);
	secmem_free(a->refresh);
	secmem_free(a->secret);
	free(a);
}
