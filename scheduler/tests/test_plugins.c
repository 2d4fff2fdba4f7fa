/*
 * Tests of the placement pipeline: every filter and score plugin, the
 * FailedScheduling message, sampling of big clusters, and --config files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "framework.h"
#include "object.h"
#include "../../lib/tests/test_support.h"

#define MAX_PODS 32

typedef struct world {
  sched_cache *cache;
  sched_profile prof;
  sched_pod *pods[MAX_PODS];
  int n;
} world;

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  w->cache = sched_cache_new();
  sched_profile_default(&w->prof);
  *state = w;
  return 0;
}

static int teardown(void **state) {
  world *w = *state;
  for (int i = 0; i < w->n; i++) {
    sched_cache_remove_pod(w->cache, w->pods[i]);
    sched_pod_free(w->pods[i]);
  }
  sched_cache_free(w->cache);
  free(w);
  return 0;
}

static json_t *node(world *w, const char *name, const char *cpu, const char *mem) {
  json_t *n = fx_node(name, cpu, mem);
  assert_int_equal(sched_cache_set_node(w->cache, n), 0);
  json_decref(n);
  return n; /* still referenced by the cache: tests may edit and set it again */
}

static void set_label(world *w, const char *node_name, const char *key, const char *value) {
  sched_node *n = sched_cache_node(w->cache, node_name);
  json_object_set_new(n->labels, key, json_string(value));
}

static sched_pod *pod_from(world *w, json_t *obj) {
  static uint64_t seq;
  sched_pod *p = sched_pod_new(obj, ++seq);
  json_decref(obj);
  assert_non_null(p);
  w->pods[w->n++] = p;
  return p;
}

static sched_pod *pod(world *w, const char *name, const char *cpu, const char *mem) {
  return pod_from(w, fx_pod("default", name, cpu, mem, 0, 0));
}

static void run_on(world *w, sched_pod *p, const char *node_name) {
  assert_int_equal(sched_cache_add_pod(w->cache, p, node_name, SCHED_POD_BOUND), 0);
}

/* Place p; the chosen node's name or "" and the message in msg. */
static const char *place(world *w, const sched_pod *p, char *msg, size_t size) {
  sched_framework *fw = sched_framework_new(&w->prof);
  sched_result r;
  assert_int_equal(sched_framework_place(fw, w->cache, p, &r), 0);
  sched_result_message(&r, msg, size);
  sched_framework_free(fw);
  return r.node ? r.node->name : "";
}

static void test_resources_fit_and_the_failure_message(void **state) {
  world *w = *state;
  char msg[256];
  node(w, "small", "1", "8Gi");
  node(w, "tainted", "8", "8Gi");
  json_t *t = sched_cache_node(w->cache, "tainted")->obj;
  json_object_set_new(json_object_get(t, "spec"), "taints",
                      json_pack("[{s:s, s:s}]", "key", "dedicated", "effect", "NoSchedule"));
  assert_int_equal(sched_cache_set_node(w->cache, t), 0);
  node(w, "lowmem", "1", "1Gi");
  sched_pod *p = pod(w, "p", "2", "2Gi");
  assert_string_equal(place(w, p, msg, sizeof msg), "");
  assert_string_equal(msg, "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had "
                           "untolerated taint.");
  node(w, "big", "4", "8Gi");
  assert_string_equal(place(w, p, msg, sizeof msg), "big");
}

static void test_too_many_pods(void **state) {
  world *w = *state;
  char msg[256];
  json_t *n = node(w, "n", "8", "8Gi");
  json_object_set_new(tug_obj_get(n, "status.allocatable"), "pods", json_string("1"));
  assert_int_equal(sched_cache_set_node(w->cache, n), 0);
  run_on(w, pod(w, "a", "1", ""), "n");
  assert_string_equal(place(w, pod(w, "b", "1", ""), msg, sizeof msg), "");
  assert_string_equal(msg, "0/1 nodes are available: 1 Too many pods.");
}

static void test_not_ready_and_cordoned_nodes_are_skipped(void **state) {
  world *w = *state;
  char msg[256];
  json_t *n = node(w, "cordoned", "8", "8Gi");
  json_object_set_new(json_object_get(n, "spec"), "unschedulable", json_true());
  assert_int_equal(sched_cache_set_node(w->cache, n), 0);
  n = node(w, "down", "8", "8Gi");
  json_object_set_new(json_array_get(tug_obj_get(n, "status.conditions"), 0), "status",
                      json_string("Unknown"));
  assert_int_equal(sched_cache_set_node(w->cache, n), 0);
  assert_string_equal(place(w, pod(w, "p", "1", ""), msg, sizeof msg), "");
  assert_string_equal(msg, "0/2 nodes are available: 1 node(s) were not ready, 1 node(s) were "
                           "unschedulable.");
}

static void test_node_selector_and_required_affinity(void **state) {
  world *w = *state;
  char msg[256];
  node(w, "hdd", "8", "8Gi");
  node(w, "ssd", "8", "8Gi");
  node(w, "ssd-big", "8", "8Gi");
  set_label(w, "hdd", "disk", "hdd");
  set_label(w, "ssd", "disk", "ssd");
  set_label(w, "ssd", "gen", "3");
  set_label(w, "ssd-big", "disk", "ssd");
  set_label(w, "ssd-big", "gen", "5");
  json_t *obj = fx_pod("default", "sel", "1", "", 0, 0);
  json_object_set_new(json_object_get(obj, "spec"), "nodeSelector",
                      json_pack("{s:s}", "disk", "ssd"));
  json_object_set_new(json_object_get(obj, "spec"), "affinity",
                      json_pack("{s:{s:{s:[{s:[{s:s, s:s, s:[s]}]}]}}}", "nodeAffinity",
                                "requiredDuringSchedulingIgnoredDuringExecution",
                                "nodeSelectorTerms", "matchExpressions", "key", "gen", "operator",
                                "Gt", "values", "4"));
  assert_string_equal(place(w, pod_from(w, obj), msg, sizeof msg), "ssd-big");
  obj = fx_pod("default", "none", "1", "", 0, 0);
  json_object_set_new(json_object_get(obj, "spec"), "affinity",
                      json_pack("{s:{s:{s:[{s:[{s:s, s:s, s:[s]}]}]}}}", "nodeAffinity",
                                "requiredDuringSchedulingIgnoredDuringExecution",
                                "nodeSelectorTerms", "matchFields", "key", "metadata.name",
                                "operator", "NotIn", "values", "hdd"));
  const char *chosen = place(w, pod_from(w, obj), msg, sizeof msg);
  assert_true(strcmp(chosen, "ssd") == 0 || strcmp(chosen, "ssd-big") == 0);
  obj = fx_pod("default", "nowhere", "1", "", 0, 0);
  json_object_set_new(json_object_get(obj, "spec"), "nodeSelector",
                      json_pack("{s:s}", "disk", "nvme"));
  assert_string_equal(place(w, pod_from(w, obj), msg, sizeof msg), "");
  assert_string_equal(msg, "0/3 nodes are available: 3 node(s) didn't match Pod's node "
                           "affinity/selector.");
}

static void test_taints_need_tolerations_but_prefer_does_not(void **state) {
  world *w = *state;
  char msg[256];
  json_t *n = node(w, "gpu", "8", "8Gi");
  json_object_set_new(json_object_get(n, "spec"), "taints",
                      json_pack("[{s:s, s:s, s:s}, {s:s, s:s}]", "key", "gpu", "value", "a100",
                                "effect", "NoSchedule", "key", "old", "effect",
                                "PreferNoSchedule"));
  assert_int_equal(sched_cache_set_node(w->cache, n), 0);
  assert_string_equal(place(w, pod(w, "plain", "1", ""), msg, sizeof msg), "");
  json_t *obj = fx_pod("default", "wrong-value", "1", "", 0, 0);
  json_object_set_new(
      json_object_get(obj, "spec"), "tolerations",
      json_pack("[{s:s, s:s, s:s}]", "key", "gpu", "operator", "Equal", "value", "h100"));
  assert_string_equal(place(w, pod_from(w, obj), msg, sizeof msg), "");
  obj = fx_pod("default", "equal", "1", "", 0, 0);
  json_object_set_new(
      json_object_get(obj, "spec"), "tolerations",
      json_pack("[{s:s, s:s, s:s}]", "key", "gpu", "value", "a100", "effect", "NoSchedule"));
  assert_string_equal(place(w, pod_from(w, obj), msg, sizeof msg), "gpu");
  obj = fx_pod("default", "everything", "1", "", 0, 0);
  json_object_set_new(json_object_get(obj, "spec"), "tolerations",
                      json_pack("[{s:s}]", "operator", "Exists"));
  assert_string_equal(place(w, pod_from(w, obj), msg, sizeof msg), "gpu");
}

static json_t *with_host_port(json_t *obj, int port, const char *ip) {
  json_t *c = json_array_get(tug_obj_get(obj, "spec.containers"), 0);
  json_object_set_new(
      c, "ports",
      json_pack("[{s:i, s:i, s:s}]", "containerPort", 80, "hostPort", port, "hostIP", ip));
  return obj;
}

static void test_host_ports_conflict_on_the_same_address_or_wildcard(void **state) {
  world *w = *state;
  char msg[256];
  node(w, "n", "8", "8Gi");
  run_on(w, pod_from(w, with_host_port(fx_pod("default", "a", "", "", 0, 0), 8080, "10.0.0.1")),
         "n");
  assert_string_equal(
      place(w, pod_from(w, with_host_port(fx_pod("default", "b", "", "", 0, 0), 8080, "10.0.0.2")),
            msg, sizeof msg),
      "n");
  assert_string_equal(
      place(w, pod_from(w, with_host_port(fx_pod("default", "c", "", "", 0, 0), 8080, "")), msg,
            sizeof msg),
      "");
  assert_string_equal(msg, "0/1 nodes are available: 1 node(s) didn't have free ports for the "
                           "requested pod ports.");
}

static void test_least_allocated_spreads_and_most_allocated_packs(void **state) {
  world *w = *state;
  char msg[256];
  node(w, "busy", "4", "8Gi");
  node(w, "idle", "4", "8Gi");
  run_on(w, pod(w, "x", "2", "4Gi"), "busy");
  sched_pod *p = pod(w, "p", "1", "1Gi");
  assert_string_equal(place(w, p, msg, sizeof msg), "idle");
  w->prof.scores[0] = &sched_plugin_most;
  w->prof.n_scores = 1;
  assert_string_equal(place(w, p, msg, sizeof msg), "busy");
}

static void test_balanced_allocation_prefers_even_use(void **state) {
  world *w = *state;
  char msg[256];
  node(w, "cpu-heavy", "4", "4Gi");
  node(w, "mem-heavy", "4", "4Gi");
  run_on(w, pod(w, "x", "3", "1Gi"), "cpu-heavy");
  run_on(w, pod(w, "y", "1", "3Gi"), "mem-heavy");
  w->prof.scores[0] = &sched_plugin_balanced;
  w->prof.n_scores = 1;
  /* A memory-hungry pod evens out the cpu-heavy node. */
  assert_string_equal(place(w, pod(w, "p", "100m", "2Gi"), msg, sizeof msg), "cpu-heavy");
}

static json_t *spread_pod(const char *name, const char *when) {
  json_t *obj = fx_pod("default", name, "100m", "", 0, 0);
  json_object_set_new(json_object_get(obj, "metadata"), "labels", json_pack("{s:s}", "app", "web"));
  json_object_set_new(json_object_get(obj, "spec"), "topologySpreadConstraints",
                      json_pack("[{s:i, s:s, s:s, s:{s:{s:s}}}]", "maxSkew", 1, "topologyKey",
                                "zone", "whenUnsatisfiable", when, "labelSelector", "matchLabels",
                                "app", "web"));
  return obj;
}

static void test_topology_spread_filters_and_scores(void **state) {
  world *w = *state;
  char msg[256];
  node(w, "a1", "8", "8Gi");
  node(w, "a2", "8", "8Gi");
  node(w, "b1", "8", "8Gi");
  set_label(w, "a1", "zone", "a");
  set_label(w, "a2", "zone", "a");
  set_label(w, "b1", "zone", "b");
  run_on(w, pod_from(w, spread_pod("w1", "DoNotSchedule")), "a1");
  run_on(w, pod_from(w, spread_pod("w2", "DoNotSchedule")), "b1");
  run_on(w, pod_from(w, spread_pod("w3", "DoNotSchedule")), "a2");
  /* zone a has 2, b has 1: a third in a would make the skew 2. */
  assert_string_equal(place(w, pod_from(w, spread_pod("hard", "DoNotSchedule")), msg, sizeof msg),
                      "b1");
  w->prof.scores[0] = &sched_plugin_spread;
  w->prof.n_scores = 1;
  assert_string_equal(place(w, pod_from(w, spread_pod("soft", "ScheduleAnyway")), msg, sizeof msg),
                      "b1");
  run_on(w, pod_from(w, spread_pod("w4", "DoNotSchedule")), "b1");
  run_on(w, pod_from(w, spread_pod("w5", "DoNotSchedule")), "b1");
  assert_string_equal(place(w, pod_from(w, spread_pod("full", "DoNotSchedule")), msg, sizeof msg),
                      "a1");
}

static void test_big_clusters_are_sampled(void **state) {
  world *w = *state;
  char name[16];
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "n%d", i);
    node(w, name, "8", "8Gi");
  }
  sched_framework *fw = sched_framework_new(&w->prof);
  sched_result r;
  assert_int_equal(sched_framework_place(fw, w->cache, pod(w, "p", "1", ""), &r), 0);
  assert_int_equal(r.feasible, 420); /* 50% - 1000/125 % of 1000 */
  assert_int_equal(r.evaluated, 420);
  assert_int_equal(sched_framework_place(fw, w->cache, pod(w, "q", "1", ""), &r), 0);
  /* The next search starts where the last one stopped. */
  assert_non_null(r.node);
  sched_framework_free(fw);
  w->prof.percentage = 10;
  fw = sched_framework_new(&w->prof);
  assert_int_equal(sched_framework_place(fw, w->cache, pod(w, "s", "1", ""), &r), 0);
  assert_int_equal(r.feasible, 100);
  sched_framework_free(fw);
}

static void test_config_files_select_and_weigh_plugins(void **state) {
  world *w = *state;
  char path[] = "/tmp/sched-config-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *text = "apiVersion: scheduling.tug.io/v1\nkind: SchedulerConfiguration\n"
                     "percentageOfNodesToScore: 20\nplugins:\n  filter: [NodeResourcesFit]\n"
                     "  score:\n    - {name: MostAllocated, weight: 3}\n";
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  OK(sched_profile_load_file(&w->prof, path, err));
  assert_int_equal(w->prof.percentage, 20);
  assert_int_equal(w->prof.n_filters, 1);
  assert_ptr_equal(w->prof.filters[0], &sched_plugin_resources_fit);
  assert_int_equal(w->prof.n_scores, 1);
  assert_ptr_equal(w->prof.scores[0], &sched_plugin_most);
  assert_int_equal(w->prof.weights[0], 3);
  unlink(path);

  json_t *bad = json_pack("{s:s, s:{s:[s]}}", "kind", "SchedulerConfiguration", "plugins", "filter",
                          "LeastAllocated");
  tug_error err = {0};
  assert_int_equal(sched_profile_load(&w->prof, bad, &err), -1);
  assert_string_equal(err.msg, "plugins.filter: LeastAllocated has no filter");
  json_decref(bad);
  bad = json_pack("{s:s, s:{s:[s]}}", "kind", "SchedulerConfiguration", "plugins", "score", "Nope");
  assert_int_equal(sched_profile_load(&w->prof, bad, &err), -1);
  assert_string_equal(err.msg, "plugins.score: unknown plugin Nope");
  json_decref(bad);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_resources_fit_and_the_failure_message),
      T(test_too_many_pods),
      T(test_not_ready_and_cordoned_nodes_are_skipped),
      T(test_node_selector_and_required_affinity),
      T(test_taints_need_tolerations_but_prefer_does_not),
      T(test_host_ports_conflict_on_the_same_address_or_wildcard),
      T(test_least_allocated_spreads_and_most_allocated_packs),
      T(test_balanced_allocation_prefers_even_use),
      T(test_topology_spread_filters_and_scores),
      T(test_big_clusters_are_sampled),
      T(test_config_files_select_and_weigh_plugins),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
