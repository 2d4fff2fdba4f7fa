/*
 * backoff.h — per-key exponential back-off with a clock passed in
 * (Kubernetes' flowcontrol.Backoff), for controllers that must not fight a
 * node in a hot loop: the DaemonSet controller replacing a daemon pod that
 * keeps failing on one node.
 *
 * Each step of a key doubles its delay, from initial up to max; a key left
 * alone for twice max starts again at initial. Thread-safe.
 */
#ifndef TUG_CTL_BACKOFF_H
#define TUG_CTL_BACKOFF_H

#include <stdbool.h>

typedef struct ctl_backoff ctl_backoff;

/* NULL when out of memory. */
ctl_backoff *ctl_backoff_new(double initial_s, double max_s);
void ctl_backoff_free(ctl_backoff *b);

/* True while now is within key's delay of its last step; *delay_s is that
 * delay (IsInBackOffSinceUpdate). */
bool ctl_backoff_waiting(ctl_backoff *b, const char *key, double now, double *delay_s);

/* Take a step for key at now (Next); forgets keys idle for twice max. */
void ctl_backoff_next(ctl_backoff *b, const char *key, double now);

#endif
