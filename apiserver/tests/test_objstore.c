/* test_objstore.c — the watch cache's object store: its index by one field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "objstore.h"
#include "watchcache.h"

static const char PREFIX[] = "/registry/pods/";

/* A pod in ns bound to node ("" for none), as the cache holds it. */
static api_cached *pod(const char *ns, const char *name, const char *node) {
  api_cached *c = calloc(1, sizeof *c);
  atomic_init(&c->refs, 1);
  c->obj = json_pack("{s:{s:s, s:s}, s:{s:s}}", "metadata", "namespace", ns, "name", name, "spec",
                     "nodeName", node);
  c->key = malloc(strlen(PREFIX) + strlen(ns) + strlen(name) + 2);
  strcpy(c->key, PREFIX);
  strcat(strcat(strcat(c->key, ns), "/"), name);
  return c;
}

static void count(api_cached *o, void *arg) {
  (void)o;
  (*(int *)arg)++;
}

static int on_node(const api_objstore *s, const char *node) {
  int n = 0;
  assert_true(api_objstore_each_indexed(s, node, count, &n));
  return n;
}

static void index_follows_puts_moves_and_removes(void **state) {
  (void)state;
  api_objstore *s = api_objstore_new(strlen(PREFIX), true, "spec.nodeName");
  api_objstore_put(s, pod("a", "p1", "n1"));
  api_objstore_put(s, pod("b", "p2", "n1"));
  api_objstore_put(s, pod("a", "p3", "n2"));
  api_objstore_put(s, pod("a", "p4", ""));
  assert_int_equal(on_node(s, "n1"), 2);
  assert_int_equal(on_node(s, "n2"), 1);
  assert_int_equal(on_node(s, ""), 0);
  /* p1 moves to n2 (an update stores a new object under the same key). */
  api_cached_unref(api_objstore_put(s, pod("a", "p1", "n2")));
  assert_int_equal(on_node(s, "n1"), 1);
  assert_int_equal(on_node(s, "n2"), 2);
  api_cached_unref(api_objstore_remove(s, "/registry/pods/b/p2"));
  assert_int_equal(on_node(s, "n1"), 0);
  api_cached_unref(api_objstore_put(s, pod("a", "p4", "n1")));
  assert_int_equal(on_node(s, "n1"), 1);
  assert_int_equal(api_objstore_size(s), 3);
  api_objstore_free(s);
}

static void store_without_index_says_so(void **state) {
  (void)state;
  api_objstore *s = api_objstore_new(strlen(PREFIX), true, NULL);
  api_objstore_put(s, pod("a", "p1", "n1"));
  int n = 0;
  assert_false(api_objstore_each_indexed(s, "n1", count, &n));
  assert_int_equal(n, 0);
  api_objstore_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(index_follows_puts_moves_and_removes),
      cmocka_unit_test(store_without_index_says_so),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
