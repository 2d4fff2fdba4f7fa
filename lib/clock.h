/*
 * clock.h — monotonic time for deadlines and waits.
 *
 * Every timed wait in Tugboat measures against CLOCK_MONOTONIC, so a wall
 * clock step (NTP, a VM resumed) never stretches or cuts a timeout.
 */
#ifndef TUG_CLOCK_H
#define TUG_CLOCK_H

#include <pthread.h>
#include <time.h>

/* A condition variable whose timed waits use CLOCK_MONOTONIC. */
void tug_cond_init_monotonic(pthread_cond_t *cond);
/* The monotonic time ms milliseconds from now, for pthread_cond_timedwait. */
struct timespec tug_deadline_ms(long ms);
/* Monotonic seconds, for measuring durations. */
double tug_monotonic_seconds(void);

#endif
