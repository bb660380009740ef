/* Sign-in and access tokens: the token cache, the waiters, dispatch by method. */
#include "core/azure/auth_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
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

static void auth_fetch(struct auth *a, enum auth_resource r);

/* The methods' completion: to r's waiters. */
static void auth_on_fetched(struct auth *a, enum auth_resource r, enum auth_outcome how, const char *error)
{
	a->fetching[r] = 0;
	a->inflight[r] = NULL;
	a->az[r] = NULL;
	if (how == AUTH_SIGN_IN_AGAIN)
		auth_fetch(a, r);   /* the waiters stay queued */
	else
		auth_deliver(a, r, how == AUTH_GOT_TOKEN ? a->tok[r].value : NULL, error);
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
		auth_on_fetched(a, (enum auth_resource)r, AUTH_FAILED, msg);
		free(msg);
	}
}

/* A failure found while starting a fetch still reaches the caller from the loop. */
static void auth_finish_later(struct auth *a, enum auth_resource r, const char *msg)
{
	free(a->later[r]);
	a->later[r] = xstrdup(msg);
	if (!a->later_timer)
		a->later_timer = loop_after(http_client_loop(a->cfg.http), 0, auth_on_later, a);
}

/* ---- requests ---- */

static const struct auth_method_ops *const auth_methods[AUTH_METHOD_COUNT] = {
	[AUTH_DEVICE_CODE] = &auth_device_ops,
	[AUTH_AZURE_CLI] = &auth_cli_ops,
	[AUTH_SERVICE_PRINCIPAL] = &auth_sp_ops,
};

static void auth_fetch(struct auth *a, enum auth_resource r)
{
	if (a->fetching[r])
		return;
	a->fetching[r] = 1;
	char why[1024];
	if (auth_methods[a->cfg.method]->fetch(a, r, auth_on_fetched, why, sizeof why) != 0)
		auth_finish_later(a, r, why);
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
	struct auth_waiter *w = xcalloc(1, sizeof *w), **tail = &a->waiters;
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
	struct auth *a = xcalloc(1, sizeof *a);
	a->cfg = *cfg;
	a->fetched = auth_on_fetched;
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
