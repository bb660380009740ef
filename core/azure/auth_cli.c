/* Tokens from the Azure CLI: `az account get-access-token`, run on the loop. */
#include "core/azure/auth_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sys/log.h"
#include "core/sys/subprocess.h"
#include "core/sys/text.h"
#include "secrets/secmem.h"

/* expiresOn is local time "2025-04-28 05:54:29.000000"; expires_on (newer az) is epoch seconds. */
static time_t auth_cli_expiry(const cJSON *j)
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

static void auth_cli_on_done(int status, const char *out, size_t outlen, const char *err, void *arg)
{
	(void)outlen;
	struct auth_cli_ctx *ctx = arg;
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
		a->fetched(a, r, AUTH_FAILED, msg);
		return;
	}
	cJSON *j = cJSON_Parse(out);
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "accessToken");
	if (!cJSON_IsString(at) || !*at->valuestring) {
		cJSON_Delete(j);
		a->fetched(a, r, AUTH_FAILED, "az account get-access-token printed no accessToken");
		return;
	}
	long life = (long)(auth_cli_expiry(j) - time(NULL));
	if (life < 10)
		life = 10;
	if (life > AUTH_TOKEN_LIFE_MAX_S)
		life = AUTH_TOKEN_LIFE_MAX_S;
	auth_store(a, r, at->valuestring, life);
	secmem_wipe(at->valuestring, strlen(at->valuestring));
	cJSON_Delete(j);
	log_msg(LOG_INFO, "auth: %s token from the Azure CLI (valid %ld s)", auth_res_name(r), life);
	a->fetched(a, r, AUTH_GOT_TOKEN, NULL);
}

static int auth_cli_fetch(struct auth *a, enum auth_resource r, auth_fetched_fn done, char *why, size_t whylen)
{
	const char *resource = r == AUTH_ARM ? a->cfg.cloud->arm_resource : a->cfg.cloud->graph;
	/* az refuses the generic authorities; a real tenant narrows the token. */
	int tenant = a->tenant[0] && strcasecmp(a->tenant, "organizations") != 0 &&
	             strcasecmp(a->tenant, "common") != 0 && strcasecmp(a->tenant, "consumers") != 0;
	const char *argv[] = {a->cfg.az ? a->cfg.az : "az", "account", "get-access-token", "--output", "json",
	                      "--resource", resource, tenant ? "--tenant" : NULL, a->tenant, NULL};
	struct auth_cli_ctx *ctx = &a->azctx[r];
	char err[512];
	a->fetched = done;
	ctx->a = a;
	ctx->r = r;
	a->fetches++;
	a->az[r] = subprocess_start(http_client_loop(a->cfg.http), argv, auth_cli_on_done, ctx, err, sizeof err);
	if (!a->az[r]) {
		snprintf(why, whylen, "Azure CLI sign-in: %s (install the Azure CLI and run `az login`, or choose "
		         "another auth.method)", err);
		return -1;
	}
	return 0;
}

const struct auth_method_ops auth_cli_ops = {auth_cli_fetch};
