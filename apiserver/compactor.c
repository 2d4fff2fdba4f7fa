/* compactor.c — periodic etcd compaction (see compactor.h). */
#include "compactor.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "stopper.h"

struct api_compactor {
  api_server *server;
  int interval;
  pthread_t thread;
  tug_stopper stopper;
};

static void *run(void *arg) {
  api_compactor *c = arg;
  int64_t previous = 0;
  while (tug_stopper_sleep_ms(&c->stopper, c->interval * 1000L)) {
    tug_error err = {0};
    int64_t now;
    if (api_revision_current(&c->server->revision, c->server->etcd, &now, &err) < 0) {
      tug_warn("compaction skipped", "err=%s", TUG_LOG_ERR(&err));
      continue;
    }
    if (previous > 0 && tug_etcd_compact(c->server->etcd, previous, &err) < 0)
      tug_warn("compaction failed", "revision=%lld err=%s", (long long)previous, TUG_LOG_ERR(&err));
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
  tug_stopper_init(&c->stopper);
  if (pthread_create(&c->thread, NULL, run, c) != 0) {
    tug_stopper_destroy(&c->stopper);
    free(c);
    return NULL;
  }
  return c;
}

void api_compactor_stop(api_compactor *c) {
  if (c == NULL)
    return;
  tug_stopper_stop(&c->stopper);
  pthread_join(c->thread, NULL);
  tug_stopper_destroy(&c->stopper);
  free(c);
}
