/* revision.c — shared fetches of etcd's current revision (see revision.h). */
#include "revision.h"

#include <stdio.h>

void api_revision_init(api_revision *r, bool local) {
  r->local = local;
  atomic_init(&r->local_max, 0);
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cond, NULL);
  r->started = r->done = r->value = 0;
  r->inflight = false;
}

void api_revision_destroy(api_revision *r) {
  pthread_mutex_destroy(&r->mu);
  pthread_cond_destroy(&r->cond);
}

/* Run fetch number seq (r->mu held on entry and exit). */
static void fetch(api_revision *r, tug_etcd *etcd, int64_t seq) {
  r->inflight = true;
  r->started = seq;
  pthread_mutex_unlock(&r->mu);
  tug_etcd_range range;
  tug_error err = {0};
  int rc = tug_etcd_get(etcd, "/registry/~revision", &range, &err);
  int64_t value = rc == 0 ? range.revision : 0;
  if (rc == 0)
    tug_etcd_range_free(&range);
  pthread_mutex_lock(&r->mu);
  r->inflight = false;
  r->done = seq;
  r->value = value;
  r->err_code = rc == 0 ? 0 : err.code;
  snprintf(r->err_msg, sizeof r->err_msg, "%.200s", rc == 0 ? "" : err.msg);
  pthread_cond_broadcast(&r->cond);
}

void api_revision_observe(api_revision *r, int64_t rev) {
  int64_t cur = atomic_load(&r->local_max);
  while (rev > cur && !atomic_compare_exchange_weak(&r->local_max, &cur, rev))
    ;
}

int api_revision_current(api_revision *r, tug_etcd *etcd, int64_t *rev, tug_error *err) {
  int64_t local = atomic_load(&r->local_max);
  if (r->local && local > 0) {
    *rev = local;
    return 0;
  }
  pthread_mutex_lock(&r->mu);
  /* Only a fetch that starts after now will do. */
  int64_t need = r->started + 1;
  while (r->done < need) {
    if (!r->inflight)
      fetch(r, etcd, r->started + 1);
    else
      pthread_cond_wait(&r->cond, &r->mu);
  }
  int rc = 0;
  if (r->err_code)
    rc = tug_error_set(err, r->err_code, "read etcd's revision: %s", r->err_msg);
  else
    *rev = r->value;
  pthread_mutex_unlock(&r->mu);
  if (rc == 0)
    api_revision_observe(r, *rev);
  return rc;
}
