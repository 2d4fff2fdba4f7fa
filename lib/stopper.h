/*
 * stopper.h — "sleep until the period is over or we are told to stop", the
 * loop of every periodic background thread (compaction, status writers,
 * lease renewals), written once.
 *
 *   while (tug_stopper_sleep_ms(&s, period_ms))
 *     do_one_round();
 *   ... and from another thread: tug_stopper_stop(&s); pthread_join(...);
 *
 * Sleeps measure against the monotonic clock (clock.h); a stop wakes every
 * sleeper at once and makes every later sleep return false immediately.
 */
#ifndef TUG_STOPPER_H
#define TUG_STOPPER_H

#include <pthread.h>
#include <stdbool.h>

typedef struct tug_stopper {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  bool stop;
} tug_stopper;

void tug_stopper_init(tug_stopper *s);
void tug_stopper_destroy(tug_stopper *s);
/* Sleep ms (or until stopped); true when the time passed, false when stopped. */
bool tug_stopper_sleep_ms(tug_stopper *s, long ms);
void tug_stopper_stop(tug_stopper *s);
bool tug_stopper_stopped(tug_stopper *s);

#endif
