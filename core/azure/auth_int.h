/* core/azure/auth_int.h: what the sign-in methods share: the auth object, its token cache
 * and waiters (auth.c), the token endpoint (auth_oauth.c), the device code flow
 * (auth_device.c) and the Azure CLI (auth_cli.c). Not for use outside core/azure/auth*.c. */
#ifndef SW_AUTH_INT_H
#define SW_AUTH_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "core/azure/auth.h"

/* Bounds on what a server may say: a longer life only means an earlier renewal. */
#define AUTH_TOKEN_LIFE_MAX_S 86400L

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
struct auth_cli_ctx {
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
	struct auth_cli_ctx azctx[AUTH_RESOURCE_COUNT];
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

/* auth.c */
char *auth_secdup(const char *s, size_t len);   /* into protected memory */
const char *auth_res_name(enum auth_resource r);   /* for the log */
/* Seconds from a JSON number or numeric string, within [lo, hi]; dflt when missing or bad. */
long auth_seconds(const cJSON *v, long lo, long hi, long dflt);
void auth_store(struct auth *a, enum auth_resource r, const char *token, long lifetime_s);
void auth_finish(struct auth *a, enum auth_resource r, const char *error);   /* to r's waiters */
void auth_finish_later(struct auth *a, enum auth_resource r, const char *msg);   /* the same, from the loop */
void auth_fetch(struct auth *a, enum auth_resource r);   /* by the configured method */

/* auth_oauth.c: the token endpoint (forms, client credentials, refresh token) */
void auth_oauth_scope(const struct auth *a, enum auth_resource r, int offline, char *out, size_t outlen);
/* POSTs the form of kv (NULL-terminated name, value pairs; built in protected memory) to the
 * tenant's oauth2/v2.0/what and submits it with done(.., a); NULL with *why when out of memory. */
struct http_request *auth_oauth_send(struct auth *a, const char *what, const char *const *kv, http_done_fn done,
                                     const char **why);
void auth_oauth_error(const struct http_response *resp, char *code, size_t clen, char *desc, size_t dlen);
int auth_oauth_take_tokens(struct auth *a, enum auth_resource r, const struct http_response *resp);   /* 0 or -1 */
void auth_oauth_fetch_sp(struct auth *a, enum auth_resource r);
void auth_oauth_fetch_refresh(struct auth *a, enum auth_resource r);

/* auth_device.c: the device code sign-in (for ARM; Graph follows with the refresh token) */
void auth_device_start(struct auth *a);
void auth_device_end(struct auth *a, const char *error);   /* NULL: signed in */

/* auth_cli.c: `az account get-access-token` */
void auth_cli_fetch(struct auth *a, enum auth_resource r);

#endif
