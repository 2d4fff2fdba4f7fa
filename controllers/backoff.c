/*
 * backoff.c — per-key exponential back-off (see backoff.h): a JSON object
 * maps each key to [delay, time of the last step] under one mutex.
 */
#include "backoff.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>

struct ctl_backoff {
  double initial, max;
  json_t *keys;
  pthread_mutex_t mu;
};

ctl_backoff *ctl_backoff_new(double initial_s, double max_s) {
  ctl_backoff *b = calloc(1, sizeof *b);
  if (b == NULL || (b->keys = json_object()) == NULL) {
    free(b);
    return NULL;
  }
  b->initial = initial_s;
  b->max = max_s;
  pthread_mutex_init(&b->mu, NULL);
  return b;
}

void ctl_backoff_free(ctl_backoff *b) {
  if (b == NULL)
    return;
  json_decref(b->keys);
  pthread_mutex_destroy(&b->mu);
  free(b);
}

static double delay_of(const json_t *e) {
  return json_real_value(json_array_get(e, 0));
}

static double last_of(const json_t *e) {
  return json_real_value(json_array_get(e, 1));
}

bool ctl_backoff_waiting(ctl_backoff *b, const char *key, double now, double *delay_s) {
  pthread_mutex_lock(&b->mu);
  const json_t *e = json_object_get(b->keys, key);
  bool waiting = e && now - last_of(e) < delay_of(e);
  *delay_s = e ? delay_of(e) : 0;
  pthread_mutex_unlock(&b->mu);
  return waiting;
}

static void forget_idle(ctl_backoff *b, double now) {
  const char *k;
  json_t *e;
  void *tmp;
  json_object_foreach_safe(b->keys, tmp, k, e) {
    if (now - last_of(e) > 2 * b->max)
      json_object_del(b->keys, k);
  }
}

void ctl_backoff_next(ctl_backoff *b, const char *key, double now) {
  pthread_mutex_lock(&b->mu);
  forget_idle(b, now);
  const json_t *e = json_object_get(b->keys, key);
  double delay = e ? delay_of(e) * 2 : b->initial;
  if (delay > b->max)
    delay = b->max;
  json_object_set_new(b->keys, key, json_pack("[f, f]", delay, now));
  pthread_mutex_unlock(&b->mu);
}
