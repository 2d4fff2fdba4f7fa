/*
 * agent-backoff.c — doubling restart delay with a cap and a reset.
 */
#include "agent-backoff.h"

int agent_backoff_next(int prev, double ran_seconds, int base, int max) {
  if (prev <= 0 || ran_seconds >= AGENT_BACKOFF_RESET_SECONDS)
    return base < max ? base : max;
  if (prev >= max / 2)
    return max;
  return prev * 2;
}
