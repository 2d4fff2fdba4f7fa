/*
 * podcontrol.c — creating and deleting an owner's pods with expectations and
 * Events (Kubernetes' PodControl), for the ReplicaSet and Job controllers.
 *
 * Expectations are raised before the writes and lowered again for each pod
 * not made, so the owner's next reconcile waits for exactly the pods the
 * informer has yet to show. Requests go several at once (Kubernetes does
 * them in goroutines); creates in slow-start batches.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "object.h"
#include "kinds.h"

/* At most the HTTP client's idle handles, so connections are kept alive. */
enum { INFLIGHT = 8 };

/*
 * n requests, INFLIGHT at a time: each thread takes the next index and calls
 * send(f, i), which returns -1 and fills *err on failure. With stop, no new
 * request starts after a failure. ok[i] says which succeeded; err is the
 * first failure's.
 */
typedef struct fanout {
  ctl_ctx *x;
  int n;
  bool stop;
  int (*send)(struct fanout *f, int i, tug_error *err);
  json_t **items; /* what send reads: the pods to create or to delete */
  char **names;   /* for creates: the made pods' names */
  bool *ok;
  atomic_int next;
  atomic_bool failed;
  pthread_mutex_t mu;
  tug_error err;
} fanout;

static void *fanout_thread(void *arg) {
  fanout *f = arg;
  for (int i;
       !(f->stop && atomic_load(&f->failed)) && (i = atomic_fetch_add(&f->next, 1)) < f->n;) {
    tug_error err = {0};
    f->ok[i] = f->send(f, i, &err) == 0;
    if (!f->ok[i]) {
      pthread_mutex_lock(&f->mu);
      if (!atomic_exchange(&f->failed, true))
        f->err = err;
      pthread_mutex_unlock(&f->mu);
    }
  }
  return NULL;
}

static void fanout_run(fanout *f) {
  pthread_t th[INFLIGHT];
  int started = 0, want = f->n < INFLIGHT ? f->n : INFLIGHT;
  pthread_mutex_init(&f->mu, NULL);
  while (started < want && pthread_create(&th[started], NULL, fanout_thread, f) == 0)
    started++;
  if (started == 0)
    fanout_thread(f);
  for (int t = 0; t < started; t++)
    pthread_join(th[t], NULL);
  pthread_mutex_destroy(&f->mu);
}

static int send_create(fanout *f, int i, tug_error *err) {
  json_t *pod = f->items[i], *made = NULL;
  char path[512];
  if (tug_api_path(path, sizeof path, "Pod", tug_obj_namespace(pod), NULL, NULL, err) < 0 ||
      tug_client_create(f->x->client, path, pod, &made, err) < 0)
    return -1;
  f->names[i] = strdup(tug_obj_name(made) ? tug_obj_name(made) : "");
  json_decref(made);
  return 0;
}

static int send_delete(fanout *f, int i, tug_error *err) {
  return ctl_delete(f->x, f->items[i], NULL, err);
}

/*
 * Kubernetes' slowStartBatch: batches of 1, 2, 4, ... pods, each sent in
 * parallel, stopping after the first batch with a failure — so a template the
 * API server refuses costs one request, not n, while a good one soon goes
 * INFLIGHT requests at a time.
 */
int ctl_create_pods(ctl_ctx *x, tug_controller *c, const char *key, const json_t *owner,
                    const json_t *tmpl, int n, tug_error *err) {
  tug_expectations *exp = tug_controller_expectations(c);
  tug_expectations_expect_creations(exp, key, n);
  json_t **pods = calloc(n > 0 ? n : 1, sizeof *pods);
  char **names = calloc(n > 0 ? n : 1, sizeof *names);
  bool *ok = calloc(n > 0 ? n : 1, sizeof *ok);
  int done = 0, rc = 0;
  if (pods == NULL || names == NULL || ok == NULL)
    rc = tug_error_set(err, ENOMEM, "create pods of %s", key);
  for (int size = 1; rc == 0 && done < n; size *= 2) {
    fanout f = {.x = x,
                .n = size < n - done ? size : n - done,
                .stop = true,
                .send = send_create,
                .items = pods + done,
                .names = names + done,
                .ok = ok + done};
    for (int i = 0; i < f.n; i++)
      pods[done + i] = ctl_pod_from_template(tmpl, owner, tug_obj_name(owner));
    fanout_run(&f);
    for (int i = 0; i < f.n; i++)
      if (f.ok[i])
        tug_event_record(x->events, owner, "Normal", "SuccessfulCreate", "Created pod: %s",
                         f.names[i]);
    done += f.n;
    if (atomic_load(&f.failed)) {
      *err = f.err;
      tug_event_record(x->events, owner, "Warning", "FailedCreate", "Error creating: %s", err->msg);
      rc = -1;
    }
  }
  for (int i = 0; i < n; i++)
    if (!(ok && ok[i]))
      tug_expectations_creation_observed(exp, key);
  for (int i = 0; i < n && pods && names; i++) {
    json_decref(pods[i]);
    free(names[i]);
  }
  free(pods);
  free(names);
  free(ok);
  return rc;
}

int ctl_delete_pods(ctl_ctx *x, tug_controller *c, const char *key, const json_t *owner,
                    json_t *pods, int n) {
  tug_expectations *exp = tug_controller_expectations(c);
  size_t count = json_array_size(pods);
  json_t **v = calloc(count ? count : 1, sizeof *v);
  bool *ok = calloc(count ? count : 1, sizeof *ok);
  if (v == NULL || ok == NULL) {
    free(v);
    free(ok);
    return -1;
  }
  for (size_t i = 0; i < count; i++)
    v[i] = json_array_get(pods, i);
  qsort(v, count, sizeof *v, ctl_pod_deletion_cmp);
  size_t k = (size_t)n < count ? (size_t)n : count;
  for (size_t i = 0; i < k; i++)
    tug_expectations_expect_deletion(exp, key, tug_obj_uid(v[i]));
  fanout f = {.x = x, .n = (int)k, .send = send_delete, .items = v, .ok = ok};
  fanout_run(&f);
  for (size_t i = 0; i < k; i++) {
    if (ok[i]) {
      tug_event_record(x->events, owner, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                       tug_obj_name(v[i]));
      continue;
    }
    tug_expectations_deletion_observed(exp, key, tug_obj_uid(v[i]));
  }
  if (atomic_load(&f.failed))
    tug_event_record(x->events, owner, "Warning", "FailedDelete", "Error deleting: %s", f.err.msg);
  free(v);
  free(ok);
  return atomic_load(&f.failed) ? -1 : 0;
}
