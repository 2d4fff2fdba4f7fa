/*
 * Tests of API Priority and Fairness (flowcontrol.h): classification by the
 * built-in FlowSchemas, seats shared by shares, shuffle sharding, round-robin
 * turns between flows, 429 when a queue is full, timeouts, and a
 * configuration file's objects replacing the defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "flowcontrol-internal.h"

static api_user user(const char *name, const char *group) {
  api_user u;
  api_user_set(&u, name, "");
  api_user_add_group(&u, "system:authenticated");
  if (group)
    api_user_add_group(&u, group);
  return u;
}

static api_request_info pods_in(const char *ns) {
  api_request_info ri = {.is_resource = true, .verb = "list", .version = "v1", .resource = "pods"};
  strcpy(ri.ns, ns);
  return ri;
}

static const char *level_of(api_flowcontrol *fc, const api_user *u, const api_request_info *ri,
                            const char *path) {
  return api_fc_classify(fc, u, ri, path)->level->name;
}

static void defaults_classify_like_kubernetes(void **state) {
  (void)state;
  tug_error err = {0};
  api_flowcontrol *fc = api_flowcontrol_new(NULL, 100, 15, &err);
  assert_non_null(fc);
  api_user admin = user("kubernetes-admin", "system:masters");
  api_user node = user("system:node:n1", "system:nodes");
  api_user sched = user("system:kube-scheduler", NULL);
  api_user sa = user("system:serviceaccount:a:default", "system:serviceaccounts");
  api_user alice = user("alice", NULL);
  api_request_info pods = pods_in("a");
  api_request_info lease = {.is_resource = true,
                            .verb = "update",
                            .group = "coordination.k8s.io",
                            .version = "v1",
                            .ns = "kube-node-lease",
                            .resource = "leases",
                            .name = "n1"};
  api_request_info node_status = {.is_resource = true,
                                  .verb = "patch",
                                  .version = "v1",
                                  .resource = "nodes",
                                  .sub = "status",
                                  .name = "n1"};
  api_request_info healthz = {.verb = "get"};
  assert_string_equal(level_of(fc, &admin, &pods, ""), "exempt");
  assert_string_equal(level_of(fc, &node, &lease, ""), "node-high");
  assert_string_equal(level_of(fc, &node, &node_status, ""), "node-high");
  assert_string_equal(level_of(fc, &node, &pods, ""), "system");
  assert_string_equal(level_of(fc, &sched, &pods, ""), "workload-high");
  assert_string_equal(level_of(fc, &sa, &pods, ""), "workload-low");
  assert_string_equal(level_of(fc, &alice, &pods, ""), "global-default");
  assert_string_equal(level_of(fc, &alice, &healthz, "/healthz"), "exempt");
  assert_string_equal(level_of(fc, &alice, &healthz, "/version"), "global-default");
  api_flowcontrol_free(fc);
}

static void seats_follow_shares(void **state) {
  (void)state;
  tug_error err = {0};
  api_flowcontrol *fc = api_flowcontrol_new(NULL, 235, 15, &err);
  /* shares 5 + 30 + 40 + 40 + 100 + 20 = 235: one seat per share */
  for (size_t i = 0; i < fc->nlevels; i++) {
    const api_fc_level *l = &fc->levels[i];
    assert_int_equal(l->seats, l->exempt ? 0 : l->shares);
  }
  api_flowcontrol_free(fc);
}

static void dealing_gives_distinct_queues(void **state) {
  (void)state;
  for (uint64_t h = 0; h < 2000; h += 7) {
    int hand[6];
    api_fc_deal(h * 2654435761u, 16, 6, hand);
    for (int i = 0; i < 6; i++) {
      assert_in_range(hand[i], 0, 15);
      for (int j = 0; j < i; j++)
        assert_int_not_equal(hand[i], hand[j]);
    }
  }
}

/* The queue a flow's hand of one holds. */
static int queue_of(api_flowcontrol *fc, const api_user *u, const api_request_info *ri) {
  const api_fc_schema *s = api_fc_classify(fc, u, ri, "");
  int q;
  api_fc_deal(api_fc_flow_hash(s, u, ri), s->level->nqueues, 1, &q);
  return q;
}

/* One seat, 64 queues of hand one: alice's and bob's flows each in one. */
static const char small_level[] =
    "[{\"kind\":\"PriorityLevelConfiguration\",\"metadata\":{\"name\":\"global-default\"},"
    "\"spec\":{\"type\":\"Limited\",\"limited\":{\"nominalConcurrencyShares\":1,"
    "\"limitResponse\":{\"type\":\"Queue\",\"queuing\":{\"queues\":64,\"handSize\":1,"
    "\"queueLengthLimit\":3}}}}}]";

static api_flowcontrol *one_seat(void) {
  json_t *extra = json_loads(small_level, 0, NULL);
  tug_error err = {0};
  /* total 1: every level gets at least its one seat */
  api_flowcontrol *fc = api_flowcontrol_new(extra, 1, 15, &err);
  json_decref(extra);
  assert_non_null(fc);
  return fc;
}

static void a_flood_fills_its_own_queue_and_others_keep_their_turn(void **state) {
  (void)state;
  api_flowcontrol *fc = one_seat();
  api_user alice = user("alice", NULL), bob = user("bob", NULL);
  api_request_info ri = pods_in("a");
  api_fc_waiter running = {0}, flood[5] = {0}, quiet = {0};
  assert_int_equal(api_flowcontrol_admit(fc, &alice, &ri, "", 0, &running), API_FC_RUN);
  int queued = 0, rejected = 0;
  for (int i = 0; i < 5; i++) {
    api_fc_verdict v = api_flowcontrol_admit(fc, &alice, &ri, "", 0, &flood[i]);
    queued += v == API_FC_QUEUED, rejected += v == API_FC_REJECTED;
  }
  assert_int_equal(queued, 3); /* queueLengthLimit */
  assert_int_equal(rejected, 2);
  if (flood[0].queue == queue_of(fc, &bob, &ri))
    skip(); /* bob's flow landed in alice's queue: sharding cannot part them */
  assert_int_equal(api_flowcontrol_admit(fc, &bob, &ri, "", 0, &quiet), API_FC_QUEUED);
  /* alice's running request ends: whose turn comes next, the other flow
   * comes right after it, before alice's two others */
  api_fc_waiter *next = api_flowcontrol_release(fc, &running, 1);
  assert_non_null(next);
  assert_null(next->next);
  api_fc_waiter *after = api_flowcontrol_release(fc, next, 1);
  assert_true(next == &quiet || after == &quiet);
  api_fc_waiter *w = after;
  while (w)
    w = api_flowcontrol_release(fc, w, 1);
  api_flowcontrol_free(fc);
}

/* A quarter of the seats is kept: alice's flood holds three quarters at most. */
static void a_quiet_flow_takes_the_reserved_seat_at_once(void **state) {
  (void)state;
  json_t *extra = json_loads(small_level, 0, NULL);
  json_object_set_new(json_object_get(json_object_get(json_array_get(extra, 0), "spec"), "limited"),
                      "nominalConcurrencyShares", json_integer(235));
  tug_error err = {0};
  api_flowcontrol *fc = api_flowcontrol_new(extra, 470, 15, &err);
  json_decref(extra);
  assert_non_null(fc);
  api_user alice = user("alice", NULL), bob = user("bob", NULL);
  api_request_info ri = pods_in("a");
  api_fc_level *l = api_fc_classify(fc, &alice, &ri, "")->level;
  assert_int_equal(l->reserve, (l->seats + 3) / 4);
  api_fc_waiter *flood = calloc((size_t)l->seats, sizeof *flood);
  int run = 0;
  for (int i = 0; i < l->seats; i++)
    run += api_flowcontrol_admit(fc, &alice, &ri, "", 0, &flood[i]) == API_FC_RUN;
  assert_int_equal(run, l->seats - l->reserve);
  api_fc_waiter quiet = {0};
  assert_int_equal(api_flowcontrol_admit(fc, &bob, &ri, "", 0, &quiet), API_FC_RUN);
  api_flowcontrol_release(fc, &quiet, 0);
  for (int i = l->seats - 1; i >= 0; i--)
    for (api_fc_waiter *w = api_flowcontrol_release(fc, &flood[i], 0); w; w = w->next)
      ;
  assert_int_equal(l->executing, 0);
  free(flood);
  api_flowcontrol_free(fc);
}

static void a_request_that_waits_too_long_leaves_without_a_seat(void **state) {
  (void)state;
  api_flowcontrol *fc = one_seat();
  api_user alice = user("alice", NULL);
  api_request_info ri = pods_in("a");
  api_fc_waiter running = {0}, late = {0}, fresh = {0};
  api_flowcontrol_admit(fc, &alice, &ri, "", 0, &running);
  assert_int_equal(api_flowcontrol_admit(fc, &alice, &ri, "", 0, &late), API_FC_QUEUED);
  assert_int_equal(api_flowcontrol_admit(fc, &alice, &ri, "", 10, &fresh), API_FC_QUEUED);
  api_fc_waiter *out = api_flowcontrol_release(fc, &running, 20);
  /* late waited 20 s > 15: timed out; fresh waited 10 s: seated */
  assert_ptr_equal(out, &fresh);
  assert_true(fresh.seated);
  assert_ptr_equal(out->next, &late);
  assert_true(late.timed_out);
  assert_false(late.seated);
  assert_null(api_flowcontrol_release(fc, &fresh, 21));
  api_flowcontrol_free(fc);
}

static void a_queued_request_that_goes_away_leaves_its_queue(void **state) {
  (void)state;
  api_flowcontrol *fc = one_seat();
  api_user alice = user("alice", NULL);
  api_request_info ri = pods_in("a");
  api_fc_waiter running = {0}, gone = {0};
  api_flowcontrol_admit(fc, &alice, &ri, "", 0, &running);
  assert_int_equal(api_flowcontrol_admit(fc, &alice, &ri, "", 0, &gone), API_FC_QUEUED);
  assert_null(api_flowcontrol_release(fc, &gone, 1));
  assert_null(api_flowcontrol_release(fc, &running, 1));
  api_fc_waiter again = {0};
  assert_int_equal(api_flowcontrol_admit(fc, &alice, &ri, "", 1, &again), API_FC_RUN);
  api_flowcontrol_release(fc, &again, 1);
  api_flowcontrol_free(fc);
}

static void bad_configuration_names_the_object_and_field(void **state) {
  (void)state;
  json_t *extra =
      json_loads("[{\"kind\":\"FlowSchema\",\"metadata\":{\"name\":\"tenants\"},\"spec\":{"
                 "\"priorityLevelConfiguration\":{\"name\":\"nope\"},\"matchingPrecedence\":10}}]",
                 0, NULL);
  tug_error err = {0};
  assert_null(api_flowcontrol_new(extra, 100, 15, &err));
  assert_non_null(strstr(err.msg, "FlowSchema tenants: spec.priorityLevelConfiguration.name"));
  json_decref(extra);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(defaults_classify_like_kubernetes),
      cmocka_unit_test(seats_follow_shares),
      cmocka_unit_test(dealing_gives_distinct_queues),
      cmocka_unit_test(a_flood_fills_its_own_queue_and_others_keep_their_turn),
      cmocka_unit_test(a_quiet_flow_takes_the_reserved_seat_at_once),
      cmocka_unit_test(a_request_that_waits_too_long_leaves_without_a_seat),
      cmocka_unit_test(a_queued_request_that_goes_away_leaves_its_queue),
      cmocka_unit_test(bad_configuration_names_the_object_and_field),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
