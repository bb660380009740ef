/* ARM error answers as one line an operator can act on; checkNameAvailability answers. */
#include "core/azure/arm.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* code, label, what the operator can do */
#define ARM_ERRORS(X)                                                                                     \
	X("QuotaExceeded", "quota exceeded",                                                                  \
	  "request more quota (Azure portal: Quotas) or choose a smaller size or another region")             \
	X("OperationNotAllowed", "operation not allowed",                                                     \
	  "if this is about quota, request more (Azure portal: Quotas) or choose a smaller size or region")  \
	X("AlreadyExists", "name already taken", "choose another name in the answers")                       \
	X("StorageAccountAlreadyTaken", "name already taken",                                                 \
	  "storage account names are global: choose another one in the answers")                             \
	X("AlreadyInUse", "name already taken", "registry names are global: choose another acr.name")        \
	X("SkuNotAvailable", "size not available",                                                            \
	  "this size is not offered to this subscription in this region: choose another size or region")      \
	X("MarketplacePurchaseEligibilityFailed", "marketplace terms not accepted",                           \
	  "accept the image's marketplace terms for this subscription (az vm image terms accept --urn ...)")  \
	X("ResourcePurchaseValidationFailed", "marketplace terms not accepted",                               \
	  "accept the image's marketplace terms for this subscription (az vm image terms accept --urn ...)")  \
	X("AuthorizationFailed", "not authorized",                                                            \
	  "ask an Owner of the subscription for the Contributor role (User Access Administrator for role "    \
	  "assignments); new grants can take a few minutes to apply")                                         \
	X("InvalidParameter", "invalid parameter", "correct the answer this parameter comes from")            \
	X("AllocationFailed", "no capacity", "try another size or region, or try again later")               \
	X("MissingSubscriptionRegistration", "resource provider not registered",                              \
	  "register the provider (the Subscription step does this)")                                          \
	X("SubscriptionNotFound", "subscription not found",                                                   \
	  "check `subscription` in the answers and that this identity can see it")                            \
	X("InvalidAuthenticationToken", "sign-in not accepted", "sign in again")                              \
	X("ExpiredAuthenticationToken", "sign-in expired", "sign in again")                                   \
	X("ResourceGroupNotFound", "resource group not found", "run the Subscription step again")

struct arm_error_row {
	const char *code, *label, *hint;
};
#define ARM_ROW_(c, l, h) {c, l, h},
static const struct arm_error_row arm_errors[] = {ARM_ERRORS(ARM_ROW_)};
#undef ARM_ROW_

void arm_error_message(long status, const char *body, char *code, size_t codelen, char *msg, size_t msglen)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (!cJSON_IsObject(e))
		e = j;   /* AKS answers without the wrapper */
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "target");
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(e, "details");
	const char *cs = cJSON_IsString(c) ? c->valuestring : "";
	const char *ms = cJSON_IsString(m) ? m->valuestring : "";
	snprintf(code, codelen, "%s", cs);
	/* A generic top level often hides the real cause in details[0]. */
	const cJSON *d0 = cJSON_IsArray(details) ? cJSON_GetArrayItem(details, 0) : NULL;
	const cJSON *dc = cJSON_GetObjectItemCaseSensitive(d0, "code");
	const cJSON *dm = cJSON_GetObjectItemCaseSensitive(d0, "message");
	const struct arm_error_row *row = NULL;
	for (size_t i = 0; i < sizeof arm_errors / sizeof arm_errors[0]; i++)
		if (strcasecmp(cs, arm_errors[i].code) == 0)
			row = &arm_errors[i];
	if (!row && cJSON_IsString(dc)) {
		for (size_t i = 0; i < sizeof arm_errors / sizeof arm_errors[0]; i++)
			if (strcasecmp(dc->valuestring, arm_errors[i].code) == 0)
				row = &arm_errors[i];
	}
	char detail[600] = "";
	if (cJSON_IsString(dm) && strcmp(dm->valuestring, ms) != 0)
		snprintf(detail, sizeof detail, " (%s%s%s)", cJSON_IsString(dc) ? dc->valuestring : "",
		         cJSON_IsString(dc) ? ": " : "", dm->valuestring);
	if (!*cs && !*ms) {
		snprintf(msg, msglen, "HTTP %ld without an ARM error body", status);
	} else if (row) {
		const char *label = row->label;
		if (strcasecmp(row->code, "OperationNotAllowed") == 0 && strcasestr(ms, "quota"))
			label = "quota exceeded";
		if (strcasecmp(row->code, "InvalidParameter") == 0 && cJSON_IsString(t))
			snprintf(msg, msglen, "%s '%s': %s%s [%s] - %s", label, t->valuestring, ms, detail, cs, row->hint);
		else
			snprintf(msg, msglen, "%s: %s%s [%s] - %s", label, ms, detail, cs, row->hint);
	} else {
		snprintf(msg, msglen, "%s%s [%s, HTTP %ld]", ms, detail, *cs ? cs : "no code", status);
	}
	cJSON_Delete(j);
}

int arm_name_available(const cJSON *body, const char *name, char *why, size_t whylen)
{
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(body, "nameAvailable");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(body, "reason");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(body, "message");
	if (!cJSON_IsBool(ok))
		return -1;
	if (cJSON_IsTrue(ok))
		return 1;
	snprintf(why, whylen, "name already taken: '%s': %s [%s] - choose another name in the answers", name,
	         cJSON_IsString(m) ? m->valuestring : "not available",
	         cJSON_IsString(reason) ? reason->valuestring : "unavailable");
	return 0;
}
