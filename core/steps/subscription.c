/* Step 1, Subscription: sign in, select the subscription (uniq_id follows it), register the
 * resource providers the later steps need (asking first), check that role assignments may
 * be created. Nothing is created here: each later step makes its own resource group. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/azure/auth.h"
#include "core/engine/step.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"

#define API_SUBSCRIPTIONS "2022-12-01"
#define API_PROVIDERS "2021-04-01"
#define API_AUTHORIZATION "2022-04-01"
#define REGISTER_POLL_MS 2000L
#define REGISTER_TIMEOUT_MS (30L * 60 * 1000)
#define ROLE_WRITE "Microsoft.Authorization/roleAssignments/write"
#define SUBS_MAX 256

static const char *const providers[] = {
	"Microsoft.Compute", "Microsoft.Network", "Microsoft.ContainerRegistry", "Microsoft.ContainerService",
};
#define NPROVIDERS (sizeof providers / sizeof providers[0])

static const char *sub_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The next page of a list, when Azure names one (nextLink, followed as it is). 1 when it was
 * asked for (or the step failed), 0 on the last page. */
static int sub_next_page(struct act *a, const cJSON *json, void (*on_page)(const struct arm_result *r, void *arg))
{
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(json, "nextLink");
	if (!cJSON_IsString(next) || !*next->valuestring)
		return 0;
	if (act_call(a, "GET", next->valuestring, NULL, NULL, on_page) != 0)
		act_fail(a, "out of memory");
	return 1;
}

/* ---- sign-in ---- */

static void sign_in_done(const char *token, const char *error, void *arg)
{
	struct act *a = arg;
	if (!token)
		act_fail(a, "%s", error);
	else
		act_done(a, "signed in (%s)", act_answer(a, "auth.method"));
}

static void sign_in_start(struct act *a)
{
	auth_request(act_auth(a), AUTH_ARM, sign_in_done, a);
}

static void sign_in_stop(struct act *a)
{
	auth_forget(act_auth(a), a);
}

/* ---- the subscription list (pages followed on the ARM host only) ---- */

struct select_data {
	cJSON *all;
	struct plan_choice choices[SUBS_MAX];
	char details[SUBS_MAX][160];
	char states[SUBS_MAX][24];
	size_t n;
	struct engine_question q;
	int pick;     /* the sign-in flow: ask which one */
};

static void select_listed(struct act *a);

static void select_on_page(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct select_data *d = act_data(a);
	if (r->error) {
		act_fail(a, "listing subscriptions: %s", r->error);
		return;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "value"))
	{
		cJSON_AddItemToArray(d->all, cJSON_Duplicate(it, 1));
	}
	if (!sub_next_page(a, r->json, select_on_page))
		select_listed(a);
}

static void select_start_list(struct act *a)
{
	struct select_data *d = act_data(a);
	d->all = cJSON_CreateArray();
	if (!d->all || act_call(a, "GET", "/subscriptions", API_SUBSCRIPTIONS, NULL, select_on_page) != 0)
		act_fail(a, "out of memory");
}

static void select_stop(struct act *a)
{
	struct select_data *d = act_data(a);
	if (d) {
		cJSON_Delete(d->all);
		d->all = NULL;
	}
}

static void select_on_pick(struct act *a, const char *value)
{
	struct select_data *d = act_data(a);
	for (size_t i = 0; i < d->n; i++)
		if (strcasecmp(d->choices[i].value, value) == 0) {
			act_info(a, "using subscription %s (%s)", value, d->details[i]);
			break;
		}
	cJSON_Delete(d->all);
	d->all = NULL;
	act_done(a, "%s", value);
}

static void select_listed(struct act *a)
{
	struct select_data *d = act_data(a);
	const cJSON *it;
	d->n = 0;
	cJSON_ArrayForEach(it, d->all)
	{
		if (d->n == SUBS_MAX)
			break;
		const char *state = sub_str(it, "state");
		snprintf(d->states[d->n], sizeof d->states[0], "%s", state);
		snprintf(d->details[d->n], sizeof d->details[0], "%s, %s, tenant %s", sub_str(it, "displayName"), state,
		         sub_str(it, "tenantId"));
		d->choices[d->n] = (struct plan_choice){sub_str(it, "subscriptionId"), d->details[d->n],
		                                        strcmp(state, "Enabled") == 0};
		d->n++;
	}
	if (d->pick) {
		d->q = (struct engine_question){.id = "subscription", .answer = "subscription", .choices = d->choices,
		                                .nchoices = d->n, .force = 1};
		snprintf(d->q.text, sizeof d->q.text, "Which subscription pays for the install? (%zu found)", d->n);
		act_ask(a, &d->q, select_on_pick);
		return;
	}
	const char *want = act_answer(a, "subscription");
	for (size_t i = 0; i < d->n; i++) {
		if (strcasecmp(d->choices[i].value, want) != 0)
			continue;
		if (!d->choices[i].selectable) {
			act_fail(a, "subscription %s (%s) is %s, not Enabled: Azure refuses to create resources in it", want,
			         d->details[i], d->states[i]);
			return;
		}
		act_info(a, "using subscription %s (%s); uniq_id %s", want, d->details[i], act_answer(a, "uniq_id"));
		cJSON_Delete(d->all);
		d->all = NULL;
		act_done(a, "%s", d->details[i]);
		return;
	}
	char seen[1024] = "";
	size_t o = 0;
	for (size_t i = 0; i < d->n && o < sizeof seen; i++)
		o += (size_t)snprintf(seen + o, sizeof seen - o, "%s%s (%s)", i ? ", " : "", d->choices[i].value,
		                      d->details[i]);
	act_fail(a, "subscription: %s is not among the %zu subscriptions this sign-in can see%s%s", want, d->n,
	         d->n ? ": " : "", seen);
}

static void select_after_sign_in(const char *token, const char *error, void *arg)
{
	struct act *a = arg;
	if (!token) {
		act_fail(a, "%s", error);
		return;
	}
	act_progress(a, "listing subscriptions");
	select_start_list(a);
}

/* The Subscription screen's flow: sign in, list, ask. */
static void pick_start(struct act *a)
{
	struct select_data *d = act_data(a);
	d->pick = 1;
	auth_request(act_auth(a), AUTH_ARM, select_after_sign_in, a);
}

static void pick_stop(struct act *a)
{
	auth_forget(act_auth(a), a);
	select_stop(a);
}

const struct action_def steps_sign_in_action = {
	.key = "subscription.pick", .text = "sign in and pick the subscription", .kind = ACTION_TASK,
	.start = pick_start, .stop = pick_stop, .data_size = sizeof(struct select_data),
};

/* ---- resource providers ---- */

struct providers_data {
	size_t i;
	const char *unregistered[NPROVIDERS];
	size_t nunreg;
	const char *registering[NPROVIDERS];   /* requested earlier (a run that was stopped): wait only */
	size_t nreg;
	long long deadline_ms;
	struct engine_question q;
	char path[512];
};

static const struct plan_choice yes_no[] = {{"yes", "register them", 1}, {"no", "stop here", 1}};

static void prov_next(struct act *a);
static void prov_register_next(struct act *a);
static void prov_poll(struct act *a);

static void prov_path(struct act *a, const char *ns, const char *suffix)
{
	struct providers_data *d = act_data(a);
	snprintf(d->path, sizeof d->path, "/subscriptions/%s/providers/%s%s", act_answer(a, "subscription"), ns, suffix);
}

static void prov_on_answer(struct act *a, const char *value)
{
	struct providers_data *d = act_data(a);
	if (strcmp(value, "yes") != 0) {
		act_fail(a, "resource providers not registered (%zu); the later steps need them", d->nunreg);
		return;
	}
	d->i = 0;
	prov_register_next(a);
}

static void prov_on_get(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct providers_data *d = act_data(a);
	if (r->error) {
		act_fail(a, "resource provider %s: %s", providers[d->i], r->error);
		return;
	}
	const char *state = sub_str(r->json, "registrationState");
	if (strcasecmp(state, "Registering") == 0)
		d->registering[d->nreg++] = providers[d->i];
	else if (strcasecmp(state, "Registered") != 0)
		d->unregistered[d->nunreg++] = providers[d->i];
	d->i++;
	prov_next(a);
}

static void prov_next(struct act *a)
{
	struct providers_data *d = act_data(a);
	if (d->i < NPROVIDERS) {
		prov_path(a, providers[d->i], "");
		if (act_call(a, "GET", d->path, API_PROVIDERS, NULL, prov_on_get) != 0)
			act_fail(a, "out of memory");
		return;
	}
	if (d->nunreg == 0 && d->nreg == 0) {
		act_done(a, "%zu of %zu registered", NPROVIDERS, NPROVIDERS);
		return;
	}
	if (d->nunreg == 0) {
		/* Registration was asked for before a restart: wait for it, nothing to send. */
		for (size_t i = 0; i < d->nreg; i++)
			d->unregistered[i] = d->registering[i];
		d->nunreg = d->nreg;
		d->nreg = 0;
		d->i = 0;
		d->deadline_ms = loop_now_ms() + REGISTER_TIMEOUT_MS;
		act_progress(a, "waiting for %s to be registered", d->unregistered[0]);
		if (act_after(a, REGISTER_POLL_MS, prov_poll) != 0)
			act_fail(a, "out of memory");
		return;
	}
	size_t o = (size_t)snprintf(d->q.text, sizeof d->q.text, "Register %zu resource provider%s in the subscription: ",
	                            d->nunreg, d->nunreg == 1 ? "" : "s");
	for (size_t i = 0; i < d->nunreg && o < sizeof d->q.text; i++)
		o += (size_t)snprintf(d->q.text + o, sizeof d->q.text - o, "%s%s", i ? ", " : "", d->unregistered[i]);
	if (o < sizeof d->q.text)
		snprintf(d->q.text + o, sizeof d->q.text - o, "? The later steps need them.");
	d->q.id = "register-providers";
	d->q.answer = "decisions.register_providers";
	d->q.choices = yes_no;
	d->q.nchoices = 2;
	act_ask(a, &d->q, prov_on_answer);
}

static void prov_on_register(const struct arm_result *r, void *arg);

static void prov_poll(struct act *a)
{
	struct providers_data *d = act_data(a);
	prov_path(a, d->unregistered[d->i], "");
	if (act_call(a, "GET", d->path, API_PROVIDERS, NULL, prov_on_register) != 0)
		act_fail(a, "out of memory");
}

static void prov_on_register(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct providers_data *d = act_data(a);
	if (r->error) {
		act_fail(a, "registering %s: %s", d->unregistered[d->i], r->error);
		return;
	}
	const char *st = sub_str(r->json, "registrationState");
	if (strcasecmp(st, "Registered") == 0) {
		act_info(a, "registered %s", d->unregistered[d->i]);
		d->i++;
		prov_register_next(a);
		return;
	}
	if (loop_now_ms() > d->deadline_ms) {
		act_fail(a, "registering %s: still %s after %ld minutes; try again later", d->unregistered[d->i], st,
		         REGISTER_TIMEOUT_MS / 60000);
		return;
	}
	if (act_after(a, REGISTER_POLL_MS, prov_poll) != 0)
		act_fail(a, "out of memory");
}

static void prov_register_next(struct act *a)
{
	struct providers_data *d = act_data(a);
	if (d->i >= d->nunreg) {
		act_done(a, "registered %zu", d->nunreg);
		return;
	}
	act_progress(a, "registering %s", d->unregistered[d->i]);
	d->deadline_ms = loop_now_ms() + REGISTER_TIMEOUT_MS;
	prov_path(a, d->unregistered[d->i], "/register");
	if (act_call(a, "POST", d->path, API_PROVIDERS, NULL, prov_on_register) != 0)
		act_fail(a, "out of memory");
}

static void prov_start(struct act *a)
{
	prov_next(a);
}

/* ---- permission to create role assignments ----
 * The 2022-04-01 specification has permissions calls for a resource group and a resource
 * only (authorization-RoleDefinitionsCalls.json); no group exists yet. So: the signed-in
 * identity's role assignments that apply at the subscription, groups included
 * ($filter=atScope() and assignedTo('{objectId}'), learn.microsoft.com "List Azure role
 * assignments using the REST API"), then each role's definition (RoleDefinitions_GetById). */

#define PERM_ROLES_MAX 32
#define PERM_ID_MAX 256

struct perm_data {
	char oid[64];                            /* the identity's object id (the token's oid claim) */
	char roles[PERM_ROLES_MAX][PERM_ID_MAX]; /* role definition ids to read */
	size_t nroles, next;
	char path[512];
};

static int perm_matches(const cJSON *list, const char *action)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		if (cJSON_IsString(it) && fnmatch(it->valuestring, action, FNM_CASEFOLD) == 0)
			return 1;
	}
	return 0;
}

static void perm_unknown(struct act *a, const char *what, const char *why)
{
	act_warn(a, "could not read %s (%s); granting the cluster pull access to the registry may fail if this identity "
	         "cannot create role assignments", what, why);
	act_done(a, "unknown");
}

static void perm_finish(struct act *a, int allowed)
{
	if (!allowed)
		act_warn(a, "this identity may not create role assignments (%s): granting the cluster pull access to the "
		         "registry will fail; ask an Owner or User Access Administrator of the subscription for that "
		         "role before then", ROLE_WRITE);
	act_done(a, "%s", allowed ? "may create role assignments" : "may NOT create role assignments");
}

static void perm_next_role(struct act *a);

static void perm_on_role(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct perm_data *d = act_data(a);
	if (r->error) {
		perm_unknown(a, "the role definitions of this identity", r->error);
		return;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "properties"),
	                                                        "permissions"))
	{
		if (perm_matches(cJSON_GetObjectItemCaseSensitive(it, "actions"), ROLE_WRITE) &&
		    !perm_matches(cJSON_GetObjectItemCaseSensitive(it, "notActions"), ROLE_WRITE)) {
			perm_finish(a, 1);
			return;
		}
	}
	d->next++;
	perm_next_role(a);
}

static void perm_next_role(struct act *a)
{
	struct perm_data *d = act_data(a);
	if (d->next >= d->nroles) {
		perm_finish(a, 0);
		return;
	}
	if (act_call(a, "GET", d->roles[d->next], API_AUTHORIZATION, NULL, perm_on_role) != 0)
		act_fail(a, "out of memory");
}

/* A role definition id as Azure gives it, usable as a path: [/subscriptions/S]/providers/
 * Microsoft.Authorization/roleDefinitions/GUID, nothing that could leave that path. */
static int perm_role_id_ok(const char *id)
{
	const char *tail = strcasestr(id, "/providers/Microsoft.Authorization/roleDefinitions/");
	return id[0] == '/' && tail && strlen(id) < PERM_ID_MAX && !strstr(id, "..") &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == strlen(id);
}

static void perm_on_assignments(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct perm_data *d = act_data(a);
	if (r->error) {
		perm_unknown(a, "this identity's role assignments", r->error);
		return;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r->json, "value"))
	{
		const char *id = sub_str(cJSON_GetObjectItemCaseSensitive(it, "properties"), "roleDefinitionId");
		size_t k = 0;
		while (k < d->nroles && strcasecmp(d->roles[k], id) != 0)
			k++;
		if (k == d->nroles && d->nroles < PERM_ROLES_MAX && perm_role_id_ok(id))
			snprintf(d->roles[d->nroles++], PERM_ID_MAX, "%s", id);
	}
	if (!sub_next_page(a, r->json, perm_on_assignments))
		perm_next_role(a);
}

/* The oid claim of an access token (a JWT: header.payload.signature, base64url). 0 or -1. */
static int perm_token_oid(const char *token, char *out, size_t outlen)
{
	const char *p = strchr(token, '.');
	const char *e = p ? strchr(p + 1, '.') : NULL;
	if (!e)
		return -1;
	size_t blen = (size_t)(e - p - 1), len = 0;
	unsigned char *bin = malloc(blen + 1);
	if (!bin || sodium_base642bin(bin, blen, p + 1, blen, NULL, &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		free(bin);
		return -1;
	}
	bin[len] = 0;
	cJSON *claims = cJSON_Parse((const char *)bin);
	sodium_memzero(bin, blen + 1);
	free(bin);
	const char *oid = sub_str(claims, "oid");
	int rc = *oid && strlen(oid) < outlen && strspn(oid, "0123456789abcdefABCDEF-") == strlen(oid) ? 0 : -1;
	if (rc == 0)
		snprintf(out, outlen, "%s", oid);
	cJSON_Delete(claims);
	return rc;
}

static void perm_on_token(const char *token, const char *error, void *arg)
{
	struct act *a = arg;
	struct perm_data *d = act_data(a);
	if (!token) {
		perm_unknown(a, "this identity's role assignments", error ? error : "no access token");
		return;
	}
	if (perm_token_oid(token, d->oid, sizeof d->oid) != 0) {
		perm_unknown(a, "this identity's role assignments", "the access token names no object id");
		return;
	}
	snprintf(d->path, sizeof d->path, "/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments?$filter="
	         "atScope()%%20and%%20assignedTo(%%27%s%%27)", act_answer(a, "subscription"), d->oid);
	if (act_call(a, "GET", d->path, API_AUTHORIZATION, NULL, perm_on_assignments) != 0)
		act_fail(a, "out of memory");
}

static void perm_start(struct act *a)
{
	auth_request(act_auth(a), AUTH_ARM, perm_on_token, a);
}

static void sign_in_describe(const struct answers *a, char *out, size_t outlen)
{
	const char *m = answers_get(a, plan_q("auth.method"));
	if (strcmp(m, "device-code") == 0)
		answers_expand(a, "sign in with a device code (tenant {auth.tenant}); keep the refresh token as "
		                  "<sealed:azure-refresh-token>", out, outlen, NULL, 0);
	else if (strcmp(m, "service-principal") == 0)
		answers_expand(a, "sign in as service principal {auth.client_id} in tenant {auth.tenant} with secret "
		                  "<sealed:azure-client-secret>", out, outlen, NULL, 0);
	else
		answers_expand(a, "sign in with the Azure CLI's login on this machine (tenant {auth.tenant})", out, outlen,
		               NULL, 0);
}

static const struct action_def actions[] = {
	{.key = "subscription.sign-in", .text = "sign in", .kind = ACTION_TASK, .expect_s = 2,
	 .start = sign_in_start, .stop = sign_in_stop, .describe = sign_in_describe},
	{.key = "subscription.select", .text = "select subscription {subscription} in {cloud}; uniq_id {uniq_id}",
	 .after = {"subscription.sign-in"}, .kind = ACTION_TASK, .expect_s = 1, .start = select_start_list,
	 .stop = select_stop, .data_size = sizeof(struct select_data)},
	{.key = "subscription.providers",
	 .text = "register resource providers Microsoft.Compute, Microsoft.Network, Microsoft.ContainerRegistry, "
	         "Microsoft.ContainerService (if not registered yet; asks first)",
	 .after = {"subscription.select"}, .kind = ACTION_TASK, .expect_s = 2, .start = prov_start,
	 .data_size = sizeof(struct providers_data)},
	{.key = "subscription.permissions",
	 .text = "check that the signed-in identity may create role assignments (the cluster's pull access to the "
	         "registry needs it)",
	 .after = {"subscription.select"}, .kind = ACTION_TASK, .expect_s = 1, .start = perm_start,
	 .stop = sign_in_stop, .data_size = sizeof(struct perm_data)},
};

static const struct plan_secret secrets[] = {
	{"azure-refresh-token", VAULT_KIND_TOKEN, "Entra ID refresh token from the device-code sign-in",
	 "auth.method=device-code", "the wizard signs in to Azure with it: without it the next sign-in asks for a new "
	 "device code"},
	{"azure-client-secret", VAULT_KIND_CLIENT_SECRET, "service principal secret to sign in with",
	 "auth.method=service-principal", "the service principal signs in to Azure with it: without it nothing reaches "
	 "Azure until it is given again (the install asks for it)"},
};

static const struct plan_question questions[] = {
	{.key = "cloud", .label = "Azure cloud",
	 .def_kind = PLAN_DEF_CLOUD, .validate = plan_validate_cloud,
	 .help = "Which Azure to sign in to; almost everyone wants AzureCloud (public Azure). With "
	         "--cloud FILE, the file's cloud.",
	 /* plan_cloud_choices(): the three built in and the --cloud file's */},
	{.key = "auth.method", .label = "Sign-in method",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "device-code", .validate = plan_validate_auth_method,
	 .help = "device-code works from any terminal, also over SSH. A service principal's secret "
	         "is asked for (masked) at F5 or when the install starts, and sealed in the vault at once.",
	 PLAN_CHOICES(plan_auth_choices)},
	{.key = "auth.tenant", .label = "Tenant",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "organizations", .validate = validate_tenant,
	 .help = "organizations: choose after signing in. A tenant GUID or domain goes straight "
	         "there (a service principal needs one)."},
	{.key = "auth.client_id", .label = "Client (application) id",
	 .def_kind = PLAN_DEF_TEMPLATE, .def = "04b07795-8ddb-461a-bbee-02f9e1bf7b46", .validate = validate_guid,
	 .help = "The default is the Azure CLI's public client id; a service principal uses its "
	         "own application id."},
	{.key = "subscription", .label = "Subscription id",
	 .def_kind = PLAN_DEF_REQUIRED, .validate = validate_guid,
	 .help = "The subscription that pays for everything (`az account list -o table`)."},
	{.key = "location", .label = "Region",
	 .def_kind = PLAN_DEF_REGION, .validate = plan_validate_location,
	 .help = "One region for every resource, of the cloud above (F4 lists them; a cloud the wizard "
	         "does not know takes the name as typed). The aks step checks that the GPU size is offered "
	         "there and that your quota covers it before creating anything.",
	 /* plan_cloud_regions(): the cloud's own */},
	{.key = "uniq_id", .label = "Unique id",
	 .def_kind = PLAN_DEF_UNIQID, .validate = validate_uniq_id,
	 .help = "Part of every resource name so installs do not collide. Derived as in the 2020 "
	         "guide (md5 of the subscription id and this host's multicast addresses), so the "
	         "same host gives the same names."},
	{.key = "decisions.register_providers", .label = "Register resource providers",
	 .def_kind = PLAN_DEF_NONE,
	 .help = "yes: register the resource providers the install needs when the subscription has "
	         "not yet (a one-time, free change of the subscription).",
	 PLAN_CHOICES(plan_yes_no),
	 .decision = 1},
};

const struct step_def step_subscription = {
	.plan = {.key = "subscription", .title = "Subscription", .questions = questions,
	         .nquestions = sizeof questions / sizeof questions[0]},
	.actions = actions, .nactions = sizeof actions / sizeof actions[0],
	.secrets = secrets, .nsecrets = sizeof secrets / sizeof secrets[0],
	.sign_in = &steps_sign_in_action,
};
