/* tests/bench/bench_engine.c: the whole test install (tests/unit/engine_table.h) on the fake
 * cloud with Azure's durations scaled down (AKS 6 s, VMs 2 s, everything else 0.5 s).
 * Prints the run's wall time against the critical path of the actions' own measured
 * durations along the table's dependencies (what a perfect scheduler would take), and how
 * soon after the subscription step the cluster create reached the cloud. Asserts nothing. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine/engine.h"
#include "core/sys/log.h"
#include "secrets/vault.h"
#include "tests/unit/engine_table.h"
#include "tests/unit/fakecloud_child.h"
#include "tests/unit/testutil.h"

#define PASS "passphrase-for-bench"
#define SCRIPT                                                                                     \
	"{\"lro_seconds\": 0.5, \"import_seconds\": 0.5, \"retry_after\": 0, "                     \
	"\"lro_seconds_by_type\": {\"managedClusters\": 6, \"virtualMachines\": 2}}"

static double latest_finish(const struct state *st, const char *prefix)
{
	double end = 0;
	const cJSON *rec;
	cJSON_ArrayForEach(rec, st->actions)
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(rec, "finished_ms");
		if (strncmp(rec->string, prefix, strlen(prefix)) == 0 && cJSON_IsNumber(f) && f->valuedouble > end)
			end = f->valuedouble;
	}
	return end;
}

/* The fake's time of the first PUT of path, on loop_now_ms()'s clock; -1 when none. */
static double first_put_ms(const struct fakecloud *f, const char *path)
{
	cJSON *reqs = fakecloud_requests(f);
	double t = -1;
	const cJSON *it;
	cJSON_ArrayForEach(it, reqs)
	{
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "method");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		if (cJSON_IsString(m) && strcmp(m->valuestring, "PUT") == 0 && cJSON_IsString(p) &&
		    strcasecmp(p->valuestring, path) == 0) {
			t = cJSON_GetObjectItemCaseSensitive(it, "time")->valuedouble * 1000.0 + et_clock_offset_ms();
			break;
		}
	}
	cJSON_Delete(reqs);
	return t;
}

int main(void)
{
	char err[512], key[4200], cluster[512] = "";
	struct fakecloud fake;
	if (sodium_init() < 0)
		return 1;
	char *dir = test_mkdtemp("bench-engine");
	char *home = test_home_with_ssh_key("bench-engine-home");
	if (!home || fakecloud_start(&fake, dir) != 0) {
		fprintf(stderr, "bench_engine: cannot start the fake cloud\n");
		return 1;
	}
	fakecloud_reset(&fake, SCRIPT);
	snprintf(key, sizeof key, "%s/.ssh/id_ed25519.pub", home);
	snprintf(err, sizeof err, "%s/wizard.log", dir);
	log_open(err);

	struct answers ans;
	struct state *st = NULL;
	vault *v = NULL;
	int rc = 1;
	if (et_answers(&ans, key, 1, err, sizeof err) != 0 ||
	    vault_create(dir, PASS, strlen(PASS), VAULT_KDF_INTERACTIVE, &v, err, sizeof err) != VAULT_OK ||
	    vault_put(v, AUTH_SECRET_ENTRY, VAULT_KIND_CLIENT_SECRET, "manual", "fake-secret-0001", 16) != VAULT_OK ||
	    state_load(dir, "default", &st, err, sizeof err) != STATE_OK) {
		fprintf(stderr, "bench_engine: %s\n", err);
		goto out;
	}
	struct engine_config cfg = {.cloud = &fake.cloud, .answers = &ans, .st = st, .state_dir = dir, .vault = v,
	                            .headless = 1, .table = &engine_table};
	struct engine *e = engine_new(&cfg, err, sizeof err);
	long long t0 = loop_now_ms();
	if (!e || engine_start(e, STEP_AKS, err, sizeof err) != 0) {
		fprintf(stderr, "bench_engine: %s\n", err);
		engine_free(e);
		goto out;
	}
	int ok = engine_run(e) == 0;
	double w = (double)(loop_now_ms() - t0) / 1000.0;
	engine_free(e);
	if (!ok) {
		fprintf(stderr, "bench_engine: the install failed (see %s/wizard.log)\n", dir);
		goto out;
	}
	char chain[1024];
	double c = et_critical_path(&engine_table, &ans, st, chain, sizeof chain);
	for (size_t i = 0; i < engine_table.steps[STEP_AKS]->nactions; i++)
		if (strcmp(engine_table.steps[STEP_AKS]->actions[i].key, "aks.cluster") == 0)
			answers_expand(&ans, engine_table.steps[STEP_AKS]->actions[i].path, cluster, sizeof cluster, NULL, 0);
	double put = first_put_ms(&fake, cluster);
	double sub_end = latest_finish(st, "subscription.");
	printf("install: wall %.2f s, critical path %.2f s, ratio %.3f\n", w, c, c > 0 ? w / c : 0);
	printf("cluster create started %.2f s after the subscription step ended\n", (put - sub_end) / 1000.0);
	printf("critical path: %s\n", chain);
	rc = 0;
out:
	state_free(st);
	vault_close(v);
	answers_free(&ans);
	log_close();
	fakecloud_stop(&fake);
	test_rmrf(home);
	test_rmrf(dir);
	free(home);
	free(dir);
	return rc;
}
