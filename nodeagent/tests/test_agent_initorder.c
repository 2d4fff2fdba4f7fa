/*
 * The start order of a pod's containers (agent-initorder.c) and what it
 * means for the pod's phase, conditions and status: init containers one by
 * one, sidecars beside them, the app last, a Job's pod finishing without
 * waiting for its sidecars.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "agent-initorder.h"
#include "agent-podstatus.h"
#include "cleanup.h"
#include "object.h"

static agent_ctr_status waiting(agent_ctr_kind kind, const char *name) {
  agent_ctr_status c = {.kind = kind, .state = AGENT_CTR_WAITING};
  snprintf(c.name, sizeof c.name, "%s", name);
  snprintf(c.reason, sizeof c.reason, "PodInitializing");
  return c;
}

static void run(agent_ctr_status *c) {
  c->state = AGENT_CTR_RUNNING;
  c->reason[0] = '\0';
}

static void end(agent_ctr_status *c, int exit_code) {
  c->state = AGENT_CTR_TERMINATED;
  c->term = (agent_ctr_term){.set = true, .exit_code = exit_code};
  snprintf(c->term.reason, sizeof c->term.reason, "%s", agent_exit_reason(exit_code, false));
}

/* Exited with exit_code and waits out its back-off before the restart. */
static void back_off(agent_ctr_status *c, int exit_code) {
  c->state = AGENT_CTR_WAITING;
  c->last = (agent_ctr_term){.set = true, .exit_code = exit_code};
  snprintf(c->last.reason, sizeof c->last.reason, "%s", agent_exit_reason(exit_code, false));
  snprintf(c->reason, sizeof c->reason, "CrashLoopBackOff");
  c->restart_count++;
}

static agent_init_plan plan(const char *policy, const agent_ctr_status *c, size_t n) {
  return agent_init_plan_compute(policy, c, n);
}

static void test_a_pod_without_init_containers_starts_its_app_at_once(void **state) {
  (void)state;
  agent_ctr_status c[1] = {waiting(AGENT_CTR_APP, "app")};
  agent_init_plan p = plan("Always", c, 1);
  assert_true(p.initialized);
  assert_true(p.next == AGENT_INIT_NONE);
  assert_true(agent_init_plan_may_start(&p, c, 0));
}

static void test_init_containers_run_one_at_a_time_to_success_before_the_app(void **state) {
  (void)state;
  agent_ctr_status c[3] = {waiting(AGENT_CTR_INIT, "a"), waiting(AGENT_CTR_INIT, "b"),
                           waiting(AGENT_CTR_APP, "app")};
  agent_init_plan p = plan("Always", c, 3);
  assert_int_equal(p.next, 0);
  assert_false(agent_init_plan_may_start(&p, c, 1));
  assert_false(agent_init_plan_may_start(&p, c, 2));
  assert_string_equal(agent_pod_phase("Always", c, 3), "Pending");

  run(&c[0]);
  p = plan("Always", c, 3);
  assert_true(p.next == AGENT_INIT_NONE);
  assert_false(p.initialized);
  assert_false(agent_init_plan_may_start(&p, c, 1));

  end(&c[0], 0);
  p = plan("Always", c, 3);
  assert_int_equal(p.next, 1);
  assert_true(agent_init_plan_may_start(&p, c, 1));
  assert_false(agent_init_plan_may_start(&p, c, 2));

  end(&c[1], 0);
  p = plan("Always", c, 3);
  assert_true(p.initialized);
  assert_true(agent_init_plan_may_start(&p, c, 2));
  assert_string_equal(agent_pod_phase("Always", c, 3), "Pending");
  run(&c[2]);
  assert_string_equal(agent_pod_phase("Always", c, 3), "Running");
}

static void test_a_failed_init_container_restarts_unless_the_policy_is_never(void **state) {
  (void)state;
  agent_ctr_status c[2] = {waiting(AGENT_CTR_INIT, "migrate"), waiting(AGENT_CTR_APP, "app")};
  assert_true(agent_ctr_restarts(AGENT_CTR_INIT, "OnFailure", 1));
  assert_true(agent_ctr_restarts(AGENT_CTR_INIT, "Always", 1));
  assert_false(agent_ctr_restarts(AGENT_CTR_INIT, "Never", 1));
  assert_false(agent_ctr_restarts(AGENT_CTR_INIT, "Always", 0));

  back_off(&c[0], 1);
  agent_init_plan p = plan("Always", c, 2);
  assert_false(p.failed);
  assert_false(p.initialized);
  assert_true(agent_init_plan_may_start(&p, c, 0));
  assert_false(agent_init_plan_may_start(&p, c, 1));
  assert_string_equal(agent_pod_phase("Always", c, 2), "Pending");

  end(&c[0], 1);
  p = plan("Never", c, 2);
  assert_true(p.failed);
  assert_true(p.finished);
  assert_false(agent_init_plan_may_start(&p, c, 1));
  assert_string_equal(agent_pod_phase("Never", c, 2), "Failed");
}

static void test_a_sidecar_lets_the_next_init_container_go_once_started(void **state) {
  (void)state;
  agent_ctr_status c[3] = {waiting(AGENT_CTR_SIDECAR, "proxy"), waiting(AGENT_CTR_INIT, "wait"),
                           waiting(AGENT_CTR_APP, "app")};
  run(&c[0]);
  c[0].unstarted = c[0].unready = true; /* its startup probe has not passed */
  agent_init_plan p = plan("Always", c, 3);
  assert_true(p.next == AGENT_INIT_NONE);
  assert_false(agent_init_plan_may_start(&p, c, 1));

  c[0].unstarted = false;
  p = plan("Always", c, 3);
  assert_int_equal(p.next, 1);
  assert_true(agent_init_plan_may_start(&p, c, 1));
  assert_false(agent_init_plan_may_start(&p, c, 2));
}

static void test_a_sidecar_restarts_while_a_later_init_container_crash_loops(void **state) {
  (void)state;
  agent_ctr_status c[3] = {waiting(AGENT_CTR_SIDECAR, "proxy"), waiting(AGENT_CTR_INIT, "wait"),
                           waiting(AGENT_CTR_APP, "app")};
  run(&c[0]);
  back_off(&c[1], 1);
  back_off(&c[0], 137);
  assert_true(agent_ctr_restarts(AGENT_CTR_SIDECAR, "Never", 0));
  agent_init_plan p = plan("OnFailure", c, 3);
  assert_true(agent_init_plan_may_start(&p, c, 0));
  assert_true(agent_init_plan_may_start(&p, c, 1));
  assert_false(agent_init_plan_may_start(&p, c, 2));
  assert_string_equal(agent_pod_phase("OnFailure", c, 3), "Pending");
}

static void test_app_containers_keep_running_while_a_sidecar_restarts(void **state) {
  (void)state;
  agent_ctr_status c[2] = {waiting(AGENT_CTR_SIDECAR, "proxy"), waiting(AGENT_CTR_APP, "app")};
  run(&c[0]);
  run(&c[1]);
  back_off(&c[0], 1);
  agent_init_plan p = plan("Always", c, 2);
  assert_true(p.initialized);
  assert_false(p.finished);
  assert_true(agent_init_plan_may_start(&p, c, 0));
  assert_string_equal(agent_pod_phase("Always", c, 2), "Running");
  assert_false(agent_pod_containers_ready(c, 2));
}

static void test_a_jobs_pod_finishes_on_its_app_containers_not_its_sidecar(void **state) {
  (void)state;
  agent_ctr_status c[2] = {waiting(AGENT_CTR_SIDECAR, "logs"), waiting(AGENT_CTR_APP, "work")};
  run(&c[0]);
  end(&c[1], 0);
  agent_init_plan p = plan("Never", c, 2);
  assert_true(p.finished);
  assert_false(agent_init_plan_may_start(&p, c, 0));
  assert_string_equal(agent_pod_phase("Never", c, 2), "Running");
  end(&c[0], 143); /* stopped by the agent */
  assert_string_equal(agent_pod_phase("Never", c, 2), "Succeeded");
  assert_string_equal(agent_pod_phase("OnFailure", c, 2), "Succeeded");
  end(&c[1], 2);
  assert_string_equal(agent_pod_phase("Never", c, 2), "Failed");
  assert_false(plan("Always", c, 2).finished);
}

static json_t *cond(json_t *status, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(status, "conditions"), i, c) {
    if (strcmp(tug_obj_get_str(c, "type"), type) == 0)
      return c;
  }
  return NULL;
}

static json_t *status_of(agent_ctr_status *c, size_t n) {
  agent_pod_status_input in = {.restart_policy = "Always",
                               .ctrs = c,
                               .n = n,
                               .host_ip = "10.0.0.1",
                               .start_time = 1700000000,
                               .initialized_since = 1700000005,
                               .ready_since = 1700000000};
  return agent_pod_status_json(&in);
}

static void test_status_lists_init_containers_and_holds_initialized_until_done(void **state) {
  (void)state;
  agent_ctr_status c[3] = {waiting(AGENT_CTR_SIDECAR, "proxy"), waiting(AGENT_CTR_INIT, "wait"),
                           waiting(AGENT_CTR_APP, "app")};
  run(&c[0]);
  run(&c[1]);
  _cleanup_json_ json_t *st = status_of(c, 3);
  assert_string_equal(tug_obj_get_str(st, "phase"), "Pending");
  json_t *init = tug_obj_get(st, "initContainerStatuses");
  assert_int_equal(json_array_size(init), 2);
  assert_string_equal(tug_obj_get_str(json_array_get(init, 1), "name"), "wait");
  assert_int_equal(json_array_size(tug_obj_get(st, "containerStatuses")), 1);
  assert_string_equal(tug_obj_get_str(json_array_get(tug_obj_get(st, "containerStatuses"), 0),
                                      "state.waiting.reason"),
                      "PodInitializing");
  assert_string_equal(tug_obj_get_str(cond(st, "PodReadyToStartContainers"), "status"), "True");
  json_t *initialized = cond(st, "Initialized");
  assert_string_equal(tug_obj_get_str(initialized, "status"), "False");
  assert_string_equal(tug_obj_get_str(initialized, "reason"), "ContainersNotInitialized");
  assert_string_equal(tug_obj_get_str(initialized, "message"),
                      "containers with incomplete status: [wait]");
  assert_string_equal(tug_obj_get_str(initialized, "lastTransitionTime"), "2023-11-14T22:13:25Z");

  end(&c[1], 0);
  run(&c[2]);
  c[0].unready = true;
  _cleanup_json_ json_t *up = status_of(c, 3);
  assert_string_equal(tug_obj_get_str(up, "phase"), "Running");
  assert_string_equal(tug_obj_get_str(cond(up, "Initialized"), "status"), "True");
  /* A sidecar counts for readiness, a finished init container does not. */
  assert_string_equal(tug_obj_get_str(cond(up, "ContainersReady"), "message"),
                      "containers with unready status: [proxy]");
  c[0].unready = false;
  _cleanup_json_ json_t *ready = status_of(c, 3);
  assert_string_equal(tug_obj_get_str(cond(ready, "Ready"), "status"), "True");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_pod_without_init_containers_starts_its_app_at_once),
      cmocka_unit_test(test_init_containers_run_one_at_a_time_to_success_before_the_app),
      cmocka_unit_test(test_a_failed_init_container_restarts_unless_the_policy_is_never),
      cmocka_unit_test(test_a_sidecar_lets_the_next_init_container_go_once_started),
      cmocka_unit_test(test_a_sidecar_restarts_while_a_later_init_container_crash_loops),
      cmocka_unit_test(test_app_containers_keep_running_while_a_sidecar_restarts),
      cmocka_unit_test(test_a_jobs_pod_finishes_on_its_app_containers_not_its_sidecar),
      cmocka_unit_test(test_status_lists_init_containers_and_holds_initialized_until_done),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
