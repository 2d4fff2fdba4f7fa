/* compactor.c — periodic etcd compaction (see compactor.h). */
#include "compactor.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "log.h"

struct api_compactor {
  api_server *server;
  int interval;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  bool stop;
};

/* Sleep one interval; false when asked to stop meanwhile. */
static bool wait_interval(api_compactor *c) {
  struct timespec until = tug_deadline_ms(c->interval * 1000L);
  pthread_mutex_lock(&c->mu);
  while (!c->stop && pthread_cond_timedwait(&c->cond, &c->mu, &until) != ETIMEDOUT)
    ;
  bool go_on = !c->stop;
  pthread_mutex_unlock(&c->mu);
  return go_on;
}

static void *run(void *arg) {
  api_compactor *c = arg;
  int64_t previous = 0;
  while (wait_interval(c)) {
    tug_error err = {0};
    int64_t now;
    if (api_revision_current(&c->server->revision, c->server->etcd, &now, &err) < 0) {
      tug_warn("compaction skipped", "error=\"%s\"", err.msg);
      continue;
    }
    if (previous > 0 && tug_etcd_compact(c->server->etcd, previous, &err) < 0)
      tug_warn("compaction failed", "revision=%lld error=\"%s\"", (long long)previous, err.msg);
    else if (previous > 0)
      tug_info("compacted etcd", "revision=%lld", (long long)previous);
    previous = now;
  }
  return NULL;
}

api_compactor *api_compactor_start(api_server *s, int interval_seconds) {
  if (interval_seconds <= 0)
    return NULL;
  api_compactor *c = calloc(1, sizeof *c);
  c->server = s;
  c->interval = interval_seconds;
  pthread_mutex_init(&c->mu, NULL);
  tug_cond_init_monotonic(&c->cond);
  if (pthread_create(&c->thread, NULL, run, c) != 0) {
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cond);
    free(c);
    return NULL;
  }
  return c;
}

void api_compactor_stop(api_compactor *c) {
  if (c == NULL)
    return;
  pthread_mutex_lock(&c->mu);
  c->stop = true;
  pthread_cond_signal(&c->cond);
  pthread_mutex_unlock(&c->mu);
  pthread_join(c->thread, NULL);
  pthread_mutex_destroy(&c->mu);
  pthread_cond_destroy(&c->cond);
  free(c);
}
