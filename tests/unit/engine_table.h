/* tests/unit/engine_table.h: a small synthetic step graph for the engine's own tests
 * (header-only; include once per program). The real install's table is tested through the
 * real steps (tests/cli/test_install_e2e.sh, `make bench`); this one only has to exercise the
 * scheduler: after-dependencies within and across steps, one resource named by two steps
 * (made once), independent chains of different lengths, a join, and a question.
 *
 *   subscription  the real step (core/steps/subscription.c): signs in; asks about providers
 *   front         group, public IP (output front.public_ip) and NSG, both after the group
 *   back          group (the same name as front's by default: made once), its own IP
 *   slow          its own group, a virtual network (the long one: "usually 7 min"), and an NSG
 *                 that joins the network and back's IP (its line from describe(), not text)
 *
 * Bodies are minimal but pass tests/fake/fakecloud.py's strict checks (location, api-versions). */
#ifndef SW_ENGINE_TABLE_H
#define SW_ENGINE_TABLE_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/engine/step.h"
#include "core/model/validate.h"
#include "core/steps/steps.h"

#define ET_ID(step, type, suffix) \
	"/subscriptions/{subscription}/resourceGroups/{" step ".group}/providers/Microsoft.Network/" type "/{" step \
	".name}" suffix

static cJSON *et_located(struct act *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "location", act_answer(a, "location"));
	return o;
}

static cJSON *et_ip_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "sku"), "name", "Standard");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "properties"), "publicIPAllocationMethod", "Static");
	return o;
}

static int et_ip_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const cJSON *ip = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "properties"),
	                                                   "ipAddress");
	if (!cJSON_IsString(ip)) {
		snprintf(err, errlen, "the public IP has no ipAddress");
		return -1;
	}
	return strcmp(act_key(a), "front.ip") == 0 ? act_output_set(a, "front.public_ip", ip->valuestring) : 0;
}

static cJSON *et_vnet_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON *p = cJSON_AddObjectToObject(o, "properties");
	cJSON *prefixes = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "addressSpace"), "addressPrefixes");
	cJSON_AddItemToArray(prefixes, cJSON_CreateString("10.0.0.0/16"));
	cJSON *subnet = cJSON_CreateObject();
	cJSON_AddStringToObject(subnet, "name", "default");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(subnet, "properties"), "addressPrefix", "10.0.0.0/24");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(p, "subnets"), subnet);
	return o;
}

static cJSON *et_nsg_body(struct act *a, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	cJSON *o = et_located(a);
	cJSON *rule = cJSON_CreateObject();
	cJSON_AddStringToObject(rule, "name", "ssh");
	cJSON *rp = cJSON_AddObjectToObject(rule, "properties");
	cJSON_AddStringToObject(rp, "protocol", "Tcp");
	cJSON_AddStringToObject(rp, "sourcePortRange", "*");
	cJSON_AddStringToObject(rp, "destinationPortRange", "22");
	cJSON_AddStringToObject(rp, "sourceAddressPrefix", "*");
	cJSON_AddStringToObject(rp, "destinationAddressPrefix", "*");
	cJSON_AddStringToObject(rp, "access", "Allow");
	cJSON_AddNumberToObject(rp, "priority", 100);
	cJSON_AddStringToObject(rp, "direction", "Inbound");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "properties"), "securityRules"), rule);
	return o;
}

#define ET_GROUP(step, after_)                                                                                 \
	{.key = step ".group", .text = "create resource group {" step ".group}", .after = {after_},                \
	 .kind = ACTION_RESOURCE, .expect_s = 2, .type = "Microsoft.Resources/resourceGroups",                     \
	 .path = "/subscriptions/{subscription}/resourceGroups/{" step ".group}", .api = API_GROUPS,               \
	 .body = steps_location_body, .use_existing = 1}
#define ET_IP(step)                                                                                            \
	{.key = step ".ip", .text = "create public IP {" step ".name}-ip", .after = {step ".group"},               \
	 .kind = ACTION_RESOURCE, .expect_s = 5, .type = "Microsoft.Network/publicIPAddresses",                    \
	 .path = ET_ID(step, "publicIPAddresses", "-ip"), .api = API_NETWORK, .body = et_ip_body,                 \
	 .created = et_ip_created}
#define ET_NSG(step, ...)                                                                                      \
	{.key = step ".nsg", .text = "create network security group {" step ".name}-nsg", .after = {__VA_ARGS__},  \
	 .kind = ACTION_RESOURCE, .expect_s = 5, .type = "Microsoft.Network/networkSecurityGroups",                \
	 .path = ET_ID(step, "networkSecurityGroups", "-nsg"), .api = API_NETWORK, .body = et_nsg_body}
#define ET_QUESTIONS(step, group_def, name_def)                                                                \
	{.key = step ".group", .label = "Resource group", .def_kind = PLAN_DEF_TEMPLATE, .def = group_def,         \
	 .validate = validate_resource_group, .help = ""},                                                          \
	{.key = step ".name", .label = "Name", .def_kind = PLAN_DEF_TEMPLATE, .def = name_def,                     \
	 .validate = validate_vm_name, .help = ""}

static const struct plan_question et_front_q[] = {ET_QUESTIONS("front", "et-{uniq_id}", "front")};
static const struct plan_question et_back_q[] = {ET_QUESTIONS("back", "{front.group}", "back")};
static const struct plan_question et_slow_q[] = {ET_QUESTIONS("slow", "et-slow-{uniq_id}", "slow")};

/* A line a template cannot say (a choice among answers): the plan and the install show it alike. */
static void et_join_describe(const struct answers *a, char *out, size_t outlen)
{
	const char *g = answers_get(a, plan_q("back.group")), *f = answers_get(a, plan_q("front.group"));
	snprintf(out, outlen, "create network security group %s-nsg (back's group is %s)",
	         answers_get(a, plan_q("slow.name")), g && f && strcmp(g, f) == 0 ? "front's" : "its own");
}

static const struct action_def et_front_a[] = {
	ET_GROUP("front", "subscription"),
	ET_IP("front"),
	ET_NSG("front", "front.group"),
};
static const struct action_def et_back_a[] = {
	ET_GROUP("back", "subscription"),
	ET_IP("back"),
};
static const struct action_def et_slow_a[] = {
	ET_GROUP("slow", "subscription"),
	{.key = "slow.net", .text = "create virtual network {slow.name}-vnet", .after = {"slow.group"},
	 .kind = ACTION_RESOURCE, .expect_s = 420, .type = "Microsoft.Network/virtualNetworks",
	 .path = ET_ID("slow", "virtualNetworks", "-vnet"), .api = API_NETWORK, .body = et_vnet_body},
	{.key = "slow.nsg", .text = "create network security group {slow.name}-nsg", .after = {"slow.net", "back.ip"},
	 .kind = ACTION_RESOURCE, .expect_s = 5, .type = "Microsoft.Network/networkSecurityGroups",
	 .path = ET_ID("slow", "networkSecurityGroups", "-nsg"), .api = API_NETWORK, .body = et_nsg_body,
	 .describe = et_join_describe},
};
static const struct step_output et_front_out[] = {{"front.public_ip", "public IP"}};

#define ET_STEP(sym, key_, title_, q, acts, ...)                                                               \
	static const struct step_def sym = {                                                                        \
		.plan = {.key = key_, .title = title_, .questions = q, .nquestions = sizeof q / sizeof q[0]},           \
		.actions = acts, .nactions = sizeof acts / sizeof acts[0], __VA_ARGS__}
ET_STEP(et_front, "front", "Front", et_front_q, et_front_a, .outputs = et_front_out, .noutputs = 1);
ET_STEP(et_back, "back", "Back", et_back_q, et_back_a, .noutputs = 0);
ET_STEP(et_slow, "slow", "Slow", et_slow_q, et_slow_a, .noutputs = 0);

static const struct step_def *const et_steps[] = {&step_subscription, &et_front, &et_back, &et_slow};
static const struct step_table engine_table = {et_steps, sizeof et_steps / sizeof et_steps[0]};

#endif
