/*
 * leader.c — leader election over a Lease (see leader.h).
 *
 * A campaign runs in the caller's thread (it only waits, so SIGTERM can end
 * it); once the Lease is won a thread renews it. Every attempt is a GET then
 * a create or a PUT carrying the resourceVersion read, so a write that raced
 * another candidate's fails with 409 and changes nothing. Request timeouts
 * never run past the renew deadline, so a hung API server cannot keep a
 * leader acting longer than the deadline allows.
 */
#include "leader.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "object.h"
#include "stopper.h"
#include "timestamp.h"

struct tug_leader {
  tug_client *client;
  tug_leader_options o;
  char identity[256];
  char collection[256], item[512];
  tug_leader_observed seen;
  atomic_bool leading;
  double last_ok; /* monotonic: when the latest successful write was sent */
  tug_stopper stop;
  pthread_t renewer;
  bool renewing;
};

int tug_leader_elect_parse(const char *value) {
  if (value == NULL || strcmp(value, "true") == 0)
    return 1;
  return strcmp(value, "false") == 0 ? 0 : -1;
}

void tug_leader_options_default(tug_leader_options *o, const char *name) {
  *o = (tug_leader_options){.namespace = TUG_LEADER_NAMESPACE,
                            .name = name,
                            .lease_duration_s = TUG_LEADER_LEASE_DURATION_S,
                            .renew_deadline_s = TUG_LEADER_RENEW_DEADLINE_S,
                            .retry_period_s = TUG_LEADER_RETRY_PERIOD_S};
}

int tug_leader_options_check(const tug_leader_options *o, tug_error *err) {
  if (!(o->retry_period_s < o->renew_deadline_s && o->renew_deadline_s < o->lease_duration_s))
    return tug_error_set(err, EINVAL,
                         "leader election: want retry period (%gs) < renew deadline (%gs) < "
                         "lease duration (%gs)",
                         o->retry_period_s, o->renew_deadline_s, o->lease_duration_s);
  if (o->name == NULL || !o->name[0] || o->namespace == NULL || !o->namespace[0])
    return tug_error_set(err, EINVAL, "leader election: the Lease needs a name and a namespace");
  return 0;
}

/* ---- the decision ---- */

static const char *holder_of(const json_t *lease) {
  const char *h = tug_obj_get_str(lease, "spec.holderIdentity");
  return h ? h : "";
}

tug_leader_action tug_leader_decide(const json_t *lease, const char *identity,
                                    tug_leader_observed *seen, double now) {
  if (lease == NULL)
    return TUG_LEADER_ACQUIRE;
  const char *holder = holder_of(lease);
  char record[sizeof seen->record];
  const char *rv = tug_obj_resource_version(lease);
  snprintf(record, sizeof record, "%s|%s", rv ? rv : "", holder);
  if (strcmp(record, seen->record) != 0) {
    memcpy(seen->record, record, sizeof record);
    seen->at = now;
  }
  if (strcmp(holder, identity) == 0)
    return TUG_LEADER_RENEW;
  if (holder[0] == '\0')
    return TUG_LEADER_ACQUIRE;
  /* Measured on this clock from when the record last changed, never from
   * renewTime: the holder's clock may be off. */
  double duration = (double)tug_obj_get_int(lease, "spec.leaseDurationSeconds", 0);
  return seen->at + duration <= now ? TUG_LEADER_ACQUIRE : TUG_LEADER_WAIT;
}

json_t *tug_leader_lease_body(const json_t *current, const tug_leader_options *o,
                              const char *identity, tug_leader_action action,
                              const char *now_micro) {
  json_t *lease =
      current ? json_deep_copy(current)
              : json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "coordination.k8s.io/v1",
                          "kind", "Lease", "metadata", "name", o->name, "namespace", o->namespace);
  json_t *spec = json_object();
  if (lease == NULL || spec == NULL) {
    json_decref(lease);
    json_decref(spec);
    return NULL;
  }
  int64_t transitions = tug_obj_get_int(current, "spec.leaseTransitions", 0);
  const char *acquired = tug_obj_get_str(current, "spec.acquireTime");
  bool keep = action == TUG_LEADER_RENEW && acquired;
  if (current && strcmp(holder_of(current), identity) != 0)
    transitions++;
  json_object_set_new(spec, "holderIdentity", json_string(identity));
  json_object_set_new(spec, "leaseDurationSeconds",
                      json_integer((json_int_t)ceil(o->lease_duration_s)));
  json_object_set_new(spec, "acquireTime", json_string(keep ? acquired : now_micro));
  json_object_set_new(spec, "renewTime", json_string(now_micro));
  json_object_set_new(spec, "leaseTransitions", json_integer(transitions));
  json_object_set_new(lease, "spec", spec);
  return lease;
}

/* ---- talking to the API server ---- */

static int call(tug_leader *l, const char *method, const char *path, const json_t *body,
                double timeout_s, json_t **out, tug_error *err) {
  tug_request req = {.method = method,
                     .path = path,
                     .body = body,
                     .timeout_ms = timeout_s < 0.05 ? 50 : (long)(timeout_s * 1000)};
  tug_response resp;
  int rc = tug_client_do(l->client, &req, &resp, err);
  if (out)
    *out = rc < 0 ? NULL : tug_steal_ptr(&resp.body);
  tug_response_clear(&resp);
  return rc;
}

/* One attempt to take or keep the Lease: 0 when this process holds it now,
 * -1 when not (err says why; *other is set when another holder's Lease is
 * still valid). */
static int try_once(tug_leader *l, double timeout_s, bool *other, tug_error *err) {
  _cleanup_json_ json_t *cur = NULL;
  *other = false;
  if (call(l, "GET", l->item, NULL, timeout_s, &cur, err) < 0) {
    if (err->code != ENOENT)
      return -1;
    tug_error_clear(err);
  }
  tug_leader_action a = tug_leader_decide(cur, l->identity, &l->seen, tug_monotonic_seconds());
  if (a == TUG_LEADER_WAIT) {
    *other = true;
    return tug_error_set(err, EAGAIN, "lease %s/%s is held by %s", l->o.namespace, l->o.name,
                         holder_of(cur));
  }
  char now[TUG_TIME_BUFSIZE];
  _cleanup_json_ json_t *body =
      tug_leader_lease_body(cur, &l->o, l->identity, a, tug_time_now_micro(now, sizeof now));
  if (body == NULL)
    return tug_error_set(err, ENOMEM, "lease %s/%s", l->o.namespace, l->o.name);
  if (cur == NULL)
    return call(l, "POST", l->collection, body, timeout_s, NULL, err) < 0 ? -1 : 0;
  return call(l, "PUT", l->item, body, timeout_s, NULL, err) < 0 ? -1 : 0;
}

static void lost(tug_leader *l, const char *why) {
  atomic_store(&l->leading, false);
  tug_errorlog("leader election lost: stopping", "lease=%s/%s identity=%s reason=\"%s\"",
               l->o.namespace, l->o.name, l->identity, why);
  if (l->o.on_lost) {
    l->o.on_lost(l->o.arg);
    return;
  }
  _exit(TUG_LEADER_LOST_EXIT); /* nothing of this process may act on */
}

/* Renew every retry period; give up when the renew deadline passed since the
 * last good renewal was sent, or when someone else holds the Lease. */
static void *renew_main(void *arg) {
  tug_leader *l = arg;
  for (;;) {
    double left = l->last_ok + l->o.renew_deadline_s - tug_monotonic_seconds();
    bool last = left <= l->o.retry_period_s; /* the deadline comes before the next try */
    double wait = last ? left : l->o.retry_period_s;
    if (!tug_stopper_sleep_ms(&l->stop, wait > 0 ? (long)(wait * 1000) : 0))
      return NULL;
    if (last)
      break;
    double sent = tug_monotonic_seconds();
    left = l->last_ok + l->o.renew_deadline_s - sent;
    tug_error err = {0};
    bool other;
    if (try_once(l, left, &other, &err) == 0) {
      l->last_ok = sent;
      continue;
    }
    if (tug_stopper_stopped(&l->stop))
      return NULL;
    if (other) {
      lost(l, err.msg);
      return NULL;
    }
    tug_warn("lease renewal failed", "lease=%s/%s err=%s", l->o.namespace, l->o.name,
             TUG_LOG_ERR(&err));
  }
  lost(l, "no renewal within the renew deadline");
  return NULL;
}

static void make_identity(char *buf, size_t size) {
  char host[128] = "host";
  unsigned char r[6] = {0};
  gethostname(host, sizeof host - 1);
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
    r[0] = (unsigned char)getpid();
  snprintf(buf, size, "%s_%02x%02x%02x%02x%02x%02x", host, r[0], r[1], r[2], r[3], r[4], r[5]);
}

tug_leader *tug_leader_new(tug_client *client, const tug_leader_options *o, tug_error *err) {
  if (tug_leader_options_check(o, err) < 0)
    return NULL;
  tug_leader *l = calloc(1, sizeof *l);
  if (l == NULL) {
    tug_error_errno(err, ENOMEM, "leader election");
    return NULL;
  }
  l->client = client;
  l->o = *o;
  if (o->identity)
    snprintf(l->identity, sizeof l->identity, "%s", o->identity);
  else
    make_identity(l->identity, sizeof l->identity);
  snprintf(l->collection, sizeof l->collection, "/apis/coordination.k8s.io/v1/namespaces/%s/leases",
           o->namespace);
  snprintf(l->item, sizeof l->item, "%s/%s", l->collection, o->name);
  atomic_init(&l->leading, false);
  tug_stopper_init(&l->stop);
  return l;
}

int tug_leader_campaign(tug_leader *l) {
  bool said = false;
  for (;;) {
    tug_error err = {0};
    bool other;
    double sent = tug_monotonic_seconds();
    if (try_once(l, l->o.renew_deadline_s, &other, &err) == 0) {
      l->last_ok = sent;
      atomic_store(&l->leading, true);
      break;
    }
    if (!said || !other)
      tug_info("waiting for leadership", "lease=%s/%s identity=%s reason=\"%s\"", l->o.namespace,
               l->o.name, l->identity, err.msg);
    said = true;
    int sig = tug_daemon_wait_signal_ms((long)(l->o.retry_period_s * 1000));
    if (sig)
      return sig;
  }
  tug_info("became leader", "lease=%s/%s identity=%s", l->o.namespace, l->o.name, l->identity);
  int rc = pthread_create(&l->renewer, NULL, renew_main, l);
  if (rc != 0) /* without renewals leadership would lapse unnoticed */
    lost(l, "cannot start the renewal thread");
  l->renewing = rc == 0;
  return 0;
}

bool tug_leader_leading(tug_leader *l) {
  return atomic_load(&l->leading);
}

const char *tug_leader_identity(const tug_leader *l) {
  return l->identity;
}

/* holderIdentity "" and a one-second duration: any candidate takes it now. */
static void release(tug_leader *l) {
  tug_error err = {0};
  _cleanup_json_ json_t *cur = NULL;
  if (call(l, "GET", l->item, NULL, 2, &cur, &err) < 0 || strcmp(holder_of(cur), l->identity) != 0)
    return;
  json_t *spec = json_object_get(cur, "spec");
  char now[TUG_TIME_BUFSIZE];
  json_object_set_new(spec, "holderIdentity", json_string(""));
  json_object_set_new(spec, "leaseDurationSeconds", json_integer(1));
  json_object_set_new(spec, "renewTime", json_string(tug_time_now_micro(now, sizeof now)));
  if (call(l, "PUT", l->item, cur, 2, NULL, &err) < 0)
    tug_warn("lease release failed", "lease=%s/%s err=%s", l->o.namespace, l->o.name,
             TUG_LOG_ERR(&err));
  else
    tug_info("lease released", "lease=%s/%s", l->o.namespace, l->o.name);
}

void tug_leader_free(tug_leader *l) {
  if (l == NULL)
    return;
  tug_stopper_stop(&l->stop);
  if (l->renewing)
    pthread_join(l->renewer, NULL);
  if (atomic_load(&l->leading))
    release(l);
  tug_stopper_destroy(&l->stop);
  free(l);
}
