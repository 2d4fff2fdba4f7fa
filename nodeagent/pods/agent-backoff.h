/*
 * agent-backoff.h — the restart back-off of crashing containers, kubelet style.
 *
 * The first restart waits the base delay, each further one twice the last,
 * up to a cap; a container that ran long enough before it exited is treated
 * as healthy again and starts over at the base delay.
 */
#ifndef TUG_AGENT_BACKOFF_H
#define TUG_AGENT_BACKOFF_H

/* Kubernetes' figures: 10 s doubling to 5 min, reset after 10 min running. */
enum {
  AGENT_BACKOFF_BASE_SECONDS = 10,
  AGENT_BACKOFF_MAX_SECONDS = 300,
  AGENT_BACKOFF_RESET_SECONDS = 600,
};

/*
 * The delay before the next restart, in seconds. prev: the delay used before
 * the last restart (0: none yet); ran_seconds: how long the container ran
 * this time. base and max as above (base >= 1, max >= base).
 */
int agent_backoff_next(int prev, double ran_seconds, int base, int max);

#endif
