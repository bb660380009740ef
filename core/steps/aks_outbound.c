/* The runner's path to the VMs: the runner pods reach RabbitMQ (AMQP and the management API)
 * and Minio on the VMs' public IPs, and Azure sees them come from the cluster's outbound IPs
 * (the load balancer's effective outbound public IPs, doc/azure-network.md). Those IPs are
 * known only once the cluster exists, so this file reads them (aks.outbound) and adds one
 * security rule to each VM's security group admitting exactly them on exactly the ports the
 * runner uses, whatever allowed_sources says: narrowing the sources must not cut the runner off.
 * The rules belong to the aks step: they exist because of the cluster and name its addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/model/validate.h"
#include "core/steps/aks_int.h"

#define OUTBOUND_MAX 8

struct outbound_data {
	char ids[OUTBOUND_MAX][512];
	int n, next;
	char ips[OUTBOUND_MAX * 16 + 8];
};
_Static_assert(sizeof(struct outbound_data) <= AKS_OUTBOUND_DATA_SIZE, "AKS_OUTBOUND_DATA_SIZE too small");

static void outbound_next(struct act *a);

static void outbound_on_ip(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct outbound_data *d = act_data(a);
	char why[128];
	if (r->error) {
		act_fail(a, "reading the cluster's outbound IP %s: %s", d->ids[d->next], r->error);
		return;
	}
	const char *ip = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "properties"), "ipAddress"));
	if (!ip || validate_ipv4(ip, why, sizeof why) != 0) {
		act_fail(a, "the cluster's outbound IP %s has no IPv4 address yet", d->ids[d->next]);
		return;
	}
	size_t o = strlen(d->ips);
	snprintf(d->ips + o, sizeof d->ips - o, "%s%s", o ? "," : "", ip);
	d->next++;
	outbound_next(a);
}

static void outbound_next(struct act *a)
{
	struct outbound_data *d = act_data(a);
	if (d->next < d->n) {
		if (act_call(a, "GET", d->ids[d->next], API_NETWORK, NULL, outbound_on_ip) != 0)
			act_fail(a, "out of memory");
		return;
	}
	if (act_output_set(a, "aks.outbound_ips", d->ips) != 0) {
		act_fail(a, "cannot save the state");
		return;
	}
	act_done(a, "%s", d->ips);
}

/* An id Azure gave as a public IP of this subscription: only then is it fetched. */
static int outbound_id_ok(const struct act *a, const char *id)
{
	char want[128];
	snprintf(want, sizeof want, "/subscriptions/%s/resourcegroups/", act_answer(a, "subscription"));
	if (strncasecmp(id, want, strlen(want)) != 0 || strlen(id) >= 512 || strstr(id, "..") ||
	    strpbrk(id, "?#%\\ \"'") || !strstr(id, "/providers/Microsoft.Network/publicIPAddresses/"))
		return 0;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return 0;
	return 1;
}

static void outbound_on_cluster(const struct arm_result *r, void *arg)
{
	struct act *a = arg;
	struct outbound_data *d = act_data(a);
	if (r->error) {
		act_fail(a, "reading cluster %s: %s", act_answer(a, "aks.name"), r->error);
		return;
	}
	const cJSON *net = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->json, "properties"),
	                                                    "networkProfile");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(net, "outboundType"));
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(net, "loadBalancerProfile"),
	                                                    "effectiveOutboundIPs");
	const cJSON *it;
	cJSON_ArrayForEach(it, ids)
	{
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
		if (!id || !outbound_id_ok(a, id)) {
			act_fail(a, "cluster %s: an effective outbound IP is not a public IP of this subscription",
			         act_answer(a, "aks.name"));
			return;
		}
		if (d->n == OUTBOUND_MAX) {
			act_fail(a, "cluster %s has more than %d outbound IPs", act_answer(a, "aks.name"), OUTBOUND_MAX);
			return;
		}
		snprintf(d->ids[d->n++], sizeof d->ids[0], "%s", id);
	}
	if (d->n == 0) {
		act_fail(a, "cluster %s reports no effective outbound IP (outbound type %s): the VMs' security groups "
		         "cannot admit the runner; see doc/azure-network.md", act_answer(a, "aks.name"), type ? type : "unknown");
		return;
	}
	outbound_next(a);
}

void aks_outbound_start(struct act *a)
{
	char path[600];
	if (answers_expand(act_answers(a), AKS_CLUSTER_PATH, path, sizeof path, NULL, 0) != 0 ||
	    act_call(a, "GET", path, API_AKS, NULL, outbound_on_cluster) != 0)
		act_fail(a, "out of memory");
}

/* ---- the security rules ---- */

static cJSON *rule_body(struct act *a, const int *ports, size_t nports, char *err, size_t errlen)
{
	const char *ips = act_output(a, "aks.outbound_ips");
	if (!ips || !*ips) {
		snprintf(err, errlen, "the cluster's outbound IPs are not known (aks.outbound)");
		return NULL;
	}
	cJSON *o = cJSON_CreateObject(), *p = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddStringToObject(p, "description", "studio-wizard: the runner pods in the AKS cluster");
	cJSON_AddStringToObject(p, "protocol", "Tcp");
	cJSON_AddStringToObject(p, "access", "Allow");
	cJSON_AddStringToObject(p, "direction", "Inbound");
	cJSON_AddNumberToObject(p, "priority", AKS_RUNNER_RULE_PRIORITY);
	cJSON_AddStringToObject(p, "sourcePortRange", "*");
	cJSON_AddStringToObject(p, "destinationAddressPrefix", "*");
	cJSON *src = cJSON_AddArrayToObject(p, "sourceAddressPrefixes");
	for (const char *s = ips; *s;) {
		size_t n = strcspn(s, ",");
		char one[16];
		snprintf(one, sizeof one, "%.*s", (int)(n < 15 ? n : 15), s);
		cJSON_AddItemToArray(src, cJSON_CreateString(one));
		s += n + (s[n] == ',');
	}
	cJSON *dst = cJSON_AddArrayToObject(p, "destinationPortRanges");
	for (size_t i = 0; i < nports; i++) {
		char port[16];
		snprintf(port, sizeof port, "%d", ports[i]);
		cJSON_AddItemToArray(dst, cJSON_CreateString(port));
	}
	return o;
}

cJSON *aks_rule_rabbitmq_body(struct act *a, char *err, size_t errlen)
{
	int amqp = atoi(act_answer(a, "rabbitmq.amqp_port"));
	/* The runner finds queues through the management API at the AMQP port + 10000. */
	int ports[] = {amqp, amqp + 10000};
	return rule_body(a, ports, 2, err, errlen);
}

cJSON *aks_rule_minio_body(struct act *a, char *err, size_t errlen)
{
	int ports[] = {atoi(act_answer(a, "minio.port"))};
	return rule_body(a, ports, 1, err, errlen);
}

int aks_rule_created(struct act *a, const cJSON *res, char *err, size_t errlen)
{
	const char *ips = act_output(a, "aks.outbound_ips");
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(res, "properties"),
	                                                    "sourceAddressPrefixes");
	for (const char *s = ips ? ips : ""; *s;) {
		size_t n = strcspn(s, ",");
		int found = 0;
		const cJSON *it;
		cJSON_ArrayForEach(it, src)
		{
			const char *v = cJSON_GetStringValue(it);
			found |= v && strlen(v) == n && strncmp(v, s, n) == 0;
		}
		if (!found) {
			snprintf(err, errlen, "security rule " AKS_RUNNER_RULE_NAME " exists and does not admit the cluster's "
			         "outbound IP %.*s (left by an earlier cluster?): delete the rule and run the wizard again", (int)n, s);
			return -1;
		}
		s += n + (s[n] == ',');
	}
	return 0;
}
