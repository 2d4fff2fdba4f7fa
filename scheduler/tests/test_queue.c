/*
 * Tests of the queue layer: order inside a queue, best-effort and strict
 * FIFO, DRF across queues (the DRF paper's example), weights, borrowing and
 * lending limits in a cohort, namespace mapping and status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fixtures.h"
#include "queue.h"
#include "../../lib/tests/test_support.h"

#define MAX_PODS 64

typedef struct world {
  sched_queues *qs;
  sched_pod *pods[MAX_PODS];
  int n;
} world;

/* The wall clock aging reads; fixtures create pods at T0 + created. */
#define T0 1767225600.0
static double wall;
static double test_wall(void) {
  return wall;
}

static int setup(void **state) {
  world *w = calloc(1, sizeof *w);
  w->qs = sched_queues_new();
  wall = 0;
  if (w->qs)
    w->qs->wall_clock = test_wall;
  *state = w;
  return w->qs ? 0 : -1;
}

static int teardown(void **state) {
  world *w = *state;
  sched_queues_free(w->qs);
  for (int i = 0; i < w->n; i++)
    sched_pod_free(w->pods[i]);
  free(w);
  return 0;
}

static sched_pod *add_pod(world *w, const char *ns, const char *name, const char *cpu,
                          const char *mem, int64_t prio, int created) {
  sched_pod *p = fx_sched_pod(ns, name, cpu, mem, prio, created);
  assert_non_null(p);
  assert_true(w->n < MAX_PODS);
  w->pods[w->n++] = p;
  sched_queues_push(w->qs, p);
  return p;
}

/* count pods named ns0, ns1, ... in namespace ns, created at 0, 1, ... */
static void flood(world *w, const char *ns, int count, const char *cpu, const char *mem) {
  char name[16];
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "%s%d", ns, i);
    add_pod(w, ns, name, cpu, mem, 0, i);
  }
}

static void add_queue(world *w, const char *name, const char *spec) {
  json_t *q = fx_queue(name, spec);
  assert_non_null(q);
  OK(sched_queues_set(w->qs, q, err));
  json_decref(q);
}

static void set_capacity(world *w, int64_t cpu_milli, int64_t mem, int64_t pods) {
  sched_res cap = {{cpu_milli, mem, pods}};
  sched_queues_set_capacity(w->qs, &cap);
}

static const char *pop_name(world *w) {
  sched_admit v;
  sched_pod *p = sched_queues_pop(w->qs, 0, &v);
  return p ? p->name : "(none)";
}

/* Pop and admit until nothing more is admissible; count admitted pods per queue. */
static void admit_all(world *w, const char *qa, int *na, const char *qb, int *nb) {
  sched_admit v;
  sched_pod *p;
  *na = *nb = 0;
  while ((p = sched_queues_pop(w->qs, 0, &v)) != NULL) {
    if (v == SCHED_ADMIT_NO) {
      sched_queues_park(w->qs, p);
      continue;
    }
    sched_queues_admit(w->qs, p);
    if (strcmp(p->queue->name, qa) == 0)
      (*na)++;
    else if (qb && strcmp(p->queue->name, qb) == 0)
      (*nb)++;
  }
}

static void test_higher_priority_first_then_older(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  add_pod(w, "default", "low-old", "1", "", 0, 1);
  add_pod(w, "default", "high-young", "1", "", 10, 3);
  add_pod(w, "default", "high-old", "1", "", 10, 2);
  assert_string_equal(pop_name(w), "high-old");
  assert_string_equal(pop_name(w), "high-young");
  assert_string_equal(pop_name(w), "low-old");
  assert_string_equal(pop_name(w), "(none)");
}

static void test_waiting_raises_a_pod_above_younger_higher_priority_ones(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  add_queue(w, "q",
            "{\"namespaces\": [\"team\"], \"aging\": {\"intervalSeconds\": 10, "
            "\"maxBoost\": 100}}");
  wall = T0 + 100;
  add_pod(w, "team", "low-old", "1", "", 0, 0);         /* rank 0 + 100/10 = 10 */
  add_pod(w, "team", "high-young", "1", "", 5, 100);    /* rank 5 */
  add_pod(w, "team", "higher-young", "1", "", 20, 100); /* rank 20 */
  assert_string_equal(pop_name(w), "higher-young");
  assert_string_equal(pop_name(w), "low-old");
  assert_string_equal(pop_name(w), "high-young");
}

static void test_ranks_grow_while_pods_wait(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  add_queue(w, "q",
            "{\"namespaces\": [\"team\"], \"aging\": {\"intervalSeconds\": 1, "
            "\"maxBoost\": 50}}");
  wall = T0 + 10;
  sched_pod *low = add_pod(w, "team", "low", "1", "", 0, 10);
  add_pod(w, "team", "high", "1", "", 5, 10);
  sched_admit v;
  assert_string_equal(pop_name(w), "high");
  sched_pod *next = add_pod(w, "team", "high-2", "1", "", 5, 10);
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), next);
  sched_queues_park(w->qs, next);
  /* Eight seconds on, low (0 + 8) outranks a fresh priority-5 pod. */
  wall = T0 + 18;
  add_pod(w, "team", "high-3", "1", "", 5, 18);
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), low);
}

static void test_aging_is_bounded_and_off_in_strict_fifo_queues(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  add_queue(w, "capped",
            "{\"namespaces\": [\"a\"], \"aging\": {\"intervalSeconds\": 1, "
            "\"maxBoost\": 3}}");
  add_queue(w, "fifo", "{\"namespaces\": [\"b\"], \"strictFIFO\": true}");
  wall = T0 + 1000;
  add_pod(w, "a", "a-low", "1", "", 0, 0); /* rank 0 + at most 3 */
  add_pod(w, "a", "a-high", "1", "", 5, 1000);
  add_pod(w, "b", "b-low", "1", "", 0, 0); /* no aging: rank 0 */
  add_pod(w, "b", "b-high", "1", "", 1, 1000);
  assert_int_equal(sched_queues_get(w->qs, "fifo")->aging.interval_s, 0);
  assert_int_equal(sched_queues_get(w->qs, "default")->aging.interval_s, 10);
  const char *order[4];
  for (int i = 0; i < 4; i++)
    order[i] = pop_name(w);
  /* Within each queue, the higher priority still goes first. */
  int ah = -1, al = -1, bh = -1, bl = -1;
  for (int i = 0; i < 4; i++) {
    ah = strcmp(order[i], "a-high") == 0 ? i : ah;
    al = strcmp(order[i], "a-low") == 0 ? i : al;
    bh = strcmp(order[i], "b-high") == 0 ? i : bh;
    bl = strcmp(order[i], "b-low") == 0 ? i : bl;
  }
  assert_true(ah < al);
  assert_true(bh < bl);
}

static void test_a_spent_budget_holds_pods_until_the_next_window(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  add_queue(w, "b",
            "{\"namespaces\": [\"b\"], \"nominal\": {\"cpu\": \"10\"}, \"budget\": "
            "{\"windowSeconds\": 86400, \"limits\": {\"cpu\": \"1\"}}}");
  sched_queue *q = sched_queues_get(w->qs, "b");
  wall = T0 + 60; /* T0 is a UTC midnight */
  sched_admit v;
  sched_pod *first = add_pod(w, "b", "first", "1", "", 0, 60);
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), first);
  assert_int_equal(v, SCHED_ADMIT_NOMINAL);
  sched_queues_admit(w->qs, first);
  /* One cpu held for an hour spends the day's cpu-hour. */
  wall += 3600;
  sched_pod *second = add_pod(w, "b", "second", "1", "", 0, 3660);
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), second);
  assert_int_equal(v, SCHED_ADMIT_NO);
  assert_int_equal(sched_queue_quota_wait(q, &second->req), SCHED_WAIT_BUDGET);
  json_t *st = sched_queues_status(w->qs, q);
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(json_object_get(st, "budget"), "used"), "cpu")),
                      "1");
  json_decref(st);
  sched_queues_park(w->qs, second);
  assert_null(sched_queues_pop(w->qs, 0, &v));
  /* The next day's window lets it in. */
  wall = T0 + 86400 + 1;
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), second);
  assert_int_equal(v, SCHED_ADMIT_NOMINAL);
}

static void test_best_effort_does_not_block_smaller_pods(void **state) {
  world *w = *state;
  set_capacity(w, 4000, 1LL << 40, 1000);
  add_queue(w, "q", "{\"namespaces\": [\"team\"], \"nominal\": {\"cpu\": \"4\"}}");
  sched_pod *big = add_pod(w, "team", "big", "6", "", 10, 1);
  add_pod(w, "team", "small", "1", "", 0, 2);
  sched_admit v;
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), big); /* tried (and reported) first */
  assert_int_equal(v, SCHED_ADMIT_NO);
  sched_queues_park(w->qs, big);
  assert_string_equal(pop_name(w), "small");
  assert_string_equal(pop_name(w), "(none)");
  assert_int_equal(sched_queue_pending(sched_queues_get(w->qs, "q")), 1);
}

static void test_strict_fifo_blocks_behind_its_head_until_capacity_frees(void **state) {
  world *w = *state;
  set_capacity(w, 4000, 1LL << 40, 1000);
  add_queue(w, "q",
            "{\"namespaces\": [\"team\"], \"nominal\": {\"cpu\": \"4\"}, "
            "\"strictFIFO\": true}");
  sched_pod *running = add_pod(w, "team", "running", "3", "", 20, 0);
  sched_admit v;
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), running);
  sched_queues_admit(w->qs, running);
  sched_pod *big = add_pod(w, "team", "big", "2", "", 10, 1);
  add_pod(w, "team", "small", "1", "", 0, 2);
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), big);
  assert_int_equal(v, SCHED_ADMIT_NO);
  sched_queues_park(w->qs, big); /* strict: stays at the head, blocks the queue */
  assert_string_equal(pop_name(w), "(none)");
  sched_queues_release(w->qs, running); /* frees 3 cpu and kicks the queues */
  assert_string_equal(pop_name(w), "big");
  assert_string_equal(pop_name(w), "small");
}

static void test_a_placement_failure_parks_until_kicked(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  sched_pod *p = add_pod(w, "default", "a", "1", "", 0, 1);
  add_pod(w, "default", "b", "1", "", 0, 2);
  sched_admit v;
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), p);
  sched_queues_park(w->qs, p);
  assert_string_equal(pop_name(w), "b");
  assert_string_equal(pop_name(w), "(none)");
  sched_queues_kick(w->qs);
  assert_string_equal(pop_name(w), "a");
}

static void test_backoff_waits_for_its_time(void **state) {
  world *w = *state;
  set_capacity(w, 100000, 1LL << 40, 1000);
  sched_pod *p = add_pod(w, "default", "a", "1", "", 0, 1);
  sched_admit v;
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), p);
  sched_queues_backoff(w->qs, p, 10.0);
  assert_null(sched_queues_pop(w->qs, 9.9, &v));
  assert_ptr_equal(sched_queues_pop(w->qs, 10.0, &v), p);
}

/* Ghodsi et al., "Dominant Resource Fairness": 9 CPUs and 18 GB; A's tasks
 * need <1 CPU, 4 GB>, B's <3 CPU, 1 GB>. DRF runs 3 of A's and 2 of B's. */
static void test_drf_paper_example(void **state) {
  world *w = *state;
  set_capacity(w, 9000, 18LL << 30, 1000);
  add_queue(w, "a", "{\"namespaces\": [\"a\"], \"cohort\": \"c\"}");
  add_queue(w, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\"}");
  flood(w, "a", 10, "1", "4Gi");
  flood(w, "b", 10, "3", "1Gi");
  int na, nb;
  admit_all(w, "a", &na, "b", &nb);
  assert_int_equal(na, 3);
  assert_int_equal(nb, 2);
}

static void test_weights_two_to_one_share_two_to_one(void **state) {
  world *w = *state;
  set_capacity(w, 9000, 1LL << 40, 1000);
  add_queue(w, "a", "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"weight\": 2}");
  add_queue(w, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"weight\": 1}");
  flood(w, "a", 12, "1", "");
  flood(w, "b", 12, "1", "");
  int na, nb;
  admit_all(w, "a", &na, "b", &nb);
  assert_int_equal(na, 6);
  assert_int_equal(nb, 3);
}

static void test_borrowing_stops_at_borrowing_limit(void **state) {
  world *w = *state;
  set_capacity(w, 8000, 1LL << 40, 1000);
  add_queue(w, "a",
            "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}, "
            "\"borrowingLimit\": {\"cpu\": 2}}");
  add_queue(w, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  flood(w, "a", 10, "1", "");
  int na, nb;
  admit_all(w, "a", &na, "b", &nb);
  assert_int_equal(na, 6);
  json_t *st = sched_queues_status(w->qs, sched_queues_get(w->qs, "a"));
  json_t *waiting = json_object_get(st, "pendingWorkloads");
  assert_int_equal(json_array_size(waiting), 4); /* a6..a9, in order */
  assert_string_equal(json_string_value(json_object_get(json_array_get(waiting, 3), "name")), "a9");
  json_object_del(st, "pendingWorkloads");
  char *text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal(text, "{\"admitted\":6,\"borrowed\":{\"cpu\":\"2\",\"memory\":\"0\","
                            "\"pods\":\"6\"},\"lendable\":{\"cpu\":\"0\",\"memory\":\"0\","
                            "\"pods\":\"0\"},\"pending\":4,\"usage\":{\"cpu\":\"6\","
                            "\"memory\":\"0\",\"pods\":\"6\"},\"weightedShare\":500}");
  free(text);
  json_decref(st);
}

static void test_borrowing_without_limit_takes_what_the_cohort_lends(void **state) {
  world *w = *state;
  set_capacity(w, 8000, 1LL << 40, 1000);
  add_queue(w, "a", "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  add_queue(w, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  add_queue(w, "lone", "{\"namespaces\": [\"lone\"], \"nominal\": {\"cpu\": 4}}");
  flood(w, "a", 10, "1", "");
  int na, nb;
  admit_all(w, "a", &na, "b", &nb);
  /* 8 cpu of nodes, 12 of nominal: no common pool; a takes its 4 and b's 4. */
  assert_int_equal(na, 8);
}

static void test_lending_limit_keeps_the_rest_for_its_owner(void **state) {
  world *w = *state;
  set_capacity(w, 8000, 1LL << 40, 1000);
  add_queue(w, "a",
            "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}, "
            "\"lendingLimit\": {\"cpu\": 1}}");
  add_queue(w, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  flood(w, "b", 10, "1", "");
  int na, nb;
  admit_all(w, "b", &nb, "a", &na);
  assert_int_equal(nb, 5);
  /* a still gets its guarded 3 cpu. */
  flood(w, "a", 4, "1", "");
  admit_all(w, "a", &na, "b", &nb);
  assert_int_equal(na, 3);
}

static void test_pods_within_nominal_go_before_borrowers(void **state) {
  world *w = *state;
  set_capacity(w, 8000, 1LL << 40, 1000);
  add_queue(w, "a", "{\"namespaces\": [\"a\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  add_queue(w, "b", "{\"namespaces\": [\"b\"], \"cohort\": \"c\", \"nominal\": {\"cpu\": 4}}");
  for (int i = 0; i < 4; i++) {
    sched_pod *p = add_pod(w, "a",
                           i == 0   ? "a0"
                           : i == 1 ? "a1"
                           : i == 2 ? "a2"
                                    : "a3",
                           "1", "", 0, i);
    sched_admit v;
    assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), p);
    assert_int_equal(v, SCHED_ADMIT_NOMINAL);
    sched_queues_admit(w->qs, p);
  }
  add_pod(w, "a", "a-borrows", "1", "", 100, 5);
  add_pod(w, "b", "b-own", "1", "", 0, 9);
  assert_string_equal(pop_name(w), "b-own");
  assert_string_equal(pop_name(w), "a-borrows");
}

static void test_namespaces_map_to_queues(void **state) {
  world *w = *state;
  add_queue(w, "listed", "{\"namespaces\": [\"team-a\"]}");
  add_queue(w, "selected", "{\"namespaceSelector\": {\"matchLabels\": {\"tier\": \"batch\"}}}");
  json_t *labels = json_pack("{s:s}", "tier", "batch");
  sched_queues_set_namespace(w->qs, "jobs", labels);
  json_decref(labels);
  assert_string_equal(sched_queues_for_namespace(w->qs, "team-a")->name, "listed");
  assert_string_equal(sched_queues_for_namespace(w->qs, "jobs")->name, "selected");
  assert_string_equal(sched_queues_for_namespace(w->qs, "other")->name, "default");
}

static void test_deleting_a_queue_moves_its_pods_to_default(void **state) {
  world *w = *state;
  set_capacity(w, 8000, 1LL << 40, 1000);
  add_queue(w, "q", "{\"namespaces\": [\"team\"]}");
  sched_pod *p = add_pod(w, "team", "x", "1", "", 0, 1);
  add_pod(w, "team", "y", "1", "", 0, 2);
  sched_admit v;
  assert_ptr_equal(sched_queues_pop(w->qs, 0, &v), p);
  sched_queues_admit(w->qs, p);
  sched_queues_delete(w->qs, "q");
  sched_queue *d = sched_queues_get(w->qs, "default");
  assert_ptr_equal(p->queue, d);
  assert_int_equal(d->usage.v[SCHED_CPU], 1000);
  assert_int_equal(d->admitted.n, 1);
  assert_int_equal(sched_queue_pending(d), 1);
  assert_null(sched_queues_get(w->qs, "q"));
}

static void test_a_bad_queue_is_refused_and_changes_nothing(void **state) {
  world *w = *state;
  json_t *q = fx_queue("bad", "{\"nominal\": {\"cpu\": \"lots\"}}");
  tug_error err = {0};
  assert_int_equal(sched_queues_set(w->qs, q, &err), -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_null(sched_queues_get(w->qs, "bad"));
  json_decref(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_higher_priority_first_then_older, setup, teardown),
      cmocka_unit_test_setup_teardown(test_waiting_raises_a_pod_above_younger_higher_priority_ones,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_ranks_grow_while_pods_wait, setup, teardown),
      cmocka_unit_test_setup_teardown(test_aging_is_bounded_and_off_in_strict_fifo_queues, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_a_spent_budget_holds_pods_until_the_next_window, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_best_effort_does_not_block_smaller_pods, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_strict_fifo_blocks_behind_its_head_until_capacity_frees,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_placement_failure_parks_until_kicked, setup, teardown),
      cmocka_unit_test_setup_teardown(test_backoff_waits_for_its_time, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drf_paper_example, setup, teardown),
      cmocka_unit_test_setup_teardown(test_weights_two_to_one_share_two_to_one, setup, teardown),
      cmocka_unit_test_setup_teardown(test_borrowing_stops_at_borrowing_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_borrowing_without_limit_takes_what_the_cohort_lends,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_lending_limit_keeps_the_rest_for_its_owner, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_pods_within_nominal_go_before_borrowers, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_namespaces_map_to_queues, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deleting_a_queue_moves_its_pods_to_default, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_a_bad_queue_is_refused_and_changes_nothing, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
