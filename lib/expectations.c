/*
 * expectations.c — client-go's ControllerExpectations (see controller.h).
 *
 * Per key: how many creations are still to be seen, and the uids of the
 * deletions still to be seen. Creations are a count (the new objects' names
 * are not known until the server answers); deletions are tracked by uid, so
 * that seeing a pod's deletionTimestamp and then its removal counts once.
 */
#include <pthread.h>
#include <stdlib.h>

#include "clock.h"
#include "controller.h"
#include "hashmap.h"

#define EXPECTATIONS_TTL_S 300.0

typedef struct record {
  int adds;
  tug_hashmap *dels; /* uid → (void *)1 */
  double since;
} record;

struct tug_expectations {
  pthread_mutex_t mu;
  tug_hashmap *m; /* key → record */
};

static void record_free(void *p) {
  record *r = p;
  if (r)
    tug_hashmap_free(r->dels, NULL);
  free(r);
}

tug_expectations *tug_expectations_new(void) {
  tug_expectations *e = calloc(1, sizeof *e);
  if (e == NULL || (e->m = tug_hashmap_new()) == NULL) {
    free(e);
    return NULL;
  }
  pthread_mutex_init(&e->mu, NULL);
  return e;
}

void tug_expectations_free(tug_expectations *e) {
  if (e == NULL)
    return;
  tug_hashmap_free(e->m, record_free);
  pthread_mutex_destroy(&e->mu);
  free(e);
}

/* The key's record, made when missing; NULL when memory runs out. Locked. */
static record *get_record(tug_expectations *e, const char *key) {
  record *r = tug_hashmap_get(e->m, key);
  if (r)
    return r;
  r = calloc(1, sizeof *r);
  if (r == NULL || (r->dels = tug_hashmap_new()) == NULL) {
    free(r);
    return NULL;
  }
  tug_hashmap_put(e->m, key, r);
  return r;
}

void tug_expectations_expect_creations(tug_expectations *e, const char *key, int adds) {
  pthread_mutex_lock(&e->mu);
  record *r = get_record(e, key);
  if (r) {
    r->adds = adds;
    r->since = tug_monotonic_seconds();
  }
  pthread_mutex_unlock(&e->mu);
}

void tug_expectations_expect_deletion(tug_expectations *e, const char *key, const char *uid) {
  pthread_mutex_lock(&e->mu);
  record *r = get_record(e, key);
  if (r && uid) {
    tug_hashmap_put(r->dels, uid, (void *)1);
    r->since = tug_monotonic_seconds();
  }
  pthread_mutex_unlock(&e->mu);
}

void tug_expectations_creation_observed(tug_expectations *e, const char *key) {
  pthread_mutex_lock(&e->mu);
  record *r = tug_hashmap_get(e->m, key);
  if (r && r->adds > 0)
    r->adds--;
  pthread_mutex_unlock(&e->mu);
}

void tug_expectations_deletion_observed(tug_expectations *e, const char *key, const char *uid) {
  pthread_mutex_lock(&e->mu);
  record *r = tug_hashmap_get(e->m, key);
  if (r && uid)
    tug_hashmap_remove(r->dels, uid);
  pthread_mutex_unlock(&e->mu);
}

bool tug_expectations_satisfied_at(tug_expectations *e, const char *key, double now) {
  pthread_mutex_lock(&e->mu);
  record *r = tug_hashmap_get(e->m, key);
  bool expired = r && now - r->since > EXPECTATIONS_TTL_S;
  bool ok = r == NULL || expired || (r->adds <= 0 && tug_hashmap_size(r->dels) == 0);
  if (expired)
    record_free(tug_hashmap_remove(e->m, key));
  pthread_mutex_unlock(&e->mu);
  return ok;
}

bool tug_expectations_satisfied(tug_expectations *e, const char *key) {
  return tug_expectations_satisfied_at(e, key, tug_monotonic_seconds());
}

void tug_expectations_forget(tug_expectations *e, const char *key) {
  pthread_mutex_lock(&e->mu);
  record_free(tug_hashmap_remove(e->m, key));
  pthread_mutex_unlock(&e->mu);
}
