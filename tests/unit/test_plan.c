/* The plan table is consistent, and `plan` prints every resource name with secrets
 * only as <sealed:NAME>. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/answers.h"
#include "core/model/plan.h"
#include "cli/plan.h"
#include "core/engine/describe.h"
#include "core/steps/steps.h"
#include "tests/unit/testutil.h"

static char *home;
static char full[4200];

static int setup(void **s)
{
	(void)s;
	test_data_path("answers-full.json", full, sizeof full);
	home = test_home_with_ssh_key("plan-home");
	return home ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	test_rmrf(home);
	free(home);
	return 0;
}

static void test_step_table_keeps_keys_titles_and_parse(void **s)
{
	(void)s;
	assert_int_equal(plan_step_count(), 6);
	static const char *const keys[] = {"subscription", "rabbitmq", "minio", "acr", "aks", "overlay"};
	for (int i = 0; i < 6; i++) {
		assert_string_equal(plan_step_key((step_id)i), keys[i]);
		assert_int_equal(plan_step_parse(keys[i]), i);
	}
	/* A title true in both runner modes, and the Minio step named for all it makes (issue 17). */
	assert_string_equal(plan_step_title(plan_step_parse("aks")), "AKS cluster");
	assert_string_equal(plan_step_title(plan_step_parse("minio")), "Minio VM and data disk");
	/* The same field on both VM forms reads the same. */
	assert_string_equal(plan_question(plan_q("minio.ssh_public_key_file"))->label,
	                    plan_question(plan_q("rabbitmq.ssh_public_key_file"))->label);
	assert_string_equal(plan_question(plan_q("minio.admin_user"))->label,
	                    plan_question(plan_q("rabbitmq.admin_user"))->label);
	assert_string_equal(plan_step_list(), "subscription, rabbitmq, minio, acr, aks, overlay");
	assert_int_equal(plan_step_parse("nope"), -1);
	assert_string_equal(plan_step_key((step_id)99), "?");
}

/* Answers "x" only for questions before the one being expanded. */
static const char *earlier_only(void *ctx, plan_qid q)
{
	return q < *(plan_qid *)ctx ? "x" : NULL;
}

static void test_questions_are_consistent(void **s)
{
	(void)s;
	for (int i = 0; (size_t)i < plan_question_count(); i++) {
		const struct plan_question *q = plan_question((plan_qid)i);
		step_id own = plan_question_step((plan_qid)i);
		assert_int_equal(plan_question_find(q->key), i);
		assert_true(q->validate || q->nchoices > 0);   /* no validator: one of its choices */
		assert_non_null(q->label);
		/* a key "step.x" belongs to that step; top-level keys to subscription */
		const char *dot = strchr(q->key, '.');
		if (dot && strncmp(q->key, "auth.", 5) != 0 && !q->decision) {
			char step[32];
			snprintf(step, sizeof step, "%.*s", (int)(dot - q->key), q->key);
			assert_int_equal(plan_step_parse(step), own);
		} else if (!q->decision) {
			assert_int_equal(own, plan_step_parse("subscription"));
		} else {
			assert_int_equal(strncmp(q->key, "decisions.", 10), 0);
		}
		if (q->def_kind == PLAN_DEF_TEMPLATE) {
			char out[512], err[256];
			plan_qid self = (plan_qid)i;
			if (plan_expand(q->def, earlier_only, &self, out, sizeof out, err, sizeof err) < 0)
				fail_msg("default of %s uses a later or unknown answer: %s", q->key, err);
		}
		for (size_t c = 0; c < q->nchoices; c++)
			if (q->choices[c].selectable && plan_question_check((plan_qid)i, q->choices[c].value, NULL, 0) != 0)
				fail_msg("%s offers %s but refuses it", q->key, q->choices[c].value);
	}
}

static const struct action_def *find_action(const char *key, size_t *pos)
{
	const struct step_table *t = steps_table();
	size_t n = 0;
	for (size_t st = 0; st < t->nsteps; st++)
		for (size_t i = 0; i < t->steps[st]->nactions; i++, n++)
			if (strcmp(t->steps[st]->actions[i].key, key) == 0) {
				*pos = n;
				return &t->steps[st]->actions[i];
			}
	return NULL;
}

/* Every action's key is unique, what it waits for exists and comes earlier in the table
 * (so table order is a valid install order), and every resource says what it makes. */
static void test_step_table_is_consistent(void **s)
{
	(void)s;
	const struct step_table *t = steps_table();
	size_t n = 0;
	assert_int_equal(t->nsteps, plan_step_count());
	for (size_t st = 0; st < t->nsteps; st++) {
		assert_string_equal(t->steps[st]->plan.key, plan_step_key((step_id)st));
		for (size_t i = 0; i < t->steps[st]->nactions; i++, n++) {
			const struct action_def *d = &t->steps[st]->actions[i];
			size_t at = 0;
			assert_true(find_action(d->key, &at) == d);
			assert_int_equal(at, n);
			assert_true(strncmp(d->key, plan_step_key((step_id)st), strlen(plan_step_key((step_id)st))) == 0);
			for (size_t k = 0; k < ACTION_AFTER_MAX && d->after[k]; k++) {
				int step = plan_step_parse(d->after[k]);
				size_t dep = 0;
				if (step >= 0) {
					if ((size_t)step > st)
						fail_msg("%s waits for step %s, which comes later", d->key, d->after[k]);
				} else if (!find_action(d->after[k], &dep))
					fail_msg("%s waits for %s, which is no action", d->key, d->after[k]);
				else
					assert_true(dep < n);
			}
			if (d->kind == ACTION_RESOURCE)
				assert_true(d->type && d->path && d->api && d->body);
			else
				assert_non_null(d->start);
		}
	}
	/* The subscription step waits for nothing; every other step starts from it. */
	assert_null(t->steps[0]->actions[0].after[0]);
}

static void test_step_questions_and_secrets(void **s)
{
	(void)s;
	plan_qid qs[PLAN_Q_MAX];
	size_t total = 0, decisions = 0;
	for (int st = 0; (size_t)st < plan_step_count(); st++)
		total += plan_step_questions((step_id)st, qs, PLAN_Q_MAX);
	for (int q = 0; (size_t)q < plan_question_count(); q++)
		decisions += plan_question((plan_qid)q)->decision;
	assert_true(decisions >= 1);
	assert_int_equal(total + decisions, plan_question_count());
	size_t n = plan_step_questions(plan_step_parse("acr"), qs, PLAN_Q_MAX);
	assert_int_equal(n, 5);
	assert_int_equal(qs[1], plan_q("acr.name"));
	/* Vault entry names are unique across the table. */
	const char *names[64];
	size_t nn = 0;
	const struct step_table *t = steps_table();
	for (size_t st = 0; st < t->nsteps; st++)
		for (size_t i = 0; i < t->steps[st]->nsecrets; i++) {
			for (size_t j = 0; j < nn; j++)
				assert_string_not_equal(names[j], t->steps[st]->secrets[i].name);
			names[nn++] = t->steps[st]->secrets[i].name;
		}
	assert_true(nn >= 2);
}

static void test_gpu_choices_show_model_and_runner_support(void **s)
{
	(void)s;
	const struct plan_question *q = plan_question(plan_q("aks.node_vm_size"));
	struct answers a;
	size_t nc = 0;
	int usable = 0, t4 = 0, v100 = 0;
	answers_init(&a);
	const struct plan_choice *list = answers_choices(&a, plan_q("aks.node_vm_size"), &nc);
	assert_true(nc > 5);
	for (size_t i = 0; i < nc; i++) {
		const struct plan_choice *c = &list[i];
		const struct plan_gpu_size *g = plan_gpu_find(c->value);
		assert_non_null(g);
		assert_non_null(strstr(c->detail, g->gpu_model));
		if (c->selectable)
			assert_non_null(strstr(c->detail, "runner 0.14.2 can use it"));
		usable += c->selectable;
		/* T4 is sold by Azure: the reason is the runner, not the offer. */
		if (strstr(c->value, "T4")) {
			t4 += !c->selectable;
			assert_non_null(strstr(c->detail, "runner 0.14.2 does not recognise Tesla T4; no runner release does"));
		}
		if (strcmp(c->value, "Standard_NC6s_v3") == 0)
			v100 = !c->selectable && strstr(c->detail, "retired") != NULL;
	}
	assert_int_equal(usable, 1);
	assert_true(t4 >= 1);
	assert_true(v100);
	assert_string_equal(q->def, PLAN_GPU_DEFAULT);
	char why[256];
	assert_true(plan_gpu_usable(PLAN_GPU_DEFAULT, plan_question(plan_q("acr.image"))->def, why, sizeof why));
}

static void test_expand_copies_shell_variables_and_reports_gaps(void **s)
{
	(void)s;
	struct answers a;
	char out[256], err[256];
	answers_init(&a);
	assert_int_equal(answers_set(&a, plan_q("uniq_id"), "1a2b"), 0);
	assert_int_equal(answers_expand(&a, "leafai{uniq_id} ${RMQ_USER} {x", out, sizeof out, err,
	                                sizeof err), 0);
	assert_string_equal(out, "leafai1a2b ${RMQ_USER} {x");
	assert_int_equal(answers_expand(&a, "{acr.name}", out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "acr.name is needed first"));
	assert_int_equal(answers_expand(&a, "leafai{uniq_id}", out, 8, err, sizeof err), -1);
	answers_free(&a);
}

static char *run_cmd(const char *path, int *code, char **errtext)
{
	char *outbuf = NULL, *errbuf = NULL;
	size_t on = 0, en = 0;
	FILE *out = open_memstream(&outbuf, &on);
	FILE *err = open_memstream(&errbuf, &en);
	*code = plan_cmd(steps_table(), path, 0, out, err);
	fclose(out);
	fclose(err);
	*errtext = errbuf;
	return outbuf;
}

static void test_plan_prints_every_step_name_and_only_sealed_secrets(void **s)
{
	(void)s;
	int code;
	char *err;
	char *text = run_cmd(full, &code, &err);
	assert_int_equal(code, 0);
	assert_string_equal(err, "");
	static const char *const want[] = {
		"1. subscription", "2. rabbitmq", "3. minio", "4. acr", "5. aks", "6. overlay",
		"11111111-2222-3333-4444-555555555555", "uniq_id 1a2b3c4d",
		"create resource group studioml-1a2b3c4d in eastus",
		"/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/studioml-1a2b3c4d",
		"made once, by rabbitmq.group", "create resource group leafai-1a2b3c4d in eastus",
		"register resource providers",
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		if (!strstr(text, want[i]))
			fail_msg("plan lacks \"%s\":\n%s", want[i], text);
	/* Steps appear in order. */
	assert_true(strstr(text, "1. subscription") < strstr(text, "6. overlay"));
	/* Every <sealed:NAME> is a vault entry of the plan; no other secret-shaped text. */
	for (const char *p = text; (p = strstr(p, "<sealed:")); p++) {
		char name[128];
		assert_int_equal(sscanf(p, "<sealed:%127[^>]>", name), 1);
		int known = strcmp(name, "NAME") == 0;   /* the header's explanation */
		const struct step_table *t = steps_table();
		for (size_t st = 0; st < t->nsteps; st++)
			for (size_t i = 0; i < t->steps[st]->nsecrets; i++)
				known |= strcmp(t->steps[st]->secrets[i].name, name) == 0;
		if (!known)
			fail_msg("plan seals an unknown entry %s", name);
	}
	assert_null(strstr(text, "cannot describe"));
	free(text);
	free(err);
}

static void test_plan_exits_2_naming_the_bad_key(void **s)
{
	(void)s;
	char *dir = test_mkdtemp("plan-bad");
	char path[4300];
	snprintf(path, sizeof path, "%s/bad.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"subscription\":\"11111111-2222-3333-4444-555555555555\",\"uniq_id\":\"ab\","
	      "\"acr\":{\"name\":\"bad-name\"}}", f);
	fclose(f);
	int code;
	char *err;
	char *text = run_cmd(path, &code, &err);
	assert_int_equal(code, 2);
	assert_string_equal(text, "");
	assert_non_null(strstr(err, "acr.name: must be 5-50 letters and digits only"));
	free(text);
	free(err);

	snprintf(path, sizeof path, "%s/missing.json", dir);
	text = run_cmd(path, &code, &err);
	assert_int_equal(code, 1);
	assert_non_null(strstr(err, "missing.json"));
	free(text);
	free(err);
	test_rmrf(dir);
	free(dir);
}

static void test_plan_for_service_principal_and_other_cloud(void **s)
{
	(void)s;
	struct answers a;
	char err[512] = "", *buf = NULL;
	size_t n = 0;
	answers_init(&a);
	assert_int_equal(answers_parse(&a,
	    "{\"subscription\":\"11111111-2222-3333-4444-555555555555\",\"uniq_id\":\"ab12\","
	    "\"cloud\":\"AzureChinaCloud\",\"location\":\"chinanorth3\","
	    "\"auth\":{\"method\":\"service-principal\",\"tenant\":\"contoso.partner.onmschina.cn\","
	    "\"client_id\":\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"},"
	    "\"aks\":{\"node_count\":3}}", err, sizeof err), ANSWERS_OK);
	assert_int_equal(answers_complete(&a, err, sizeof err), ANSWERS_OK);
	FILE *f = open_memstream(&buf, &n);
	assert_int_equal(describe_plan(steps_table(), &a, f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "<sealed:azure-client-secret>"));
	assert_null(strstr(buf, "<sealed:azure-refresh-token>"));
	assert_non_null(strstr(buf, "service principal aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"));
	free(buf);
	answers_free(&a);
}

int main(void)
{
	test_use_steps();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_table_keeps_keys_titles_and_parse),
		cmocka_unit_test(test_questions_are_consistent),
		cmocka_unit_test(test_step_table_is_consistent),
		cmocka_unit_test(test_step_questions_and_secrets),
		cmocka_unit_test(test_gpu_choices_show_model_and_runner_support),
		cmocka_unit_test(test_expand_copies_shell_variables_and_reports_gaps),
		cmocka_unit_test(test_plan_prints_every_step_name_and_only_sealed_secrets),
		cmocka_unit_test(test_plan_exits_2_naming_the_bad_key),
		cmocka_unit_test(test_plan_for_service_principal_and_other_cloud),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
