/*
 * queue-status.c — see queue-status.h.
 */
#include "queue-status.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hashmap.h"
#include "log.h"
#include "stopper.h"
#include "kinds.h"

struct sched_status_writer {
  tug_client *cli;
  sched_core *core;
  long period_ms;
  tug_hashmap *written; /* queue name → the status last written */
  pthread_t thread;
  tug_stopper stopper;
};

/* {name: status} of every Queue object, taken under the core's lock. */
static json_t *snapshot(sched_core *c) {
  json_t *all = json_object();
  pthread_mutex_lock(&c->mu);
  for (size_t i = 0; all && i < c->queues->n; i++) {
    const sched_queue *q = c->queues->v[i];
    if (q->obj)
      json_object_set_new(all, q->name, sched_queues_status(c->queues, q));
  }
  pthread_mutex_unlock(&c->mu);
  return all;
}

static void write_one(sched_status_writer *w, const char *name, json_t *status) {
  json_t *last = tug_hashmap_get(w->written, name);
  if (last && json_equal(last, status))
    return;
  char path[512];
  json_t *patch = json_pack("{s:O}", "status", status);
  tug_error err = {0};
  int rc = tug_api_path(path, sizeof path, "Queue", NULL, name, "status", &err) < 0
               ? -1
               : tug_client_patch(w->cli, path, TUG_PATCH_MERGE, patch, NULL, &err);
  json_decref(patch);
  if (rc < 0) {
    if (err.code != ENOENT)
      tug_warn("queue status not written", "queue=%s err=%s", name, TUG_LOG_ERR(&err));
    return;
  }
  json_decref(tug_hashmap_put(w->written, name, json_incref(status)));
}

static void *run(void *arg) {
  sched_status_writer *w = arg;
  while (tug_stopper_sleep_ms(&w->stopper, w->period_ms)) {
    json_t *all = snapshot(w->core);
    const char *name;
    json_t *status;
    json_object_foreach(all, name, status) write_one(w, name, status);
    json_decref(all);
  }
  return NULL;
}

static void decref(void *v) {
  json_decref(v);
}

sched_status_writer *sched_status_writer_start(tug_client *cli, sched_core *core, long period_ms,
                                               tug_error *err) {
  sched_status_writer *w = calloc(1, sizeof *w);
  if (w == NULL || (w->written = tug_hashmap_new()) == NULL) {
    free(w);
    tug_error_set(err, ENOMEM, "queue status writer");
    return NULL;
  }
  w->cli = cli;
  w->core = core;
  w->period_ms = period_ms;
  tug_stopper_init(&w->stopper);
  int rc = pthread_create(&w->thread, NULL, run, w);
  if (rc != 0) {
    tug_stopper_destroy(&w->stopper);
    tug_hashmap_free(w->written, decref);
    free(w);
    tug_error_errno(err, rc, "start queue status writer");
    return NULL;
  }
  return w;
}

void sched_status_writer_stop(sched_status_writer *w) {
  if (w == NULL)
    return;
  tug_stopper_stop(&w->stopper);
  pthread_join(w->thread, NULL);
  tug_hashmap_free(w->written, decref);
  tug_stopper_destroy(&w->stopper);
  free(w);
}
