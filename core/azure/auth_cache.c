/* The token cache and the small pieces every sign-in method uses; below the methods and
 * auth.c, it calls neither. */
#include "core/azure/auth_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/log.h"
#include "secrets/secmem.h"

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
