/* core/kube/rollout.h: follows a Deployment's rollout by polling it and its pods (its label
 * selector) until ready replicas reach the desired count or a timeout, reporting after every
 * poll what each pod is doing and why: Pending + Unschedulable with the scheduler's message,
 * ErrImagePull/ImagePullBackOff with the pull error, CrashLoopBackOff with the last log lines.
 * A log line or pod message holding a secret registered with log_redact is withheld: the
 * caller registers what must never be shown (core/sys/log.h). */
#ifndef SW_KUBE_ROLLOUT_H
#define SW_KUBE_ROLLOUT_H

#include "core/kube/kube.h"

#define KUBE_LOG_LINES 10

struct kube_pod_state {
	char name[254];
	char phase[32];          /* Pending, Running, ... */
	char reason[64];         /* Unschedulable, ContainerCreating, ImagePullBackOff, CrashLoopBackOff, "" */
	char message[512];       /* terminal-safe, one line */
	char log_tail[1024];     /* CrashLoopBackOff: the last lines, "; "-joined, terminal-safe,
	                          * those holding a registered secret left out and counted */
	int ready;
	int restarts;
};

struct kube_rollout_report {
	int desired, ready, updated, available;
	size_t npods;
	const struct kube_pod_state *pods;
	int done;                /* the last report: ready, timed out or failed */
	int ok;                  /* done and every desired replica ready */
	int timed_out;
	const char *error;       /* the last poll's error (one safe line) or NULL */
};

/* Called after every poll; after the report with done set the watcher is freed. */
typedef void (*kube_rollout_fn)(const struct kube_rollout_report *r, void *arg);

struct kube_rollout;
struct kube_rollout *kube_rollout_watch(struct kube *k, const char *ns, const char *deployment, long interval_ms,
                                        long timeout_ms, kube_rollout_fn on_report, void *arg);
void kube_rollout_cancel(struct kube_rollout *w);   /* no further reports */

#endif
