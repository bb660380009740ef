/* The event loop: http client + timers + watched fds. */
#include "core/sys/loop.h"

#include <stdlib.h>
#include <time.h>

#define LOOP_FDS_MAX 64

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
	loop_fd_fn fn;
	void *arg;
	struct loop_watch *next;
};

struct loop {
	struct http_client *http;
	struct loop_timer *timers;
	struct loop_watch *watches;
	unsigned next_id;
};

long long loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(struct http_client *http)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->http = http;
	return l;
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
	while (l->watches) {
		struct loop_watch *w = l->watches;
		l->watches = w->next;
		free(w);
	}
	http_client_free(l->http);
	free(l);
}

struct http_client *loop_http(struct loop *l)
{
	return l->http;
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
	t->next = l->timers;
	l->timers = t;
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

int loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg)
{
	struct loop_watch *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->arg = arg;
	w->next = l->watches;
	l->watches = w;
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	for (struct loop_watch **p = &l->watches; *p; p = &(*p)->next) {
		if ((*p)->fd == fd) {
			struct loop_watch *w = *p;
			*p = w->next;
			free(w);
			return;
		}
	}
}

int loop_fds(struct loop *l, struct pollfd *out, int max, int *timeout_ms)
{
	int n = 0;
	for (struct loop_watch *w = l->watches; w; w = w->next, n++) {
		if (n < max) {
			out[n].fd = w->fd;
			out[n].events = w->events;
			out[n].revents = 0;
		}
	}
	long long now = loop_now_ms();
	for (struct loop_timer *t = l->timers; t; t = t->next) {
		long long left = t->due_ms > now ? t->due_ms - now : 0;
		if (*timeout_ms < 0 || left < *timeout_ms)
			*timeout_ms = (int)left;
	}
	int room = max > n ? max - n : 0;
	return n + http_client_fds(l->http, out + (n < max ? n : max), room, timeout_ms);
}

/* Runs due timers one at a time: a callback may add or cancel timers. */
static void loop_run_timers(struct loop *l)
{
	for (;;) {
		long long now = loop_now_ms();
		struct loop_timer **p = &l->timers;
		while (*p && (*p)->due_ms > now)
			p = &(*p)->next;
		if (!*p)
			return;
		struct loop_timer *t = *p;
		*p = t->next;
		loop_fn fn = t->fn;
		void *arg = t->arg;
		free(t);
		fn(arg);
	}
}

void loop_ready(struct loop *l, const struct pollfd *fds, int n)
{
	/* Watches first; a callback may unwatch, so look each fd up again. */
	for (int i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		for (struct loop_watch *w = l->watches; w; w = w->next) {
			if (w->fd == fds[i].fd && (fds[i].revents & (w->events | POLLHUP | POLLERR | POLLNVAL))) {
				w->fn(w->fd, fds[i].revents, w->arg);
				break;
			}
		}
	}
	http_client_ready(l->http, fds, n);
	loop_run_timers(l);
}

int loop_pending(struct loop *l)
{
	int n = http_client_pending(l->http);
	for (struct loop_timer *t = l->timers; t; t = t->next)
		n++;
	for (struct loop_watch *w = l->watches; w; w = w->next)
		n++;
	return n;
}

void loop_run(struct loop *l, const int *stop)
{
	struct pollfd fds[LOOP_FDS_MAX];
	while (!(stop && *stop) && loop_pending(l) > 0) {
		int timeout = -1;
		int n = loop_fds(l, fds, LOOP_FDS_MAX, &timeout);
		if (n > LOOP_FDS_MAX)
			n = LOOP_FDS_MAX;
		if (timeout < 0 && n == 0)
			timeout = 100;
		poll(fds, (nfds_t)n, timeout);
		loop_ready(l, fds, n);
	}
}
