/* The device code sign-in: a code for the operator, then polls until it is used. */
#include "core/azure/auth_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/log.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

#define AUTH_SLOW_DOWN_S 5
#define AUTH_DEVICE_INTERVAL_MAX_S 60L
#define AUTH_DEVICE_LIFE_MAX_S 3600L

void auth_device_end(struct auth *a, const char *error)
{
	a->device_active = 0;
	secmem_free(a->device_code);
	a->device_code = NULL;
	if (a->device_timer)
		loop_cancel(http_client_loop(a->cfg.http), a->device_timer);
	a->device_timer = 0;
	a->device_req = NULL;
	if (error) {
		for (int r = 0; r < AUTH_RESOURCE_COUNT; r++)
			if (a->fetching[r])
				a->fetched(a, (enum auth_resource)r, AUTH_FAILED, error);
		return;
	}
	a->fetched(a, AUTH_ARM, AUTH_GOT_TOKEN, NULL);
	/* Graph waiters go on with the new refresh token. */
	char why[512];
	if (a->fetching[AUTH_GRAPH] && !a->inflight[AUTH_GRAPH] &&
	    auth_oauth_fetch_refresh(a, AUTH_GRAPH, a->fetched, why, sizeof why) != 0)
		a->fetched(a, AUTH_GRAPH, AUTH_FAILED, why);
}

static void auth_device_poll(void *arg);

static void auth_device_on_token(struct http_request *req, const struct http_response *resp, void *arg)
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
		if (auth_oauth_take_tokens(a, AUTH_ARM, resp) != 0) {
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
		a->device_timer = loop_after(http_client_loop(a->cfg.http), a->interval_ms, auth_device_poll, a);
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
	const char *kv[] = {"grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id",
	                    AUTH_CLI_CLIENT_ID, "device_code", a->device_code, NULL};
	const char *why = NULL;
	a->device_req = auth_oauth_send(a, "token", kv, auth_device_on_token, &why);
	if (!a->device_req)
		auth_device_end(a, why);
}

static void auth_device_on_code(struct http_request *req, const struct http_response *resp, void *arg)
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
	/* The operator's terminal shows these: the login endpoint's text is outside text like any
	 * other (an escape sequence could retitle the window or make the terminal answer on stdin). */
	char code_s[256], uri_s[1024], msg_s[2048];
	text_safe(uc->valuestring, code_s, sizeof code_s);
	text_safe(uri->valuestring, uri_s, sizeof uri_s);
	if (cJSON_IsString(m))
		text_safe(m->valuestring, msg_s, sizeof msg_s);
	else
		snprintf(msg_s, sizeof msg_s, "To sign in, open %s and enter the code %s.", uri_s, code_s);
	struct auth_device_code ev = {code_s, uri_s, msg_s, expires};
	log_msg(LOG_INFO, "auth: device code issued; waiting for the operator (%d s)", expires);
	if (!a->device_code) {
		cJSON_Delete(j);
		auth_device_end(a, "out of protected memory");
		return;
	}
	a->device_timer = loop_after(http_client_loop(a->cfg.http), a->interval_ms, auth_device_poll, a);
	if (a->cfg.on_device_code)
		a->cfg.on_device_code(&ev, a->cfg.arg);
	cJSON_Delete(j);
}

/* Without a refresh token, sign in for ARM; Graph follows in auth_device_end. */
static int auth_device_start(struct auth *a, char *why, size_t whylen)
{
	if (a->device_active)
		return 0;
	char scope[512];
	auth_oauth_scope(a, AUTH_ARM, 1, scope, sizeof scope);
	const char *kv[] = {"client_id", AUTH_CLI_CLIENT_ID, "scope", scope, NULL};
	const char *fail = NULL;
	struct http_request *req = auth_oauth_send(a, "devicecode", kv, auth_device_on_code, &fail);
	if (!req) {
		snprintf(why, whylen, "device code sign-in: %s", fail);
		return -1;
	}
	a->device_active = 1;
	a->fetching[AUTH_ARM] = 1;
	a->device_req = req;
	return 0;
}

static int auth_device_fetch(struct auth *a, enum auth_resource r, auth_fetched_fn done, char *why, size_t whylen)
{
	a->fetched = done;
	if (a->refresh)
		return auth_oauth_fetch_refresh(a, r, done, why, whylen);
	return auth_device_start(a, why, whylen);
}

const struct auth_method_ops auth_device_ops = {auth_device_fetch};
