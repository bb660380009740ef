/* core/azure/auth.h: access tokens for ARM and Microsoft Graph, by one of three sign-in
 * methods (the answers' auth.method):
 *   device-code        OAuth2 device code (v2.0, the Azure CLI's public client); the
 *                      refresh token is sealed in the vault (azure-refresh-token) at once
 *                      and renews later tokens without a new code
 *   azure-cli          `az account get-access-token` (token read from its stdout)
 *   service-principal  client_credentials with the vault's azure-client-secret
 * Tokens are cached per resource until shortly before they expire. Everything is
 * asynchronous on the loop; every token is registered with log_redact on arrival. */
#ifndef SW_AUTH_H
#define SW_AUTH_H

#include <stddef.h>

#include "core/azure/cloud.h"
#include "core/http/http.h"
#include "core/sys/loop.h"
#include "secrets/vault.h"

#define AUTH_METHODS(X)                                  \
	X(AUTH_DEVICE_CODE, "device-code")                   \
	X(AUTH_AZURE_CLI, "azure-cli")                       \
	X(AUTH_SERVICE_PRINCIPAL, "service-principal")

#define AUTH_ENUM_(id, name) id,
enum auth_method { AUTH_METHODS(AUTH_ENUM_) AUTH_METHOD_COUNT };
#undef AUTH_ENUM_

enum auth_resource { AUTH_ARM, AUTH_GRAPH, AUTH_RESOURCE_COUNT };

#define AUTH_REFRESH_ENTRY "azure-refresh-token"
#define AUTH_SECRET_ENTRY "azure-client-secret"
#define AUTH_CLI_CLIENT_ID "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

/* What the operator must see to finish a device-code sign-in; the login endpoint's text
 * made safe for a terminal (text_safe). */
struct auth_device_code {
	const char *user_code;
	const char *verification_uri;
	const char *message;     /* the server's sentence */
	int expires_in;          /* seconds */
};

struct auth_config {
	struct http_client *http;   /* its loop runs the timers and the Azure CLI */
	const struct cloud *cloud;
	enum auth_method method;
	const char *tenant;      /* "organizations" or a tenant id/domain */
	const char *client_id;   /* service principal; device-code uses the Azure CLI's */
	vault *vault;            /* refresh token and client secret; may be NULL for azure-cli */
	/* After the vault changed: save it (and mirror its generation). 0 or -1 with err. */
	int (*persist)(void *arg, char *err, size_t errlen);
	void (*on_device_code)(const struct auth_device_code *dc, void *arg);
	void *arg;               /* for persist and on_device_code */
	const char *az;          /* the Azure CLI program, "az" when NULL */
	const char *command;     /* how messages suggest studio-wizard with this profile's
	                          * --profile/--state-dir (profile_command); NULL: "studio-wizard" */
};

struct auth;
/* token is NULL on failure, with error one line an operator can act on. */
typedef void (*auth_done_fn)(const char *token, const char *error, void *arg);

const char *auth_method_name(enum auth_method m);
int auth_method_parse(const char *name, enum auth_method *out);

/* NULL with err (e.g. the service principal's secret is not in the vault). */
struct auth *auth_new(const struct auth_config *cfg, char *err, size_t errlen);
void auth_free(struct auth *a);   /* drops waiters without calling them */

/* A cached token still valid for a while, or NULL. */
const char *auth_token(struct auth *a, enum auth_resource r);
/* Gets a token; done() always runs later from the loop, never inside this call. */
void auth_request(struct auth *a, enum auth_resource r, auth_done_fn done, void *arg);
/* ARM refused token: forget it (if still cached) so the next request fetches a new one. */
void auth_invalidate(struct auth *a, enum auth_resource r, const char *token);
/* Drops the waiters registered with arg (their owner is going away). */
void auth_forget(struct auth *a, void *arg);
/* Stops a device-code sign-in in progress; its waiters get "sign-in cancelled". */
void auth_cancel(struct auth *a);
/* 1 when a refresh token (from the vault or a sign-in) is held. */
int auth_has_refresh_token(const struct auth *a);
/* Token endpoint calls and az runs so far (tests and the bench count them). */
unsigned auth_fetches(const struct auth *a);

#endif
