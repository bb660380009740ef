/* core/sys/loop.h: the one event loop of a run: the http client, one-shot timers and
 * watched fds (child pipes). The TUI drives it from its own poll() through
 * loop_fds/loop_ready; headless code calls loop_run. Never sleeps. */
#ifndef SW_LOOP_H
#define SW_LOOP_H

#include <poll.h>

#include "core/http/http.h"

struct loop;
typedef void (*loop_fn)(void *arg);
typedef void (*loop_fd_fn)(int fd, short revents, void *arg);

/* Takes ownership of http (freed by loop_free). */
struct loop *loop_new(struct http_client *http);
void loop_free(struct loop *l);
struct http_client *loop_http(struct loop *l);

/* One-shot timer; returns an id (never 0) for loop_cancel, or 0 when out of memory. */
unsigned loop_after(struct loop *l, long ms, loop_fn fn, void *arg);
void loop_cancel(struct loop *l, unsigned id);
/* Calls fn when fd has any of events (or an error). 0 or -1. */
int loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg);
void loop_unwatch(struct loop *l, int fd);

/* Like http_client_fds/ready, over everything the loop waits on. */
int loop_fds(struct loop *l, struct pollfd *out, int max, int *timeout_ms);
void loop_ready(struct loop *l, const struct pollfd *fds, int n);
/* Requests, timers and watches still pending. */
int loop_pending(struct loop *l);
/* Polls until *stop becomes non-zero or nothing is pending. */
void loop_run(struct loop *l, const int *stop);
long long loop_now_ms(void);

#endif
