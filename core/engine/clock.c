/* An action's clock and Azure's word while it waits (doc/azure-waits.md): the wall-clock
 * time an operation was first started is kept beside it in the state, so a resumed action
 * counts from there, not from this process's start; Azure's provisioningState (or the
 * operation's status) shows in the action's progress; past its usual duration the action
 * says it takes longer than usual, once. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/engine/engine_int.h"

static long long clock_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void clock_mark_started(cJSON *rec)
{
	if (rec && !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rec, "op_started")))
		record_set_num(rec, "op_started", (double)clock_wall_ms());
}

static void clock_on_late(void *arg)
{
	struct act *a = arg;
	a->late_timer = 0;
	if (a->state != ACT_RUNNING)
		return;
	long long ms = loop_now_ms() - a->started_ms;
	if (ms < (long long)a->def->expect_s * 1000) {
		clock_late_arm(a);
		return;
	}
	act_info(a, "%s: longer than usual (usually %d min, %lld min so far)%s%s", a->text, (a->def->expect_s + 59) / 60,
	         ms / 60000, *a->azure_state ? "; Azure says " : "", a->azure_state);
}

/* Only what usually takes a minute or more is worth a word when it takes longer. */
void clock_late_arm(struct act *a)
{
	if (a->late_timer)
		loop_cancel(a->e->loop, a->late_timer);
	a->late_timer = 0;
	if (a->def->expect_s < 60 || a->state != ACT_RUNNING)
		return;
	long long left = a->started_ms + (long long)a->def->expect_s * 1000 - loop_now_ms();
	a->late_timer = loop_after(a->e->loop, left > 0 ? (long)left : 0, clock_on_late, a);
}

/* Stopped waiting: Azure's last word stays beside the operation for status and the resume. */
void clock_keep_state(struct act *a, cJSON *rec)
{
	char err[512];
	if (!rec || !*a->azure_state)
		return;
	record_set_str(rec, "op_state", a->azure_state);
	if (engine_save(a->e, err, sizeof err) != 0)
		act_warn(a, "%s", err);
}

void clock_resume_from(struct act *a, const cJSON *rec)
{
	const char *said = record_str(rec, "op_state");
	if (said && !*a->azure_state)
		snprintf(a->azure_state, sizeof a->azure_state, "%s", said);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "op_started");
	if (!cJSON_IsNumber(t))
		return;
	long long ago = clock_wall_ms() - (long long)t->valuedouble;
	if (ago <= 0 || loop_now_ms() - ago >= a->started_ms)
		return;   /* a clock set back: keep this run's start */
	a->started_ms = loop_now_ms() - ago;
	clock_late_arm(a);
}

void act_on_arm_state(const char *state, void *arg)
{
	struct act *a = arg;
	snprintf(a->azure_state, sizeof a->azure_state, "%s", state);
	act_progress(a, "Azure says %s", state);
	act_info(a, "%s: Azure says %s", a->text, state);   /* the log and run's output: once per change */
}
