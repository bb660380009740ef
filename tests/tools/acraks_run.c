/* acraks_run: `studio-wizard run` for the subscription, acr and aks steps alone, for their
 * tests while the rabbitmq and minio steps are being built elsewhere (their places in the
 * table are empty steps). Same profile lock, vault, state and output lines as `run`.
 *   acraks_run --state-dir DIR --passphrase-fd N --answers FILE --cloud FILE [--until acr|aks] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/azure/cloud.h"
#include "core/engine/engine.h"
#include "core/model/answers.h"
#include "core/steps/steps.h"
#include "core/sys/log.h"
#include "secrets/vault.h"
#include "tests/unit/testutil.h"

/* The VM steps' questions without their actions (built in main). */
static struct step_def empty_rabbitmq, empty_minio;

/* The aks step without the actions that wait for the VMs' security groups (the rules admitting
 * the cluster's outbound IPs: tests/cli/test_install*.sh run them). */
static struct action_def aks_actions[16];
static struct step_def aks_alone;

static const struct step_def *aks_without_vms(void)
{
	aks_alone = step_aks;
	aks_alone.nactions = 0;
	for (size_t i = 0; i < step_aks.nactions && aks_alone.nactions < sizeof aks_actions / sizeof *aks_actions; i++) {
		int vms = 0;
		for (size_t j = 0; j < ACTION_AFTER_MAX && step_aks.actions[i].after[j]; j++)
			vms |= !strncmp(step_aks.actions[i].after[j], "rabbitmq", 8) || !strncmp(step_aks.actions[i].after[j], "minio", 5);
		if (!vms)
			aks_actions[aks_alone.nactions++] = step_aks.actions[i];
	}
	aks_alone.actions = aks_actions;
	return &aks_alone;
}

static void on_event(const struct engine_event *ev, void *arg)
{
	(void)arg;
	const char *step = plan_step_key(ev->step);
	switch (ev->kind) {
	case ENGINE_EV_ACTION_END:
		if (ev->ok)
			printf("%s: %s ... %s (%.0f s)\n", step, ev->text, ev->detail, ev->seconds);
		else
			printf("%s: %s ... failed: %s (%.0f s)\n", step, ev->text, ev->detail, ev->seconds);
		break;
	case ENGINE_EV_ACTION_START:
		printf("%s: start %s\n", step, ev->action);
		break;
	case ENGINE_EV_INFO:
		printf("%s: %s\n", step, ev->text);
		break;
	case ENGINE_EV_WARNING:
		printf("%s: warning: %s\n", step, ev->text);
		break;
	case ENGINE_EV_STEP_FAILED:
		printf("%s: failed\n", step);
		fprintf(stderr, "acraks_run: %s: %s\n", step, ev->text);
		break;
	case ENGINE_EV_FINISHED:
		printf("install: %s\n", ev->text);
		break;
	default:
		break;
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	test_use_steps();
	struct cli_opts o;
	memset(&o, 0, sizeof o);
	o.pass_fd = -1;
	const char *until_s = "aks";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--state-dir") == 0)
			o.state_dir = argv[i + 1];
		else if (strcmp(argv[i], "--passphrase-fd") == 0)
			o.pass_fd = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--answers") == 0)
			o.answers = argv[i + 1];
		else if (strcmp(argv[i], "--cloud") == 0)
			o.cloud_file = argv[i + 1];
		else if (strcmp(argv[i], "--until") == 0)
			until_s = argv[i + 1];
	}
	if (!o.state_dir || !o.answers || !o.cloud_file || o.pass_fd < 0) {
		fprintf(stderr, "usage: acraks_run --state-dir DIR --passphrase-fd N --answers FILE --cloud FILE "
		                "[--until acr|aks]\n");
		return 2;
	}
	char err[2048], path[4200];
	struct profile p;
	int busy = 0;
	if (profile_resolve(&p, "default", o.state_dir, err, sizeof err) != 0 || profile_prepare(&p, err, sizeof err) != 0 ||
	    profile_lock(&p, &busy, err, sizeof err) != 0) {
		fprintf(stderr, "acraks_run: %s\n", err);
		return 1;
	}
	if (profile_file(&p, "wizard.log", path, sizeof path) == 0)
		log_open(path);
	struct state *st = NULL;
	struct answers a;
	struct cloud cloud;
	answers_init(&a);
	if (state_load(p.dir, p.name, &st, err, sizeof err) != STATE_OK ||
	    answers_load(&a, o.answers, err, sizeof err) != ANSWERS_OK || answers_complete(&a, err, sizeof err) != ANSWERS_OK ||
	    cloud_load_file(o.cloud_file, &cloud, err, sizeof err) != 0) {
		fprintf(stderr, "acraks_run: %s\n", err);
		answers_free(&a);
		state_free(st);
		return 2;
	}
	vault *v = NULL;
	if (cli_vault_open(&o, &p, st, 1, &v) != 0)
		return 3;
	cJSON *aj = answers_to_json(&a);
	if (aj) {
		cJSON_Delete(st->answers);
		st->answers = aj;
	}
	empty_rabbitmq = (struct step_def){.plan = step_rabbitmq.plan};
	empty_minio = (struct step_def){.plan = step_minio.plan};
	const struct step_def *steps[] = {&step_subscription, &empty_rabbitmq, &empty_minio, &step_acr, aks_without_vms()};
	struct step_table table = {steps, sizeof steps / sizeof steps[0]};
	struct engine_config cfg = {.cloud = &cloud, .answers = &a, .st = st, .state_dir = p.dir, .vault = v,
	                            .headless = 1, .on_event = on_event, .table = &table, .poll_ms = 200};
	struct engine *e = engine_new(&cfg, err, sizeof err);
	if (!e || engine_start(e, (step_id)plan_step_parse(until_s), err, sizeof err) != 0) {
		fprintf(stderr, "acraks_run: %s\n", err);
		return 1;
	}
	int ok = engine_run(e) == 0;
	engine_free(e);
	vault_close(v);
	answers_free(&a);
	state_free(st);
	log_close();
	profile_unlock(&p);
	return ok ? 0 : 1;
}
