/*
 * Tests of the informer against a real tug-apiserver (started once for the
 * group). Each test watches Leases with its own label, so tests do not see
 * each other's objects; the informer and its recorder live in a fixture that
 * teardown stops even when the test fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
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
#include "etcd.h"
#include "http.h"
#include "informer.h"
#include "object.h"
#include "test_support.h"

#define LEASES "/apis/coordination.k8s.io/v1/namespaces/default/leases"
#define ALL_LEASES "/apis/coordination.k8s.io/v1/leases"
#define WAIT_MS 15000

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

/* What the handlers saw, and whether the cache already held it when they ran. */
typedef struct event {
  char kind[8], key[64], holder[32], old_holder[32];
} event;

typedef struct fixture {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  event ev[256];
  int n;
  int cache_behind; /* handler calls that found the cache without the change */
  tug_informer *inf;
} fixture;

static const char *holder(const json_t *o) {
  const char *h = tug_obj_get_str(o, "spec.holderIdentity");
  return h ? h : "";
}

static void record(fixture *f, const char *kind, const json_t *old, const json_t *obj) {
  char key[64];
  tug_informer_key(obj, key, sizeof key);
  json_t *cached = tug_informer_get(f->inf, key);
  bool behind = strcmp(kind, "delete") == 0 ? cached != NULL
                                            : cached == NULL || !json_equal(cached, (json_t *)obj);
  json_decref(cached);
  pthread_mutex_lock(&f->mu);
  if (behind)
    f->cache_behind++;
  if (f->n < 256) {
    event *e = &f->ev[f->n++];
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->holder, sizeof e->holder, "%s", holder(obj));
    snprintf(e->old_holder, sizeof e->old_holder, "%s", old ? holder(old) : "");
  }
  pthread_cond_broadcast(&f->cond);
  pthread_mutex_unlock(&f->mu);
}

static void on_add(json_t *obj, void *arg) {
  record(arg, "add", NULL, obj);
}
static void on_update(json_t *old, json_t *obj, void *arg) {
  record(arg, "update", old, obj);
}
static void on_delete(json_t *obj, void *arg) {
  record(arg, "delete", NULL, obj);
}

static int count_locked(fixture *f, const char *kind, const char *key, const char *h) {
  int n = 0;
  for (int i = 0; i < f->n; i++)
    if (strcmp(f->ev[i].kind, kind) == 0 && strcmp(f->ev[i].key, key) == 0 &&
        (h == NULL || strcmp(f->ev[i].holder, h) == 0))
      n++;
  return n;
}

/* Wait until the handlers saw `kind` for key (with holder h, unless NULL) n times. */
static bool wait_event(fixture *f, const char *kind, const char *key, const char *h, int n) {
  struct timespec deadline = tug_deadline_ms(WAIT_MS);
  pthread_mutex_lock(&f->mu);
  int rc = 0;
  while (count_locked(f, kind, key, h) < n && rc == 0)
    rc = pthread_cond_timedwait(&f->cond, &f->mu, &deadline);
  bool ok = count_locked(f, kind, key, h) >= n;
  pthread_mutex_unlock(&f->mu);
  return ok;
}

static int count(fixture *f, const char *kind, const char *key) {
  pthread_mutex_lock(&f->mu);
  int n = count_locked(f, kind, key, NULL);
  pthread_mutex_unlock(&f->mu);
  return n;
}

static int fixture_setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  if (f == NULL)
    return -1;
  pthread_mutex_init(&f->mu, NULL);
  tug_cond_init_monotonic(&f->cond);
  *state = f;
  return 0;
}

static int fixture_teardown(void **state) {
  fixture *f = *state;
  tug_informer_free(f->inf);
  pthread_mutex_destroy(&f->mu);
  pthread_cond_destroy(&f->cond);
  free(f);
  return 0;
}

static void start_informer(fixture *f, const char *path, const char *labels, const char *fields) {
  tug_informer_handlers h = {.on_add = on_add, .on_update = on_update, .on_delete = on_delete};
  tug_error err = {0};
  f->inf = tug_informer_new(cli, path, labels, fields, &h, f, &err);
  if (f->inf == NULL)
    fail_msg("informer: %s", err.msg);
  OK(tug_informer_start(f->inf, err));
  assert_true(tug_informer_wait_synced(f->inf, WAIT_MS));
}

static void create_lease(const char *name, const char *suite, const char *h) {
  _cleanup_json_ json_t *l = json_pack(
      "{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s}}", "apiVersion", "coordination.k8s.io/v1", "kind",
      "Lease", "metadata", "name", name, "labels", "suite", suite, "spec", "holderIdentity", h);
  _cleanup_json_ json_t *out = NULL;
  OK(tug_client_create(cli, LEASES, l, &out, err));
}

static void set_holder(const char *name, const char *h) {
  char path[128];
  snprintf(path, sizeof path, LEASES "/%s", name);
  _cleanup_json_ json_t *patch = json_pack("{s:{s:s}}", "spec", "holderIdentity", h);
  _cleanup_json_ json_t *out = NULL;
  OK(tug_client_patch(cli, path, TUG_PATCH_MERGE, patch, &out, err));
}

static void delete_lease(const char *name) {
  char path[128];
  snprintf(path, sizeof path, LEASES "/%s", name);
  _cleanup_json_ json_t *out = NULL;
  OK(tug_client_delete(cli, path, &out, err));
}

static void assert_cached_holder(fixture *f, const char *key, const char *h) {
  _cleanup_json_ json_t *o = tug_informer_get(f->inf, key);
  if (h == NULL) {
    assert_null(o);
    return;
  }
  assert_non_null(o);
  assert_string_equal(holder(o), h);
}

static void initial_objects_arrive_as_adds_before_synced(void **state) {
  fixture *f = *state;
  create_lease("init-a", "init", "a");
  create_lease("init-b", "init", "b");
  create_lease("init-other", "not-init", "c");
  start_informer(f, ALL_LEASES, "suite=init", NULL);
  assert_true(tug_informer_synced(f->inf));
  assert_int_equal(count(f, "add", "default/init-a"), 1);
  assert_int_equal(count(f, "add", "default/init-b"), 1);
  assert_int_equal(f->n, 2);
  assert_cached_holder(f, "default/init-a", "a");
  assert_cached_holder(f, "default/init-other", NULL);
  _cleanup_json_ json_t *all = tug_informer_list(f->inf);
  assert_int_equal(json_array_size(all), 2);
  char rv[32];
  tug_informer_resource_version(f->inf, rv, sizeof rv);
  assert_true(atoll(rv) > 0);
}

static void create_update_delete_reach_the_handlers_after_the_cache(void **state) {
  fixture *f = *state;
  create_lease("cud-a", "cud", "a");
  start_informer(f, LEASES, "suite=cud", NULL);

  create_lease("cud-b", "cud", "b");
  assert_true(wait_event(f, "add", "default/cud-b", "b", 1));
  set_holder("cud-a", "a2");
  assert_true(wait_event(f, "update", "default/cud-a", "a2", 1));
  delete_lease("cud-b");
  assert_true(wait_event(f, "delete", "default/cud-b", NULL, 1));

  pthread_mutex_lock(&f->mu);
  const event *u = NULL;
  for (int i = 0; i < f->n; i++)
    if (strcmp(f->ev[i].kind, "update") == 0)
      u = &f->ev[i];
  assert_non_null(u);
  assert_string_equal(u->old_holder, "a");
  int behind = f->cache_behind;
  pthread_mutex_unlock(&f->mu);
  assert_int_equal(behind, 0);
  assert_cached_holder(f, "default/cud-a", "a2");
  assert_cached_holder(f, "default/cud-b", NULL);
}

static void get_returns_the_latest_of_rapid_updates(void **state) {
  fixture *f = *state;
  create_lease("rapid", "rapid", "h0");
  start_informer(f, LEASES, "suite=rapid", NULL);
  char h[16];
  for (int i = 1; i <= 10; i++) {
    snprintf(h, sizeof h, "h%d", i);
    set_holder("rapid", h);
  }
  assert_true(wait_event(f, "update", "default/rapid", "h10", 1));
  assert_cached_holder(f, "default/rapid", "h10");
  _cleanup_json_ json_t *fresh = NULL;
  OK(tug_client_get(cli, LEASES "/rapid", &fresh, err));
  _cleanup_json_ json_t *cached = tug_informer_get(f->inf, "default/rapid");
  assert_string_equal(tug_obj_resource_version(cached), tug_obj_resource_version(fresh));
}

static void a_field_selector_narrows_what_is_cached(void **state) {
  fixture *f = *state;
  create_lease("field-a", "field", "a");
  create_lease("field-b", "field", "b");
  start_informer(f, LEASES, NULL, "metadata.name=field-b");
  _cleanup_json_ json_t *all = tug_informer_list(f->inf);
  assert_int_equal(json_array_size(all), 1);
  assert_cached_holder(f, "default/field-b", "b");
}

/* Write a lease straight into etcd, as if another API server had. */
static void etcd_put_lease(tug_etcd *e, const json_t *obj, const char *name, const char *h) {
  _cleanup_json_ json_t *copy = json_deep_copy(obj);
  tug_obj_set_str(copy, "metadata.name", name, NULL);
  tug_obj_set_str(copy, "spec.holderIdentity", h, NULL);
  tug_obj_del(copy, "metadata.resourceVersion");
  _cleanup_free_ char *s = json_dumps(copy, JSON_COMPACT);
  char key[128];
  snprintf(key, sizeof key, "/registry/leases/default/%s", name);
  OK(tug_etcd_put(e, key, s, strlen(s), 0, NULL, err));
}

static void changes_while_the_apiserver_is_down_are_caught_up_after_restart(void **state) {
  fixture *f = *state;
  create_lease("down-keep", "down", "k");
  create_lease("down-change", "down", "c1");
  create_lease("down-gone", "down", "g");
  start_informer(f, LEASES, "suite=down", NULL);
  _cleanup_json_ json_t *template = tug_informer_get(f->inf, "default/down-change");
  assert_non_null(template);

  assert_int_equal(tug_test_apiserver_stop(&api), 0);
  tug_etcd *e = NULL;
  OK(tug_etcd_open(&e, api.etcd.endpoint, NULL, err));
  etcd_put_lease(e, template, "down-change", "c2");
  etcd_put_lease(e, template, "down-new", "n");
  OK(tug_etcd_delete(e, "/registry/leases/default/down-gone", NULL, NULL, err));
  tug_etcd_close(e);
  usleep(300 * 1000); /* the informer fails to reconnect at least once */
  assert_int_equal(tug_test_apiserver_restart(&api), 0);

  assert_true(wait_event(f, "update", "default/down-change", "c2", 1));
  assert_true(wait_event(f, "add", "default/down-new", "n", 1));
  assert_true(wait_event(f, "delete", "default/down-gone", NULL, 1));
  assert_cached_holder(f, "default/down-change", "c2");
  assert_cached_holder(f, "default/down-new", "n");
  assert_cached_holder(f, "default/down-gone", NULL);
  assert_int_equal(count(f, "update", "default/down-keep"), 0);

  /* And it watches again: a change after the restart arrives too. */
  set_holder("down-keep", "k2");
  assert_true(wait_event(f, "update", "default/down-keep", "k2", 1));
  assert_int_equal(count(f, "add", "default/down-keep"), 1);
}

static void a_restart_without_changes_resumes_the_watch(void **state) {
  fixture *f = *state;
  create_lease("resume", "resume", "r1");
  start_informer(f, LEASES, "suite=resume", NULL);
  assert_int_equal(tug_test_apiserver_restart(&api), 0);
  set_holder("resume", "r2");
  assert_true(wait_event(f, "update", "default/resume", "r2", 1));
  assert_int_equal(count(f, "add", "default/resume"), 1);
  assert_int_equal(count(f, "delete", "default/resume"), 0);
}

static void stop_is_prompt_and_the_cache_stays_readable(void **state) {
  fixture *f = *state;
  create_lease("stop", "stop", "s");
  start_informer(f, LEASES, "suite=stop", NULL);
  double t0 = tug_monotonic_seconds();
  tug_informer_stop(f->inf);
  assert_true(tug_monotonic_seconds() - t0 < 1.0);
  assert_cached_holder(f, "default/stop", "s");
  tug_informer_stop(f->inf);
}

/* A scripted server: the i-th connection gets the i-th body (a watch body is
 * streamed chunked), and the connection after the last one waits until done. */
typedef struct script {
  int lfd;
  char url[64];
  pthread_t t;
  const char *const *bodies;
  atomic_bool done;
} script;

static void send_all(int fd, const char *s) {
  send(fd, s, strlen(s), MSG_NOSIGNAL);
}

static void *script_main(void *arg) {
  script *sc = arg;
  for (const char *const *b = sc->bodies;; b++) {
    int fd = accept(sc->lfd, NULL, NULL);
    if (fd < 0)
      return NULL;
    char req[4096];
    ssize_t n = read(fd, req, sizeof req);
    (void)n;
    if (*b == NULL) {
      while (!atomic_load(&sc->done))
        usleep(10 * 1000);
      close(fd);
      return NULL;
    }
    char head[256];
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             strlen(*b));
    send_all(fd, head);
    send_all(fd, *b);
    close(fd);
  }
}

static void script_start(script *sc, const char *const *bodies) {
  memset(sc, 0, sizeof *sc);
  sc->bodies = bodies;
  sc->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof a;
  assert_int_equal(bind(sc->lfd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(sc->lfd, 8), 0);
  assert_int_equal(getsockname(sc->lfd, (struct sockaddr *)&a, &alen), 0);
  snprintf(sc->url, sizeof sc->url, "http://127.0.0.1:%d", ntohs(a.sin_port));
  assert_int_equal(pthread_create(&sc->t, NULL, script_main, sc), 0);
}

static void script_stop(script *sc) {
  atomic_store(&sc->done, true);
  shutdown(sc->lfd, SHUT_RDWR);
  pthread_join(sc->t, NULL);
  close(sc->lfd);
}

#define OBJ(name, rv, h)                                                                           \
  "{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"ns\",\"resourceVersion\":\"" rv            \
  "\"},\"spec\":{\"holderIdentity\":\"" h "\"}}"

static void an_expired_error_event_makes_the_informer_relist_and_diff(void **state) {
  fixture *f = *state;
  static const char *const bodies[] = {
      "{\"metadata\":{\"resourceVersion\":\"5\"},\"items\":[" OBJ("a", "4", "a1") "," OBJ(
          "b", "5", "b1") "]}",
      "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
      "\"message\":\"too old resource version: 5 (8)\"}}\n",
      "{\"metadata\":{\"resourceVersion\":\"9\"},\"items\":[" OBJ("a", "7", "a2") "," OBJ(
          "c", "9", "c1") "]}",
      NULL};
  script sc;
  script_start(&sc, bodies);
  tug_error err = {0};
  tug_client *c = tug_client_new(sc.url, NULL, &err);
  tug_informer_handlers h = {.on_add = on_add, .on_update = on_update, .on_delete = on_delete};
  f->inf = tug_informer_new(c, "/apis/coordination.k8s.io/v1/leases", NULL, NULL, &h, f, &err);
  /* No assertion until the server thread is stopped: it points into this frame. */
  bool ok = tug_informer_start(f->inf, &err) == 0 && wait_event(f, "update", "ns/a", "a2", 1) &&
            wait_event(f, "add", "ns/c", "c1", 1) && wait_event(f, "delete", "ns/b", "b1", 1);
  tug_informer_stop(f->inf);
  script_stop(&sc);
  char rv[32];
  tug_informer_resource_version(f->inf, rv, sizeof rv);
  json_t *all = tug_informer_list(f->inf);
  size_t n = json_array_size(all);
  json_decref(all);
  tug_informer_free(f->inf);
  f->inf = NULL;
  tug_client_free(c);
  assert_true(ok);
  assert_int_equal(f->n, 5); /* add a, add b, then the three differences */
  assert_string_equal(rv, "9");
  assert_int_equal(n, 2);
}

/* Keeps name, namespace, resourceVersion and spec; marks what it made. */
static json_t *trim_lease(json_t *obj, void *arg) {
  atomic_int *calls = arg;
  atomic_fetch_add(calls, 1);
  json_t *md = json_object_get(obj, "metadata");
  return json_pack("{s:{s:O?, s:O?, s:O?, s:{s:b}}, s:O?}", "metadata", "name",
                   json_object_get(md, "name"), "namespace", json_object_get(md, "namespace"),
                   "resourceVersion", json_object_get(md, "resourceVersion"), "annotations",
                   "trimmed", 1, "spec", json_object_get(obj, "spec"));
}

static bool trimmed(const json_t *o) {
  return json_is_true(tug_obj_get(o, "metadata.annotations.trimmed")) &&
         tug_obj_labels(o) == NULL && tug_obj_get(o, "metadata.uid") == NULL;
}

static int untrimmed;

static void count_untrimmed(const json_t *o) {
  if (!trimmed(o))
    untrimmed++;
}
static void t_add(json_t *o, void *arg) {
  count_untrimmed(o);
  on_add(o, arg);
}
static void t_update(json_t *old, json_t *o, void *arg) {
  count_untrimmed(old);
  count_untrimmed(o);
  on_update(old, o, arg);
}
static void t_delete(json_t *o, void *arg) {
  count_untrimmed(o);
  on_delete(o, arg);
}

static void a_transform_shapes_what_the_cache_and_handlers_get(void **state) {
  fixture *f = *state;
  create_lease("tr-a", "tr", "a");
  tug_informer_handlers h = {.on_add = t_add, .on_update = t_update, .on_delete = t_delete};
  atomic_int calls = 0;
  untrimmed = 0;
  tug_error e = {0};
  f->inf = tug_informer_new(cli, LEASES, "suite=tr", NULL, &h, f, &e);
  assert_non_null(f->inf);
  tug_informer_set_transform(f->inf, trim_lease, &calls);
  OK(tug_informer_start(f->inf, err));
  assert_true(tug_informer_wait_synced(f->inf, WAIT_MS));

  create_lease("tr-b", "tr", "b");
  set_holder("tr-a", "a2");
  delete_lease("tr-b");
  assert_true(wait_event(f, "delete", "default/tr-b", "b", 1));
  assert_true(wait_event(f, "update", "default/tr-a", "a2", 1));

  _cleanup_json_ json_t *a = tug_informer_get(f->inf, "default/tr-a");
  assert_true(trimmed(a));
  assert_string_equal(holder(a), "a2");
  assert_non_null(tug_obj_resource_version(a));
  assert_null(tug_informer_get(f->inf, "default/tr-b"));
  assert_int_equal(untrimmed, 0);
  assert_true(atomic_load(&calls) >= 4); /* list tr-a; add, update, delete */
  assert_int_equal(f->cache_behind, 0);
}

static void without_a_transform_objects_are_cached_whole(void **state) {
  fixture *f = *state;
  create_lease("whole", "whole", "w");
  start_informer(f, LEASES, "suite=whole", NULL);
  _cleanup_json_ json_t *o = tug_informer_get(f->inf, "default/whole");
  _cleanup_json_ json_t *fresh = NULL;
  OK(tug_client_get(cli, LEASES "/whole", &fresh, err));
  assert_true(json_equal(o, fresh));
}

/* Leases filed by holder, as pods are by node. */
static bool by_holder(const json_t *obj, char *buf, size_t size) {
  const char *h = tug_obj_get_str(obj, "spec.holderIdentity");
  return h && (size_t)snprintf(buf, size, "%s", h) < size;
}

static size_t filed(fixture *f, const char *index, const char *value) {
  _cleanup_json_ json_t *arr = tug_informer_by_index(f->inf, index, value);
  assert_non_null(arr);
  return json_array_size(arr);
}

static void an_index_follows_adds_moves_and_deletes(void **state) {
  fixture *f = *state;
  create_lease("ix-a", "ix", "node-1");
  create_lease("ix-b", "ix", "node-1");
  tug_informer_handlers h = {.on_add = on_add, .on_update = on_update, .on_delete = on_delete};
  tug_error e = {0};
  f->inf = tug_informer_new(cli, ALL_LEASES, "suite=ix", NULL, &h, f, &e);
  assert_non_null(f->inf);
  OK(tug_informer_add_index(f->inf, "holder", by_holder, err));
  OK(tug_informer_start(f->inf, err));
  assert_true(tug_informer_wait_synced(f->inf, WAIT_MS));
  assert_int_equal(filed(f, "holder", "node-1"), 2);
  assert_int_equal(filed(f, "namespace", "default"), 2);
  assert_int_equal(filed(f, "namespace", "elsewhere"), 0);
  assert_null(tug_informer_by_index(f->inf, "no-such-index", "x"));

  set_holder("ix-a", "node-2");
  create_lease("ix-c", "ix", "node-2");
  delete_lease("ix-b");
  assert_true(wait_event(f, "delete", "default/ix-b", "node-1", 1));
  assert_true(wait_event(f, "add", "default/ix-c", "node-2", 1));
  assert_true(wait_event(f, "update", "default/ix-a", "node-2", 1));
  assert_int_equal(filed(f, "holder", "node-1"), 0);
  assert_int_equal(filed(f, "holder", "node-2"), 2);
  assert_int_equal(filed(f, "namespace", "default"), 2);
  /* Too late once started. */
  assert_int_equal(tug_informer_add_index(f->inf, "late", by_holder, &e), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(initial_objects_arrive_as_adds_before_synced, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(create_update_delete_reach_the_handlers_after_the_cache,
                                      fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(get_returns_the_latest_of_rapid_updates, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(a_field_selector_narrows_what_is_cached, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(
          changes_while_the_apiserver_is_down_are_caught_up_after_restart, fixture_setup,
          fixture_teardown),
      cmocka_unit_test_setup_teardown(a_restart_without_changes_resumes_the_watch, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(stop_is_prompt_and_the_cache_stays_readable, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(an_expired_error_event_makes_the_informer_relist_and_diff,
                                      fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(a_transform_shapes_what_the_cache_and_handlers_get,
                                      fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(without_a_transform_objects_are_cached_whole, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test_setup_teardown(an_index_follows_adds_moves_and_deletes, fixture_setup,
                                      fixture_teardown),
  };
  return cmocka_run_group_tests_name("informer against tug-apiserver", tests, group_setup,
                                     group_teardown);
}
