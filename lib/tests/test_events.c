/*
 * Tests of the Event recorder: the correlator's rules with a fake clock (no
 * network), then recorders writing to a real tug-apiserver. Each online test
 * records into its own namespace, so it counts only its own Events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver_harness.h"
#include "cleanup.h"
#include "clock.h"
#include "events.h"
#include "http.h"
#include "object.h"
#include "test_support.h"
#include "timestamp.h"

static json_t *event_about(const char *uid, const char *type, const char *reason,
                           const char *message) {
  return json_pack("{s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:s}", "involvedObject", "kind", "Pod",
                   "namespace", "default", "name", "web", "uid", uid, "type", type, "reason",
                   reason, "message", message);
}

/* The server's answer to a write of e: e named name with count. */
static json_t *written(const json_t *e, const char *name, int64_t count) {
  json_t *w = json_deep_copy(e);
  json_object_set_new(w, "metadata", json_pack("{s:s}", "name", name));
  json_object_set_new(w, "count", json_integer(count));
  return w;
}

static tug_event_action correlate(tug_event_correlator *c, const json_t *e, double now,
                                  int64_t *count) {
  const char *name;
  int64_t n;
  tug_event_action a = tug_event_correlate(c, e, now, &name, &n);
  if (count)
    *count = n;
  return a;
}

/* ---- The correlator, offline ---- */

static void the_spam_filter_allows_a_burst_of_25_then_one_per_5_minutes(void **state) {
  (void)state;
  tug_event_correlator *c = tug_event_correlator_new(0);
  int created = 0;
  for (int i = 0; i < 30; i++) {
    char msg[32];
    snprintf(msg, sizeof msg, "attempt %d", i);
    _cleanup_json_ json_t *e = event_about("u1", "Warning", "BackOff", msg);
    created += correlate(c, e, 1000, NULL) == TUG_EVENT_CREATE;
  }
  assert_int_equal(created, 25);
  _cleanup_json_ json_t *late = event_about("u1", "Warning", "BackOff", "late");
  assert_int_equal(correlate(c, late, 1000 + 299, NULL), TUG_EVENT_SKIP);
  assert_int_equal(correlate(c, late, 1000 + 300, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, late, 1000 + 301, NULL), TUG_EVENT_SKIP);
  _cleanup_json_ json_t *other = event_about("u2", "Warning", "BackOff", "late");
  assert_int_equal(correlate(c, other, 1000 + 301, NULL), TUG_EVENT_CREATE);
  tug_event_correlator_free(c);
}

static void a_repeat_within_10_minutes_patches_the_written_event(void **state) {
  (void)state;
  tug_event_correlator *c = tug_event_correlator_new(0);
  _cleanup_json_ json_t *e = event_about("u1", "Normal", "Pulled", "image pulled");
  assert_int_equal(correlate(c, e, 0, NULL), TUG_EVENT_CREATE);
  _cleanup_json_ json_t *w1 = written(e, "web.0000000000000001", 1);
  tug_event_correlator_observe(c, w1, 0);

  const char *name;
  int64_t count;
  assert_int_equal(tug_event_correlate(c, e, 599, &name, &count), TUG_EVENT_PATCH);
  assert_string_equal(name, "web.0000000000000001");
  assert_int_equal(count, 2);
  _cleanup_json_ json_t *w2 = written(e, "web.0000000000000001", 2);
  tug_event_correlator_observe(c, w2, 599);
  /* The window runs from the last occurrence. */
  assert_int_equal(correlate(c, e, 599 + 600, &count), TUG_EVENT_PATCH);
  assert_int_equal(count, 3);
  assert_int_equal(correlate(c, e, 599 + 601, NULL), TUG_EVENT_CREATE);
  tug_event_correlator_free(c);
}

static void only_the_same_object_type_reason_and_message_aggregate(void **state) {
  (void)state;
  tug_event_correlator *c = tug_event_correlator_new(0);
  _cleanup_json_ json_t *e = event_about("u1", "Normal", "Pulled", "image pulled");
  _cleanup_json_ json_t *w = written(e, "web.1", 1);
  tug_event_correlator_observe(c, w, 0);
  _cleanup_json_ json_t *uid = event_about("u2", "Normal", "Pulled", "image pulled");
  _cleanup_json_ json_t *type = event_about("u1", "Warning", "Pulled", "image pulled");
  _cleanup_json_ json_t *reason = event_about("u1", "Normal", "Pulling", "image pulled");
  _cleanup_json_ json_t *message = event_about("u1", "Normal", "Pulled", "image pulled!");
  /* Separators cannot be forged by moving text between fields. */
  _cleanup_json_ json_t *shifted = event_about("u1", "Normal", "Pulled\n", "image pulled");
  assert_int_equal(correlate(c, uid, 1, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, type, 1, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, reason, 1, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, message, 1, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, shifted, 1, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, e, 1, NULL), TUG_EVENT_PATCH);
  tug_event_correlator_free(c);
}

static void the_correlator_forgets_the_least_recently_used(void **state) {
  (void)state;
  tug_event_correlator *c = tug_event_correlator_new(2);
  _cleanup_json_ json_t *a = event_about("a", "Normal", "R", "m");
  _cleanup_json_ json_t *b = event_about("b", "Normal", "R", "m");
  _cleanup_json_ json_t *d = event_about("d", "Normal", "R", "m");
  _cleanup_json_ json_t *wa = written(a, "a.1", 1), *wb = written(b, "b.1", 1),
                        *wd = written(d, "d.1", 1);
  tug_event_correlator_observe(c, wa, 0);
  tug_event_correlator_observe(c, wb, 0);
  assert_int_equal(correlate(c, a, 1, NULL), TUG_EVENT_PATCH); /* a is now the most recent */
  tug_event_correlator_observe(c, wd, 1);                      /* evicts b */
  assert_int_equal(correlate(c, b, 2, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, d, 2, NULL), TUG_EVENT_PATCH);
  tug_event_correlator_free(c);
}

static void a_correlator_takes_events_missing_every_field(void **state) {
  (void)state;
  tug_event_correlator *c = tug_event_correlator_new(0);
  _cleanup_json_ json_t *empty = json_object(), *number = json_integer(3);
  assert_int_equal(correlate(c, empty, 0, NULL), TUG_EVENT_CREATE);
  assert_int_equal(correlate(c, number, 0, NULL), TUG_EVENT_CREATE);
  tug_event_correlator_observe(c, empty, 0); /* no name: nothing to remember */
  assert_int_equal(correlate(c, empty, 0, NULL), TUG_EVENT_CREATE);
  tug_event_correlator_free(c);
}

/* ---- Recorders against tug-apiserver ---- */

static tug_test_apiserver api;
static tug_client *cli;

static const char *const namespaces[] = {"ev-fields", "ev-repeat", "ev-flood", "ev-flush",
                                         "ev-full",   "ev-bad",    "ev-gone",  NULL};

static int group_setup(void **state) {
  (void)state;
  if (tug_test_apiserver_start_with_client(&api, &cli) < 0)
    return -1;
  for (const char *const *ns = namespaces; *ns; ns++) {
    _cleanup_json_ json_t *o = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
                                         "Namespace", "metadata", "name", *ns);
    tug_error err = {0};
    if (tug_client_create(cli, "/api/v1/namespaces", o, NULL, &err) < 0) {
      fprintf(stderr, "create namespace %s: %s\n", *ns, err.msg);
      return -1;
    }
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  tug_test_apiserver_destroy_with_client(&api, cli);
  return 0;
}

static json_t *pod(const char *ns, const char *name, const char *uid) {
  return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "apiVersion", "v1", "kind", "Pod",
                   "metadata", "name", name, "namespace", ns, "uid", uid, "resourceVersion", "42");
}

static tug_events *open_recorder(const char *host) {
  tug_events *ev = NULL;
  OK(tug_events_open(cli, "test-events", host, &ev, err));
  assert_non_null(ev);
  return ev;
}

/* The Events in ns whose involved object has uid (every Event of ns when uid is NULL). */
static json_t *events_of(const char *ns, const char *uid) {
  char path[128];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/events", ns);
  _cleanup_json_ json_t *list = NULL;
  OK(tug_client_list(cli, path, NULL, &list, err));
  json_t *out = json_array(), *item;
  size_t i;
  json_array_foreach(json_object_get(list, "items"), i, item) {
    const char *u = tug_obj_get_str(item, "involvedObject.uid");
    if (uid == NULL || (u && strcmp(u, uid) == 0))
      json_array_append(out, item);
  }
  return out;
}

/* Poll until ns holds at least want Events about uid (5 s at most). */
static json_t *wait_events(const char *ns, const char *uid, size_t want) {
  double end = tug_monotonic_seconds() + 5;
  for (;;) {
    json_t *found = events_of(ns, uid);
    if (json_array_size(found) >= want || tug_monotonic_seconds() > end)
      return found;
    json_decref(found);
    usleep(20 * 1000);
  }
}

static void an_event_is_created_with_every_field(void **state) {
  (void)state;
  tug_events *ev = open_recorder("node-1");
  _cleanup_json_ json_t *p = pod("ev-fields", "web-1", "uid-fields");
  tug_event_record(ev, p, "Warning", "BackOff", "restarting container %s (%d)", "app", 3);
  _cleanup_json_ json_t *found = wait_events("ev-fields", "uid-fields", 1);
  tug_events_close(ev);
  assert_int_equal(json_array_size(found), 1);
  json_t *e = json_array_get(found, 0);

  const char *name = tug_obj_name(e);
  assert_int_equal(strlen(name), strlen("web-1.") + 16);
  assert_memory_equal(name, "web-1.", 6);
  assert_int_equal(strspn(name + 6, "0123456789abcdef"), 16);
  assert_string_equal(tug_obj_namespace(e), "ev-fields");
  assert_string_equal(tug_obj_get_str(e, "involvedObject.apiVersion"), "v1");
  assert_string_equal(tug_obj_get_str(e, "involvedObject.kind"), "Pod");
  assert_string_equal(tug_obj_get_str(e, "involvedObject.namespace"), "ev-fields");
  assert_string_equal(tug_obj_get_str(e, "involvedObject.name"), "web-1");
  assert_string_equal(tug_obj_get_str(e, "involvedObject.resourceVersion"), "42");
  assert_null(tug_obj_get(e, "involvedObject.fieldPath"));
  assert_string_equal(tug_obj_get_str(e, "type"), "Warning");
  assert_string_equal(tug_obj_get_str(e, "reason"), "BackOff");
  assert_string_equal(tug_obj_get_str(e, "message"), "restarting container app (3)");
  assert_string_equal(tug_obj_get_str(e, "source.component"), "test-events");
  assert_string_equal(tug_obj_get_str(e, "source.host"), "node-1");
  assert_string_equal(tug_obj_get_str(e, "reportingComponent"), "test-events");
  assert_string_equal(tug_obj_get_str(e, "reportingInstance"), "node-1");
  assert_int_equal(tug_obj_get_int(e, "count", 0), 1);
  const char *first = tug_obj_get_str(e, "firstTimestamp");
  assert_non_null(first);
  assert_int_equal(strlen(first), strlen("2024-05-01T10:00:00Z"));
  assert_string_equal(first, tug_obj_get_str(e, "lastTimestamp"));
}

static void a_cluster_scoped_object_and_a_reference_get_their_events(void **state) {
  (void)state;
  tug_events *ev = open_recorder(NULL);
  _cleanup_json_ json_t *node = json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind",
                                          "Node", "metadata", "name", "ev-node", "uid", "uid-node");
  _cleanup_json_ json_t *ref = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "apiVersion", "v1",
                                         "kind", "Pod", "namespace", "ev-fields", "name", "web-2",
                                         "uid", "uid-ref", "fieldPath", "spec.containers{app}");
  tug_event_record(ev, node, "Normal", "NodeReady", "node is ready");
  tug_event_record(ev, ref, "Normal", "Started", "started container app");
  tug_events_close(ev);

  _cleanup_json_ json_t *on_node = events_of("default", "uid-node");
  assert_int_equal(json_array_size(on_node), 1);
  json_t *e = json_array_get(on_node, 0);
  assert_string_equal(tug_obj_get_str(e, "involvedObject.kind"), "Node");
  assert_null(tug_obj_get(e, "involvedObject.namespace"));
  assert_null(tug_obj_get(e, "source.host"));
  assert_string_equal(tug_obj_get_str(e, "reportingInstance"), "");

  _cleanup_json_ json_t *on_ref = events_of("ev-fields", "uid-ref");
  assert_int_equal(json_array_size(on_ref), 1);
  assert_string_equal(tug_obj_get_str(json_array_get(on_ref, 0), "involvedObject.fieldPath"),
                      "spec.containers{app}");
}

static void a_repeat_aggregates_into_count_2(void **state) {
  (void)state;
  tug_events *ev = open_recorder("node-1");
  _cleanup_json_ json_t *p = pod("ev-repeat", "web", "uid-repeat");
  tug_event_record(ev, p, "Warning", "Unhealthy", "probe failed");
  tug_event_record(ev, p, "Warning", "Unhealthy", "probe failed");
  tug_events_close(ev);

  _cleanup_json_ json_t *found = events_of("ev-repeat", "uid-repeat");
  assert_int_equal(json_array_size(found), 1);
  char path[512];
  snprintf(path, sizeof path, "/api/v1/namespaces/ev-repeat/events/%s",
           tug_obj_name(json_array_get(found, 0)));
  _cleanup_json_ json_t *got = NULL;
  OK(tug_client_get(cli, path, &got, err));
  assert_int_equal(tug_obj_get_int(got, "count", 0), 2);
  /* The series too, as kubectl describe and get events read it first. */
  assert_int_equal(tug_obj_get_int(got, "series.count", 0), 2);
  assert_true(tug_time_parse(tug_obj_get_str(got, "series.lastObservedTime")) >=
              tug_time_parse(tug_obj_get_str(got, "firstTimestamp")));
  assert_true(
      strcmp(tug_obj_get_str(got, "lastTimestamp"), tug_obj_get_str(got, "firstTimestamp")) >= 0);
}

static void a_patch_of_a_deleted_event_creates_it_anew(void **state) {
  (void)state;
  tug_events *ev = open_recorder(NULL);
  _cleanup_json_ json_t *p = pod("ev-gone", "web", "uid-gone");
  tug_event_record(ev, p, "Normal", "Scaled", "scaled to 3");
  _cleanup_json_ json_t *first = wait_events("ev-gone", "uid-gone", 1);
  assert_int_equal(json_array_size(first), 1);
  char path[512];
  snprintf(path, sizeof path, "/api/v1/namespaces/ev-gone/events/%s",
           tug_obj_name(json_array_get(first, 0)));
  OK(tug_client_delete(cli, path, NULL, err));

  tug_event_record(ev, p, "Normal", "Scaled", "scaled to 3");
  tug_events_close(ev);
  _cleanup_json_ json_t *again = events_of("ev-gone", "uid-gone");
  assert_int_equal(json_array_size(again), 1);
  assert_int_equal(tug_obj_get_int(json_array_get(again, 0), "count", 0), 1);
}

static void a_flood_for_one_object_is_cut_by_the_spam_filter(void **state) {
  (void)state;
  tug_events *ev = open_recorder("node-1");
  _cleanup_json_ json_t *p = pod("ev-flood", "web", "uid-flood");
  for (int i = 0; i < 100; i++)
    tug_event_record(ev, p, "Warning", "FailedMount", "mount attempt %d failed", i);
  _cleanup_json_ json_t *other = pod("ev-flood", "db", "uid-flood-other");
  tug_event_record(ev, other, "Normal", "Pulled", "pulled");
  tug_events_close(ev);
  _cleanup_json_ json_t *found = events_of("ev-flood", "uid-flood");
  assert_int_equal(json_array_size(found), 25);
  _cleanup_json_ json_t *unaffected = events_of("ev-flood", "uid-flood-other");
  assert_int_equal(json_array_size(unaffected), 1);
}

static void close_flushes_what_is_queued(void **state) {
  (void)state;
  tug_events *ev = open_recorder(NULL);
  for (int i = 0; i < 50; i++) {
    char name[32], uid[32];
    snprintf(name, sizeof name, "web-%d", i);
    snprintf(uid, sizeof uid, "uid-flush-%d", i);
    _cleanup_json_ json_t *p = pod("ev-flush", name, uid);
    tug_event_record(ev, p, "Normal", "Created", "created");
  }
  double start = tug_monotonic_seconds();
  tug_events_close(ev);
  assert_true(tug_monotonic_seconds() - start < 2.5);
  _cleanup_json_ json_t *found = events_of("ev-flush", NULL);
  assert_int_equal(json_array_size(found), 50);
}

/* 10,000 records for distinct objects, so that only the queue can stop them. */
static double record_10000(tug_events *ev, const char *ns) {
  _cleanup_json_ json_t *p = pod(ns, "web", "x");
  double start = tug_monotonic_seconds();
  for (int i = 0; i < 10000; i++) {
    char uid[32];
    snprintf(uid, sizeof uid, "uid-full-%d", i);
    tug_obj_set_uid(p, uid, NULL);
    tug_event_record(ev, p, "Normal", "Created", "created %d", i);
  }
  return tug_monotonic_seconds() - start;
}

static void a_full_queue_drops_without_blocking(void **state) {
  (void)state;
  tug_events *ev = open_recorder(NULL);
  double took = record_10000(ev, "ev-full");
  uint64_t dropped = tug_events_dropped(ev);
  double start = tug_monotonic_seconds();
  tug_events_close(ev);
  double closing = tug_monotonic_seconds() - start;
  print_message("10000 records: %.3f s, %" PRIu64 " dropped, close %.3f s\n", took, dropped,
                closing);
  assert_true(took < 1.0);
  assert_true(dropped > 0);
  assert_true(closing < 2.5);
}

static void an_unreachable_server_blocks_neither_record_nor_close(void **state) {
  (void)state;
  _cleanup_client_ tug_client *dead = NULL;
  OK((dead = tug_client_new("http://127.0.0.1:1", NULL, err)) ? 0 : -1);
  tug_events *ev = NULL;
  OK(tug_events_open(dead, "test-events", NULL, &ev, err));
  double took = record_10000(ev, "ev-full");
  double start = tug_monotonic_seconds();
  tug_events_close(ev);
  assert_true(took < 1.0);
  assert_true(tug_monotonic_seconds() - start < 2.5);
}

static void unusable_records_are_refused_without_crashing(void **state) {
  (void)state;
  tug_error err = {0};
  tug_events *ev = NULL;
  assert_int_equal(tug_events_open(cli, NULL, NULL, &ev, &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_int_equal(tug_events_open(NULL, "c", NULL, &ev, &err), -1);
  assert_int_equal(tug_events_open(cli, "\xff", NULL, &ev, &err), -1);
  assert_int_equal(tug_events_open(cli, "c", NULL, NULL, &err), -1);
  tug_events_close(NULL);
  assert_int_equal(tug_events_dropped(NULL), 0);
  _cleanup_json_ json_t *p = pod("ev-bad", "web", "uid-bad");
  tug_event_record(NULL, p, "Normal", "R", "no recorder");

  ev = open_recorder(NULL);
  _cleanup_json_ json_t *no_kind = json_pack("{s:{s:s, s:s, s:s}}", "metadata", "name", "a",
                                             "namespace", "ev-bad", "uid", "uid-bad");
  _cleanup_json_ json_t *no_name = json_pack("{s:s, s:{s:s, s:s}}", "kind", "Pod", "metadata",
                                             "namespace", "ev-bad", "uid", "uid-bad");
  _cleanup_json_ json_t *bad_ns = pod("Bad/NS", "web", "uid-bad");
  _cleanup_json_ json_t *string = json_string("web"), *array = json_array();
  tug_event_record(ev, NULL, "Normal", "R", "null object");
  tug_event_record(ev, no_kind, "Normal", "R", "no kind");
  tug_event_record(ev, no_name, "Normal", "R", "no name");
  tug_event_record(ev, bad_ns, "Normal", "R", "bad namespace");
  tug_event_record(ev, string, "Normal", "R", "a string");
  tug_event_record(ev, array, "Normal", "R", "an array");
  tug_event_record(ev, p, "Info", "R", "unknown type");
  tug_event_record(ev, p, NULL, "R", "no type");
  tug_event_record(ev, p, "Normal", NULL, "no reason");
  tug_event_record(ev, p, "Normal", "", "empty reason");
  /* What is odd but usable is recorded, made valid. */
  tug_event_record(ev, p, "Normal", "NoMessage", NULL);
  tug_event_record(ev, p, "Normal", "Bytes\xc3", "not utf-8: \xff\xfe end \xe2\x82");
  char big[3000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  big[1023] = '\xc3'; /* a two-byte character across the cut */
  big[1024] = '\xa9';
  tug_event_record(ev, p, "Normal", "Long", "%s", big);
  _cleanup_json_ json_t *odd = pod("ev-bad", "My_Pod/../Web..", "uid-odd");
  tug_event_record(ev, odd, "Normal", "OddName", "odd name");
  tug_events_close(ev);

  _cleanup_json_ json_t *found = events_of("ev-bad", NULL);
  assert_int_equal(json_array_size(found), 4);
  json_t *e;
  size_t i;
  json_array_foreach(found, i, e) {
    const char *reason = tug_obj_get_str(e, "reason"), *msg = tug_obj_get_str(e, "message");
    if (strcmp(reason, "NoMessage") == 0) {
      assert_string_equal(msg, "");
    } else if (strcmp(reason, "Bytes?") == 0) {
      assert_string_equal(msg, "not utf-8: ?? end ??");
    } else if (strcmp(reason, "Long") == 0) {
      assert_int_equal(strlen(msg), 1023);
    } else {
      assert_string_equal(reason, "OddName");
      const char *name = tug_obj_name(e);
      assert_memory_equal(name, "my-pod----web.", 14);
      assert_string_equal(tug_obj_get_str(e, "involvedObject.name"), "My_Pod/../Web..");
    }
  }
}

int main(void) {
  const struct CMUnitTest offline[] = {
      cmocka_unit_test(the_spam_filter_allows_a_burst_of_25_then_one_per_5_minutes),
      cmocka_unit_test(a_repeat_within_10_minutes_patches_the_written_event),
      cmocka_unit_test(only_the_same_object_type_reason_and_message_aggregate),
      cmocka_unit_test(the_correlator_forgets_the_least_recently_used),
      cmocka_unit_test(a_correlator_takes_events_missing_every_field),
  };
  const struct CMUnitTest online[] = {
      cmocka_unit_test(an_event_is_created_with_every_field),
      cmocka_unit_test(a_cluster_scoped_object_and_a_reference_get_their_events),
      cmocka_unit_test(a_repeat_aggregates_into_count_2),
      cmocka_unit_test(a_patch_of_a_deleted_event_creates_it_anew),
      cmocka_unit_test(a_flood_for_one_object_is_cut_by_the_spam_filter),
      cmocka_unit_test(close_flushes_what_is_queued),
      cmocka_unit_test(a_full_queue_drops_without_blocking),
      cmocka_unit_test(an_unreachable_server_blocks_neither_record_nor_close),
      cmocka_unit_test(unusable_records_are_refused_without_crashing),
  };
  int failed = cmocka_run_group_tests_name("events offline", offline, NULL, NULL);
  return failed + cmocka_run_group_tests_name("events against tug-apiserver", online, group_setup,
                                              group_teardown);
}
