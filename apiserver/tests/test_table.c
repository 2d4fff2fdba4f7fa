/* Unit tests for server-side printing: kubectl's columns and cells per kind, the
 * HumanDuration ages, tolerance of any JSON, and the meta.k8s.io/v1 Table envelope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "../table.h"
#include "../../lib/tests/json_text.h"

/* 2024-06-01T12:00:00Z: every age below is measured from here. */
#define NOW ((time_t)1717243200)

static time_t fixed_now(void) {
  return NOW;
}

static int pin_clock(void **state) {
  (void)state;
  api_table_set_clock(fixed_now);
  return 0;
}

static int release_clock(void **state) {
  (void)state;
  api_table_set_clock(NULL);
  return 0;
}

/* Local kinds: the registry is not needed to print. */
static const api_kind pod_kind = {.group = "",
                                  .version = "v1",
                                  .kind = "Pod",
                                  .plural = "pods",
                                  .namespaced = true,
                                  .columns = api_columns_pod};
static const api_kind role_kind = {.group = "rbac.authorization.k8s.io",
                                   .version = "v1",
                                   .kind = "Role",
                                   .plural = "roles",
                                   .namespaced = true,
                                   .columns = NULL};

/* JSON written with single quotes for readability. */
static const api_column *column(const api_column *cols, const char *name) {
  for (const api_column *c = cols; c->name; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  fail_msg("no column \"%s\"", name);
  return NULL;
}

static size_t column_count(const api_column *cols) {
  size_t n = 0;
  while (cols[n].name)
    n++;
  return n;
}

static void add_cell_text(char *buf, size_t size, const json_t *cell) {
  size_t len = strlen(buf);
  if (json_is_string(cell))
    snprintf(buf + len, size - len, "%s", json_string_value(cell));
  else if (json_is_integer(cell))
    snprintf(buf + len, size - len, "%" PRId64, (int64_t)json_integer_value(cell));
  else if (json_is_boolean(cell))
    snprintf(buf + len, size - len, "%s", json_is_true(cell) ? "true" : "false");
  else
    snprintf(buf + len, size - len, "<%s?>", cell ? "not a scalar" : "NULL");
}

/* The cells of one priority as kubectl would show them, joined by " | ". */
static void row_text(const api_column *cols, const json_t *o, int priority, char *buf,
                     size_t size) {
  size_t shown = 0;
  buf[0] = '\0';
  for (const api_column *c = cols; c->name; c++) {
    if (c->priority != priority)
      continue;
    _cleanup_json_ json_t *cell = c->cell(o);
    if (shown++ > 0)
      snprintf(buf + strlen(buf), size - strlen(buf), " | ");
    add_cell_text(buf, size, cell);
  }
}

/* The default cells (priority 0) of the object, then its -o wide extras (NULL: skip). */
static void assert_row(const api_column *cols, const char *json, const char *want,
                       const char *want_wide) {
  _cleanup_json_ json_t *o = js(json);
  char got[2048];
  row_text(cols, o, 0, got, sizeof got);
  assert_string_equal(got, want);
  if (want_wide) {
    row_text(cols, o, 1, got, sizeof got);
    assert_string_equal(got, want_wide);
  }
}

static void assert_cell(const api_column *cols, const char *json, const char *name,
                        const char *want) {
  _cleanup_json_ json_t *o = js(json);
  _cleanup_json_ json_t *cell = column(cols, name)->cell(o);
  char got[1024] = "";
  add_cell_text(got, sizeof got, cell);
  assert_string_equal(got, want);
}

/* kubectl's headers: column names upper-cased, default view then wide view. */
static void assert_headers(const api_column *cols, const char *want, const char *want_wide) {
  char got[512] = "", wide[512] = "";
  for (const api_column *c = cols; c->name; c++) {
    char upper[64];
    size_t i = 0;
    for (; c->name[i] && i < sizeof upper - 1; i++)
      upper[i] = (char)toupper((unsigned char)c->name[i]);
    upper[i] = '\0';
    if (c->priority == 0)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", got[0] ? "|" : "", upper);
    snprintf(wide + strlen(wide), sizeof wide - strlen(wide), "%s%s", wide[0] ? "|" : "", upper);
  }
  assert_string_equal(got, want);
  assert_string_equal(wide, want_wide);
}

/* ---- durations ---- */

static void human_duration_follows_kubernetes_thresholds(void **state) {
  (void)state;
  static const struct {
    int64_t seconds;
    const char *want;
  } cases[] = {
      {INT64_MIN, "<invalid>"},
      {-5, "<invalid>"},
      {-2, "<invalid>"},
      {-1, "0s"}, /* a second of clock skew still reads as now */
      {0, "0s"},
      {59, "59s"},
      {119, "119s"},
      {120, "2m"},
      {121, "2m1s"},
      {330, "5m30s"},
      {599, "9m59s"},
      {600, "10m"},
      {659, "10m"},
      {10799, "179m"},
      {10800, "3h"},
      {11100, "3h5m"},
      {28799, "7h59m"},
      {28800, "8h"},
      {30599, "8h"},
      {172799, "47h"},
      {172800, "2d"},
      {183600, "2d3h"},
      {691199, "7d23h"},
      {691200, "8d"},
      {400 * 86400, "400d"},
      {729 * 86400, "729d"},
      {730 * 86400, "2y"},
      {(3 * 365 + 120) * 86400, "3y120d"},
      {(8 * 365 - 1) * 86400, "7y364d"},
      {8 * 365 * 86400, "8y"},
      {(8 * 365 + 100) * 86400, "8y"},
      {INT64_C(100) * 365 * 86400, "100y"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[32];
    assert_string_equal(api_human_duration(cases[i].seconds, buf, sizeof buf), cases[i].want);
  }
}

static void age_seconds_reads_rfc3339_with_fractions_and_offsets(void **state) {
  (void)state;
  assert_int_equal(api_age_seconds("2024-06-01T11:55:00Z", NOW), 300);
  assert_int_equal(api_age_seconds("2024-06-01T11:55:00.999999Z", NOW), 300);
  assert_int_equal(api_age_seconds("2024-06-01T13:55:00+02:00", NOW), 300);
  assert_int_equal(api_age_seconds("2024-06-01T06:25:00-05:30", NOW), 300);
  assert_int_equal(api_age_seconds("2024-02-29T12:00:00Z", NOW), 93 * 86400);
  assert_int_equal(api_age_seconds("1970-01-01T00:00:00Z", NOW), NOW);
  assert_int_equal(api_age_seconds("2024-06-01T12:00:10Z", NOW), -10);
}

static void age_seconds_of_one_second_ahead_is_zero_so_minus_one_means_unparseable(void **state) {
  (void)state;
  assert_int_equal(api_age_seconds("2024-06-01T12:00:01Z", NOW), 0);
  assert_int_equal(api_age_seconds("2024-06-01T12:00:02Z", NOW), -2);
}

static void age_seconds_rejects_malformed_timestamps(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "yesterday",
      "2024-06-01",
      "2024-06-01T11:55:00",
      "2024-06-01 11:55:00Z",
      "2024-06-01t11:55:00z",
      "2024-13-01T00:00:00Z",
      "2024-00-10T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-06-01T24:00:00Z",
      "2024-06-01T11:60:00Z",
      "2024-06-01T11:55:60Z",
      "2024-06-01T11:55:00Zjunk",
      "2024-06-01T11:55:00+2:00",
      "2024-06-01T11:55:00.Z",
      "24-06-01T11:55:00Z",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(api_age_seconds(bad[i], NOW), -1);
  assert_int_equal(api_age_seconds(NULL, NOW), -1);
}

static void age_cell_is_unknown_without_a_usable_creation_timestamp(void **state) {
  (void)state;
  assert_cell(api_columns_namespace, "{'metadata':{'name':'a'}}", "Age", "<unknown>");
  assert_cell(api_columns_namespace, "{'metadata':{'creationTimestamp':'soon'}}", "Age",
              "<unknown>");
  assert_cell(api_columns_namespace, "{'metadata':{'creationTimestamp':'0001-01-01T00:00:00Z'}}",
              "Age", "<unknown>");
  assert_cell(api_columns_namespace, "{'metadata':{'creationTimestamp':null}}", "Age", "<unknown>");
  assert_cell(api_columns_namespace, "{'metadata':{'creationTimestamp':'2024-06-01T11:59:58Z'}}",
              "Age", "2s");
}

/* ---- columns ---- */

static void columns_match_kubectl_headers_for_every_kind(void **state) {
  (void)state;
  assert_headers(api_columns_pod, "NAME|READY|STATUS|RESTARTS|AGE",
                 "NAME|READY|STATUS|RESTARTS|AGE|IP|NODE|NOMINATED NODE|READINESS GATES");
  assert_headers(api_columns_deployment, "NAME|READY|UP-TO-DATE|AVAILABLE|AGE",
                 "NAME|READY|UP-TO-DATE|AVAILABLE|AGE|CONTAINERS|IMAGES|SELECTOR");
  assert_headers(api_columns_replicaset, "NAME|DESIRED|CURRENT|READY|AGE",
                 "NAME|DESIRED|CURRENT|READY|AGE|CONTAINERS|IMAGES|SELECTOR");
  assert_headers(api_columns_job, "NAME|STATUS|COMPLETIONS|DURATION|AGE",
                 "NAME|STATUS|COMPLETIONS|DURATION|AGE|CONTAINERS|IMAGES|SELECTOR");
  assert_headers(api_columns_service, "NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE",
                 "NAME|TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)|AGE|SELECTOR");
  assert_headers(api_columns_node, "NAME|STATUS|ROLES|AGE|VERSION",
                 "NAME|STATUS|ROLES|AGE|VERSION|INTERNAL-IP|EXTERNAL-IP|OS-IMAGE|KERNEL-VERSION|"
                 "CONTAINER-RUNTIME");
  assert_headers(api_columns_namespace, "NAME|STATUS|AGE", "NAME|STATUS|AGE");
  assert_headers(api_columns_endpoints, "NAME|ENDPOINTS|AGE", "NAME|ENDPOINTS|AGE");
  assert_headers(api_columns_configmap, "NAME|DATA|AGE", "NAME|DATA|AGE");
  assert_headers(api_columns_secret, "NAME|TYPE|DATA|AGE", "NAME|TYPE|DATA|AGE");
  assert_headers(api_columns_event, "LAST SEEN|TYPE|REASON|OBJECT|MESSAGE",
                 "LAST SEEN|TYPE|REASON|OBJECT|SUBOBJECT|SOURCE|MESSAGE|FIRST SEEN|COUNT|NAME");
  assert_headers(api_columns_resourcequota, "NAME|AGE|REQUEST|LIMIT", "NAME|AGE|REQUEST|LIMIT");
  assert_headers(api_columns_limitrange, "NAME|CREATED AT", "NAME|CREATED AT");
  assert_headers(api_columns_priorityclass, "NAME|VALUE|GLOBAL-DEFAULT|AGE|PREEMPTIONPOLICY",
                 "NAME|VALUE|GLOBAL-DEFAULT|AGE|PREEMPTIONPOLICY");
  assert_headers(api_columns_lease, "NAME|HOLDER|AGE", "NAME|HOLDER|AGE");
  assert_headers(api_columns_queue, "NAME|COHORT|WEIGHT|ADMITTED|PENDING|CPU|MEMORY|SHARE|AGE",
                 "NAME|COHORT|WEIGHT|ADMITTED|PENDING|CPU|MEMORY|SHARE|AGE|BORROWED|STRATEGY");
  assert_headers(api_columns_default, "NAME|CREATED AT", "NAME|CREATED AT");
}

static const api_column *const all_columns[] = {
    api_columns_namespace,  api_columns_node,      api_columns_pod,
    api_columns_service,    api_columns_endpoints, api_columns_resourcequota,
    api_columns_limitrange, api_columns_event,     api_columns_deployment,
    api_columns_replicaset, api_columns_job,       api_columns_priorityclass,
    api_columns_lease,      api_columns_queue,     api_columns_configmap,
    api_columns_secret,     api_columns_default,
};
#define N_COLUMN_SETS (sizeof all_columns / sizeof all_columns[0])

static void every_column_is_fully_described_and_only_name_has_the_name_format(void **state) {
  (void)state;
  for (size_t k = 0; k < N_COLUMN_SETS; k++) {
    for (const api_column *c = all_columns[k]; c->name; c++) {
      assert_non_null(c->cell);
      assert_non_null(c->description);
      assert_true(strlen(c->description) > 0);
      assert_true(c->priority == 0 || c->priority == 1);
      assert_true(strcmp(c->type, "string") == 0 || strcmp(c->type, "integer") == 0 ||
                  strcmp(c->type, "boolean") == 0 || strcmp(c->type, "date") == 0);
      assert_string_equal(c->format, strcmp(c->name, "Name") == 0 ? "name" : "");
    }
  }
}

/* ---- pods ---- */

static void pod_waiting_for_a_node_is_pending(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'metadata':{'name':'web-1','creationTimestamp':'2024-06-01T11:59:30Z'},"
             "'spec':{'containers':[{'name':'app','image':'nginx'}]},'status':{'phase':'Pending',"
             "'conditions':[{'type':'PodScheduled','status':'False','reason':'Unschedulable'}]}}",
             "web-1 | 0/1 | Pending | 0 | 30s", "<none> | <none> | <none> | <none>");
}

static void pod_with_scheduling_gates_is_scheduling_gated(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'spec':{'containers':[{'name':'app','image':'nginx'}]},"
              "'status':{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False',"
              "'reason':'SchedulingGated'}]}}",
              "Status", "SchedulingGated");
}

static void pod_pulling_its_image_is_container_creating(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'metadata':{'name':'web-1','creationTimestamp':'2024-06-01T11:59:30Z'},"
             "'spec':{'nodeName':'node-1','containers':[{'name':'app','image':'nginx'}]},"
             "'status':{'phase':'Pending','containerStatuses':[{'name':'app','ready':false,"
             "'restartCount':0,'state':{'waiting':{'reason':'ContainerCreating'}}}]}}",
             "web-1 | 0/1 | ContainerCreating | 0 | 30s", "<none> | node-1 | <none> | <none>");
}

static void pod_running_and_ready_is_running_1_of_1(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'metadata':{'name':'web-1','creationTimestamp':'2024-05-30T09:00:00Z'},"
             "'spec':{'nodeName':'node-1','containers':[{'name':'app','image':'nginx'}]},"
             "'status':{'phase':'Running','podIP':'10.244.1.5','podIPs':[{'ip':'10.244.1.5'}],"
             "'conditions':[{'type':'Ready','status':'True'}],'containerStatuses':[{'name':'app',"
             "'ready':true,'started':true,'restartCount':0,'state':{'running':{'startedAt':"
             "'2024-05-30T09:00:05Z'}}}]}}",
             "web-1 | 1/1 | Running | 0 | 2d3h", "10.244.1.5 | node-1 | <none> | <none>");
}

static void pod_in_crash_loop_shows_the_reason_and_when_it_last_restarted(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'metadata':{'name':'api-7d9f','creationTimestamp':'2024-06-01T10:30:00Z'},"
             "'spec':{'containers':[{'name':'api'},{'name':'proxy'}]},'status':{'phase':'Running',"
             "'containerStatuses':[{'name':'api','ready':false,'restartCount':5,"
             "'state':{'waiting':{'reason':'CrashLoopBackOff','message':'back-off 2m40s'}},"
             "'lastState':{'terminated':{'exitCode':1,'reason':'Error',"
             "'finishedAt':'2024-06-01T11:57:00Z'}}},{'name':'proxy','ready':true,"
             "'restartCount':1,'state':{'running':{}},'lastState':{'terminated':{'exitCode':2,"
             "'finishedAt':'2024-06-01T10:00:00Z'}}}]}}",
             "api-7d9f | 1/2 | CrashLoopBackOff | 6 (3m ago) | 90m", NULL);
}

static void pod_whose_containers_succeeded_is_completed_with_a_row_condition(void **state) {
  (void)state;
  const char *json =
      "{'metadata':{'name':'batch-x','creationTimestamp':'2024-06-01T11:00:00Z'},"
      "'spec':{'containers':[{'name':'app','image':'nginx'}]},'status':{'phase':'Succeeded',"
      "'containerStatuses':[{'name':'app','ready':false,'state':{'terminated':{'exitCode':0,"
      "'reason':'Completed'}}}]}}";
  assert_row(api_columns_pod, json, "batch-x | 0/1 | Completed | 0 | 60m", NULL);
  _cleanup_json_ json_t *pod = js(json);
  _cleanup_json_ json_t *row = api_table_row(&pod_kind, pod, true);
  _cleanup_json_ json_t *want = js("[{'type':'Completed','status':'True','reason':'Succeeded',"
                                   "'message':'The pod has completed successfully.'}]");
  assert_true(json_equal(json_object_get(row, "conditions"), want));
}

static void running_pod_has_no_row_conditions(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{'status':{'phase':'Running'}}");
  _cleanup_json_ json_t *row = api_table_row(&pod_kind, pod, true);
  assert_null(json_object_get(row, "conditions"));
}

static void pod_being_deleted_is_terminating(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'metadata':{'name':'web-1','deletionTimestamp':'2024-06-01T11:59:50Z'},"
              "'spec':{'containers':[{'name':'app','image':'nginx'}]},'status':{'phase':'Running',"
              "'containerStatuses':[{'ready':true,'state':{'running':{}}}]}}",
              "Status", "Terminating");
}

static void
pod_deleted_on_a_lost_node_is_unknown_and_a_finished_one_keeps_its_status(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'metadata':{'deletionTimestamp':'2024-06-01T11:59:50Z'},"
              "'status':{'phase':'Running','reason':'NodeLost'}}",
              "Status", "Unknown");
  assert_cell(api_columns_pod,
              "{'metadata':{'deletionTimestamp':'2024-06-01T11:59:50Z'},"
              "'spec':{'containers':[{'name':'app','image':'nginx'}]},"
              "'status':{'phase':'Succeeded','containerStatuses':[{'state':{'terminated':{"
              "'exitCode':0,'reason':'Completed'}}}]}}",
              "Status", "Completed");
}

static void pod_status_reason_overrides_the_phase(void **state) {
  (void)state;
  assert_cell(api_columns_pod, "{'status':{'phase':'Failed','reason':'Evicted'}}", "Status",
              "Evicted");
}

static void container_that_ended_without_a_reason_shows_its_signal_or_exit_code(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'spec':{'containers':[{'name':'app','image':'nginx'}]},"
              "'status':{'phase':'Running',"
              "'containerStatuses':[{'state':{'terminated':{'exitCode':137,'signal':9}}}]}}",
              "Status", "Signal:9");
  assert_cell(api_columns_pod,
              "{'spec':{'containers':[{'name':'app','image':'nginx'}]},'status':{'phase':'Failed',"
              "'containerStatuses':[{'state':{'terminated':{'exitCode':2,'reason':''}}}]}}",
              "Status", "ExitCode:2");
}

static void first_container_reason_wins_over_later_ones(void **state) {
  (void)state;
  assert_cell(
      api_columns_pod,
      "{'spec':{'containers':[{'name':'a'},{'name':'b'}]},'status':{'phase':'Pending',"
      "'containerStatuses':[{'name':'a','state':{'waiting':{'reason':'ErrImageNeverPull'}}},"
      "{'name':'b','state':{'waiting':{'reason':'ContainerCreating'}}}]}}",
      "Status", "ErrImageNeverPull");
}

static void completed_container_beside_a_running_one_reads_running_or_not_ready(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'spec':{'containers':[{'name':'init-like'},{'name':'app'}]},"
             "'status':{'phase':'Running','containerStatuses':[{'name':'init-like',"
             "'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'app',"
             "'ready':true,'state':{'running':{}}}],'conditions':[{'type':'Ready',"
             "'status':'True'}]}}",
             " | 1/2 | Running | 0 | <unknown>", NULL);
  assert_row(api_columns_pod,
             "{'spec':{'containers':[{'name':'init-like'},{'name':'app'}]},"
             "'status':{'phase':'Running','containerStatuses':[{'name':'init-like',"
             "'state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'app',"
             "'ready':true,'state':{'running':{}}}],'conditions':[{'type':'Ready',"
             "'status':'False'}]}}",
             " | 1/2 | NotReady | 0 | <unknown>", NULL);
}

static void init_containers_report_progress_and_failures(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Pending',"
              "'initContainerStatuses':[{'name':'init-db','state':{'running':{}}}]}}",
              "Status", "Init:0/2");
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Pending',"
              "'initContainerStatuses':[{'name':'init-db',"
              "'state':{'waiting':{'reason':'PodInitializing'}}}]}}",
              "Status", "Init:0/2");
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Pending',"
              "'initContainerStatuses':[{'name':'init-db','state':{'terminated':{'exitCode':0}}},"
              "{'name':'init-cache','restartCount':3,'state':{'waiting':{'reason':"
              "'CrashLoopBackOff'}}}]}}",
              "Status", "Init:CrashLoopBackOff");
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Pending',"
              "'initContainerStatuses':[{'name':'init-db',"
              "'state':{'terminated':{'exitCode':1}}}]}}",
              "Status", "Init:ExitCode:1");
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Pending',"
              "'initContainerStatuses':[{'name':'init-db','state':{'terminated':{'exitCode':137,"
              "'signal':9}}}]}}",
              "Status", "Init:Signal:9");
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Failed',"
              "'initContainerStatuses':[{'name':'init-db','state':{'terminated':{'exitCode':1,"
              "'reason':'Error'}}}]}}",
              "Status", "Init:Error");
  /* Initialization over, the app not started yet. */
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'}],'containers':[{'name':'app'}]},"
              "'status':{'phase':'Pending','initContainerStatuses':[{'name':'init-db',"
              "'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}],"
              "'containerStatuses':[{'name':'app','state':{'waiting':{'reason':"
              "'PodInitializing'}}}]}}",
              "Status", "PodInitializing");
}

static void init_container_restarts_count_while_initializing(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'spec':{'initContainers':[{'name':'init-db'},{'name':'init-cache'}],"
              "'containers':[{'name':'app'}]},'status':{'phase':'Pending',"
              "'initContainerStatuses':[{'name':'init-db','restartCount':4,"
              "'state':{'waiting':{'reason':'CrashLoopBackOff'}},"
              "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2024-06-01T11:59:00Z'}}}]}}",
              "Restarts", "4 (60s ago)");
}

static void sidecar_containers_count_towards_ready_and_restarts(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'metadata':{'name':'mesh','creationTimestamp':'2024-06-01T11:00:00Z'},"
             "'spec':{'initContainers':[{'name':'proxy','restartPolicy':'Always'}],"
             "'containers':[{'name':'app'}]},'status':{'phase':'Running',"
             "'conditions':[{'type':'Initialized','status':'True'},{'type':'Ready',"
             "'status':'True'}],'initContainerStatuses':[{'name':'proxy','started':true,"
             "'ready':true,'restartCount':2,'state':{'running':{}},"
             "'lastState':{'terminated':{'exitCode':1,'finishedAt':'2024-06-01T11:50:00Z'}}}],"
             "'containerStatuses':[{'name':'app','ready':true,'restartCount':1,"
             "'state':{'running':{}},'lastState':{'terminated':{'exitCode':1,"
             "'finishedAt':'2024-06-01T11:40:00Z'}}}]}}",
             "mesh | 2/2 | Running | 3 (10m ago) | 60m", NULL);
}

static void restarts_without_a_finished_time_print_the_bare_count(void **state) {
  (void)state;
  assert_cell(api_columns_pod,
              "{'spec':{'containers':[{'name':'app','image':'nginx'}]},"
              "'status':{'containerStatuses':[{'restartCount':2,'state':{'running':{}}}]}}",
              "Restarts", "2");
}

static void pod_wide_columns_show_ip_node_nomination_and_readiness_gates(void **state) {
  (void)state;
  assert_row(api_columns_pod,
             "{'metadata':{'name':'web-2','creationTimestamp':'2024-06-01T11:00:00Z'},"
             "'spec':{'containers':[{'name':'app'}],'readinessGates':[{'conditionType':"
             "'example.com/lb'},{'conditionType':'example.com/dns'}]},'status':{'phase':'Pending',"
             "'podIP':'10.244.2.9','nominatedNodeName':'node-3',"
             "'conditions':[{'type':'example.com/lb','status':'True'},{'type':'example.com/dns',"
             "'status':'False'}]}}",
             "web-2 | 0/1 | Pending | 0 | 60m", "10.244.2.9 | <none> | node-3 | 1/2");
}

/* ---- nodes ---- */

static void ready_node_shows_its_roles_version_and_system_info(void **state) {
  (void)state;
  assert_row(api_columns_node,
             "{'metadata':{'name':'n1','creationTimestamp':'2023-04-28T12:00:00Z',"
             "'labels':{'node-role.kubernetes.io/control-plane':'',"
             "'kubernetes.io/hostname':'n1'}},'status':{'conditions':[{'type':'MemoryPressure',"
             "'status':'False'},{'type':'Ready','status':'True'}],"
             "'addresses':[{'type':'InternalIP','address':'192.168.1.10'},{'type':'Hostname',"
             "'address':'n1'}],'nodeInfo':{'kubeletVersion':'v1.32.0-tug',"
             "'osImage':'Debian GNU/Linux 12 (bookworm)','kernelVersion':'6.1.0-18-amd64',"
             "'containerRuntimeVersion':'tug://0.1.0'}}}",
             "n1 | Ready | control-plane | 400d | v1.32.0-tug",
             "192.168.1.10 | <none> | Debian GNU/Linux 12 (bookworm) | 6.1.0-18-amd64 | "
             "tug://0.1.0");
}

static void cordoned_unready_node_is_not_ready_scheduling_disabled(void **state) {
  (void)state;
  assert_row(api_columns_node,
             "{'metadata':{'name':'n2','creationTimestamp':'2024-06-01T09:00:00Z',"
             "'labels':{'node-role.kubernetes.io/worker':'','kubernetes.io/role':'gpu',"
             "'node-role.kubernetes.io/gpu':''}},'spec':{'unschedulable':true},"
             "'status':{'conditions':[{'type':'Ready','status':'False',"
             "'reason':'KubeletNotReady'}],'addresses':[{'type':'ExternalIP',"
             "'address':'203.0.113.5'}]}}",
             "n2 | NotReady,SchedulingDisabled | gpu,worker | 3h | ",
             "<none> | 203.0.113.5 | <unknown> | <unknown> | <unknown>");
}

static void node_without_ready_condition_or_roles_is_unknown_with_none(void **state) {
  (void)state;
  assert_row(api_columns_node, "{'metadata':{'name':'n3'},'status':{'conditions':[]}}",
             "n3 | Unknown | <none> | <unknown> | ", NULL);
  assert_cell(api_columns_node, "{'status':{'conditions':[{'type':'Ready','status':'Unknown'}]}}",
              "Status", "NotReady");
}

/* ---- services and endpoints ---- */

static void cluster_ip_service_lists_its_ports_and_selector(void **state) {
  (void)state;
  assert_row(api_columns_service,
             "{'metadata':{'name':'kube-dns','creationTimestamp':'2024-05-27T15:00:00Z'},"
             "'spec':{'type':'ClusterIP','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],"
             "'ports':[{'name':'dns','port':53,'protocol':'UDP'},{'name':'dns-tcp','port':53,"
             "'protocol':'TCP'},{'name':'metrics','port':9153,'protocol':'TCP'}],"
             "'selector':{'k8s-app':'kube-dns','tier':'dns'}}}",
             "kube-dns | ClusterIP | 10.96.0.10 | <none> | 53/UDP,53/TCP,9153/TCP | 4d21h",
             "k8s-app=kube-dns,tier=dns");
}

static void node_port_service_shows_port_and_node_port(void **state) {
  (void)state;
  assert_row(api_columns_service,
             "{'metadata':{'name':'web'},'spec':{'type':'NodePort','clusterIP':'10.96.3.4',"
             "'ports':[{'port':80,'targetPort':8080,'nodePort':30080,'protocol':'TCP'},"
             "{'port':443,'nodePort':30443,'protocol':'TCP'}],'externalIPs':['198.51.100.1']}}",
             "web | NodePort | 10.96.3.4 | 198.51.100.1 | 80:30080/TCP,443:30443/TCP | <unknown>",
             "<none>");
}

static void load_balancer_is_pending_until_it_has_an_address(void **state) {
  (void)state;
  assert_cell(api_columns_service, "{'spec':{'type':'LoadBalancer'}}", "External-IP", "<pending>");
  assert_cell(api_columns_service,
              "{'spec':{'type':'LoadBalancer','externalIPs':['198.51.100.1']},"
              "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.9'},"
              "{'hostname':'lb.example.com'},{'ip':'203.0.113.7'},{'ip':'203.0.113.7'}]}}}",
              "External-IP", "203.0.113.7,203.0.113.9,lb.example.com,198.51.100.1");
}

static void external_name_and_headless_services(void **state) {
  (void)state;
  assert_row(api_columns_service,
             "{'metadata':{'name':'db'},'spec':{'type':'ExternalName',"
             "'externalName':'db.example.com'}}",
             "db | ExternalName | <none> | db.example.com | <none> | <unknown>", "<none>");
  assert_cell(api_columns_service,
              "{'spec':{'type':'ClusterIP','clusterIP':'None','clusterIPs':['None']}}",
              "Cluster-IP", "None");
  assert_cell(api_columns_service, "{'spec':{}}", "External-IP", "<unknown>");
}

static void endpoints_list_three_addresses_and_count_the_rest(void **state) {
  (void)state;
  assert_cell(api_columns_endpoints, "{'metadata':{'name':'kube-dns'}}", "Endpoints", "<none>");
  assert_cell(api_columns_endpoints,
              "{'subsets':[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}],"
              "'ports':[{'port':80}]}]}",
              "Endpoints", "10.0.0.1:80,10.0.0.2:80");
  assert_cell(api_columns_endpoints,
              "{'subsets':[{'addresses':[{'ip':'10.1.0.20'},{'ip':'10.1.0.21'}],"
              "'ports':[{'port':53,'protocol':'UDP'},{'port':53},{'port':9153}]}]}",
              "Endpoints", "10.1.0.20:53,10.1.0.21:53,10.1.0.20:53 + 3 more...");
  assert_cell(api_columns_endpoints,
              "{'subsets':[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'},{'ip':'10.0.0.3'}],"
              "'ports':[{'port':80}]},{'addresses':[{'ip':'10.0.1.1'}],'ports':[{'port':81}]}]}",
              "Endpoints", "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
}

static void endpoints_of_headless_ipv6_and_unready_subsets(void **state) {
  (void)state;
  assert_cell(api_columns_endpoints, "{'subsets':[{'addresses':[{'ip':'10.0.0.1'}]}]}", "Endpoints",
              "10.0.0.1");
  assert_cell(api_columns_endpoints,
              "{'subsets':[{'addresses':[{'ip':'fd00::1'}],'ports':[{'port':80}]}]}", "Endpoints",
              "[fd00::1]:80");
  assert_cell(api_columns_endpoints,
              "{'subsets':[{'notReadyAddresses':[{'ip':'10.0.0.1'}],'ports':[{'port':80}]}]}",
              "Endpoints", "");
}

/* ---- workloads ---- */

static void deployment_mid_rollout_shows_ready_of_desired_and_progress(void **state) {
  (void)state;
  assert_row(api_columns_deployment,
             "{'metadata':{'name':'web','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},"
             "'matchExpressions':[{'key':'tier','operator':'In','values':['frontend','edge']},"
             "{'key':'canary','operator':'DoesNotExist'}]},"
             "'template':{'spec':{'containers':[{'name':'web','image':'nginx:1.27'},{'name':'log',"
             "'image':'busybox'}]}}},'status':{'replicas':4,'updatedReplicas':1,'readyReplicas':2,"
             "'availableReplicas':2}}",
             "web | 2/3 | 1 | 2 | 5m",
             "web,log | nginx:1.27,busybox | app=web,!canary,tier in (edge,frontend)");
}

static void deployment_selector_prints_empty_or_invalid(void **state) {
  (void)state;
  assert_cell(api_columns_deployment, "{'spec':{'selector':{}}}", "Selector", "");
  assert_cell(api_columns_deployment, "{'spec':{}}", "Selector", "");
  assert_cell(api_columns_deployment,
              "{'spec':{'selector':{'matchExpressions':[{'key':'a','operator':'Maybe'}]}}}",
              "Selector", "<invalid>");
  assert_cell(
      api_columns_deployment,
      "{'spec':{'selector':{'matchExpressions':[{'key':'a','operator':'In','values':[]}]}}}",
      "Selector", "<invalid>");
  assert_cell(api_columns_deployment,
              "{'spec':{'selector':{'matchExpressions':[{'key':'a','operator':'Exists',"
              "'values':['x']}]}}}",
              "Selector", "<invalid>");
  assert_cell(api_columns_deployment, "{'spec':{'selector':{'matchLabels':{'bad key!':'x'}}}}",
              "Selector", "<invalid>");
  assert_cell(api_columns_deployment,
              "{'spec':{'selector':{'matchExpressions':[{'key':'env','operator':'NotIn',"
              "'values':['prod','dev']},{'key':'a','operator':'Exists'}]}}}",
              "Selector", "a,env notin (dev,prod)");
}

static void deployment_without_replicas_wants_one(void **state) {
  (void)state;
  assert_cell(api_columns_deployment, "{'status':{'readyReplicas':1}}", "Ready", "1/1");
  assert_cell(api_columns_deployment, "{'spec':{'replicas':0}}", "Ready", "0/0");
}

static void replica_set_counts_desired_current_ready(void **state) {
  (void)state;
  assert_row(api_columns_replicaset,
             "{'metadata':{'name':'web-5d8f','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'spec':{'replicas':3,'selector':{'matchLabels':{'pod-template-hash':'5d8f',"
             "'app':'web'}},'template':{'spec':{'containers':[{'name':'web',"
             "'image':'nginx:1.27'}]}}},'status':{'replicas':3,'readyReplicas':2}}",
             "web-5d8f | 3 | 3 | 2 | 5m", "web | nginx:1.27 | app=web,pod-template-hash=5d8f");
  assert_cell(api_columns_replicaset, "{}", "Selector", "<none>");
  assert_cell(api_columns_replicaset, "{}", "Desired", "1");
  assert_cell(api_columns_replicaset, "{'spec':{'selector':'app=web'}}", "Selector", "<error>");
}

static void running_job_shows_completions_and_duration_so_far(void **state) {
  (void)state;
  assert_row(api_columns_job,
             "{'metadata':{'name':'pi','creationTimestamp':'2024-06-01T11:58:00Z'},"
             "'spec':{'completions':3,'parallelism':1,'selector':{'matchLabels':{"
             "'batch.kubernetes.io/controller-uid':'u1'}},"
             "'template':{'spec':{'containers':[{'name':'pi','image':'perl:5.34'}]}}},"
             "'status':{'startTime':'2024-06-01T11:58:00Z','active':1,'succeeded':1}}",
             "pi | Running | 1/3 | 2m | 2m",
             "pi | perl:5.34 | batch.kubernetes.io/controller-uid=u1");
}

static void finished_job_is_complete_or_failed_with_its_total_duration(void **state) {
  (void)state;
  assert_row(api_columns_job,
             "{'metadata':{'name':'once','creationTimestamp':'2024-06-01T11:00:00Z'},"
             "'spec':{'completions':1},'status':{'startTime':'2024-06-01T11:00:00Z',"
             "'completionTime':'2024-06-01T11:05:30Z','succeeded':1,"
             "'conditions':[{'type':'Complete','status':'True'}]}}",
             "once | Complete | 1/1 | 5m30s | 60m", NULL);
  assert_cell(api_columns_job,
              "{'status':{'conditions':[{'type':'FailureTarget','status':'True'},{'type':'Failed',"
              "'status':'True'}]}}",
              "Status", "Failed");
  assert_cell(api_columns_job,
              "{'status':{'conditions':[{'type':'FailureTarget','status':'True'}]}}", "Status",
              "FailureTarget");
}

static void job_suspended_or_deleted_and_completions_without_a_count(void **state) {
  (void)state;
  assert_row(api_columns_job,
             "{'metadata':{'name':'later'},'spec':{'suspend':true,'parallelism':4},"
             "'status':{'conditions':[{'type':'Suspended','status':'True'}]}}",
             "later | Suspended | 0/1 of 4 |  | <unknown>", NULL);
  assert_cell(api_columns_job,
              "{'metadata':{'deletionTimestamp':'2024-06-01T11:59:00Z'},"
              "'status':{'conditions':[{'type':'Suspended','status':'True'}]}}",
              "Status", "Terminating");
  assert_cell(api_columns_job, "{'status':{'succeeded':1}}", "Completions", "1/1");
  assert_cell(api_columns_job, "{'status':{'conditions':[{'type':'Complete','status':'False'}]}}",
              "Status", "Running");
}

/* ---- quotas, limit ranges, queues ---- */

static void quota_splits_requests_and_limits_sorted_by_resource(void **state) {
  (void)state;
  assert_row(api_columns_resourcequota,
             "{'metadata':{'name':'compute','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'spec':{'hard':{'pods':'10'}},'status':{'hard':{'requests.memory':'4Gi','pods':'10',"
             "'requests.cpu':'2','limits.memory':'8Gi','limits.cpu':'4','count/jobs.batch':5},"
             "'used':{'pods':'2','requests.cpu':'500m','requests.memory':'1Gi','limits.cpu':'1',"
             "'count/jobs.batch':0}}}",
             "compute | 5m | count/jobs.batch: 0/5, pods: 2/10, requests.cpu: 500m/2,"
             " requests.memory: 1Gi/4Gi | limits.cpu: 1/4, limits.memory: 0/8Gi",
             "");
  assert_row(api_columns_resourcequota, "{'metadata':{'name':'empty'}}", "empty | <unknown> |  | ",
             NULL);
}

static void limit_range_shows_the_default_tables_creation_time(void **state) {
  (void)state;
  assert_row(api_columns_limitrange,
             "{'metadata':{'name':'defaults','creationTimestamp':'2024-06-01T13:55:00+02:00'}}",
             "defaults | 2024-06-01T11:55:00Z", NULL);
  assert_row(api_columns_limitrange, "{'metadata':{'name':'new'}}", "new | 0001-01-01T00:00:00Z",
             NULL);
  assert_cell(api_columns_limitrange, "{'metadata':{'creationTimestamp':'1969-12-31T23:59:59Z'}}",
              "Created At", "1969-12-31T23:59:59Z");
}

static void queue_shows_usage_against_nominal_and_its_share(void **state) {
  (void)state;
  assert_row(api_columns_queue,
             "{'metadata':{'name':'team-a','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'spec':{'cohort':'research','weight':2,'nominal':{'cpu':'4','memory':'16Gi',"
             "'pods':50},'strictFIFO':true},'status':{'admitted':3,'pending':2,"
             "'usage':{'cpu':'1500m','memory':'6Gi','pods':3},'borrowed':{'memory':'2Gi',"
             "'cpu':'500m'},'weightedShare':0.25}}",
             "team-a | research | 2 | 3 | 2 | 1500m/4 | 6Gi/16Gi | 0.25 | 5m",
             "cpu: 500m, memory: 2Gi | StrictFIFO");
}

static void empty_queue_prints_defaults(void **state) {
  (void)state;
  assert_row(api_columns_queue, "{'metadata':{'name':'default'}}",
             "default | <none> | 1 | 0 | 0 | 0/0 | 0/0 | 0 | <unknown>", "<none> | BestEffortFIFO");
  assert_cell(api_columns_queue, "{'spec':{'queueingStrategy':'StrictFIFO'}}", "Strategy",
              "StrictFIFO");
  assert_cell(api_columns_queue, "{'status':{'weightedShare':1.5}}", "Share", "1.5");
  assert_cell(api_columns_queue, "{'status':{'weightedShare':750}}", "Share", "750");
}

/* ---- events and the small kinds ---- */

static void event_shows_last_seen_object_and_trimmed_message(void **state) {
  (void)state;
  assert_row(api_columns_event,
             "{'metadata':{'name':'web-1.17d2a'},'involvedObject':{'kind':'Pod','name':'web-1',"
             "'fieldPath':'spec.containers{app}'},'reason':'BackOff',"
             "'message':'  Back-off restarting failed container\\n','type':'Warning',"
             "'source':{'component':'kubelet','host':'node-1'},"
             "'firstTimestamp':'2024-06-01T11:00:00Z','lastTimestamp':'2024-06-01T11:58:00Z',"
             "'count':12}",
             "2m | Warning | BackOff | pod/web-1 | Back-off restarting failed container",
             "spec.containers{app} | kubelet, node-1 | 60m | 12 | web-1.17d2a");
}

static void new_style_event_reads_event_time_series_and_reporting_fields(void **state) {
  (void)state;
  assert_row(api_columns_event,
             "{'metadata':{'name':'e1'},'involvedObject':{'kind':'Pod','name':'big'},"
             "'reason':'FailedScheduling','message':'0/5 nodes are available','type':'Warning',"
             "'eventTime':'2024-06-01T11:59:50.123456Z','reportingComponent':'default-scheduler',"
             "'reportingInstance':'sched-1'}",
             "10s | Warning | FailedScheduling | pod/big | 0/5 nodes are available",
             " | default-scheduler, sched-1 | 10s | 1 | e1");
  assert_cell(api_columns_event,
              "{'eventTime':'2024-06-01T11:00:00.000000Z','series':{'count':7,"
              "'lastObservedTime':'2024-06-01T11:59:00.000000Z'}}",
              "Last Seen", "60s");
  assert_cell(api_columns_event, "{'series':{'count':7}}", "Count", "7");
  assert_cell(api_columns_event, "{'involvedObject':{'kind':'Node'}}", "Object", "node");
  assert_cell(api_columns_event, "{}", "Last Seen", "<unknown>");
}

static void namespace_priority_class_and_lease_rows(void **state) {
  (void)state;
  assert_row(api_columns_namespace,
             "{'metadata':{'name':'default','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'status':{'phase':'Active'}}",
             "default | Active | 5m", NULL);
  assert_row(api_columns_priorityclass,
             "{'metadata':{'name':'high','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'value':1000000,'globalDefault':false,'preemptionPolicy':'PreemptLowerPriority'}",
             "high | 1000000 | false | 5m | PreemptLowerPriority", NULL);
  assert_row(api_columns_priorityclass, "{'metadata':{'name':'d'},'globalDefault':true}",
             "d | 0 | true | <unknown> | ", NULL);
  assert_row(api_columns_lease,
             "{'metadata':{'name':'tug-scheduler','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'spec':{'holderIdentity':'sched-abc','leaseDurationSeconds':15}}",
             "tug-scheduler | sched-abc | 5m", NULL);
}

static void configmap_and_secret_count_their_keys(void **state) {
  (void)state;
  assert_row(api_columns_configmap,
             "{'metadata':{'name':'game','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'data':{'a':'1','b':'2'},'binaryData':{'c':'eA=='}}",
             "game | 3 | 5m", NULL);
  assert_row(api_columns_configmap, "{'metadata':{'name':'empty'}}", "empty | 0 | <unknown>", NULL);
  assert_row(api_columns_secret,
             "{'metadata':{'name':'tls','creationTimestamp':'2024-06-01T11:55:00Z'},"
             "'type':'kubernetes.io/tls','data':{'tls.crt':'Yw==','tls.key':'aw=='}}",
             "tls | kubernetes.io/tls | 2 | 5m", NULL);
}

/* ---- tolerance of any JSON ---- */

/* Realistic objects of every kind: the mutation test below breaks each in every way. */
static const struct fixture {
  const api_column *columns;
  const char *json;
} fixtures[] = {
    {api_columns_pod,
     "{'metadata':{'name':'p','creationTimestamp':'2024-06-01T11:00:00Z'},'spec':{'nodeName':'n',"
     "'initContainers':[{'name':'side','restartPolicy':'Always'},{'name':'i'}],"
     "'containers':[{'name':'a','image':'x'}],'readinessGates':[{'conditionType':'g'}]},"
     "'status':{'phase':'Running','reason':'r','podIPs':[{'ip':'10.0.0.1'}],"
     "'conditions':[{'type':'Ready','status':'True'},{'type':'PodScheduled',"
     "'reason':'SchedulingGated'}],'initContainerStatuses':[{'name':'side','started':true,"
     "'ready':true,'restartCount':1,'state':{'running':{}},"
     "'lastState':{'terminated':{'finishedAt':'2024-06-01T11:10:00Z'}}},{'name':'i',"
     "'state':{'terminated':{'exitCode':1,'signal':2,'reason':'E'},'waiting':{'reason':'W'}}}],"
     "'containerStatuses':[{'name':'a','ready':true,'restartCount':3,'state':{'running':{},"
     "'waiting':{'reason':'X'},'terminated':{'exitCode':3}},"
     "'lastState':{'terminated':{'finishedAt':'2024-06-01T11:30:00Z'}}}]}}"},
    {api_columns_node,
     "{'metadata':{'name':'n','labels':{'node-role.kubernetes.io/a':'','kubernetes.io/role':'b'}},"
     "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'Ready','status':'True'}],"
     "'addresses':[{'type':'InternalIP','address':'1.2.3.4'}],'nodeInfo':{'kubeletVersion':'v',"
     "'osImage':'o','kernelVersion':'k','containerRuntimeVersion':'c'}}}"},
    {api_columns_service,
     "{'metadata':{'name':'s'},'spec':{'type':'LoadBalancer','clusterIPs':['1.1.1.1'],"
     "'externalIPs':['2.2.2.2'],'ports':[{'port':80,'nodePort':30000,'protocol':'TCP'}],"
     "'selector':{'a':'b'}},'status':{'loadBalancer':{'ingress':[{'ip':'3.3.3.3'},"
     "{'hostname':'h'}]}}}"},
    {api_columns_endpoints,
     "{'metadata':{'name':'e'},'subsets':[{'addresses':[{'ip':'1.1.1.1'},{'ip':'::1'}],"
     "'ports':[{'port':1},{'port':2}]},{'addresses':[{'ip':'2.2.2.2'}]}]}"},
    {api_columns_resourcequota,
     "{'metadata':{'name':'q'},'status':{'hard':{'pods':'1','limits.cpu':2},'used':{'pods':'1',"
     "'limits.cpu':1.5}}}"},
    {api_columns_limitrange,
     "{'metadata':{'name':'l','creationTimestamp':'2024-01-01T00:00:00Z'}}"},
    {api_columns_event,
     "{'metadata':{'name':'ev'},'involvedObject':{'kind':'Pod','name':'p','fieldPath':'f'},"
     "'reason':'r','message':' m ','type':'Normal','source':{'component':'c','host':'h'},"
     "'firstTimestamp':'2024-06-01T11:00:00Z','lastTimestamp':'2024-06-01T11:30:00Z','count':2,"
     "'eventTime':'2024-06-01T11:00:00.5Z','series':{'count':3,"
     "'lastObservedTime':'2024-06-01T11:45:00Z'},'reportingComponent':'rc',"
     "'reportingInstance':'ri'}"},
    {api_columns_deployment,
     "{'metadata':{'name':'d'},'spec':{'replicas':2,'selector':{'matchLabels':{'a':'b'},"
     "'matchExpressions':[{'key':'k','operator':'In','values':['v','w']}]},"
     "'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}},'status':{'readyReplicas':1,"
     "'updatedReplicas':1,'availableReplicas':1}}"},
    {api_columns_replicaset,
     "{'metadata':{'name':'r'},'spec':{'replicas':2,'selector':{'matchLabels':{'a':'b'}},"
     "'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}},'status':{'replicas':2,"
     "'readyReplicas':1}}"},
    {api_columns_job,
     "{'metadata':{'name':'j','deletionTimestamp':'2024-06-01T11:00:00Z'},'spec':{'completions':2,"
     "'parallelism':2,'selector':{'matchLabels':{'a':'b'}},"
     "'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}},"
     "'status':{'startTime':'2024-06-01T11:00:00Z','completionTime':'2024-06-01T11:10:00Z',"
     "'succeeded':1,'conditions':[{'type':'Complete','status':'True'}]}}"},
    {api_columns_priorityclass,
     "{'metadata':{'name':'pc'},'value':5,'globalDefault':true,'preemptionPolicy':'Never'}"},
    {api_columns_lease, "{'metadata':{'name':'l'},'spec':{'holderIdentity':'h'}}"},
    {api_columns_configmap,
     "{'metadata':{'name':'cm'},'data':{'a':'b'},'binaryData':{'c':'eA=='}}"},
    {api_columns_secret, "{'metadata':{'name':'s'},'type':'Opaque','data':{'a':'Yg=='}}"},
    {api_columns_namespace, "{'metadata':{'name':'ns'},'status':{'phase':'Active'}}"},
    {api_columns_queue,
     "{'metadata':{'name':'q'},'spec':{'cohort':'c','weight':'1.5','nominal':{'cpu':'1',"
     "'memory':'1Gi'},'strictFIFO':true},'status':{'admitted':1,'pending':2,'usage':{'cpu':1,"
     "'memory':'1Mi'},'borrowed':{'cpu':'1'},'weightedShare':0.5}}"},
};
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

/* Every cell of every column is a JSON scalar, whatever the object holds. */
static void assert_cells_are_scalars(const api_column *cols, const json_t *o) {
  for (const api_column *c = cols; c->name; c++) {
    _cleanup_json_ json_t *cell = c->cell(o);
    if (!json_is_string(cell) && !json_is_integer(cell) && !json_is_boolean(cell))
      fail_msg("column %s gave a %s", c->name, cell ? "non-scalar" : "NULL");
  }
}

static const char *const wrong_values[] = {
    "null",
    "7",
    "-1",
    "2.5",
    "\"x\"",
    "\"\"",
    "true",
    "[]",
    "{}",
    "[1,\"a\",null,{},[]]",
    "{\"a\":{\"b\":[]}}",
    "\"2024-06-01T11:00:00Z\"",
    "9223372036854775807",
};

/* Replaces the value in place by each wrong value in turn, checking every cell. */
static void try_wrong_values(const api_column *cols, json_t *root, json_t *parent, const char *key,
                             size_t index) {
  json_t *saved = json_incref(key ? json_object_get(parent, key) : json_array_get(parent, index));
  for (size_t w = 0; w < sizeof wrong_values / sizeof wrong_values[0]; w++) {
    json_t *v = json_loads(wrong_values[w], JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    if (key)
      json_object_set_new(parent, key, v);
    else
      json_array_set_new(parent, index, v);
    assert_cells_are_scalars(cols, root);
  }
  if (key)
    json_object_set_new(parent, key, saved);
  else
    json_array_set_new(parent, index, saved);
}

static void break_every_value(const api_column *cols, json_t *root, json_t *node) {
  if (json_is_object(node)) {
    for (void *it = json_object_iter(node); it; it = json_object_iter_next(node, it)) {
      const char *key = json_object_iter_key(it);
      try_wrong_values(cols, root, node, key, 0);
      break_every_value(cols, root, json_object_get(node, key));
    }
  } else if (json_is_array(node)) {
    for (size_t i = 0; i < json_array_size(node); i++) {
      try_wrong_values(cols, root, node, NULL, i);
      break_every_value(cols, root, json_array_get(node, i));
    }
  }
}

static void cells_tolerate_every_field_having_the_wrong_type(void **state) {
  (void)state;
  for (size_t f = 0; f < N_FIXTURES; f++) {
    _cleanup_json_ json_t *o = js(fixtures[f].json);
    _cleanup_json_ json_t *before = json_deep_copy(o);
    break_every_value(fixtures[f].columns, o, o);
    assert_true(json_equal(o, before)); /* cells never modify the object */
  }
}

static void cells_tolerate_objects_of_other_kinds_and_non_objects(void **state) {
  (void)state;
  static const char *const odd[] = {"null", "[]", "\"pod\"",
                                    "42",   "{}", "{\"metadata\":5,\"spec\":[],\"status\":\"x\"}"};
  for (size_t k = 0; k < N_COLUMN_SETS; k++) {
    assert_cells_are_scalars(all_columns[k], NULL);
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
      _cleanup_json_ json_t *o = json_loads(odd[i], JSON_DECODE_ANY, NULL);
      assert_cells_are_scalars(all_columns[k], o);
    }
    for (size_t f = 0; f < N_FIXTURES; f++) {
      _cleanup_json_ json_t *o = js(fixtures[f].json);
      assert_cells_are_scalars(all_columns[k], o);
    }
  }
}

/* Kubernetes declares a few numeric columns as strings; their cells stay integers. */
static bool integer_in_a_string_column(const api_column *c) {
  return strcmp(c->name, "Up-to-date") == 0 || strcmp(c->name, "Available") == 0 ||
         strcmp(c->name, "Count") == 0 || strcmp(c->name, "Data") == 0;
}

static void cell_types_follow_the_column_types(void **state) {
  (void)state;
  for (size_t f = 0; f < N_FIXTURES; f++) {
    _cleanup_json_ json_t *o = js(fixtures[f].json);
    for (const api_column *c = fixtures[f].columns; c->name; c++) {
      _cleanup_json_ json_t *cell = c->cell(o);
      if (strcmp(c->type, "integer") == 0 || integer_in_a_string_column(c))
        assert_true(json_is_integer(cell));
      else if (strcmp(c->type, "boolean") == 0)
        assert_true(json_is_boolean(cell));
      else
        assert_true(json_is_string(cell));
    }
  }
}

/* ---- the Table envelope ---- */

static void assert_column_definitions(const json_t *defs, const api_column *cols) {
  assert_int_equal(json_array_size(defs), column_count(cols));
  for (size_t i = 0; i < json_array_size(defs); i++) {
    json_t *d = json_array_get(defs, i);
    assert_int_equal(json_object_size(d), 5);
    assert_string_equal(json_string_value(json_object_get(d, "name")), cols[i].name);
    assert_string_equal(json_string_value(json_object_get(d, "type")), cols[i].type);
    assert_string_equal(json_string_value(json_object_get(d, "format")), cols[i].format);
    assert_string_equal(json_string_value(json_object_get(d, "description")), cols[i].description);
    assert_int_equal(json_integer_value(json_object_get(d, "priority")), cols[i].priority);
  }
}

static void table_has_kubernetes_shape_with_partial_object_metadata_rows(void **state) {
  (void)state;
  json_t *pods[2] = {js("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'a',"
                        "'namespace':'default','labels':{'app':'web'},'resourceVersion':'41'},"
                        "'spec':{}}"),
                     js("{'metadata':{'name':'b','namespace':'prod'}}")};
  _cleanup_json_ json_t *table = api_table_build(&pod_kind, pods, 2, true, "42", "token");
  assert_non_null(table);
  assert_string_equal(json_string_value(json_object_get(table, "kind")), "Table");
  assert_string_equal(json_string_value(json_object_get(table, "apiVersion")), "meta.k8s.io/v1");
  _cleanup_json_ json_t *meta = js("{'resourceVersion':'42','continue':'token'}");
  assert_true(json_equal(json_object_get(table, "metadata"), meta));
  assert_column_definitions(json_object_get(table, "columnDefinitions"), api_columns_pod);
  json_t *rows = json_object_get(table, "rows");
  assert_int_equal(json_array_size(rows), 2);
  for (size_t i = 0; i < 2; i++) {
    json_t *row = json_array_get(rows, i), *object = json_object_get(row, "object");
    assert_int_equal(json_array_size(json_object_get(row, "cells")), column_count(api_columns_pod));
    assert_string_equal(json_string_value(json_object_get(object, "kind")),
                        "PartialObjectMetadata");
    assert_string_equal(json_string_value(json_object_get(object, "apiVersion")), "meta.k8s.io/v1");
    assert_true(
        json_equal(json_object_get(object, "metadata"), json_object_get(pods[i], "metadata")));
    assert_null(json_object_get(object, "spec"));
  }
  /* Rows hold copies: changing the object afterwards leaves the table alone. */
  json_object_set_new(json_object_get(pods[0], "metadata"), "name", json_string("changed"));
  json_t *first = json_object_get(json_array_get(rows, 0), "object");
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(first, "metadata"), "name")), "a");
  assert_string_equal(
      json_string_value(json_array_get(json_object_get(json_array_get(rows, 0), "cells"), 0)), "a");
  json_decref(pods[0]);
  json_decref(pods[1]);
}

static void table_carries_whole_objects_when_asked(void **state) {
  (void)state;
  json_t *pod = js("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'a'},"
                   "'spec':{'nodeName':'n1'}}");
  _cleanup_json_ json_t *table = api_table_build(&pod_kind, &pod, 1, false, NULL, NULL);
  json_t *row = json_array_get(json_object_get(table, "rows"), 0);
  assert_true(json_equal(json_object_get(row, "object"), pod));
  assert_int_equal(json_object_size(json_object_get(table, "metadata")), 0);
  json_decref(pod);
}

static void table_of_nothing_has_columns_and_no_rows(void **state) {
  (void)state;
  _cleanup_json_ json_t *table = api_table_build(&pod_kind, NULL, 0, true, "7", "");
  assert_int_equal(json_array_size(json_object_get(table, "rows")), 0);
  assert_int_equal(json_array_size(json_object_get(table, "columnDefinitions")), 9);
  _cleanup_json_ json_t *meta = js("{'resourceVersion':'7'}");
  assert_true(json_equal(json_object_get(table, "metadata"), meta));
}

static void every_kinds_rows_have_one_cell_per_column_even_for_odd_objects(void **state) {
  (void)state;
  json_t *objects[3] = {NULL, json_integer(3), js("{'metadata':{'name':'x'}}")};
  for (size_t k = 0; k < N_COLUMN_SETS; k++) {
    api_kind kind = {.kind = "Any", .columns = all_columns[k]};
    for (int meta = 0; meta < 2; meta++) {
      _cleanup_json_ json_t *table = api_table_build(&kind, objects, 3, meta, NULL, NULL);
      json_t *rows = json_object_get(table, "rows");
      assert_int_equal(json_array_size(rows), 3);
      for (size_t i = 0; i < 3; i++) {
        json_t *row = json_array_get(rows, i);
        assert_int_equal(json_array_size(json_object_get(row, "cells")),
                         column_count(all_columns[k]));
        assert_true(json_is_object(json_object_get(row, "object")));
      }
    }
  }
  json_decref(objects[1]);
  json_decref(objects[2]);
}

static void kind_without_columns_gets_kubernetes_default_name_and_created_at(void **state) {
  (void)state;
  json_t *role = js("{'metadata':{'name':'reader','creationTimestamp':'2024-06-01T11:00:00Z'}}");
  _cleanup_json_ json_t *table = api_table_build(&role_kind, &role, 1, true, NULL, NULL);
  json_t *defs = json_object_get(table, "columnDefinitions");
  assert_ptr_equal(api_table_columns(&role_kind), api_columns_default);
  assert_ptr_equal(api_table_columns(NULL), api_columns_default);
  assert_column_definitions(defs, api_columns_default);
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 1), "type")), "date");
  _cleanup_json_ json_t *want = js("['reader','2024-06-01T11:00:00Z']");
  json_t *cells = json_object_get(json_array_get(json_object_get(table, "rows"), 0), "cells");
  assert_true(json_equal(cells, want));
  json_decref(role);
}

static void watch_event_table_sends_columns_with_the_first_event_only(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{'metadata':{'name':'a','resourceVersion':'99'}}");
  _cleanup_json_ json_t *first = api_table_event(&pod_kind, pod, true, true);
  _cleanup_json_ json_t *later = api_table_event(&pod_kind, pod, true, false);
  assert_string_equal(json_string_value(json_object_get(first, "kind")), "Table");
  assert_int_equal(json_array_size(json_object_get(first, "columnDefinitions")), 9);
  assert_true(json_is_array(json_object_get(later, "columnDefinitions")));
  assert_int_equal(json_array_size(json_object_get(later, "columnDefinitions")), 0);
  _cleanup_json_ json_t *meta = js("{'resourceVersion':'99'}");
  assert_true(json_equal(json_object_get(later, "metadata"), meta));
  json_t *rows = json_object_get(later, "rows");
  assert_int_equal(json_array_size(rows), 1);
  _cleanup_json_ json_t *row = api_table_row(&pod_kind, pod, true);
  assert_true(json_equal(json_array_get(rows, 0), row));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(human_duration_follows_kubernetes_thresholds),
      cmocka_unit_test(age_seconds_reads_rfc3339_with_fractions_and_offsets),
      cmocka_unit_test(age_seconds_of_one_second_ahead_is_zero_so_minus_one_means_unparseable),
      cmocka_unit_test(age_seconds_rejects_malformed_timestamps),
      cmocka_unit_test(age_cell_is_unknown_without_a_usable_creation_timestamp),
      cmocka_unit_test(columns_match_kubectl_headers_for_every_kind),
      cmocka_unit_test(configmap_and_secret_count_their_keys),
      cmocka_unit_test(every_column_is_fully_described_and_only_name_has_the_name_format),
      cmocka_unit_test(pod_waiting_for_a_node_is_pending),
      cmocka_unit_test(pod_with_scheduling_gates_is_scheduling_gated),
      cmocka_unit_test(pod_pulling_its_image_is_container_creating),
      cmocka_unit_test(pod_running_and_ready_is_running_1_of_1),
      cmocka_unit_test(pod_in_crash_loop_shows_the_reason_and_when_it_last_restarted),
      cmocka_unit_test(pod_whose_containers_succeeded_is_completed_with_a_row_condition),
      cmocka_unit_test(running_pod_has_no_row_conditions),
      cmocka_unit_test(pod_being_deleted_is_terminating),
      cmocka_unit_test(pod_deleted_on_a_lost_node_is_unknown_and_a_finished_one_keeps_its_status),
      cmocka_unit_test(pod_status_reason_overrides_the_phase),
      cmocka_unit_test(container_that_ended_without_a_reason_shows_its_signal_or_exit_code),
      cmocka_unit_test(first_container_reason_wins_over_later_ones),
      cmocka_unit_test(completed_container_beside_a_running_one_reads_running_or_not_ready),
      cmocka_unit_test(init_containers_report_progress_and_failures),
      cmocka_unit_test(init_container_restarts_count_while_initializing),
      cmocka_unit_test(sidecar_containers_count_towards_ready_and_restarts),
      cmocka_unit_test(restarts_without_a_finished_time_print_the_bare_count),
      cmocka_unit_test(pod_wide_columns_show_ip_node_nomination_and_readiness_gates),
      cmocka_unit_test(ready_node_shows_its_roles_version_and_system_info),
      cmocka_unit_test(cordoned_unready_node_is_not_ready_scheduling_disabled),
      cmocka_unit_test(node_without_ready_condition_or_roles_is_unknown_with_none),
      cmocka_unit_test(cluster_ip_service_lists_its_ports_and_selector),
      cmocka_unit_test(node_port_service_shows_port_and_node_port),
      cmocka_unit_test(load_balancer_is_pending_until_it_has_an_address),
      cmocka_unit_test(external_name_and_headless_services),
      cmocka_unit_test(endpoints_list_three_addresses_and_count_the_rest),
      cmocka_unit_test(endpoints_of_headless_ipv6_and_unready_subsets),
      cmocka_unit_test(deployment_mid_rollout_shows_ready_of_desired_and_progress),
      cmocka_unit_test(deployment_selector_prints_empty_or_invalid),
      cmocka_unit_test(deployment_without_replicas_wants_one),
      cmocka_unit_test(replica_set_counts_desired_current_ready),
      cmocka_unit_test(running_job_shows_completions_and_duration_so_far),
      cmocka_unit_test(finished_job_is_complete_or_failed_with_its_total_duration),
      cmocka_unit_test(job_suspended_or_deleted_and_completions_without_a_count),
      cmocka_unit_test(quota_splits_requests_and_limits_sorted_by_resource),
      cmocka_unit_test(limit_range_shows_the_default_tables_creation_time),
      cmocka_unit_test(queue_shows_usage_against_nominal_and_its_share),
      cmocka_unit_test(empty_queue_prints_defaults),
      cmocka_unit_test(event_shows_last_seen_object_and_trimmed_message),
      cmocka_unit_test(new_style_event_reads_event_time_series_and_reporting_fields),
      cmocka_unit_test(namespace_priority_class_and_lease_rows),
      cmocka_unit_test(cells_tolerate_every_field_having_the_wrong_type),
      cmocka_unit_test(cells_tolerate_objects_of_other_kinds_and_non_objects),
      cmocka_unit_test(cell_types_follow_the_column_types),
      cmocka_unit_test(table_has_kubernetes_shape_with_partial_object_metadata_rows),
      cmocka_unit_test(table_carries_whole_objects_when_asked),
      cmocka_unit_test(table_of_nothing_has_columns_and_no_rows),
      cmocka_unit_test(every_kinds_rows_have_one_cell_per_column_even_for_odd_objects),
      cmocka_unit_test(kind_without_columns_gets_kubernetes_default_name_and_created_at),
      cmocka_unit_test(watch_event_table_sends_columns_with_the_first_event_only),
  };
  return cmocka_run_group_tests_name("table", tests, pin_clock, release_clock);
}
