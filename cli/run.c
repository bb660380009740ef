/* The headless run: answers file in, progress lines out. */
#include "cli/run.h"

#include "cli/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/answers.h"
#include "core/azure/cloud.h"
#include "core/engine/engine.h"
#include "front/session.h"
#include "core/steps/steps.h"
#include "core/sys/exitcode.h"
#include "core/sys/log.h"
#include "secrets/vault.h"

#define RUN_ERR_MAX 2048

/* Every line is whole: actions of several steps end in any order. Text from Azure was
 * made safe by the engine, the device-code sign-in text by core/azure/auth_device.c. */
static void run_on_event(const struct engine_event *ev, void *arg)
{
	(void)arg;
	const char *step = plan_step_key(ev->step);
	switch (ev->kind) {
	case ENGINE_EV_ACTION_END:
		if (ev->ok)
			printf("%s: %s ... %s (%.0f s)\n", step, ev->text, ev->detail, ev->seconds);
		else
			printf("%s: %s ... failed (%.0f s)\n", step, ev->text, ev->seconds);
		break;
	case ENGINE_EV_DEVICE_CODE:
		printf("%s: sign in: %s\n", step, ev->device->message);
		break;
	case ENGINE_EV_INFO:
		printf("%s: %s\n", step, ev->text);
		break;
	case ENGINE_EV_WARNING:
		printf("%s: warning: %s\n", step, ev->text);
		break;
	case ENGINE_EV_STEP_SKIPPED:
		printf("%s: done earlier\n", step);
		break;
	case ENGINE_EV_STEP_DONE:
		printf("%s: done (%.0f s)\n", step, ev->seconds);
		break;
	case ENGINE_EV_STEP_FAILED:
		printf("%s: failed\n", step);
		fflush(stdout);
		fprintf(stderr, "studio-wizard: %s: %s\n", step, ev->text);
		break;
	case ENGINE_EV_FINISHED:
		printf("install: %s\n", ev->text);
		break;
	default:
		break;
	}
	fflush(stdout);
}

int run_main(struct cli_opts *o, struct profile *p, struct state *st)
{
	char err[RUN_ERR_MAX], path[4200];
	if (o->npos != 1) {
		cli_fail("usage: studio-wizard run --answers FILE [--until STEP] [--passphrase-fd N] "
		         "[--cloud FILE] [--ca-file FILE]");
		return SW_EXIT_USAGE;
	}
	if (!o->answers) {
		cli_fail("run: --answers FILE is required");
		return SW_EXIT_USAGE;
	}
	const struct step_table *t = steps_table();
	/* cli_main checked --until against the table. */
	step_id until = o->until ? plan_step_parse(o->until) : (step_id)t->nsteps - 1;
	struct answers a;
	answers_init(&a);
	vault *v = NULL;
	struct engine *e = NULL;
	enum sw_exit rc = SW_EXIT_USAGE;
	if (profile_file(p, "wizard.log", path, sizeof path) == 0 && log_open(path) != 0)
		cli_fail("%s: cannot open the log", path);
	log_msg(LOG_INFO, "run: answers %s, until %s", o->answers, plan_step_key(until));

	/* --cloud first: a cloud it names is then a valid answer. */
	struct cloud cloud;
	struct session_options so = cli_session(o);
	if (o->cloud_file && session_cloud(&so, NULL, &cloud, err, sizeof err) != 0) {
		cli_fail("%s", err);
		goto out;
	}
	enum answers_result ar = answers_load(&a, o->answers, err, sizeof err);
	if (ar == ANSWERS_OK)
		ar = answers_complete(&a, err, sizeof err);
	if (ar != ANSWERS_OK) {
		cli_fail("%s", err);
		log_msg(LOG_ERROR, "run: %s", err);
		rc = ar == ANSWERS_E_IO ? SW_EXIT_ERROR : SW_EXIT_USAGE;
		goto out;
	}
	if (!o->cloud_file && session_cloud(&so, answers_get(&a, plan_q("cloud")), &cloud, err, sizeof err) != 0) {
		cli_fail("%s", err);
		goto out;
	}

	rc = SW_EXIT_ERROR;
	char command[PATH_MAX + 64];
	profile_command(p, command, sizeof command);
	if (!vault_exists(p->dir)) {
		cli_fail("no vault in %s yet: create it first with `%s vault init`", p->dir, command);
		goto out;
	}
	rc = cli_vault_open(o, p, st, 1, &v);
	if (rc != SW_EXIT_OK)
		goto out;
	rc = SW_EXIT_ERROR;

	/* The state keeps the answers this run used (never secrets: the answers file has none). */
	cJSON *aj = answers_to_json(&a);
	if (aj) {
		cJSON_Delete(st->answers);
		st->answers = aj;
	}
	/* The answers file confirms the answers of every step it runs (the wizard would ask). */
	for (int s = 0; s <= (int)until; s++)
		st->steps[s].confirmed = 1;

	struct engine_config cfg = {
		.cloud = &cloud, .ca_file = o->ca_file, .answers = &a, .st = st, .state_dir = p->dir, .vault = v,
		.headless = 1, .on_event = run_on_event, .arg = NULL, .command = command, .table = t,
	};
	e = engine_new(&cfg, err, sizeof err);
	if (!e || engine_start(e, until, err, sizeof err) != 0) {
		cli_fail("%s", err);
		log_msg(LOG_ERROR, "run: %s", err);
		goto out;
	}
	int ok = engine_run(e) == 0;
	log_msg(LOG_INFO, "run: %s", ok ? "every requested step is done" : "stopped");
	rc = ok ? SW_EXIT_OK : SW_EXIT_ERROR;
out:
	engine_free(e);
	vault_close(v);
	answers_free(&a);
	log_close();
	return rc;
}
