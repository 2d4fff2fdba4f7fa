/*
 * Container probes: the spec read from a container's JSON and the per-probe
 * state machine (initial delay, period, consecutive thresholds). Time is
 * passed in, so nothing sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <string.h>

#include "agent-podstatus.h"
#include "agent-probe.h"
#include "cleanup.h"

static agent_probe_spec spec(int delay, int period, int failure, int success) {
  return (agent_probe_spec){.kind = AGENT_PROBE_TCP,
                            .port = 80,
                            .initial_delay = delay,
                            .period = period,
                            .timeout = 1,
                            .failure_threshold = failure,
                            .success_threshold = success};
}

static void test_first_run_waits_for_the_initial_delay(void **state) {
  (void)state;
  agent_probe_spec s = spec(5, 10, 3, 1);
  agent_probe_state st;
  agent_probe_reset(&st, &s, 100.0);
  assert_false(agent_probe_due(&st, 104.9));
  assert_true(agent_probe_due(&st, 105.0));
  assert_int_equal(st.result, AGENT_PROBE_UNKNOWN);
}

static void test_runs_repeat_every_period_from_their_start(void **state) {
  (void)state;
  agent_probe_spec s = spec(0, 10, 3, 1);
  agent_probe_state st;
  agent_probe_reset(&st, &s, 100.0);
  assert_true(agent_probe_due(&st, 100.0));
  agent_probe_started(&st, &s, 100.2);
  assert_false(agent_probe_due(&st, 110.1));
  assert_true(agent_probe_due(&st, 110.2));
}

static void test_failure_threshold_consecutive_failures_turn_the_result(void **state) {
  (void)state;
  agent_probe_spec s = spec(0, 1, 3, 1);
  agent_probe_state st;
  agent_probe_reset(&st, &s, 0);
  assert_true(agent_probe_record(&st, &s, true));
  assert_int_equal(st.result, AGENT_PROBE_SUCCESS);
  assert_false(agent_probe_record(&st, &s, false));
  assert_false(agent_probe_record(&st, &s, false));
  assert_true(agent_probe_record(&st, &s, false));
  assert_int_equal(st.result, AGENT_PROBE_FAILURE);
  assert_false(agent_probe_record(&st, &s, false)); /* no new event while it stays failed */
}

static void test_a_success_resets_the_failure_count(void **state) {
  (void)state;
  agent_probe_spec s = spec(0, 1, 2, 1);
  agent_probe_state st;
  agent_probe_reset(&st, &s, 0);
  agent_probe_record(&st, &s, false);
  agent_probe_record(&st, &s, true);
  assert_false(agent_probe_record(&st, &s, false));
  assert_int_equal(st.result, AGENT_PROBE_SUCCESS);
  assert_true(agent_probe_record(&st, &s, false));
}

static void test_readiness_success_threshold_needs_consecutive_successes(void **state) {
  (void)state;
  agent_probe_spec s = spec(0, 1, 3, 2);
  agent_probe_state st;
  agent_probe_reset(&st, &s, 0);
  assert_false(agent_probe_record(&st, &s, true));
  assert_int_equal(st.result, AGENT_PROBE_UNKNOWN);
  agent_probe_record(&st, &s, false); /* breaks the streak */
  assert_false(agent_probe_record(&st, &s, true));
  assert_true(agent_probe_record(&st, &s, true));
  assert_int_equal(st.result, AGENT_PROBE_SUCCESS);
}

static void test_reset_on_restart_forgets_the_old_result(void **state) {
  (void)state;
  agent_probe_spec s = spec(3, 1, 1, 1);
  agent_probe_state st;
  agent_probe_reset(&st, &s, 0);
  agent_probe_record(&st, &s, false);
  assert_int_equal(st.result, AGENT_PROBE_FAILURE);
  agent_probe_reset(&st, &s, 50);
  assert_int_equal(st.result, AGENT_PROBE_UNKNOWN);
  assert_int_equal(st.failures, 0);
  assert_false(agent_probe_due(&st, 52));
  assert_true(agent_probe_due(&st, 53));
}

static json_t *ctr(const char *json) {
  json_error_t e;
  json_t *c = json_loads(json, 0, &e);
  assert_non_null(c);
  return c;
}

static void test_http_probe_resolves_a_named_port_and_headers(void **state) {
  (void)state;
  _cleanup_json_ json_t *c = ctr(
      "{\"name\":\"web\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080}],"
      "\"readinessProbe\":{\"httpGet\":{\"path\":\"/hostname\",\"port\":\"http\","
      "\"httpHeaders\":[{\"name\":\"X-A\",\"value\":\"b\"}]},\"initialDelaySeconds\":2,"
      "\"periodSeconds\":3,\"timeoutSeconds\":4,\"failureThreshold\":5,\"successThreshold\":6}}");
  agent_probe_spec s;
  tug_error err = {0};
  assert_int_equal(agent_probe_spec_parse(c, "readinessProbe", &s, &err), 0);
  assert_int_equal(s.kind, AGENT_PROBE_HTTP);
  assert_int_equal(s.port, 8080);
  assert_string_equal(s.path, "/hostname");
  assert_string_equal(s.host, "127.0.0.1");
  assert_string_equal(s.headers[0], "X-A: b");
  assert_null(s.headers[1]);
  assert_int_equal(s.initial_delay, 2);
  assert_int_equal(s.period, 3);
  assert_int_equal(s.timeout, 4);
  assert_int_equal(s.failure_threshold, 5);
  assert_int_equal(s.success_threshold, 6);
  agent_probe_spec_free(&s);
}

static void test_tcp_and_exec_probes_parse(void **state) {
  (void)state;
  _cleanup_json_ json_t *c =
      ctr("{\"name\":\"a\",\"livenessProbe\":{\"exec\":{\"command\":[\"cat\",\"/tmp/healthy\"]}},"
          "\"readinessProbe\":{\"tcpSocket\":{\"port\":8080}}}");
  agent_probe_spec live, ready, none;
  tug_error err = {0};
  assert_int_equal(agent_probe_spec_parse(c, "livenessProbe", &live, &err), 0);
  assert_int_equal(live.kind, AGENT_PROBE_EXEC);
  assert_string_equal(live.command[0], "cat");
  assert_string_equal(live.command[1], "/tmp/healthy");
  assert_null(live.command[2]);
  assert_int_equal(agent_probe_spec_parse(c, "readinessProbe", &ready, &err), 0);
  assert_int_equal(ready.kind, AGENT_PROBE_TCP);
  assert_int_equal(ready.port, 8080);
  assert_int_equal(agent_probe_spec_parse(c, "startupProbe", &none, &err), 0);
  assert_int_equal(none.kind, AGENT_PROBE_NONE);
  agent_probe_spec_free(&live);
  agent_probe_spec_free(&ready);
}

static void test_https_and_unknown_ports_make_an_invalid_probe(void **state) {
  (void)state;
  _cleanup_json_ json_t *c =
      ctr("{\"name\":\"a\",\"livenessProbe\":{\"httpGet\":{\"port\":443,\"scheme\":\"HTTPS\"}},"
          "\"readinessProbe\":{\"tcpSocket\":{\"port\":\"nosuch\"}}}");
  agent_probe_spec s;
  tug_error err = {0};
  assert_int_equal(agent_probe_spec_parse(c, "livenessProbe", &s, &err), -1);
  assert_int_equal(s.kind, AGENT_PROBE_INVALID);
  assert_non_null(strstr(err.msg, "HTTPS"));
  agent_probe_spec_free(&s);
  assert_int_equal(agent_probe_spec_parse(c, "readinessProbe", &s, &err), -1);
  assert_int_equal(s.kind, AGENT_PROBE_INVALID);
  assert_non_null(strstr(err.msg, "nosuch"));
  agent_probe_spec_free(&s);
}

static void test_an_invalid_probe_runs_as_an_immediate_failure(void **state) {
  (void)state;
  agent_probe_spec s = spec(0, 1, 1, 1);
  s.kind = AGENT_PROBE_INVALID;
  agent_probe_run *r = NULL;
  tug_error err = {0};
  assert_int_equal(agent_probe_run_start(&s, NULL, NULL, &r, &err), 0);
  bool ok = true;
  char why[256];
  assert_true(agent_probe_run_done(r, &ok, why, sizeof why));
  assert_false(ok);
  agent_probe_run_release(r);
}

static const char *condition(const json_t *status, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(status, "conditions"), i, c) {
    if (strcmp(json_string_value(json_object_get(c, "type")), type) == 0)
      return json_string_value(json_object_get(c, "status"));
  }
  return NULL;
}

static void test_probes_hold_back_ready_and_started_of_a_running_container(void **state) {
  (void)state;
  agent_ctr_status c = {.state = AGENT_CTR_RUNNING, .unstarted = true, .unready = true};
  snprintf(c.name, sizeof c.name, "web");
  agent_pod_status_input in = {
      .restart_policy = "Always", .ctrs = &c, .n = 1, .host_ip = "10.0.0.1"};
  _cleanup_json_ json_t *held = agent_pod_status_json(&in);
  json_t *cs = json_array_get(json_object_get(held, "containerStatuses"), 0);
  assert_false(json_is_true(json_object_get(cs, "ready")));
  assert_false(json_is_true(json_object_get(cs, "started")));
  assert_string_equal(json_string_value(json_object_get(held, "phase")), "Running");
  assert_string_equal(condition(held, "Ready"), "False");
  assert_string_equal(condition(held, "ContainersReady"), "False");
  c.unstarted = false; /* startup probe passed, readiness not yet */
  _cleanup_json_ json_t *started = agent_pod_status_json(&in);
  cs = json_array_get(json_object_get(started, "containerStatuses"), 0);
  assert_true(json_is_true(json_object_get(cs, "started")));
  assert_false(json_is_true(json_object_get(cs, "ready")));
  c.unready = false;
  _cleanup_json_ json_t *ready = agent_pod_status_json(&in);
  assert_string_equal(condition(ready, "Ready"), "True");
  assert_string_equal(condition(ready, "ContainersReady"), "True");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_first_run_waits_for_the_initial_delay),
      cmocka_unit_test(test_runs_repeat_every_period_from_their_start),
      cmocka_unit_test(test_failure_threshold_consecutive_failures_turn_the_result),
      cmocka_unit_test(test_a_success_resets_the_failure_count),
      cmocka_unit_test(test_readiness_success_threshold_needs_consecutive_successes),
      cmocka_unit_test(test_reset_on_restart_forgets_the_old_result),
      cmocka_unit_test(test_http_probe_resolves_a_named_port_and_headers),
      cmocka_unit_test(test_tcp_and_exec_probes_parse),
      cmocka_unit_test(test_https_and_unknown_ports_make_an_invalid_probe),
      cmocka_unit_test(test_an_invalid_probe_runs_as_an_immediate_failure),
      cmocka_unit_test(test_probes_hold_back_ready_and_started_of_a_running_container),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
