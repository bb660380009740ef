/* Sign-in and access tokens: device code, Azure CLI, service principal. */
#include "core/azure/auth.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/sys/log.h"
#include "core/sys/subprocess.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define AUTH_FORM_MAX 32768
#define AUTH_SLOW_DOWN_S 5
/* Bounds on what a server may say: a longer life only means an earlier renewal. */
#define AUTH_TOKEN_LIFE_MAX_S 86400L
#define AUTH_DEVICE_INTERVAL_MAX_S 60L
#define AUTH_DEVICE_LIFE_MAX_S 3600L

struct auth_waiter {
	enum auth_resource res;
	auth_done_fn done;
	void *arg;
	struct auth_waiter *next;
};

struct auth_token {
	char *value;            /* protected memory; NULL when none */
	time_t valid_until;     /* wall clock: a little before the real expiry */
};

struct auth;
struct auth_az_ctx {
	struct auth *a;
	enum auth_resource r;
};

struct auth {
	struct auth_config cfg;
	char tenant[256];
	char client_id[128];
	char *secret;           /* protected: the service principal's secret */
	size_t secret_len;
	char *refresh;          /* protected: the refresh token */
	struct auth_token tok[AUTH_RESOURCE_COUNT];
	struct auth_waiter *waiters;
	int fetching[AUTH_RESOURCE_COUNT];
	struct http_request *inflight[AUTH_RESOURCE_COUNT];
	struct subprocess *az[AUTH_RESOURCE_COUNT];
	struct auth_az_ctx azctx[AUTH_RESOURCE_COUNT];
	char *later[AUTH_RESOURCE_COUNT];   /* an error to deliver from the loop */
	unsigned later_timer;
	unsigned deliver_timer;
	unsigned fetches;
	/* device code flow (for ARM; Graph follows through the refresh token) */
	int device_active;
	char *device_code;      /* protected */
	long interval_ms;
	time_t device_deadline;
	unsigned device_timer;
	struct http_request *device_req;
};

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

static char *auth_secdup(const char *s, size_t len)
{
	char *p = secmem_alloc(len + 1);
	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

static const char *auth_res_name(enum auth_resource r)
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

/* Seconds from a JSON number or numeric string, within [lo, hi]; dflt when missing, not a
 * number, or not finite. Compared as double before any cast: (long)1e300 is undefined. */
static long auth_seconds(const cJSON *v, long lo, long hi, long dflt)
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

static void auth_store(struct auth *a, enum auth_resource r, const char *token, long lifetime_s)
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

static void auth_finish(struct auth *a, enum auth_resource r, const char *error)
{
	a->fetching[r] = 0;
	a->inflight[r] = NULL;
	a->az[r] = NULL;
	auth_deliver(a, r, error ? NULL : a->tok[r].value, error);
}

/* Keeps a new refresh token: in the vault at once, so a crash cannot lose the sign-in. */
static void auth_keep_refresh(struct auth *a, const char *rt)
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

/* ---- forms and token answers ---- */

struct auth_form {
	char *buf;   /* protected */
	size_t len;
	int full;
};

static void auth_form_add(struct auth_form *f, const char *key, const char *val)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = {key, val};
	if (f->len && f->len < AUTH_FORM_MAX)
		f->buf[f->len++] = '&';
	for (int k = 0; k < 2; k++) {
		if (k == 1 && f->len < AUTH_FORM_MAX)
			f->buf[f->len++] = '=';
		for (const unsigned char *s = (const unsigned char *)parts[k]; *s; s++) {
			if (f->len + 3 >= AUTH_FORM_MAX) {
				f->full = 1;
				return;
			}
			if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
			    *s == '-' || *s == '_' || *s == '.' || *s == '~') {
				f->buf[f->len++] = (char)*s;
			} else {
				f->buf[f->len++] = '%';
				f->buf[f->len++] = hex[*s >> 4];
				f->buf[f->len++] = hex[*s & 15];
			}
		}
	}
}

static void auth_scope(const struct auth *a, enum auth_resource r, int offline, char *out, size_t outlen)
{
	char base[CLOUD_FIELD_MAX + 16];
	if (r == AUTH_ARM)
		cloud_arm_scope(a->cfg.cloud, base, sizeof base);
	else
		snprintf(base, sizeof base, "%s.default", a->cfg.cloud->graph);
	snprintf(out, outlen, "%s%s", base, offline ? " offline_access openid profile" : "");
}

static void auth_token_url(const struct auth *a, const char *what, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s/oauth2/v2.0/%s", a->cfg.cloud->login, a->tenant, what);
}

static struct http_request *auth_post(struct auth *a, const char *what, struct auth_form *f)
{
	static const char *const hdrs[] = {"Content-Type: application/x-www-form-urlencoded",
	                                   "Accept: application/json", NULL};
	char url[CLOUD_FIELD_MAX + 400];
	auth_token_url(a, what, url, sizeof url);
	struct http_request *req = http_request_new("POST", url, hdrs, NULL);
	if (req) {
		http_request_set_body(req, f->buf, f->len);
		http_request_set_idempotent(req, 1);
	}
	secmem_free(f->buf);
	f->buf = NULL;
	a->fetches++;
	return req;
}

/* "AADSTS70000: text\r\nTrace ID: ..." -> the first line. */
static void auth_oauth_error(const struct http_response *resp, char *code, size_t clen, char *desc, size_t dlen)
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
static int auth_take_tokens(struct auth *a, enum auth_resource r, const struct http_response *resp)
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
			auth_keep_refresh(a, rt->valuestring);
		secmem_wipe(at->valuestring, strlen(at->valuestring));
		if (cJSON_IsString(rt))
			secmem_wipe(rt->valuestring, strlen(rt->valuestring));
	}
	cJSON_Delete(j);
	return ok ? 0 : -1;
}

static void auth_fetch(struct auth *a, enum auth_resource r);
static void auth_device_start(struct auth *a);

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
static void auth_finish_later(struct auth *a, enum auth_resource r, const char *msg)
{
	free(a->later[r]);
	a->later[r] = strdup(msg);
	if (!a->later_timer)
		a->later_timer = loop_after(a->cfg.loop, 0, auth_on_later, a);
}

/* ---- service principal ---- */

static void auth_on_sp(struct http_request *req, const struct http_response *resp, void *arg)
{
	(void)req;
	struct auth *a = arg;
	enum auth_resource r = a->inflight[AUTH_ARM] == req ? AUTH_ARM : AUTH_GRAPH;
	char code[128], desc[512], msg[1024];
	if (resp->error) {
		snprintf(msg, sizeof msg, "service principal sign-in: %s", resp->error);
		auth_finish(a, r, msg);
		return;
	}
	if (resp->status == 200 && auth_take_tokens(a, r, resp) == 0) {
		log_msg(LOG_INFO, "auth: service principal token for %s", auth_res_name(r));
		auth_finish(a, r, NULL);
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
	auth_finish(a, r, msg);
}

static void auth_fetch_sp(struct auth *a, enum auth_resource r)
{
	char scope[512];
	auth_scope(a, r, 0, scope, sizeof scope);
	struct auth_form f = {secmem_alloc(AUTH_FORM_MAX), 0, 0};
	if (!f.buf) {
		auth_finish(a, r, "out of protected memory");
		return;
	}
	auth_form_add(&f, "client_id", a->client_id);
	auth_form_add(&f, "client_secret", a->secret);
	auth_form_add(&f, "grant_type", "client_credentials");
	auth_form_add(&f, "scope", scope);
	struct http_request *req = auth_post(a, "token", &f);
	if (!req) {
		auth_finish(a, r, "out of memory");
		return;
	}
	a->inflight[r] = req;
	http_client_submit(loop_http(a->cfg.loop), req, auth_on_sp, a);
}

/* ---- refresh token ---- */

static void auth_on_refresh(struct http_request *req, const struct http_response *resp, void *arg)
{
	struct auth *a = arg;
	enum auth_resource r = a->inflight[AUTH_ARM] == req ? AUTH_ARM : AUTH_GRAPH;
	char code[128], desc[512], msg[1024];
	a->inflight[r] = NULL;
	if (resp->error) {
		snprintf(msg, sizeof msg, "renewing the sign-in: %s", resp->error);
		auth_finish(a, r, msg);
		return;
	}
	if (resp->status == 200 && auth_take_tokens(a, r, resp) == 0) {
		log_msg(LOG_INFO, "auth: renewed the %s token with the refresh token", auth_res_name(r));
		auth_finish(a, r, NULL);
		return;
	}
	auth_oauth_error(resp, code, sizeof code, desc, sizeof desc);
	log_msg(LOG_WARN, "auth: the refresh token was refused (%s: %s); a new sign-in is needed", code, desc);
	secmem_free(a->refresh);
	a->refresh = NULL;
	/* Sign in again with a device code; the waiters stay queued. */
	a->fetching[r] = 0;
	auth_fetch(a, r);
}

static void auth_fetch_refresh(struct auth *a, enum auth_resource r)
{
	char scope[512];
	auth_scope(a, r, 1, scope, sizeof scope);
	struct auth_form f = {secmem_alloc(AUTH_FORM_MAX), 0, 0};
	if (!f.buf) {
		auth_finish(a, r, "out of protected memory");
		return;
	}
	auth_form_add(&f, "client_id", AUTH_CLI_CLIENT_ID);
	auth_form_add(&f, "grant_type", "refresh_token");
	auth_form_add(&f, "refresh_token", a->refresh);
	auth_form_add(&f, "scope", scope);
	struct http_request *req = auth_post(a, "token", &f);
	if (!req) {
		auth_finish(a, r, "out of memory");
		return;
	}
	a->inflight[r] = req;
	http_client_submit(loop_http(a->cfg.loop), req, auth_on_refresh, a);
}

/* ---- device code ---- */

static void auth_device_end(struct auth *a, const char *error)
{
	a->device_active = 0;
	secmem_free(a->device_code);
	a->device_code = NULL;
	if (a->device_timer)
		loop_cancel(a->cfg.loop, a->device_timer);
	a->device_timer = 0;
	a->device_req = NULL;
	if (error) {
		for (int r = 0; r < AUTH_RESOURCE_COUNT; r++)
			if (a->fetching[r])
				auth_finish(a, (enum auth_resource)r, error);
		return;
	}
	auth_finish(a, AUTH_ARM, NULL);
	/* Graph waiters go on with the new refresh token. */
	if (a->fetching[AUTH_GRAPH] && !a->inflight[AUTH_GRAPH])
		auth_fetch_refresh(a, AUTH_GRAPH);
}

static void auth_device_poll(void *arg);

static void auth_on_device_token(struct http_request *req, const struct http_response *resp, void *arg)
{
	(void)req;
	struct auth *a = arg;
	char code[128], desc[512], msg[1024];
	a->device_req = NULL;
	if (resp->error) {
		snprintf(msg, sizeof msg, "device code sign-in: %s", resp->error);
		auth_device_end(a, msg);
		return;
	}
	if (resp->status == 200) {
		if (auth_take_tokens(a, AUTH_ARM, resp) != 0) {
			auth_device_end(a, "device code sign-in: the token answer had no access_token");
			return;
		}
		log_msg(LOG_INFO, "auth: device code sign-in complete");
		auth_device_end(a, NULL);
		return;
	}
	auth_oauth_error(resp, code, sizeof code, desc, sizeof desc);
	if (strcmp(code, "authorization_pending") == 0 || strcmp(code, "slow_down") == 0) {
		if (code[0] == 's')
			a->interval_ms += AUTH_SLOW_DOWN_S * 1000;
		if (time(NULL) > a->device_deadline) {
			auth_device_end(a, "the sign-in code expired before it was used; start the sign-in again");
			return;
		}
		a->device_timer = loop_after(a->cfg.loop, a->interval_ms, auth_device_poll, a);
		return;
	}
	if (strcmp(code, "expired_token") == 0)
		snprintf(msg, sizeof msg, "the sign-in code expired before it was used; start the sign-in again");
	else if (strcmp(code, "authorization_declined") == 0 || strcmp(code, "access_denied") == 0)
		snprintf(msg, sizeof msg, "the sign-in was declined in the browser (%s)", code);
	else
		snprintf(msg, sizeof msg, "device code sign-in failed (%s: %s)", code[0] ? code : "HTTP error", desc);
	auth_device_end(a, msg);
}

static void auth_device_poll(void *arg)
{
	struct auth *a = arg;
	a->device_timer = 0;
	struct auth_form f = {secmem_alloc(AUTH_FORM_MAX), 0, 0};
	if (!f.buf) {
		auth_device_end(a, "out of protected memory");
		return;
	}
	auth_form_add(&f, "grant_type", "urn:ietf:params:oauth:grant-type:device_code");
	auth_form_add(&f, "client_id", AUTH_CLI_CLIENT_ID);
	auth_form_add(&f, "device_code", a->device_code);
	struct http_request *req = auth_post(a, "token", &f);
	if (!req) {
		auth_device_end(a, "out of memory");
		return;
	}
	a->device_req = req;
	http_client_submit(loop_http(a->cfg.loop), req, auth_on_device_token, a);
}

static void auth_on_device_code(struct http_request *req, const struct http_response *resp, void *arg)
{
	(void)req;
	struct auth *a = arg;
	char code[128], desc[512], msg[1024];
	a->device_req = NULL;
	if (resp->error || resp->status != 200) {
		if (resp->error) {
			snprintf(msg, sizeof msg, "device code sign-in: %s", resp->error);
		} else {
			auth_oauth_error(resp, code, sizeof code, desc, sizeof desc);
			snprintf(msg, sizeof msg, "device code sign-in refused (HTTP %ld %s: %s); check auth.tenant",
			         resp->status, code, desc);
		}
		auth_device_end(a, msg);
		return;
	}
	cJSON *j = cJSON_Parse(resp->body);
	const cJSON *uc = cJSON_GetObjectItemCaseSensitive(j, "user_code");
	const cJSON *dc = cJSON_GetObjectItemCaseSensitive(j, "device_code");
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(j, "verification_uri");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	const cJSON *iv = cJSON_GetObjectItemCaseSensitive(j, "interval");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	if (!cJSON_IsString(uc) || !cJSON_IsString(dc) || !cJSON_IsString(uri)) {
		cJSON_Delete(j);
		auth_device_end(a, "device code sign-in: the answer lacks user_code, device_code or verification_uri");
		return;
	}
	log_redact(dc->valuestring, strlen(dc->valuestring));
	a->device_code = auth_secdup(dc->valuestring, strlen(dc->valuestring));
	secmem_wipe(dc->valuestring, strlen(dc->valuestring));
	a->interval_ms = auth_seconds(iv, 1, AUTH_DEVICE_INTERVAL_MAX_S, 5) * 1000L;
	int expires = (int)auth_seconds(ex, 1, AUTH_DEVICE_LIFE_MAX_S, 900);
	a->device_deadline = time(NULL) + expires;
	char fallback[600];
	snprintf(fallback, sizeof fallback, "To sign in, open %s and enter the code %s.", uri->valuestring,
	         uc->valuestring);
	struct auth_device_code ev = {uc->valuestring, uri->valuestring,
	                              cJSON_IsString(m) ? m->valuestring : fallback, expires};
	log_msg(LOG_INFO, "auth: device code issued; waiting for the operator (%d s)", expires);
	if (!a->device_code) {
		cJSON_Delete(j);
		auth_device_end(a, "out of protected memory");
		return;
	}
	a->device_timer = loop_after(a->cfg.loop, a->interval_ms, auth_device_poll, a);
	if (a->cfg.on_device_code)
		a->cfg.on_device_code(&ev, a->cfg.arg);
	cJSON_Delete(j);
}

static void auth_device_start(struct auth *a)
{
	if (a->device_active)
		return;
	char scope[512];
	auth_scope(a, AUTH_ARM, 1, scope, sizeof scope);
	struct auth_form f = {secmem_alloc(AUTH_FORM_MAX), 0, 0};
	if (!f.buf) {
		auth_finish_later(a, AUTH_ARM, "out of protected memory");
		return;
	}
	auth_form_add(&f, "client_id", AUTH_CLI_CLIENT_ID);
	auth_form_add(&f, "scope", scope);
	struct http_request *req = auth_post(a, "devicecode", &f);
	if (!req) {
		auth_finish_later(a, AUTH_ARM, "out of memory");
		return;
	}
	a->device_active = 1;
	a->fetching[AUTH_ARM] = 1;
	a->device_req = req;
	http_client_submit(loop_http(a->cfg.loop), req, auth_on_device_code, a);
}

/* ---- Azure CLI ---- */

/* expiresOn is local time "2025-04-28 05:54:29.000000"; expires_on (newer az) is epoch seconds. */
static time_t auth_az_expiry(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "expires_on");
	time_t now = time(NULL);
	if (cJSON_IsNumber(e) || cJSON_IsString(e))
		return (time_t)auth_seconds(e, (long)now, (long)now + AUTH_TOKEN_LIFE_MAX_S, (long)now + 300);
	e = cJSON_GetObjectItemCaseSensitive(j, "expiresOn");
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (cJSON_IsString(e) && strptime(e->valuestring, "%Y-%m-%d %H:%M:%S", &tm)) {
		tm.tm_isdst = -1;
		return mktime(&tm);
	}
	return now + 300;
}

static void auth_on_az(int status, const char *out, size_t outlen, const char *err, void *arg)
{
	(void)outlen;
	struct auth_az_ctx *ctx = arg;
	struct auth *a = ctx->a;
	enum auth_resource r = ctx->r;
	a->az[r] = NULL;
	char msg[1024];
	if (status != 0) {
		char first[400];
		snprintf(first, sizeof first, "%s", err && *err ? err : "no message");
		first[strcspn(first, "\r\n")] = '\0';
		char clean[400], safe[600];
		log_scrub(first, clean, sizeof clean);
		text_safe(clean, safe, sizeof safe);   /* az's stderr: no escapes on to a terminal */
		snprintf(msg, sizeof msg, "az account get-access-token failed (exit %d: %s); run `az login` first",
		         status, safe);
		auth_finish(a, r, msg);
		return;
	}
	cJSON *j = cJSON_Parse(out);
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "accessToken");
	if (!cJSON_IsString(at) || !*at->valuestring) {
		cJSON_Delete(j);
		auth_finish(a, r, "az account get-access-token printed no accessToken");
		return;
	}
	long life = (long)(auth_az_expiry(j) - time(NULL));
	if (life < 10)
		life = 10;
	if (life > AUTH_TOKEN_LIFE_MAX_S)
		life = AUTH_TOKEN_LIFE_MAX_S;
	auth_store(a, r, at->valuestring, life);
	secmem_wipe(at->valuestring, strlen(at->valuestring));
	cJSON_Delete(j);
	log_msg(LOG_INFO, "auth: %s token from the Azure CLI (valid %ld s)", auth_res_name(r), life);
	auth_finish(a, r, NULL);
}

static void auth_fetch_az(struct auth *a, enum auth_resource r)
{
	const char *resource = r == AUTH_ARM ? a->cfg.cloud->arm_resource : a->cfg.cloud->graph;
	/* az refuses the generic authorities; a real tenant narrows the token. */
	int tenant = a->tenant[0] && strcasecmp(a->tenant, "organizations") != 0 &&
	             strcasecmp(a->tenant, "common") != 0 && strcasecmp(a->tenant, "consumers") != 0;
	const char *argv[] = {a->cfg.az ? a->cfg.az : "az", "account", "get-access-token", "--output", "json",
	                      "--resource", resource, tenant ? "--tenant" : NULL, a->tenant, NULL};
	struct auth_az_ctx *ctx = &a->azctx[r];
	char err[512], msg[700];
	ctx->a = a;
	ctx->r = r;
	a->fetches++;
	a->az[r] = subprocess_start(a->cfg.loop, argv, auth_on_az, ctx, err, sizeof err);
	if (!a->az[r]) {
		snprintf(msg, sizeof msg, "Azure CLI sign-in: %s (install the Azure CLI and run `az login`, or choose "
		         "another auth.method)", err);
		auth_finish_later(a, r, msg);
	}
}

/* ---- requests ---- */

static void auth_fetch(struct auth *a, enum auth_resource r)
{
	if (a->fetching[r])
		return;
	a->fetching[r] = 1;
	switch (a->cfg.method) {
	case AUTH_SERVICE_PRINCIPAL:
		auth_fetch_sp(a, r);
		break;
	case AUTH_AZURE_CLI:
		auth_fetch_az(a, r);
		break;
	default:
		/* Without a refresh token, sign in for ARM; Graph follows in auth_device_end. */
		if (a->refresh)
			auth_fetch_refresh(a, r);
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
			a->deliver_timer = loop_after(a->cfg.loop, 0, auth_deliver_cached, a);
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
		http_client_cancel(loop_http(a->cfg.loop), a->device_req);
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
			         "`studio-wizard vault set %s --kind client-secret`",
			         AUTH_SECRET_ENTRY);
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
	struct http_client *http = loop_http(a->cfg.loop);
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
		loop_cancel(a->cfg.loop, a->device_timer);
	if (a->deliver_timer)
		loop_cancel(a->cfg.loop, a->deliver_timer);
	if (a->later_timer)
		loop_cancel(a->cfg.loop, a->later_timer);
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
