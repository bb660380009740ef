/* tests/unit/test_xalloc.c: ordinary memory that runs out ends the process the way the
 * operator should see it: the registered hook (the wizard's: restore the terminal) first,
 * then one line on stderr, then abort. The child is this binary run again with "child", so
 * a sanitizer build can be told to let malloc return NULL (allocator_may_return_null). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xalloc.h"

static char self[4096];

static void hook(void)
{
	static const char line[] = "hook ran\n";
	(void)!write(STDERR_FILENO, line, sizeof line - 1);
}

static int child(void)
{
	xalloc_on_failure(hook);
	char *p = xmalloc(SIZE_MAX / 2);   /* no system has this much: malloc answers NULL */
	printf("xmalloc returned %p\n", (void *)p);
	return 0;
}

static void test_out_of_memory_runs_the_hook_says_so_and_aborts(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		setenv("ASAN_OPTIONS", "allocator_may_return_null=1", 1);
		signal(SIGABRT, SIG_DFL);
		execl(self, self, "child", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char out[1024];
	size_t n = 0;
	ssize_t r;
	while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	const char *h = strstr(out, "hook ran\n");
	const char *m = strstr(out, "studio-wizard: out of memory (");
	assert_non_null(h);
	assert_non_null(m);
	assert_true(h < m);                              /* the terminal first, then the message */
	assert_null(strstr(out, "xmalloc returned"));   /* it never came back */
}

static void test_what_it_gives_is_usable(void **state)
{
	(void)state;
	int *z = xcalloc(16, sizeof *z);
	for (int i = 0; i < 16; i++)
		assert_int_equal(z[i], 0);
	z = xrealloc(z, 1024 * sizeof *z);
	z[1023] = 7;
	assert_int_equal(z[1023], 7);
	free(z);
	char *s = xstrdup("vault.sealed");
	assert_string_equal(s, "vault.sealed");
	free(s);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0)
		return child();
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_of_memory_runs_the_hook_says_so_and_aborts),
		cmocka_unit_test(test_what_it_gives_is_usable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
