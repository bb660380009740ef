/* tests/unit/test_loop.c: the one event loop (core/sys/loop.h): fds by their interest, timers
 * in order of due time on one clock, the TUI's timers on that same clock, callbacks that
 * change what is registered while a turn runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/sys/loop.h"
#include "tui/tui.h"

struct trace {
	char order[32];
	size_t n;
	long long at[32];
};

struct mark {
	struct trace *t;
	char name;
};

static void on_mark(void *arg)
{
	struct mark *m = arg;
	m->t->at[m->t->n] = loop_now_ms();
	m->t->order[m->t->n++] = m->name;
}

/* Waits on the clock itself (no sleep): until loop_now_ms() reaches ms. */
static void until_clock(long long ms)
{
	while (loop_now_ms() < ms)
		;
}

static void test_due_timers_run_by_due_time_then_by_order_set(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	struct trace t = {0};
	struct mark a = {&t, 'a'}, b = {&t, 'b'}, c = {&t, 'c'}, d = {&t, 'd'};
	long long t0 = loop_now_ms();
	assert_true(loop_after(l, 30, on_mark, &a));
	assert_true(loop_after(l, 10, on_mark, &b));
	assert_true(loop_after(l, 20, on_mark, &c));
	assert_true(loop_after(l, 10, on_mark, &d));
	until_clock(t0 + 31);   /* all four are due in the same turn */
	assert_int_equal(loop_once(l, 0), 4);
	assert_string_equal(t.order, "bdca");
	assert_int_equal(loop_pending(l), 0);
	loop_free(l);
}

static void test_a_timer_never_runs_before_its_time(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	struct trace t = {0};
	struct mark a = {&t, 'a'}, b = {&t, 'b'};
	long long t0 = loop_now_ms();
	unsigned ia = loop_after(l, 60, on_mark, &a);
	loop_after(l, 40, on_mark, &b);
	assert_int_equal(loop_once(l, -1), 1);   /* the wait ends with the first one due */
	assert_string_equal(t.order, "b");
	assert_true(t.at[0] >= t0 + 40);
	loop_cancel(l, ia);
	assert_int_equal(loop_pending(l), 0);
	assert_int_equal(loop_once(l, -1), -1);   /* nothing left: it would wait forever */
	assert_int_equal(errno, 0);
	loop_free(l);
}

struct fdlog {
	int calls;
	short revents;
	int fd;
	struct loop *l;
	int other;   /* an fd the callback unwatches */
};

static void on_fd(int fd, short revents, void *arg)
{
	struct fdlog *f = arg;
	f->calls++;
	f->revents = revents;
	f->fd = fd;
	if (f->other >= 0)
		loop_unwatch(f->l, f->other);
}

static void test_fds_wake_by_their_interest_one_watch_each(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct fdlog r = {.l = l, .other = -1}, w = {.l = l, .other = -1};
	assert_int_equal(loop_watch(l, p[0], POLLIN, on_fd, &r), 0);
	assert_int_equal(loop_once(l, 0), 0);   /* nothing to read yet */
	assert_int_equal(r.calls, 0);
	assert_int_equal(write(p[1], "k", 1), 1);
	assert_int_equal(loop_once(l, -1), 1);
	assert_int_equal(r.calls, 1);
	assert_true(r.revents & POLLIN);
	assert_int_equal(r.fd, p[0]);
	/* Watching again changes the interest; it is still one watch. */
	assert_int_equal(loop_watch(l, p[1], POLLIN, on_fd, &w), 0);
	assert_int_equal(loop_watch(l, p[1], POLLOUT, on_fd, &w), 0);
	assert_int_equal(loop_pending(l), 2);
	char ch;
	assert_int_equal(read(p[0], &ch, 1), 1);
	assert_int_equal(loop_once(l, -1), 1);   /* the pipe has room: only the writer wakes */
	assert_int_equal(w.calls, 1);
	assert_true(w.revents & POLLOUT);
	assert_int_equal(r.calls, 1);
	loop_unwatch(l, p[0]);
	loop_unwatch(l, p[1]);
	assert_int_equal(loop_pending(l), 0);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static void test_an_fd_unwatched_during_a_turn_is_not_called(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	int p[2], q[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	assert_int_equal(write(p[1], "a", 1), 1);
	assert_int_equal(write(q[1], "b", 1), 1);
	struct fdlog a = {.l = l, .other = q[0]}, b = {.l = l, .other = p[0]};
	assert_int_equal(loop_watch(l, p[0], POLLIN, on_fd, &a), 0);
	assert_int_equal(loop_watch(l, q[0], POLLIN, on_fd, &b), 0);
	/* Both are readable; whichever runs first unwatches the other. */
	assert_int_equal(loop_once(l, -1), 1);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(loop_pending(l), 1);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	loop_free(l);
}

static int stop_flag;
static void on_stop(void *arg)
{
	(void)arg;
	stop_flag = 1;
}

static void test_run_ends_on_stop_or_when_nothing_is_left(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	struct trace t = {0};
	struct mark a = {&t, 'a'}, b = {&t, 'b'};
	loop_after(l, 5, on_mark, &a);
	loop_after(l, 10, on_mark, &b);
	loop_run(l, NULL);
	assert_string_equal(t.order, "ab");
	stop_flag = 0;
	loop_after(l, 5, on_stop, NULL);
	unsigned later = loop_after(l, 60000, on_mark, &a);
	loop_run(l, &stop_flag);
	assert_int_equal(stop_flag, 1);
	assert_int_equal(loop_pending(l), 1);   /* stopped with the minute-long timer still there */
	loop_cancel(l, later);
	loop_free(l);
}

struct tick_probe {
	struct tui_timer *tt;
	long long first_next;
	int tui_before_20, tui_before_45;
};

static void probe_20(void *arg)
{
	struct tick_probe *p = arg;
	p->tui_before_20 = p->tt->next_ms != p->first_next;
}

static void probe_45(void *arg)
{
	struct tick_probe *p = arg;
	p->tui_before_45 = p->tt->next_ms != p->first_next;
}

/* The TUI's timers are timers of the same loop: one clock orders them with the rest. */
static void test_tui_timers_share_the_clock(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	tui_set_loop(l);
	struct tui_timer tt = {0};
	tui_timer_start(&tt, 30);
	struct tick_probe p = {.tt = &tt, .first_next = tt.next_ms};
	loop_after(l, 20, probe_20, &p);
	loop_after(l, 45, probe_45, &p);
	while (loop_pending(l) > 1)   /* the TUI's timer re-arms itself: the two probes end it */
		assert_true(loop_once(l, -1) >= 0);
	assert_false(p.tui_before_20);
	assert_true(p.tui_before_45);
	tui_timer_stop(&tt);
	assert_int_equal(loop_pending(l), 0);
	tui_set_loop(NULL);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_due_timers_run_by_due_time_then_by_order_set),
		cmocka_unit_test(test_a_timer_never_runs_before_its_time),
		cmocka_unit_test(test_fds_wake_by_their_interest_one_watch_each),
		cmocka_unit_test(test_an_fd_unwatched_during_a_turn_is_not_called),
		cmocka_unit_test(test_run_ends_on_stop_or_when_nothing_is_left),
		cmocka_unit_test(test_tui_timers_share_the_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
