/*
 * Tests of the decision loop and preemption, through a sink that records
 * what the scheduler asked for: binds, evictions and FailedScheduling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "object.h"
#include "pod-trim.h"
#include "pod.h"
#include "scheduler.h"

typedef struct recorder {
  char binds[16][128], evictions[16][128], failures[16][256];
  int n_binds, n_evictions, n_failures;
  sched_core *core;
} recorder;

static void rec_bind(void *arg, const sched_pod *p, const char *node) {
  recorder *r = arg;
  if (r->n_binds < 16)
    snprintf(r->binds[r->n_binds++], 128, "%s@%s", p->name, node);
}

static void rec_evict(void *arg, const sched_pod *v, const sched_pod *for_pod) {
  recorder *r = arg;
  if (r->n_evictions < 16)
    snprintf(r->evictions[r->n_evictions++], 128, "%s for %s", v->name, for_pod->name);
}

static void rec_failed(void *arg, const sched_pod *p, const char *msg) {
  recorder *r = arg;
  if (r->n_failures < 16)
    snprintf(r->failures[r->n_failures++], 256, "%s: %s", p->name, msg);
}

static const sched_sink sink = {rec_bind, rec_evict, rec_failed};

static int setup(void **state) {
  recorder *r = calloc(1, sizeof *r);
  sched_profile prof;
  sched_profile_default(&prof);
  r->core = sched_core_new(&prof, &sink, r);
  *state = r;
  return r->core ? 0 : -1;
}

static int teardown(void **state) {
  recorder *r = *state;
  sched_core_free(r->core);
  free(r);
  return 0;
}

static void add_node(recorder *r, const char *name, const char *cpu) {
  json_t *n = fx_node(name, cpu, "64Gi");
  sched_core_node_changed(r->core, n);
  json_decref(n);
}

static json_t *pod_obj(const char *ns, const char *name, const char *cpu, int prio, int created,
                       const char *node) {
  json_t *p = fx_pod(ns, name, cpu, "", prio, created);
  if (node)
    json_object_set_new(json_object_get(p, "spec"), "nodeName", json_string(node));
  return p;
}

static void add_pod(recorder *r, const char *ns, const char *name, const char *cpu, int prio,
                    int created, const char *node) {
  json_t *p = pod_obj(ns, name, cpu, prio, created, node);
  sched_core_pod_changed(r->core, p, 0);
  json_decref(p);
}

static void delete_pod(recorder *r, const char *ns, const char *name) {
  json_t *p = pod_obj(ns, name, "1", 0, 0, NULL);
  sched_core_pod_deleted(r->core, p);
  json_decref(p);
}

/* count 1-cpu pods named ns0, ns1, ... in namespace ns, created at 0, 1, ...,
 * on node (NULL: pending). */
static void flood(recorder *r, const char *ns, int count, const char *node) {
  char name[16];
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "%s%d", ns, i);
    add_pod(r, ns, name, "1", 0, i, node);
  }
}

static void add_queue(recorder *r, const char *name, const char *spec) {
  json_t *q = fx_queue(name, spec);
  sched_core_queue_changed(r->core, q);
  json_decref(q);
}

static void drain(recorder *r, double now) {
  while (sched_core_schedule_one(r->core, now))
    ;
}

static void test_a_placed_pod_is_assumed_then_bound(void **state) {
  recorder *r = *state;
  add_node(r, "n1", "4");
  add_pod(r, "default", "web", "1", 0, 0, NULL);
  drain(r, 0);
  assert_int_equal(r->n_binds, 1);
  assert_string_equal(r->binds[0], "web@n1");
  sched_pod *p = tug_hashmap_get(r->core->pods, "default/web");
  assert_int_equal(p->state, SCHED_POD_ASSUMED);
  assert_int_equal(sched_cache_node(r->core->cache, "n1")->requested.v[SCHED_CPU], 1000);
  add_pod(r, "default", "web", "1", 0, 0, "n1"); /* the informer sees the bind */
  assert_int_equal(p->state, SCHED_POD_BOUND);
  assert_int_equal(sched_cache_node(r->core->cache, "n1")->requested.v[SCHED_CPU], 1000);
  assert_int_equal(sched_queues_get(r->core->queues, "default")->admitted.n, 1);
}

static void test_a_failed_bind_forgets_and_retries_after_backoff(void **state) {
  recorder *r = *state;
  add_node(r, "n1", "4");
  add_pod(r, "default", "web", "3", 0, 0, NULL);
  drain(r, 100);
  sched_core_bind_failed(r->core, "default/web", "web", 100);
  assert_int_equal(sched_cache_node(r->core->cache, "n1")->requested.v[SCHED_CPU], 0);
  assert_int_equal(sched_queues_get(r->core->queues, "default")->usage.v[SCHED_CPU], 0);
  assert_false(sched_core_schedule_one(r->core, 100.5));
  assert_true(sched_core_schedule_one(r->core, 101));
  assert_int_equal(r->n_binds, 2);
  sched_core_bind_failed(r->core, "default/web", "web", 101);
  assert_false(sched_core_schedule_one(r->core, 102.9)); /* the second wait is 2 s */
  assert_true(sched_core_schedule_one(r->core, 103));
  assert_int_equal(r->core->stats.bind_failures, 2);
}

static void test_a_pod_that_fits_nowhere_reports_why(void **state) {
  recorder *r = *state;
  add_node(r, "n1", "2");
  add_node(r, "n2", "2");
  add_pod(r, "default", "huge", "3", 0, 0, NULL);
  drain(r, 0);
  assert_int_equal(r->n_binds, 0);
  assert_int_equal(r->n_failures, 1);
  assert_string_equal(r->failures[0], "huge: 0/2 nodes are available: 2 Insufficient cpu.");
  drain(r, 0);
  assert_int_equal(r->n_failures, 1); /* parked, not retried in a loop */
  add_node(r, "n3", "4");
  drain(r, 0);
  assert_int_equal(r->n_binds, 1);
  assert_string_equal(r->binds[0], "huge@n3");
}

static void test_pods_of_other_schedulers_are_left_alone(void **state) {
  recorder *r = *state;
  add_node(r, "n1", "4");
  json_t *p = pod_obj("default", "theirs", "1", 0, 0, NULL);
  json_object_set_new(json_object_get(p, "spec"), "schedulerName", json_string("other"));
  sched_core_pod_changed(r->core, p, 0);
  json_decref(p);
  drain(r, 0);
  assert_int_equal(r->n_binds, 0);
}

static void test_high_priority_preempts_the_youngest_low_priority_pod(void **state) {
  recorder *r = *state;
  add_node(r, "n1", "4");
  add_pod(r, "default", "old", "2", 0, 1, "n1");
  add_pod(r, "default", "young", "2", 0, 2, "n1");
  add_pod(r, "default", "vip", "2", 100, 3, NULL);
  drain(r, 0);
  assert_int_equal(r->n_evictions, 1);
  assert_string_equal(r->evictions[0], "young for vip");
  assert_int_equal(r->n_binds, 0);
  sched_core_kick(r->core);
  drain(r, 0);
  assert_int_equal(r->n_evictions, 1); /* waits for its victim, evicts no more */
  delete_pod(r, "default", "young");
  drain(r, 0);
  assert_int_equal(r->n_binds, 1);
  assert_string_equal(r->binds[0], "vip@n1");
}

static void test_preemption_picks_the_node_that_evicts_least(void **state) {
  recorder *r = *state;
  add_node(r, "two-small", "4");
  add_node(r, "one-big", "4");
  add_node(r, "one-higher", "4");
  add_pod(r, "default", "s1", "2", 1, 1, "two-small");
  add_pod(r, "default", "s2", "2", 1, 2, "two-small");
  add_pod(r, "default", "big", "4", 5, 3, "one-big");
  add_pod(r, "default", "higher", "4", 7, 4, "one-higher");
  add_pod(r, "default", "vip", "4", 100, 5, NULL);
  drain(r, 0);
  assert_int_equal(r->n_evictions, 1);
  assert_string_equal(r->evictions[0], "big for vip");
}

static void test_no_preemption_within_a_queue_that_forbids_it(void **state) {
  recorder *r = *state;
  add_queue(r, "team",
            "{\"namespaces\": [\"team\"], \"preemption\": {\"withinQueue\": "
            "\"Never\"}}");
  add_node(r, "n1", "2");
  add_pod(r, "team", "low", "2", 0, 1, "n1");
  add_pod(r, "team", "vip", "2", 100, 2, NULL);
  drain(r, 0);
  assert_int_equal(r->n_evictions, 0);
  assert_int_equal(r->n_failures, 1);
}

static void test_a_queue_under_nominal_reclaims_what_others_borrowed(void **state) {
  recorder *r = *state;
  add_queue(r, "a",
            "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}, "
            "\"preemption\": {\"reclaimWithinCohort\": \"Any\"}}");
  add_queue(r, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  add_node(r, "n1", "8");
  flood(r, "b", 8, "n1");
  add_pod(r, "a", "mine", "1", 0, 20, NULL);
  drain(r, 0);
  assert_int_equal(r->n_evictions, 1);
  assert_string_equal(r->evictions[0], "b7 for mine");
  delete_pod(r, "b", "b7");
  drain(r, 0);
  assert_int_equal(r->n_binds, 1);
  assert_string_equal(r->binds[0], "mine@n1");
}

/* Two queues of weight 1 with no nominal quota: a took everything first; b's
 * pods take from a until both hold half, and neither takes back. */
static void test_fair_share_preemption_settles_at_equal_shares(void **state) {
  recorder *r = *state;
  const char *spec = "{\"namespaces\": [\"%s\"], \"cohort\": \"c\", \"preemption\": "
                     "{\"reclaimWithinCohort\": \"Any\"}}";
  char buf[256];
  snprintf(buf, sizeof buf, spec, "a");
  add_queue(r, "a", buf);
  snprintf(buf, sizeof buf, spec, "b");
  add_queue(r, "b", buf);
  add_node(r, "n1", "8");
  flood(r, "a", 8, "n1");
  flood(r, "b", 8, NULL);
  for (int round = 0; round < 10; round++) {
    int before = r->n_evictions;
    drain(r, 0);
    for (int i = before; i < r->n_evictions; i++) {
      char victim[8];
      sscanf(r->evictions[i], "%7s", victim);
      delete_pod(r, "a", victim);
    }
    for (int i = 0; i < r->n_binds; i++) { /* the informer reports the binds */
      char pod[8], node[8];
      sscanf(r->binds[i], "%7[^@]@%7s", pod, node);
      add_pod(r, pod[0] == 'a' ? "a" : "b", pod, "1", 0, 10, node);
    }
  }
  assert_int_equal(r->n_evictions, 4);
  assert_int_equal(sched_queues_get(r->core->queues, "a")->usage.v[SCHED_CPU], 4000);
  assert_int_equal(sched_queues_get(r->core->queues, "b")->usage.v[SCHED_CPU], 4000);
}

static void test_reclaim_never_leaves_borrowers_alone(void **state) {
  recorder *r = *state;
  add_queue(r, "a", "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  add_queue(r, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  add_node(r, "n1", "8");
  flood(r, "b", 8, "n1");
  add_pod(r, "a", "mine", "1", 100, 20, NULL);
  drain(r, 0);
  assert_int_equal(r->n_evictions, 0);
  assert_int_equal(r->n_failures, 1);
  assert_string_equal(r->failures[0], "mine: 0/1 nodes are available: 1 Insufficient cpu.");
}

static void test_a_queue_over_quota_says_so_when_nodes_have_room(void **state) {
  recorder *r = *state;
  add_queue(r, "a",
            "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 2}, "
            "\"borrowingLimit\": {\"cpu\": 0}}");
  add_node(r, "n1", "8");
  add_pod(r, "a", "first", "2", 0, 1, "n1");
  add_pod(r, "a", "second", "1", 0, 2, NULL);
  drain(r, 0);
  assert_int_equal(r->n_binds, 0);
  assert_string_equal(r->failures[0], "second: queue a has no room for cpu 1, memory 0: it uses "
                                      "cpu 2 and may not borrow more from its cohort or the "
                                      "common pool.");
}

/* The Queue's status lists its pending pods in order, each with why it waits. */
static void test_queue_status_lists_pending_pods_in_order_with_reasons(void **state) {
  recorder *r = *state;
  add_queue(r, "a",
            "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 2}, "
            "\"borrowingLimit\": {\"cpu\": 0}}");
  add_queue(r, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"d\", \"nominal\": {\"cpu\": 2}}");
  /* Its nominal takes the rest of the cluster out of the common pool. */
  add_queue(r, "filler", "{\"cohort\": \"e\", \"nominal\": {\"cpu\": 4}}");
  add_node(r, "n1", "8");
  add_pod(r, "a", "first", "2", 0, 1, "n1");
  add_pod(r, "a", "low", "1", 0, 2, NULL);
  add_pod(r, "a", "high", "1", 10, 3, NULL);
  add_pod(r, "b", "big", "9", 0, 4, NULL);
  add_pod(r, "b", "borrower", "3", 0, 5, NULL);
  drain(r, 0);
  pthread_mutex_lock(&r->core->mu);
  json_t *sa = sched_queues_status(r->core->queues, sched_queues_get(r->core->queues, "a"));
  json_t *sb = sched_queues_status(r->core->queues, sched_queues_get(r->core->queues, "b"));
  pthread_mutex_unlock(&r->core->mu);
  json_t *wa = json_object_get(sa, "pendingWorkloads");
  assert_int_equal(json_array_size(wa), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(wa, 0), "name")), "high");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(wa, 0), "position")), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(wa, 1), "name")), "low");
  assert_string_equal(json_string_value(json_object_get(json_array_get(wa, 1), "reason")),
                      "QuotaExhausted");
  json_t *wb = json_object_get(sb, "pendingWorkloads");
  assert_int_equal(json_array_size(wb), 2);
  /* big fits no node; borrower may borrow, but nothing is left to lend. */
  for (size_t i = 0; i < 2; i++) {
    json_t *w = json_array_get(wb, i);
    const char *name = json_string_value(json_object_get(w, "name"));
    const char *why = json_string_value(json_object_get(w, "reason"));
    assert_string_equal(why,
                        strcmp(name, "big") == 0 ? "NoNodeFits" : "WaitingForBorrowableCapacity");
    assert_non_null(json_object_get(w, "message"));
  }
  json_decref(sa);
  json_decref(sb);
}

static void test_terminal_pods_free_their_space(void **state) {
  recorder *r = *state;
  add_node(r, "n1", "2");
  add_pod(r, "default", "job", "2", 0, 1, "n1");
  add_pod(r, "default", "next", "2", 0, 2, NULL);
  drain(r, 0);
  assert_int_equal(r->n_binds, 0);
  json_t *done = pod_obj("default", "job", "2", 0, 1, "n1");
  json_object_set_new(done, "status", json_pack("{s:s}", "phase", "Succeeded"));
  sched_core_pod_changed(r->core, done, 0);
  json_decref(done);
  drain(r, 0);
  assert_int_equal(r->n_binds, 1);
  assert_string_equal(r->binds[0], "next@n1");
}

/* A pod as the API server stores it after an agent's status write. */
static const char *full_pod =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":"
    "\"shop\",\"uid\":\"u-1\",\"resourceVersion\":\"42\",\"creationTimestamp\":"
    "\"2026-12-01T00:00:00Z\",\"deletionTimestamp\":\"2026-12-01T00:01:00Z\",\"labels\":{"
    "\"app\":\"web\"},\"annotations\":{\"big\":\"xxxxxxxxxxxxxxxx\"},\"managedFields\":[{"
    "\"manager\":\"kubectl\"}],\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"r\"}]},"
    "\"spec\":{\"priority\":7,\"preemptionPolicy\":\"Never\",\"schedulerName\":"
    "\"tug-scheduler\",\"nodeSelector\":{\"disk\":\"ssd\"},\"affinity\":{\"nodeAffinity\":{}},"
    "\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\"}],\"topologySpreadConstraints\":[{"
    "\"maxSkew\":2,\"topologyKey\":\"zone\",\"labelSelector\":{\"matchLabels\":{\"app\":"
    "\"web\"}}}],\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}],\"containers\":[{\"name\":"
    "\"a\",\"image\":\"busybox\",\"env\":[{\"name\":\"E\",\"value\":\"1\"}],\"resources\":{"
    "\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"}},\"ports\":[{\"containerPort\":80,"
    "\"hostPort\":8080,\"protocol\":\"UDP\",\"hostIP\":\"10.0.0.1\"},{\"containerPort\":81}]},{"
    "\"name\":\"b\",\"image\":\"busybox\"}],\"initContainers\":[{\"name\":\"s\",\"image\":"
    "\"busybox\",\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{\"cpu\":"
    "\"1\"}}},{\"name\":\"i\",\"image\":\"busybox\",\"resources\":{\"limits\":{\"cpu\":"
    "\"2\"}}}]},\"status\":{\"phase\":"
    "\"Running\",\"podIP\":\"10.1.0.5\",\"conditions\":[{\"type\":\"Ready\",\"status\":"
    "\"True\"}],\"containerStatuses\":[{\"name\":\"a\",\"ready\":true}]}}";

static void test_a_trimmed_pod_parses_as_the_whole_one(void **state) {
  (void)state;
  json_t *whole = json_loads(full_pod, 0, NULL);
  assert_non_null(whole);
  json_t *t = sched_pod_trim(whole, NULL);
  assert_non_null(t);
  sched_pod *a = sched_pod_new(whole, 1), *b = sched_pod_new(t, 1);
  assert_non_null(a);
  assert_non_null(b);
  assert_string_equal(a->key, b->key);
  assert_string_equal(b->uid, "u-1");
  assert_memory_equal(&a->req, &b->req, sizeof a->req);
  /* The init container runs beside the sidecar started before it. */
  assert_int_equal(b->req.v[SCHED_CPU], 3000);
  assert_memory_equal(&a->nonzero, &b->nonzero, sizeof a->nonzero);
  assert_int_equal(b->priority, 7);
  assert_true(b->preempt_never && b->terminating);
  assert_true(a->created == b->created && b->created > 0);
  assert_int_equal(b->n_ports, 1);
  assert_memory_equal(a->ports, b->ports, sizeof *a->ports);
  assert_int_equal(b->n_spread, 1);
  assert_int_equal(b->spread[0].max_skew, 2);
  assert_true(
      json_equal(tug_obj_get(whole, "spec.tolerations"), tug_obj_get(t, "spec.tolerations")));
  assert_true(
      json_equal(tug_obj_get(whole, "spec.nodeSelector"), tug_obj_get(t, "spec.nodeSelector")));
  assert_non_null(tug_obj_get(t, "spec.affinity.nodeAffinity"));
  assert_string_equal(tug_obj_get_str(t, "spec.schedulerName"), "tug-scheduler");
  assert_string_equal(tug_obj_get_str(t, "metadata.labels.app"), "web");
  assert_string_equal(tug_obj_resource_version(t), "42");
  assert_string_equal(tug_obj_kind(t), "Pod");
  assert_string_equal(tug_obj_get_str(t, "status.phase"), "Running");
  /* What no part of the scheduler reads is gone. */
  assert_null(tug_obj_get(t, "metadata.annotations"));
  assert_null(tug_obj_get(t, "metadata.managedFields"));
  assert_null(tug_obj_get(t, "status.conditions"));
  /* volumes stay: VolumeBinding reads their claims */
  assert_true(json_equal(tug_obj_get(whole, "spec.volumes"), tug_obj_get(t, "spec.volumes")));
  json_t *c = json_array_get(tug_obj_get(t, "spec.containers"), 0);
  assert_null(json_object_get(c, "image"));
  assert_null(json_object_get(c, "env"));
  sched_pod_free(a);
  sched_pod_free(b);
  json_decref(t);
  json_decref(whole);
}

static void test_pods_of_one_template_share_their_common_values(void **state) {
  (void)state;
  sched_trimmer *tr = sched_trimmer_new();
  json_t *a = json_loads(full_pod, 0, NULL), *b = json_deep_copy(a);
  json_object_set_new(json_object_get(b, "metadata"), "name", json_string("web-2"));
  json_t *ta = sched_pod_trim(a, tr), *tb = sched_pod_trim(b, tr);
  assert_ptr_equal(tug_obj_get(ta, "spec.containers"), tug_obj_get(tb, "spec.containers"));
  assert_ptr_equal(tug_obj_labels(ta), tug_obj_labels(tb));
  assert_ptr_equal(tug_obj_get(ta, "spec.tolerations"), tug_obj_get(tb, "spec.tolerations"));
  assert_string_equal(tug_obj_name(tb), "web-2");
  json_decref(a);
  json_decref(b);
  json_decref(ta);
  json_decref(tb);
  /* Values no pod holds any more are let go once the table has grown. */
  for (int i = 0; i < 3000; i++) {
    json_t *p = json_pack("{s:{s:s, s:{s:i}}}", "metadata", "name", "x", "labels", "n", i);
    json_decref(sched_pod_trim(p, tr));
    json_decref(p);
  }
  assert_true(sched_trimmer_size(tr) <= 2048);
  sched_trimmer_free(tr); /* under ASan: nothing leaks, nothing is freed twice */
}

static void test_trimming_what_is_not_a_pod_object_is_null(void **state) {
  (void)state;
  json_t *s = json_string("pod");
  assert_null(sched_pod_trim(s, NULL));
  json_decref(s);
  json_t *empty = json_object();
  json_t *t = sched_pod_trim(empty, NULL);
  assert_non_null(t);
  assert_null(sched_pod_new(t, 1)); /* no name: not a pod the core takes */
  json_decref(t);
  json_decref(empty);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_a_placed_pod_is_assumed_then_bound),
      T(test_a_failed_bind_forgets_and_retries_after_backoff),
      T(test_a_pod_that_fits_nowhere_reports_why),
      T(test_pods_of_other_schedulers_are_left_alone),
      T(test_high_priority_preempts_the_youngest_low_priority_pod),
      T(test_preemption_picks_the_node_that_evicts_least),
      T(test_no_preemption_within_a_queue_that_forbids_it),
      T(test_a_queue_under_nominal_reclaims_what_others_borrowed),
      T(test_fair_share_preemption_settles_at_equal_shares),
      T(test_reclaim_never_leaves_borrowers_alone),
      T(test_a_queue_over_quota_says_so_when_nodes_have_room),
      T(test_queue_status_lists_pending_pods_in_order_with_reasons),
      T(test_terminal_pods_free_their_space),
      T(test_a_trimmed_pod_parses_as_the_whole_one),
      T(test_pods_of_one_template_share_their_common_values),
      T(test_trimming_what_is_not_a_pod_object_is_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
