/*
 * Tests of the HTTP client: against a real tug-apiserver (started once for the
 * group; each test uses its own object names), and against a tiny fake server
 * on a socket for what a real one will not do on demand — answer in odd
 * chunks, or not at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apiserver_harness.h"
#include "cleanup.h"
#include "clock.h"
#include "http.h"
#include "object.h"
#include "test_support.h"

#define LEASES "/apis/coordination.k8s.io/v1/namespaces/default/leases"

static tug_test_apiserver api;
static tug_client *cli;

static int group_setup(void **state) {
  (void)state;
  return tug_test_apiserver_start_with_client(&api, &cli);
}

static int group_teardown(void **state) {
  (void)state;
  tug_test_apiserver_destroy_with_client(&api, cli);
  return 0;
}

static json_t *lease(const char *name, const char *holder) {
  return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s}}", "apiVersion", "coordination.k8s.io/v1",
                   "kind", "Lease", "metadata", "name", name, "labels", "suite", "http", "spec",
                   "holderIdentity", holder);
}

static json_t *create_lease(const char *name, const char *holder) {
  _cleanup_json_ json_t *l = lease(name, holder);
  json_t *out = NULL;
  int code = 0;
  OK(code = tug_client_create(cli, LEASES, l, &out, err));
  assert_int_equal(code, 201);
  return out;
}

static void create_then_get_returns_the_stored_object(void **state) {
  (void)state;
  _cleanup_json_ json_t *created = create_lease("get-me", "a");
  assert_non_null(tug_obj_resource_version(created));
  _cleanup_json_ json_t *got = NULL;
  int code = 0;
  OK(code = tug_client_get(cli, LEASES "/get-me", &got, err));
  assert_int_equal(code, 200);
  assert_string_equal(tug_obj_get_str(got, "spec.holderIdentity"), "a");
  assert_string_equal(tug_obj_uid(got), tug_obj_uid(created));
}

static void update_with_a_stale_resource_version_is_a_conflict(void **state) {
  (void)state;
  _cleanup_json_ json_t *v1 = create_lease("stale", "a");
  _cleanup_json_ json_t *v2 = json_deep_copy(v1);
  tug_obj_set_str(v2, "spec.holderIdentity", "b", NULL);
  _cleanup_json_ json_t *stored = NULL;
  OK(tug_client_update(cli, LEASES "/stale", v2, &stored, err));
  assert_string_equal(tug_obj_get_str(stored, "spec.holderIdentity"), "b");

  tug_obj_set_str(v1, "spec.holderIdentity", "c", NULL);
  tug_error err = {0};
  json_t *out = (json_t *)1;
  assert_int_equal(tug_client_update(cli, LEASES "/stale", v1, &out, &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_null(out);
  assert_non_null(strstr(err.msg, "modified"));
}

static void creating_an_existing_name_is_a_conflict_with_its_status(void **state) {
  (void)state;
  _cleanup_json_ json_t *first = create_lease("twice", "a");
  _cleanup_json_ json_t *again = lease("twice", "a");
  tug_request req = {.method = "POST", .path = LEASES, .body = again};
  tug_response resp;
  tug_error err = {0};
  assert_int_equal(tug_client_do(cli, &req, &resp, &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_int_equal(resp.code, 409);
  assert_string_equal(tug_obj_get_str(resp.body, "reason"), "AlreadyExists");
  assert_string_equal(err.msg, tug_obj_get_str(resp.body, "message"));
  tug_response_clear(&resp);
}

static void getting_a_missing_object_is_enoent(void **state) {
  (void)state;
  tug_error err = {0};
  json_t *out = NULL;
  assert_int_equal(tug_client_get(cli, LEASES "/nope", &out, &err), -1);
  assert_int_equal(err.code, ENOENT);
  assert_null(out);
  assert_string_equal(err.msg, "leases \"nope\" not found");
}

static void an_invalid_object_is_einval_with_the_servers_message(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = json_pack("{s:s, s:s, s:{s:s}, s:{}}", "apiVersion", "v1", "kind",
                                         "Pod", "metadata", "name", "bad", "spec");
  tug_request req = {.method = "POST", .path = "/api/v1/namespaces/default/pods", .body = pod};
  tug_response resp;
  tug_error err = {0};
  assert_int_equal(tug_client_do(cli, &req, &resp, &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_int_equal(resp.code, 422);
  assert_string_equal(err.msg, "Pod \"bad\" is invalid: spec.containers: Required value");
  json_t *cause = json_array_get(tug_obj_get(resp.body, "details.causes"), 0);
  assert_string_equal(tug_obj_get_str(cause, "field"), "spec.containers");
  tug_response_clear(&resp);
}

static void merge_and_strategic_patches_change_only_what_they_name(void **state) {
  (void)state;
  _cleanup_json_ json_t *created = create_lease("patched", "a");
  _cleanup_json_ json_t *merge = json_pack("{s:{s:{s:s}}}", "metadata", "labels", "tier", "x");
  _cleanup_json_ json_t *out1 = NULL, *out2 = NULL;
  OK(tug_client_patch(cli, LEASES "/patched", TUG_PATCH_MERGE, merge, &out1, err));
  assert_string_equal(tug_obj_label(out1, "tier"), "x");
  assert_string_equal(tug_obj_label(out1, "suite"), "http");

  _cleanup_json_ json_t *smp = json_pack("{s:{s:i}}", "spec", "leaseDurationSeconds", 15);
  OK(tug_client_patch(cli, LEASES "/patched", TUG_PATCH_STRATEGIC, smp, &out2, err));
  assert_int_equal(tug_obj_get_int(out2, "spec.leaseDurationSeconds", 0), 15);
  assert_string_equal(tug_obj_get_str(out2, "spec.holderIdentity"), "a");
}

static void list_filters_by_an_escaped_label_selector(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = create_lease("sel-a", "a");
  _cleanup_json_ json_t *b = create_lease("sel-b", "b");
  _cleanup_json_ json_t *patch = json_pack("{s:{s:{s:s}}}", "metadata", "labels", "pick", "yes");
  _cleanup_json_ json_t *patched = NULL, *list = NULL;
  OK(tug_client_patch(cli, LEASES "/sel-b", TUG_PATCH_MERGE, patch, &patched, err));
  tug_list_options o = {.label_selector = "suite=http,pick in (yes)"};
  OK(tug_client_list(cli, LEASES, &o, &list, err));
  json_t *items = tug_obj_get(list, "items");
  assert_int_equal(json_array_size(items), 1);
  assert_string_equal(tug_obj_name(json_array_get(items, 0)), "sel-b");
  assert_non_null(tug_obj_get_str(list, "metadata.resourceVersion"));
}

static void delete_removes_the_object(void **state) {
  (void)state;
  _cleanup_json_ json_t *created = create_lease("deleted", "a");
  _cleanup_json_ json_t *out = NULL;
  OK(tug_client_delete(cli, LEASES "/deleted", &out, err));
  tug_error err = {0};
  assert_int_equal(tug_client_get(cli, LEASES "/deleted", NULL, &err), -1);
  assert_int_equal(err.code, ENOENT);
  assert_int_equal(tug_client_delete(cli, LEASES "/deleted", NULL, &err), -1);
  assert_int_equal(err.code, ENOENT);
}

static void delete_with_a_uid_precondition_spares_a_newer_object_of_that_name(void **state) {
  (void)state;
  _cleanup_json_ json_t *first = create_lease("recreated", "a");
  OK(tug_client_delete(cli, LEASES "/recreated", NULL, err));
  _cleanup_json_ json_t *second = create_lease("recreated", "b");
  tug_delete_options stale = {.uid = tug_obj_uid(first), .grace_set = true, .grace_seconds = 0};
  tug_error err = {0};
  assert_int_equal(tug_client_delete_with(cli, LEASES "/recreated", &stale, &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  tug_delete_options current = {.uid = tug_obj_uid(second), .propagation = "Background"};
  OK(tug_client_delete_with(cli, LEASES "/recreated", &current, err));
  assert_int_equal(tug_client_get(cli, LEASES "/recreated", NULL, &err), -1);
  assert_int_equal(err.code, ENOENT);
}

/* Watch events of one object name, in order. */
typedef struct seen {
  const char *name; /* NULL: any */
  char types[16][16];
  char names[16][32];
  char holders[16][16];
  int n;
  const char *stop_after; /* return 1 after this type */
} seen;

static int record(const char *type, json_t *obj, void *arg) {
  seen *s = arg;
  const char *name = tug_obj_name(obj);
  if (s->name && (name == NULL || strcmp(name, s->name) != 0))
    return 0;
  if (s->n < 16) {
    snprintf(s->types[s->n], sizeof s->types[0], "%s", type);
    snprintf(s->names[s->n], sizeof s->names[0], "%s", name ? name : "");
    const char *h = tug_obj_get_str(obj, "spec.holderIdentity");
    snprintf(s->holders[s->n], sizeof s->holders[0], "%s", h ? h : "");
    s->n++;
  }
  return s->stop_after && strcmp(type, s->stop_after) == 0;
}

static void a_watch_streams_added_modified_deleted(void **state) {
  (void)state;
  _cleanup_json_ json_t *list = NULL;
  OK(tug_client_list(cli, LEASES, NULL, &list, err));
  const char *rv = tug_obj_get_str(list, "metadata.resourceVersion");

  _cleanup_json_ json_t *created = create_lease("watched", "a");
  _cleanup_json_ json_t *patch = json_pack("{s:{s:s}}", "spec", "holderIdentity", "b");
  _cleanup_json_ json_t *patched = NULL, *deleted = NULL;
  OK(tug_client_patch(cli, LEASES "/watched", TUG_PATCH_MERGE, patch, &patched, err));
  OK(tug_client_delete(cli, LEASES "/watched", &deleted, err));

  char path[256];
  snprintf(path, sizeof path, "%s?watch=true&resourceVersion=%s", LEASES, rv);
  seen s = {.name = "watched", .stop_after = "DELETED"};
  OK(tug_client_watch(cli, path, record, &s, NULL, err));
  assert_int_equal(s.n, 3);
  assert_string_equal(s.types[0], "ADDED");
  assert_string_equal(s.holders[0], "a");
  assert_string_equal(s.types[1], "MODIFIED");
  assert_string_equal(s.holders[1], "b");
  assert_string_equal(s.types[2], "DELETED");
}

static void *set_after(void *arg) {
  usleep(200 * 1000);
  atomic_store((atomic_bool *)arg, true);
  return NULL;
}

static void a_quiet_watch_ends_soon_after_its_stop_flag_is_set(void **state) {
  (void)state;
  atomic_bool stop = false;
  pthread_t t;
  pthread_create(&t, NULL, set_after, &stop);
  seen s = {0};
  double t0 = tug_monotonic_seconds();
  OK(tug_client_watch(cli, "/api/v1/namespaces/default/pods?watch=true&labelSelector=none%3D1",
                      record, &s, &stop, err));
  double took = tug_monotonic_seconds() - t0;
  pthread_join(t, NULL);
  assert_true(took >= 0.19 && took < 2.0);
  assert_int_equal(s.n, 0);
}

static void watching_from_a_compacted_revision_is_tug_e_compacted(void **state) {
  (void)state;
  seen s = {0};
  tug_error err = {0};
  assert_int_equal(
      tug_client_watch(cli, LEASES "?watch=true&resourceVersion=1", record, &s, NULL, &err), -1);
  assert_int_equal(err.code, TUG_E_COMPACTED);
  assert_non_null(strstr(err.msg, "too old resource version"));
  assert_int_equal(s.n, 0);
}

typedef struct hammer {
  int failures;
} hammer;

static void *hammer_main(void *arg) {
  hammer *h = arg;
  for (int i = 0; i < 25; i++) {
    json_t *out = NULL;
    tug_error err = {0};
    if (tug_client_get(cli, "/api/v1/namespaces/default", &out, &err) != 200 ||
        strcmp(tug_obj_name(out), "default") != 0)
      h->failures++;
    json_decref(out);
  }
  return NULL;
}

static void one_client_serves_many_threads_at_once(void **state) {
  (void)state;
  pthread_t t[6];
  hammer h[6] = {0};
  for (int i = 0; i < 6; i++)
    pthread_create(&t[i], NULL, hammer_main, &h[i]);
  for (int i = 0; i < 6; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(h[i].failures, 0);
  }
}

/* A fake server for one connection: answers with pieces of a chunked body, or never. */
typedef struct fake {
  int lfd, port;
  pthread_t t;
  const char *const *pieces; /* NULL: read the request, then stay silent */
  atomic_bool done;
  char req[4096]; /* the request's head */
} fake;

/* Like dprintf, without SIGPIPE when the client has gone. */
static void send_fmt(int fd, const char *fmt, ...) {
  char b[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b, sizeof b, fmt, ap);
  va_end(ap);
  if (n > 0)
    send(fd, b, (size_t)n < sizeof b ? (size_t)n : sizeof b - 1, MSG_NOSIGNAL);
}

static void *fake_main(void *arg) {
  fake *f = arg;
  int fd = accept(f->lfd, NULL, NULL);
  if (fd < 0)
    return NULL;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char *req = f->req;
  size_t len = 0;
  while (len < sizeof f->req - 1) {
    ssize_t n = read(fd, req + len, sizeof f->req - 1 - len);
    if (n <= 0)
      break;
    len += (size_t)n;
    req[len] = '\0';
    if (strstr(req, "\r\n\r\n"))
      break;
  }
  if (f->pieces) {
    send_fmt(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for (const char *const *p = f->pieces; *p; p++) {
      usleep(20 * 1000);
      send_fmt(fd, "%zx\r\n%s\r\n", strlen(*p), *p);
    }
    send_fmt(fd, "0\r\n\r\n");
  } else {
    while (!atomic_load(&f->done))
      usleep(10 * 1000);
  }
  close(fd);
  return NULL;
}

static void fake_start(fake *f, const char *const *pieces) {
  memset(f, 0, sizeof *f);
  f->pieces = pieces;
  f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(f->lfd, 4), 0);
  assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &alen), 0);
  f->port = ntohs(a.sin_port);
  assert_int_equal(pthread_create(&f->t, NULL, fake_main, f), 0);
}

static void fake_stop(fake *f) {
  atomic_store(&f->done, true);
  shutdown(f->lfd, SHUT_RDWR);
  pthread_join(f->t, NULL);
  close(f->lfd);
}

static tug_client *fake_client(const fake *f) {
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", f->port);
  tug_error err = {0};
  tug_client *c = tug_client_new(url, "secret", &err);
  assert_non_null(c);
  return c;
}

static void watch_events_split_across_chunks_arrive_whole(void **state) {
  (void)state;
  static const char *const pieces[] = {
      "{\"type\":\"ADDED\",\"obj",
      "ect\":{\"metadata\":{\"name\":\"a\"}}}\n{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{"
      "\"name\":\"b\"}}}\n{\"ty",
      "pe\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"c\"}}}",
      "\n\n{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"9\"}}}\n", NULL};
  fake f;
  fake_start(&f, pieces);
  _cleanup_client_ tug_client *c = fake_client(&f);
  seen s = {0};
  OK(tug_client_watch(c, "/api/v1/pods?watch=true", record, &s, NULL, err));
  fake_stop(&f);
  assert_non_null(strstr(f.req, "GET /api/v1/pods?watch=true HTTP/1.1\r\n"));
  assert_non_null(strstr(f.req, "\r\nAuthorization: Bearer secret\r\n"));
  assert_int_equal(s.n, 4);
  const char *types[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK"};
  const char *names[] = {"a", "b", "c", ""};
  for (int i = 0; i < 4; i++) {
    assert_string_equal(s.types[i], types[i]);
    assert_string_equal(s.names[i], names[i]);
  }
}

static void a_garbled_watch_line_is_a_parse_error(void **state) {
  (void)state;
  static const char *const pieces[] = {"{\"type\":\"ADDED\",\"object\":{}}\nnot json\n", NULL};
  fake f;
  fake_start(&f, pieces);
  _cleanup_client_ tug_client *c = fake_client(&f);
  seen s = {0};
  tug_error err = {0};
  assert_int_equal(tug_client_watch(c, "/api/v1/pods?watch=true", record, &s, NULL, &err), -1);
  fake_stop(&f);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_int_equal(s.n, 1);
}

static void a_raw_request_keeps_the_text_and_sends_its_accept_header(void **state) {
  (void)state;
  static const char *const pieces[] = {"line one\n", "not json {", NULL};
  fake f;
  fake_start(&f, pieces);
  _cleanup_client_ tug_client *c = fake_client(&f);
  tug_request req = {.method = "GET", .path = "/x/log", .accept = "text/plain", .raw = true};
  tug_response resp;
  OK(tug_client_do(c, &req, &resp, err));
  fake_stop(&f);
  assert_non_null(strstr(f.req, "\r\nAccept: text/plain\r\n"));
  assert_null(resp.body);
  assert_int_equal(resp.text_len, strlen("line one\nnot json {"));
  assert_string_equal(resp.text, "line one\nnot json {");
  tug_response_clear(&resp);
}

typedef struct collected {
  char text[256];
  int calls;
} collected;

static int collect(const char *data, size_t len, void *arg) {
  collected *c = arg;
  size_t have = strlen(c->text);
  snprintf(c->text + have, sizeof c->text - have, "%.*s", (int)len, data);
  c->calls++;
  return strstr(c->text, "stop") != NULL;
}

static void a_stream_hands_bytes_over_as_they_come_until_asked_to_stop(void **state) {
  (void)state;
  static const char *const pieces[] = {"tick 1\n", "tick 2\n", "stop\n", "never seen\n", NULL};
  fake f;
  fake_start(&f, pieces);
  _cleanup_client_ tug_client *c = fake_client(&f);
  collected got = {0};
  OK(tug_client_stream(c, "/x/log?follow=true", collect, &got, NULL, err));
  fake_stop(&f);
  assert_string_equal(got.text, "tick 1\ntick 2\nstop\n");
  assert_true(got.calls >= 2);
}

static void a_server_that_does_not_answer_times_out(void **state) {
  (void)state;
  fake f;
  fake_start(&f, NULL);
  _cleanup_client_ tug_client *c = fake_client(&f);
  tug_request req = {.method = "GET", .path = "/api/v1/pods", .timeout_ms = 200};
  tug_error err = {0};
  double t0 = tug_monotonic_seconds();
  assert_int_equal(tug_client_do(c, &req, NULL, &err), -1);
  double took = tug_monotonic_seconds() - t0;
  fake_stop(&f);
  assert_int_equal(err.code, ETIMEDOUT);
  assert_true(took >= 0.19 && took < 5);
}

static void a_server_that_is_not_there_is_unavailable(void **state) {
  (void)state;
  fake f;
  fake_start(&f, NULL);
  int port = f.port;
  fake_stop(&f); /* the port is free and nobody listens */
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
  tug_error err = {0};
  _cleanup_client_ tug_client *c = tug_client_new(url, NULL, &err);
  assert_int_equal(tug_client_get(c, "/api/v1/pods", NULL, &err), -1);
  assert_int_equal(err.code, TUG_E_UNAVAILABLE);
  seen s = {0};
  assert_int_equal(tug_client_watch(c, "/api/v1/pods?watch=true", record, &s, NULL, &err), -1);
  assert_int_equal(err.code, TUG_E_UNAVAILABLE);
}

static void http_statuses_map_to_error_codes(void **state) {
  (void)state;
  assert_int_equal(tug_client_error_code(404), ENOENT);
  assert_int_equal(tug_client_error_code(409), TUG_E_CONFLICT);
  assert_int_equal(tug_client_error_code(410), TUG_E_COMPACTED);
  assert_int_equal(tug_client_error_code(422), EINVAL);
  assert_int_equal(tug_client_error_code(429), EAGAIN);
  assert_int_equal(tug_client_error_code(503), EAGAIN);
  assert_int_equal(tug_client_error_code(403), EACCES);
  assert_int_equal(tug_client_error_code(500), EIO);
}

static void query_values_are_escaped_and_null_ones_skipped(void **state) {
  (void)state;
  const char *kv[] = {
      "labelSelector", "app=web,tier in (a b)", "limit", NULL, "watch", "true", NULL};
  _cleanup_free_ char *p = tug_client_path_query("/api/v1/pods", kv);
  assert_string_equal(p,
                      "/api/v1/pods?labelSelector=app%3Dweb%2Ctier%20in%20%28a%20b%29&watch=true");
  const char *kv2[] = {"watch", "1", NULL};
  _cleanup_free_ char *q = tug_client_path_query("/x?a=b", kv2);
  assert_string_equal(q, "/x?a=b&watch=1");
}

static void a_server_url_must_be_http(void **state) {
  (void)state;
  tug_error err = {0};
  assert_null(tug_client_new("127.0.0.1:6443", NULL, &err));
  assert_int_equal(err.code, EINVAL);
  _cleanup_client_ tug_client *c = tug_client_new("http://127.0.0.1:6443//", NULL, &err);
  assert_string_equal(tug_client_server(c), "http://127.0.0.1:6443");
}

int main(void) {
  const struct CMUnitTest offline[] = {
      cmocka_unit_test(http_statuses_map_to_error_codes),
      cmocka_unit_test(query_values_are_escaped_and_null_ones_skipped),
      cmocka_unit_test(a_server_url_must_be_http),
      cmocka_unit_test(watch_events_split_across_chunks_arrive_whole),
      cmocka_unit_test(a_garbled_watch_line_is_a_parse_error),
      cmocka_unit_test(a_raw_request_keeps_the_text_and_sends_its_accept_header),
      cmocka_unit_test(a_stream_hands_bytes_over_as_they_come_until_asked_to_stop),
      cmocka_unit_test(a_server_that_does_not_answer_times_out),
      cmocka_unit_test(a_server_that_is_not_there_is_unavailable),
  };
  const struct CMUnitTest online[] = {
      cmocka_unit_test(create_then_get_returns_the_stored_object),
      cmocka_unit_test(update_with_a_stale_resource_version_is_a_conflict),
      cmocka_unit_test(creating_an_existing_name_is_a_conflict_with_its_status),
      cmocka_unit_test(getting_a_missing_object_is_enoent),
      cmocka_unit_test(an_invalid_object_is_einval_with_the_servers_message),
      cmocka_unit_test(merge_and_strategic_patches_change_only_what_they_name),
      cmocka_unit_test(list_filters_by_an_escaped_label_selector),
      cmocka_unit_test(delete_removes_the_object),
      cmocka_unit_test(delete_with_a_uid_precondition_spares_a_newer_object_of_that_name),
      cmocka_unit_test(a_watch_streams_added_modified_deleted),
      cmocka_unit_test(a_quiet_watch_ends_soon_after_its_stop_flag_is_set),
      cmocka_unit_test(watching_from_a_compacted_revision_is_tug_e_compacted),
      cmocka_unit_test(one_client_serves_many_threads_at_once),
  };
  int failed = cmocka_run_group_tests_name("http offline", offline, NULL, NULL);
  return failed + cmocka_run_group_tests_name("http against tug-apiserver", online, group_setup,
                                              group_teardown);
}
