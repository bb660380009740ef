/* The token endpoint: form bodies, token answers, client credentials, refresh tokens. */
#include "core/azure/auth_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/format/percent.h"
#include "core/sys/log.h"
#include "secrets/secmem.h"

#define AUTH_FORM_MAX 32768

struct auth_form {
	char *buf;   /* protected */
	size_t len;
	int full;
};

/* Keeps a new refresh token: in the vault at once, so a crash cannot lose the sign-in. */
static void auth_oauth_keep_refresh(struct auth *a, const char *rt)
{
	if (!rt || !*rt)
		return;
	log_redact(rt, strlen(rt));
	if (a->refresh && strcmp(a->refresh, rt) == 0)
		return;
	secmem_free(a->refresh);
	a->refresh = auth_secdup(rt, strlen(rt));
	if (!a->cfg.vault)
		return;
	char err[512];
	if (vault_put(a->cfg.vault, AUTH_REFRESH_ENTRY, VAULT_KIND_TOKEN, "subscription", rt, strlen(rt)) != VAULT_OK ||
	    (a->cfg.persist && a->cfg.persist(a->cfg.arg, err, sizeof err) != 0))
		log_msg(LOG_WARN, "auth: could not seal the refresh token in the vault; the next run signs in again");
	else
		log_msg(LOG_INFO, "auth: refresh token sealed in the vault as %s", AUTH_REFRESH_ENTRY);
}

/* The form holds the client secret or the refresh token: the secret form of percent-encoding. */
static void auth_oauth_form_add(struct auth_form *f, const char *key, const char *val)
{
	const char *parts[2] = {key, val};
	for (int k = 0; k < 2 && !f->full; k++) {
		if ((f->len || k) && f->len + 1 < AUTH_FORM_MAX)
			f->buf[f->len++] = k ? '=' : '&';
		long n = percent_escape_secret((const unsigned char *)parts[k], strlen(parts[k]), f->buf + f->len,
		                               AUTH_FORM_MAX - f->len);
		if (n < 0)
			f->full = 1;
		else
			f->len += (size_t)n;
	}
}

void auth_oauth_scope(const struct auth *a, enum auth_resource r, int offline, char *out, size_t outlen)
{
	char base[CLOUD_FIELD_MAX + 16];
	if (r == AUTH_ARM)
		cloud_arm_scope(a->cfg.cloud, base, sizeof base);
	else
		snprintf(base, sizeof base, "%s.default", a->cfg.cloud->graph);
	snprintf(out, outlen, "%s%s", base, offline ? " offline_access openid profile" : "");
}

static void auth_oauth_url(const struct auth *a, const char *what, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s/oauth2/v2.0/%s", a->cfg.cloud->login, a->tenant, what);
}

static struct http_request *auth_oauth_post(struct auth *a, const char *what, struct auth_form *f)
{
	static const char *const hdrs[] = {"Content-Type: application/x-www-form-urlencoded",
	                                   "Accept: application/json", NULL};
	char url[CLOUD_FIELD_MAX + 400];
	auth_oauth_url(a, what, url, sizeof url);
	struct http_request *req = http_request_new("POST", url, hdrs, NULL);
	if (req) {
		http_request_set_body(req, f->buf, f->len);
		http_request_set_idempotent(req, 1);
		http_request_set_kind(req, HTTP_KIND_LOGIN);
	}
	secmem_free(f->buf);
	f->buf = NULL;
	a->fetches++;
	return req;
}

struct http_request *auth_oauth_send(struct auth *a, const char *what, const char *const *kv, http_done_fn done,
                                     const char **why)
{
	struct auth_form f = {secmem_alloc(AUTH_FORM_MAX), 0, 0};
	if (!f.buf) {
		*why = "out of protected memory";
		return NULL;
	}
	for (size_t i = 0; kv[i] && kv[i + 1]; i += 2)
		auth_oauth_form_add(&f, kv[i], kv[i + 1]);
	if (f.full) {
		secmem_free(f.buf);
		*why = "the sign-in request is too large";
		return NULL;
	}
	struct http_request *req = auth_oauth_post(a, what, &f);
	if (!req) {
		*why = "out of memory";
		return NULL;
	}
	http_client_submit(a->cfg.http, req, done, a);
	return req;
}

/* "AADSTS70000: text\r\nTrace ID: ..." -> the first line. */
void auth_oauth_error(const struct http_response *resp, char *code, size_t clen, char *desc, size_t dlen)
{
	snprintf(code, clen, "%s", "");
	snprintf(desc, dlen, "%s", "");
	cJSON *j = cJSON_Parse(resp->body);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "error_description");
	if (cJSON_IsString(e))
		snprintf(code, clen, "%s", e->valuestring);
	if (cJSON_IsString(d)) {
		snprintf(desc, dlen, "%s", d->valuestring);
		desc[strcspn(desc, "\r\n")] = '\0';
	}
	cJSON_Delete(j);
}

/* A 200 from the token endpoint: keep access (and refresh) token. 0 or -1. */
int auth_oauth_take_tokens(struct auth *a, enum auth_resource r, const struct http_response *resp)
{
	cJSON *j = cJSON_Parse(resp->body);
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
	const cJSON *idt = cJSON_GetObjectItemCaseSensitive(j, "id_token");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	int ok = cJSON_IsString(at) && *at->valuestring;
	if (cJSON_IsString(idt))
		log_redact(idt->valuestring, strlen(idt->valuestring));
	if (ok) {
		long life = auth_seconds(exp, 1, AUTH_TOKEN_LIFE_MAX_S, 3600);
		auth_store(a, r, at->valuestring, life);
		if (cJSON_IsString(rt))
			auth_oauth_keep_refresh(a, rt->valuestring);
		secmem_wipe(at->valuestring, strlen(at->valuestring));
		if (cJSON_IsString(rt))
			secmem_wipe(rt->valuestring, strlen(rt->valuestring));
	}
	cJSON_Delete(j);
	return ok ? 0 : -1;
}

/* ---- service principal ---- */

static void auth_oauth_on_sp(struct http_request *req, const struct http_response *resp, void *arg)
{
	(void)req;
	struct auth *a = arg;
	enum auth_resource r = a->inflight[AUTH_ARM] == req ? AUTH_ARM : AUTH_GRAPH;
	char code[128], desc[512], msg[1024];
	if (resp->error) {
		snprintf(msg, sizeof msg, "service principal sign-in: %s", resp->error);
		a->fetched(a, r, AUTH_FAILED, msg);
		return;
	}
	if (resp->status == 200 && auth_oauth_take_tokens(a, r, resp) == 0) {
		log_msg(LOG_INFO, "auth: service principal token for %s", auth_res_name(r));
		a->fetched(a, r, AUTH_GOT_TOKEN, NULL);
		return;
	}
	auth_oauth_error(resp, code, sizeof code, desc, sizeof desc);
	if (strcmp(code, "invalid_client") == 0)
		snprintf(msg, sizeof msg,
		         "service principal sign-in refused (invalid_client: %s): check auth.client_id and the "
		         "vault entry %s (a new secret can take a minute to work)",
		         desc, AUTH_SECRET_ENTRY);
	else
		snprintf(msg, sizeof msg, "service principal sign-in failed (HTTP %ld %s: %s)", resp->status, code, desc);
	a->fetched(a, r, AUTH_FAILED, msg);
}

static int auth_oauth_fetch_sp(struct auth *a, enum auth_resource r, auth_fetched_fn done, char *why, size_t whylen)
{
	char scope[512];
	auth_oauth_scope(a, r, 0, scope, sizeof scope);
	const char *kv[] = {"client_id", a->client_id, "client_secret", a->secret, "grant_type", "client_credentials",
	                    "scope", scope, NULL};
	const char *fail = NULL;
	a->fetched = done;
	a->inflight[r] = auth_oauth_send(a, "token", kv, auth_oauth_on_sp, &fail);
	if (!a->inflight[r]) {
		snprintf(why, whylen, "service principal sign-in: %s", fail);
		return -1;
	}
	return 0;
}

const struct auth_method_ops auth_sp_ops = {auth_oauth_fetch_sp};

/* ---- refresh token ---- */

static void auth_oauth_on_refresh(struct http_request *req, const struct http_response *resp, void *arg)
{
	struct auth *a = arg;
	enum auth_resource r = a->inflight[AUTH_ARM] == req ? AUTH_ARM : AUTH_GRAPH;
	char code[128], desc[512], msg[1024];
	a->inflight[r] = NULL;
	if (resp->error) {
		snprintf(msg, sizeof msg, "renewing the sign-in: %s", resp->error);
		a->fetched(a, r, AUTH_FAILED, msg);
		return;
	}
	if (resp->status == 200 && auth_oauth_take_tokens(a, r, resp) == 0) {
		log_msg(LOG_INFO, "auth: renewed the %s token with the refresh token", auth_res_name(r));
		a->fetched(a, r, AUTH_GOT_TOKEN, NULL);
		return;
	}
	auth_oauth_error(resp, code, sizeof code, desc, sizeof desc);
	log_msg(LOG_WARN, "auth: the refresh token was refused (%s: %s); a new sign-in is needed", code, desc);
	secmem_free(a->refresh);
	a->refresh = NULL;
	/* Sign in again with a device code. */
	a->fetched(a, r, AUTH_SIGN_IN_AGAIN, NULL);
}

int auth_oauth_fetch_refresh(struct auth *a, enum auth_resource r, auth_fetched_fn done, char *why, size_t whylen)
{
	char scope[512];
	auth_oauth_scope(a, r, 1, scope, sizeof scope);
	const char *kv[] = {"client_id", AUTH_CLI_CLIENT_ID, "grant_type", "refresh_token", "refresh_token", a->refresh,
	                    "scope", scope, NULL};
	const char *fail = NULL;
	a->fetched = done;
	a->inflight[r] = auth_oauth_send(a, "token", kv, auth_oauth_on_refresh, &fail);
	if (!a->inflight[r]) {
		snprintf(why, whylen, "renewing the sign-in: %s", fail);
		return -1;
	}
	return 0;
}
