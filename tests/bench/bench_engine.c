/* tests/bench/bench_engine.c: the whole test install (tests/unit/engine_table.h) on the fake
 * cloud with Azure's durations scaled down (AKS 6 s, VMs 2 s, everything else 0.5 s).
 * Prints the run's wall time against the critical path of the actions' own measured
 * durations along the table's dependencies (what a perfect scheduler would take), and how
 * soon after the subscription step the cluster create reached the cloud. Asserts nothing. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/log.h"
#include "tests/unit/engine_run.h"
#include "tests/unit/engine_table.h"
#include "tests/unit/testutil.h"

#define SCRIPT                                                                                     \
	"{\"lro_seconds\": 0.5, \"import_seconds\": 0.5, \"retry_after\": 0, "                     \
	"\"lro_seconds_by_type\": {\"managedClusters\": 6, \"virtualMachines\": 2}}"

int main(void)
{
	char err[1024], key[4200], cluster[512];
	struct fakecloud fake;
	struct et_run r;
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
	int rc = 1;
	if (et_run_open(&r, &fake, &engine_table, "bench-engine-run", key, 1, err, sizeof err) != 0) {
		fprintf(stderr, "bench_engine: %s\n", err);
		goto out;
	}
	int ok = et_run_all(&r) == 0;
	cJSON *reqs = fakecloud_requests(&fake);
	if (!ok || !reqs || et_check_plan_put_once(&r, reqs, err, sizeof err) != 0) {
		fprintf(stderr, "bench_engine: the install went wrong: %s\n", ok ? err : r.finished);
		cJSON_Delete(reqs);
		et_run_close(&r);
		goto out;
	}
	double w = (double)(r.t1 - r.t0) / 1000.0, sub_end = 0;
	char chain[1024];
	double c = et_critical_path(&engine_table, &r.ans, r.st, chain, sizeof chain);
	const cJSON *rec;
	cJSON_ArrayForEach(rec, r.st->actions)
	{
		double f = et_action_num(r.st, rec->string, "finished_ms");
		if (strncmp(rec->string, "subscription.", 13) == 0 && f > sub_end)
			sub_end = f;
	}
	et_plan_id(&engine_table, &r.ans, "aks.cluster", cluster, sizeof cluster);
	double put = et_first_ms(reqs, "PUT", cluster);
	printf("install: wall %.2f s, critical path %.2f s, ratio %.3f\n", w, c, c > 0 ? w / c : 0);
	printf("cluster create started %.2f s after the subscription step ended\n", (put - sub_end) / 1000.0);
	printf("critical path: %s\n", chain);
	cJSON_Delete(reqs);
	et_run_close(&r);
	rc = 0;
out:
	log_close();
	fakecloud_stop(&fake);
	test_rmrf(home);
	test_rmrf(dir);
	free(home);
	free(dir);
	return rc;
}
