/*
 * Pure parts of the agent's pod handling: restart back-off, phase and
 * conditions from container states, the status JSON, and the spec → runtime
 * translation (argv, env, resources, image references).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <string.h>

#include "agent-backoff.h"
#include "agent-podspec.h"
#include "agent-podstatus.h"
#include "cleanup.h"
#include "object.h"

static void test_backoff_doubles_from_base_to_the_cap(void **state) {
  (void)state;
  int d = 0, seen[7];
  for (int i = 0; i < 7; i++)
    seen[i] = d = agent_backoff_next(d, 1, 10, 300);
  int want[7] = {10, 20, 40, 80, 160, 300, 300};
  assert_memory_equal(seen, want, sizeof want);
}

static void test_backoff_resets_after_ten_minutes_running(void **state) {
  (void)state;
  assert_int_equal(agent_backoff_next(160, 599, 10, 300), 300);
  assert_int_equal(agent_backoff_next(160, 600, 10, 300), 10);
}

static void test_backoff_base_from_the_flag(void **state) {
  (void)state;
  assert_int_equal(agent_backoff_next(0, 0, 1, 300), 1);
  assert_int_equal(agent_backoff_next(1, 0, 1, 300), 2);
  assert_int_equal(agent_backoff_next(256, 0, 1, 300), 300);
}

static agent_ctr_status ctr(const char *name, agent_ctr_state s, int exit_code, bool restarted) {
  agent_ctr_status c = {.state = s};
  snprintf(c.name, sizeof c.name, "%s", name);
  snprintf(c.image, sizeof c.image, "busybox");
  c.term = (agent_ctr_term){.set = s == AGENT_CTR_TERMINATED, .exit_code = exit_code};
  snprintf(c.term.reason, sizeof c.term.reason, "%s", agent_exit_reason(exit_code, false));
  if (restarted) {
    c.last = (agent_ctr_term){.set = true, .exit_code = exit_code};
    snprintf(c.last.reason, sizeof c.last.reason, "Error");
  }
  return c;
}

static void test_phase_pending_until_every_container_started(void **state) {
  (void)state;
  agent_ctr_status c[2] = {ctr("a", AGENT_CTR_RUNNING, 0, false),
                           ctr("b", AGENT_CTR_WAITING, 0, false)};
  assert_string_equal(agent_pod_phase("Always", c, 2), "Pending");
  c[1].state = AGENT_CTR_RUNNING;
  assert_string_equal(agent_pod_phase("Always", c, 2), "Running");
}

static void test_phase_after_exits_follows_restart_policy(void **state) {
  (void)state;
  agent_ctr_status ok[2] = {ctr("a", AGENT_CTR_TERMINATED, 0, false),
                            ctr("b", AGENT_CTR_TERMINATED, 0, false)};
  agent_ctr_status bad[2] = {ctr("a", AGENT_CTR_TERMINATED, 0, false),
                             ctr("b", AGENT_CTR_TERMINATED, 3, false)};
  assert_string_equal(agent_pod_phase("Never", ok, 2), "Succeeded");
  assert_string_equal(agent_pod_phase("OnFailure", ok, 2), "Succeeded");
  assert_string_equal(agent_pod_phase("Never", bad, 2), "Failed");
  assert_string_equal(agent_pod_phase("OnFailure", bad, 2), "Running");
  assert_string_equal(agent_pod_phase("Always", bad, 2), "Running");
  assert_string_equal(agent_pod_phase(NULL, ok, 2), "Running");
}

static void test_crash_loop_back_off_counts_as_running_not_pending(void **state) {
  (void)state;
  agent_ctr_status c = ctr("a", AGENT_CTR_WAITING, 1, true);
  assert_string_equal(agent_pod_phase("Always", &c, 1), "Running");
  assert_false(agent_pod_containers_ready(&c, 1));
}

static void test_exit_reasons(void **state) {
  (void)state;
  assert_string_equal(agent_exit_reason(0, false), "Completed");
  assert_string_equal(agent_exit_reason(3, false), "Error");
  assert_string_equal(agent_exit_reason(137, true), "OOMKilled");
}

static json_t *cond(json_t *status, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(status, "conditions"), i,
                     c) if (strcmp(tug_obj_get_str(c, "type"), type) == 0) return c;
  return NULL;
}

static void test_an_evicted_pod_is_failed_with_reason_and_message(void **state) {
  (void)state;
  agent_ctr_status c[1] = {ctr("web", AGENT_CTR_RUNNING, 0, false)};
  const char *why = "Usage of EmptyDir volume \"x\" exceeds the limit \"1Mi\".";
  agent_pod_status_input in = {
      .restart_policy = "Always", .ctrs = c, .n = 1, .host_ip = "10.0.0.1", .evicted = why};
  _cleanup_json_ json_t *st = agent_pod_status_json(&in);
  assert_string_equal(tug_obj_get_str(st, "phase"), "Failed");
  assert_string_equal(tug_obj_get_str(st, "reason"), "Evicted");
  assert_string_equal(tug_obj_get_str(st, "message"), why);
  in.evicted = NULL;
  _cleanup_json_ json_t *running = agent_pod_status_json(&in);
  assert_null(tug_obj_get(running, "reason"));
}

static void test_status_json_has_conditions_and_container_states(void **state) {
  (void)state;
  agent_ctr_status c[2] = {ctr("web", AGENT_CTR_RUNNING, 0, false),
                           ctr("side", AGENT_CTR_WAITING, 0, false)};
  c[0].started_at = 1700000000;
  snprintf(c[1].reason, sizeof c[1].reason, "ErrImageNeverPull");
  agent_pod_status_input in = {.restart_policy = "Always",
                               .ctrs = c,
                               .n = 2,
                               .host_ip = "10.0.0.1",
                               .start_time = 1700000000,
                               .ready_since = 1700000000};
  _cleanup_json_ json_t *st = agent_pod_status_json(&in);
  assert_string_equal(tug_obj_get_str(st, "phase"), "Pending");
  assert_string_equal(tug_obj_get_str(st, "hostIP"), "10.0.0.1");
  assert_string_equal(tug_obj_get_str(st, "startTime"), "2023-11-14T22:13:20Z");
  assert_null(tug_obj_get(st, "podIP"));
  assert_string_equal(tug_obj_get_str(cond(st, "PodScheduled"), "status"), "True");
  assert_string_equal(tug_obj_get_str(cond(st, "Initialized"), "status"), "True");
  assert_string_equal(tug_obj_get_str(cond(st, "Ready"), "status"), "False");
  assert_string_equal(tug_obj_get_str(cond(st, "ContainersReady"), "message"),
                      "containers with unready status: [side]");
  json_t *cs = tug_obj_get(st, "containerStatuses");
  assert_int_equal(json_array_size(cs), 2);
  json_t *web = json_array_get(cs, 0), *side = json_array_get(cs, 1);
  assert_string_equal(tug_obj_get_str(web, "state.running.startedAt"), "2023-11-14T22:13:20Z");
  assert_true(json_is_true(json_object_get(web, "ready")));
  assert_string_equal(tug_obj_get_str(side, "state.waiting.reason"), "ErrImageNeverPull");
  assert_true(json_is_false(json_object_get(side, "started")));
}

static void test_status_json_of_a_restarted_container_keeps_last_state(void **state) {
  (void)state;
  agent_ctr_status c = ctr("a", AGENT_CTR_RUNNING, 1, true);
  c.restart_count = 2;
  _cleanup_json_ json_t *j = agent_ctr_status_json(&c);
  assert_int_equal(tug_obj_get_int(j, "restartCount", -1), 2);
  assert_int_equal(tug_obj_get_int(j, "lastState.terminated.exitCode", -1), 1);
  assert_string_equal(tug_obj_get_str(j, "lastState.terminated.reason"), "Error");
}

static void test_completed_pod_is_not_ready_with_reason_pod_completed(void **state) {
  (void)state;
  agent_ctr_status c = ctr("a", AGENT_CTR_TERMINATED, 0, false);
  agent_pod_status_input in = {.restart_policy = "Never",
                               .ctrs = &c,
                               .n = 1,
                               .host_ip = "10.0.0.1",
                               .start_time = 1,
                               .ready_since = 2};
  _cleanup_json_ json_t *st = agent_pod_status_json(&in);
  assert_string_equal(tug_obj_get_str(st, "phase"), "Succeeded");
  assert_string_equal(tug_obj_get_str(cond(st, "Ready"), "reason"), "PodCompleted");
  assert_int_equal(tug_obj_get_int(json_array_get(tug_obj_get(st, "containerStatuses"), 0),
                                   "state.terminated.exitCode", -1),
                   0);
}

static void test_plan_joins_command_and_args_and_sets_env(void **state) {
  (void)state;
  _cleanup_json_ json_t *c = json_loads(
      "{\"name\":\"m\",\"command\":[\"sh\",\"-c\"],\"args\":[\"echo $A\"],\"workingDir\":\"/tmp\","
      "\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"valueFrom\":{}}],"
      "\"resources\":{\"requests\":{\"cpu\":\"250m\"},\"limits\":{\"cpu\":\"1\","
      "\"memory\":\"64Mi\"}}}",
      0, NULL);
  agent_ctr_plan p;
  tug_error err = {0};
  assert_int_equal(agent_podspec_plan(c, NULL, "web", NULL, 100, &p, &err), 0);
  assert_string_equal(p.argv[0], "sh");
  assert_string_equal(p.argv[2], "echo $A");
  assert_null(p.argv[3]);
  assert_string_equal(p.env[0], AGENT_PODSPEC_PATH);
  assert_string_equal(p.env[1], "HOSTNAME=web");
  assert_string_equal(p.env[2], "A=1");
  assert_null(p.env[3]);
  assert_string_equal(p.working_dir, "/tmp");
  assert_int_equal(p.resources.cpu_request_milli, 250);
  assert_int_equal(p.resources.cpu_limit_milli, 1000);
  assert_int_equal(p.resources.memory_limit, 64 << 20);
  assert_int_equal(p.resources.pids_max, 100);
  agent_podspec_plan_free(&p);
}

static void test_plan_without_command_runs_args_or_sh(void **state) {
  (void)state;
  _cleanup_json_ json_t *args = json_loads("{\"name\":\"m\",\"args\":[\"sleep\",\"1\"]}", 0, NULL);
  _cleanup_json_ json_t *none = json_loads("{\"name\":\"m\",\"env\":[{\"name\":\"PATH\","
                                           "\"value\":\"/bin\"}]}",
                                           0, NULL);
  agent_ctr_plan p;
  tug_error err = {0};
  assert_int_equal(agent_podspec_plan(args, NULL, "x", NULL, 0, &p, &err), 0);
  assert_string_equal(p.argv[0], "sleep");
  agent_podspec_plan_free(&p);
  assert_int_equal(agent_podspec_plan(none, NULL, "x", NULL, 0, &p, &err), 0);
  assert_string_equal(p.argv[0], "sh");
  assert_string_equal(p.env[0], "HOSTNAME=x");
  assert_string_equal(p.env[1], "PATH=/bin");
  agent_podspec_plan_free(&p);
}

static void test_image_references(void **state) {
  (void)state;
  char name[64], tag[64];
  tug_error err = {0};
  assert_int_equal(agent_podspec_image_ref("busybox", name, sizeof name, tag, sizeof tag, &err), 0);
  assert_string_equal(name, "busybox");
  assert_string_equal(tag, "latest");
  assert_int_equal(agent_podspec_image_ref("docker.io/library/busybox:1.36", name, sizeof name, tag,
                                           sizeof tag, &err),
                   0);
  assert_string_equal(name, "busybox");
  assert_string_equal(tag, "1.36");
  assert_int_equal(
      agent_podspec_image_ref("busybox@sha256:ab", name, sizeof name, tag, sizeof tag, &err), -1);
  assert_int_equal(agent_podspec_image_ref("busybox:", name, sizeof name, tag, sizeof tag, &err),
                   -1);
  /* Names and tags outside Docker's grammar, and paths out of the store. */
  const char *bad[] = {"Bad Name", "BusyBox", "a/../b:1", "box:-x", "box:.x", "box:a b", "box:a/b"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(agent_podspec_image_ref(bad[i], name, sizeof name, tag, sizeof tag, &err), -1);
  assert_int_equal(
      agent_podspec_image_ref("my-org/app_x.y:v1.2-rc_3", name, sizeof name, tag, sizeof tag, &err),
      0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_backoff_doubles_from_base_to_the_cap),
      cmocka_unit_test(test_backoff_resets_after_ten_minutes_running),
      cmocka_unit_test(test_backoff_base_from_the_flag),
      cmocka_unit_test(test_phase_pending_until_every_container_started),
      cmocka_unit_test(test_phase_after_exits_follows_restart_policy),
      cmocka_unit_test(test_crash_loop_back_off_counts_as_running_not_pending),
      cmocka_unit_test(test_exit_reasons),
      cmocka_unit_test(test_status_json_has_conditions_and_container_states),
      cmocka_unit_test(test_an_evicted_pod_is_failed_with_reason_and_message),
      cmocka_unit_test(test_status_json_of_a_restarted_container_keeps_last_state),
      cmocka_unit_test(test_completed_pod_is_not_ready_with_reason_pod_completed),
      cmocka_unit_test(test_plan_joins_command_and_args_and_sets_env),
      cmocka_unit_test(test_plan_without_command_runs_args_or_sh),
      cmocka_unit_test(test_image_references),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
