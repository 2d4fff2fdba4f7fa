/*
 * stopper.c — periodic sleeps that a stop cuts short (see stopper.h).
 */
#include "stopper.h"

#include <errno.h>

#include "clock.h"

void tug_stopper_init(tug_stopper *s) {
  pthread_mutex_init(&s->mu, NULL);
  tug_cond_init_monotonic(&s->cond);
  s->stop = false;
}

void tug_stopper_destroy(tug_stopper *s) {
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cond);
}

bool tug_stopper_sleep_ms(tug_stopper *s, long ms) {
  struct timespec until = tug_deadline_ms(ms);
  pthread_mutex_lock(&s->mu);
  while (!s->stop && pthread_cond_timedwait(&s->cond, &s->mu, &until) != ETIMEDOUT)
    ;
  bool go_on = !s->stop;
  pthread_mutex_unlock(&s->mu);
  return go_on;
}

void tug_stopper_stop(tug_stopper *s) {
  pthread_mutex_lock(&s->mu);
  s->stop = true;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mu);
}

bool tug_stopper_stopped(tug_stopper *s) {
  pthread_mutex_lock(&s->mu);
  bool stop = s->stop;
  pthread_mutex_unlock(&s->mu);
  return stop;
}
