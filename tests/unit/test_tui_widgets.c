/* The tui widgets' parts that need no terminal: the progress bar's text, the log pane's ring
 * and scrolling, the timer's deadlines. The terminal side is tests/cli/test_tui.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/sys/loop.h"
#include "tui/tui.h"
#include "tui/widgets.h"

static void test_progress_bar_shows_percent_and_elapsed(void **s)
{
	(void)s;
	char out[128];
	struct tui_progress p = {.running = true, .percent = 42};
	p.start_ms = loop_now_ms() - 83 * 1000; /* 01:23 ago */
	int n = tui_progress_format(&p, 30, out, sizeof out);
	assert_string_equal(out, "[######..........]  42%  01:23");
	assert_int_equal(n, (int)strlen(out));
	assert_int_equal(n, 30); /* fills the width it is given */
}

/* A device code: no percentage to show, a lifetime running out. */
static void test_progress_countdown_says_what_is_left(void **s)
{
	(void)s;
	char out[128];
	struct tui_progress p = {.running = true};
	p.start_ms = loop_now_ms() - 300 * 1000;
	p.deadline_ms = p.start_ms + 900 * 1000;   /* 15 min, a third gone */
	tui_progress_format(&p, 40, out, sizeof out);
	assert_string_equal(out, "[######...............] expires in 10:00");   /* 21 columns, a third filled */
	assert_null(strchr(out, '%'));
}

static void test_progress_bar_counts_hours_and_stops_the_clock(void **s)
{
	(void)s;
	char out[128];
	struct tui_progress p = {.running = false, .percent = 100};
	p.start_ms = 1000;
	p.stop_ms = 1000 + (2 * 3600 + 5 * 60 + 7) * 1000L;
	tui_progress_format(&p, 30, out, sizeof out);
	assert_string_equal(out, "[##############] 100%  2:05:07");
}

static void test_progress_percent_is_clamped(void **s)
{
	(void)s;
	struct tui_progress p = {0};
	tui_progress_set(&p, 140);
	assert_int_equal(p.percent, 100);
	tui_progress_set(&p, -3);
	assert_int_equal(p.percent, 0);
}

static void test_progress_timer_wakes_only_while_running(void **s)
{
	(void)s;
	struct loop *l = loop_new();
	tui_set_loop(l);
	struct tui_progress p = {0};
	assert_int_equal(loop_pending(l), 0); /* idle: nothing on the loop, it may sleep forever */
	tui_progress_start(&p);
	assert_int_equal(loop_pending(l), 1);
	long long t0 = loop_now_ms();
	assert_int_equal(loop_once(l, -1), 1); /* one wake: the tick */
	assert_true(loop_now_ms() - t0 >= 1000);
	assert_int_equal(loop_pending(l), 1); /* and the next one */
	tui_progress_stop(&p);
	assert_int_equal(loop_pending(l), 0);
	assert_int_equal(loop_once(l, -1), -1); /* nothing left to wait for */
	tui_set_loop(NULL);
	loop_free(l);
}

static void test_log_keeps_the_last_lines(void **s)
{
	(void)s;
	struct tui_log *l = tui_log_new(3);
	for (int i = 1; i <= 5; i++)
		tui_log_add(l, "line %d", i);
	assert_int_equal(tui_log_count(l), 3);
	assert_string_equal(tui_log_line(l, 0), "line 3");
	assert_string_equal(tui_log_line(l, 2), "line 5");
	assert_null(tui_log_line(l, 3));
	tui_log_free(l);
}

static void test_log_lines_cannot_carry_escapes(void **s)
{
	(void)s;
	struct tui_log *l = tui_log_new(4);
	tui_log_add(l, "red \033[31mtext\tand\rmore");
	assert_string_equal(tui_log_line(l, 0), "red ?[31mtext and?more");
	tui_log_free(l);
}

static void test_log_keys_are_page_keys_only(void **s)
{
	(void)s;
	struct tui_log *l = tui_log_new(50);
	assert_int_equal(tui_log_key(l, 'x'), TUI_IGNORED);
	assert_int_equal(tui_log_key(l, TUI_KEY(KEY_PPAGE)), TUI_REDRAW);
	assert_int_equal(tui_log_key(l, TUI_KEY(KEY_END)), TUI_REDRAW);
	tui_log_free(l);
}

/* The rows of a wrapped text, joined by '|'. */
static void rows_of(const char *text, int width, char *out, size_t n)
{
	out[0] = '\0';
	for (const char *p = text; *p;) {
		const char *row = p;
		size_t len = tui_wrap_row(p, width, &p);
		snprintf(out + strlen(out), n - strlen(out), "%s%.*s", out[0] ? "|" : "", (int)len, row);
	}
}

static void test_wrap_cuts_at_spaces_else_at_the_edge(void **s)
{
	(void)s;
	char rows[256];
	rows_of("create VM rabbitmq with size Standard_A2_v2 now", 20, rows, sizeof rows);
	assert_string_equal(rows, "create VM rabbitmq|with size|Standard_A2_v2 now");
	rows_of("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=", 10, rows, sizeof rows);
	assert_string_equal(rows, "aGVsbG8gd2|9ybGQgaGVs|bG8gd29ybG|Q=");
	rows_of("apiVersion: v1\nclusters:\n\n- cluster:", 40, rows, sizeof rows);
	assert_string_equal(rows, "apiVersion: v1|clusters:||- cluster:");
	assert_int_equal(tui_wrap_count("é1234 é1234", 6), 2); /* characters, not bytes */
	assert_int_equal(tui_wrap_count("", 6), 0);
}

static void test_log_keeps_entries_whole_with_their_role(void **s)
{
	(void)s;
	struct tui_log *l = tui_log_new(10);
	tui_log_add(l, "create VM rabbitmq with size Standard_A2_v2 now");
	tui_log_add_role(l, TUI_ERROR, "minio: failed");
	assert_int_equal(tui_log_count(l), 2);   /* wrapped when drawn, at the width of the day */
	assert_string_equal(tui_log_line(l, 0), "create VM rabbitmq with size Standard_A2_v2 now");
	assert_int_equal(tui_log_role(l, 0), TUI_NORMAL);
	assert_int_equal(tui_log_role(l, 1), TUI_ERROR);
	tui_log_free(l);
}

static void test_event_names_follow_the_list(void **s)
{
	(void)s;
	assert_string_equal(tui_event_name(TUI_QUIT), "quit");
	assert_string_equal(tui_event_name(TUI_SIGNAL), "signal");
	assert_true(TUI_NEXT > TUI_REDRAW && TUI_BACK > TUI_REDRAW); /* the loop ends from TUI_NEXT on */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_bar_shows_percent_and_elapsed),
		cmocka_unit_test(test_progress_bar_counts_hours_and_stops_the_clock),
		cmocka_unit_test(test_progress_countdown_says_what_is_left),
		cmocka_unit_test(test_progress_percent_is_clamped),
		cmocka_unit_test(test_progress_timer_wakes_only_while_running),
		cmocka_unit_test(test_log_keeps_the_last_lines),
		cmocka_unit_test(test_log_lines_cannot_carry_escapes),
		cmocka_unit_test(test_log_keys_are_page_keys_only),
		cmocka_unit_test(test_wrap_cuts_at_spaces_else_at_the_edge),
		cmocka_unit_test(test_log_keeps_entries_whole_with_their_role),
		cmocka_unit_test(test_event_names_follow_the_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
