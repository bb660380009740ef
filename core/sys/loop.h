/* core/sys/loop.h: the one event loop of the process (doc/event-loop.md). It knows file
 * descriptors (read/write interest and a callback) and one-shot timers on one monotonic
 * clock, nothing else: the TUI (its keyboard, signal pipe and timers), the HTTP client
 * (core/http/http.c, through libcurl's socket and timer callbacks), child processes, SSH
 * sessions and the engine all register here. Below tui/ and the rest of core/: it includes
 * only libc. Never sleeps: a wait is a poll() on everything registered. */
#ifndef SW_LOOP_H
#define SW_LOOP_H

#include <poll.h>

struct loop;
typedef void (*loop_fn)(void *arg);
typedef void (*loop_fd_fn)(int fd, short revents, void *arg);

struct loop *loop_new(void);
/* Drops whatever is still registered without calling it. */
void loop_free(struct loop *l);
/* The clock of every timer and every duration measured on the loop (CLOCK_MONOTONIC). */
long long loop_now_ms(void);

/* One-shot timer due ms from now; returns an id (never 0) for loop_cancel, or 0 when out
 * of memory. Due timers run in order of due time, equal ones in the order they were set. */
unsigned loop_after(struct loop *l, long ms, loop_fn fn, void *arg);
void loop_cancel(struct loop *l, unsigned id);
/* Calls fn when fd has any of events (POLLIN, POLLOUT) or an error or hangup. One watch
 * per fd: watching it again replaces its events, fn and arg. 0 or -1 (out of memory). */
int loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *arg);
void loop_unwatch(struct loop *l, int fd);

/* One turn: waits (at most max_ms when >= 0) until a watched fd is ready or the first timer
 * is due, then calls the ready fds' callbacks and the due timers. Returns how many
 * callbacks ran (0: the wait ended with nothing to do, e.g. max_ms or a signal), or -1
 * when poll() failed (errno) or there is nothing to wait for and max_ms < 0 (errno 0). */
int loop_once(struct loop *l, int max_ms);
/* Timers and watches registered. */
int loop_pending(const struct loop *l);
/* Turns until *stop becomes non-zero or nothing is registered. */
void loop_run(struct loop *l, const int *stop);

#endif
