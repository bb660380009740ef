/* core/steps/overlay.h: what the overlay step offers besides its table entry. */
#ifndef SW_OVERLAY_H
#define SW_OVERLAY_H

/* How often the rollout is polled and how long the step waits for the pods (tests shorten
 * it); 0 keeps the default (3 s, 20 minutes). */
void overlay_set_rollout_timing(long poll_ms, long timeout_ms);

#endif
