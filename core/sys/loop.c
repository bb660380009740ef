/* The event loop: watched fds and timers on one clock (core/sys/loop.h). */
#include "core/sys/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

struct loop_timer {
	unsigned id;
	long long due_ms;
	loop_fn fn;
	void *arg;
	struct loop_timer *next;
};

struct loop_watch {
	int fd;
	short events;
	unsigned serial;   /* a new watch on a reused fd never gets the old one's revents */
	loop_fd_fn fn;
	void *arg;
};

struct loop {
	struct loop_timer *timers;   /* by due time; equal ones in the order they were set */
	struct loop_watch *watches;
	size_t nwatches, capwatches;
	struct pollfd *pfd;          /* one turn's poll set */
	unsigned *pserial;
	size_t cappfd;
	unsigned next_id, next_serial;
};

long long loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	return calloc(1, sizeof(struct loop));
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	while (l->timers) {
		struct loop_timer *t = l->timers;
		l->timers = t->next;
		free(t);
	}
	free(l->watches);
	free(l->pfd);
	free(l->pserial);
	free(l);
}

unsigned loop_after(struct loop *l, long ms, loop_fn fn, void *arg)
{
	struct loop_timer *t = calloc(1, sizeof *t);
	if (!t)
		return 0;
	if (++l->next_id == 0)
		l->next_id = 1;
	t->id = l->next_id;
	t->due_ms = loop_now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->arg = arg;
	struct loop_timer **p = &l->timers;
	while (*p && (*p)->due_ms <= t->due_ms)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	return t->id;
}

void loop_cancel(struct loop *l, unsigned id)
{
	for (struct loop_timer **p = &l->timers; *p; p = &(*p)->next) {
		if ((*p)->id == id) {
			struct loop_timer *t = *p;
			*p = t->next;
			free(t);
			return;
		}
	}
}

static struct loop_watch *loop_find(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nwatches; i++)
		if (l->watches[i].fd == fd)
			return &l->watches[i];
	return NULL;
}

int loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg)
{
	struct loop_watch *w = loop_find(l, fd);
	if (!w) {
		if (l->nwatches == l->capwatches) {
			size_t cap = l->capwatches ? l->capwatches * 2 : 16;
			struct loop_watch *nw = realloc(l->watches, cap * sizeof *nw);
			if (!nw)
				return -1;
			l->watches = nw;
			l->capwatches = cap;
		}
		w = &l->watches[l->nwatches++];
		w->fd = fd;
		if (++l->next_serial == 0)
			l->next_serial = 1;
		w->serial = l->next_serial;
	}
	w->events = events;
	w->fn = fn;
	w->arg = arg;
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	struct loop_watch *w = loop_find(l, fd);
	if (w)
		*w = l->watches[--l->nwatches];
}

int loop_pending(const struct loop *l)
{
	int n = (int)l->nwatches;
	for (const struct loop_timer *t = l->timers; t; t = t->next)
		n++;
	return n;
}

/* Runs due timers one at a time, earliest first: a callback may set or cancel timers. */
static int loop_run_timers(struct loop *l)
{
	int calls = 0;
	while (l->timers && l->timers->due_ms <= loop_now_ms()) {
		struct loop_timer *t = l->timers;
		l->timers = t->next;
		loop_fn fn = t->fn;
		void *arg = t->arg;
		free(t);
		fn(arg);
		calls++;
	}
	return calls;
}

int loop_once(struct loop *l, int max_ms)
{
	size_t n = l->nwatches;
	if (n > l->cappfd) {
		struct pollfd *np = realloc(l->pfd, n * sizeof *np);
		if (np)
			l->pfd = np;
		unsigned *ns = np ? realloc(l->pserial, n * sizeof *ns) : NULL;
		if (!ns)
			return -1;
		l->pserial = ns;
		l->cappfd = n;
	}
	for (size_t i = 0; i < n; i++) {
		l->pfd[i] = (struct pollfd){.fd = l->watches[i].fd, .events = l->watches[i].events};
		l->pserial[i] = l->watches[i].serial;
	}
	long long timeout = max_ms;
	if (l->timers) {
		long long left = l->timers->due_ms - loop_now_ms();
		if (left < 0)
			left = 0;
		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	if (timeout < 0 && n == 0) {
		errno = 0;
		return -1;
	}
	if (poll(l->pfd, (nfds_t)n, timeout > 0x7fffffff ? 0x7fffffff : (int)timeout) < 0) {
		if (errno != EINTR)
			return -1;
		n = 0;   /* a signal: no revents to read; due timers still run */
	}
	int calls = 0;
	/* A callback may unwatch or re-watch any fd: look each one up again. */
	for (size_t i = 0; i < n; i++) {
		short rev = l->pfd[i].revents;
		struct loop_watch *w = rev ? loop_find(l, l->pfd[i].fd) : NULL;
		if (!w || w->serial != l->pserial[i] || !(rev & (w->events | POLLHUP | POLLERR | POLLNVAL)))
			continue;
		w->fn(w->fd, rev, w->arg);
		calls++;
	}
	return calls + loop_run_timers(l);
}

void loop_run(struct loop *l, const int *stop)
{
	while (!(stop && *stop) && loop_pending(l) > 0)
		if (loop_once(l, -1) < 0 && errno != 0)
			return;
}
