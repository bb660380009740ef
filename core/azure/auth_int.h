/* core/azure/auth_int.h: what the sign-in methods share: the auth object and its token cache
 * (auth_cache.c), the token endpoint (auth_oauth.c), the device code flow (auth_device.c) and
 * the Azure CLI (auth_cli.c). auth.c (the waiters) sits above them and picks a method from
 * its ops table; a method reports back only through the completion its fetch was given.
 * Not for use outside core/azure/auth*.c. */
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

/* How a method's fetch ended. */
enum auth_outcome {
	AUTH_GOT_TOKEN,       /* stored in the cache (auth_store) */
	AUTH_FAILED,          /* error says why */
	AUTH_SIGN_IN_AGAIN,   /* the refresh token was refused and dropped: fetch again */
};
/* The completion a fetch takes: runs once per fetch of r, from the loop. */
typedef void (*auth_fetched_fn)(struct auth *a, enum auth_resource r, enum auth_outcome how, const char *error);

/* A sign-in method. fetch starts getting r's token and returns 0; done() then runs later from
 * the loop, never inside this call. Or -1 with why: nothing started, done() never runs. */
struct auth_method_ops {
	int (*fetch)(struct auth *a, enum auth_resource r, auth_fetched_fn done, char *why, size_t whylen);
};
extern const struct auth_method_ops auth_device_ops;   /* auth_device.c */
extern const struct auth_method_ops auth_cli_ops;      /* auth_cli.c */
extern const struct auth_method_ops auth_sp_ops;       /* auth_oauth.c */

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
	auth_fetched_fn fetched;   /* the completion the methods report to */
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

/* auth_cache.c */
char *auth_secdup(const char *s, size_t len);   /* into protected memory */
const char *auth_res_name(enum auth_resource r);   /* for the log */
/* Seconds from a JSON number or numeric string, within [lo, hi]; dflt when missing or bad. */
long auth_seconds(const cJSON *v, long lo, long hi, long dflt);
void auth_store(struct auth *a, enum auth_resource r, const char *token, long lifetime_s);

/* auth_oauth.c: the token endpoint (forms, client credentials, refresh token) */
void auth_oauth_scope(const struct auth *a, enum auth_resource r, int offline, char *out, size_t outlen);
/* POSTs the form of kv (NULL-terminated name, value pairs; built in protected memory) to the
 * tenant's oauth2/v2.0/what and submits it with done(.., a); NULL with *why when out of memory. */
struct http_request *auth_oauth_send(struct auth *a, const char *what, const char *const *kv, http_done_fn done,
                                     const char **why);
void auth_oauth_error(const struct http_response *resp, char *code, size_t clen, char *desc, size_t dlen);
int auth_oauth_take_tokens(struct auth *a, enum auth_resource r, const struct http_response *resp);   /* 0 or -1 */
/* A fetch with the refresh token (the device-code method's, once it holds one). */
int auth_oauth_fetch_refresh(struct auth *a, enum auth_resource r, auth_fetched_fn done, char *why, size_t whylen);

/* auth_device.c: the device code sign-in (for ARM; Graph follows with the refresh token) */
/* Ends a sign-in in progress; every fetch waiting on it ends with error (NULL: signed in). */
void auth_device_end(struct auth *a, const char *error);

#endif
