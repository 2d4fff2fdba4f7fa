/* Unit tests for the OpenAPI documents (apiserver/openapi*.c): what kubectl reads from them
 * (the index's hashed URLs, fieldValidation and the strategic merge type on every PATCH, the
 * kinds' definitions and merge keys) and that they hold together (every $ref resolves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "openapi.h"

static api_openapi *docs;

static int build(void **state) {
  (void)state;
  tug_error err = {0};
  docs = api_openapi_build(&err);
  return docs ? 0 : -1;
}

static int destroy(void **state) {
  (void)state;
  api_openapi_free(docs);
  return 0;
}

static json_t *load(const char *path) {
  size_t len;
  const char *bytes = api_openapi_document(docs, path, &len);
  if (bytes == NULL)
    fail_msg("no document at %s", path);
  json_t *doc = json_loadb(bytes, len, 0, NULL);
  assert_non_null(doc);
  return doc;
}

static void the_index_names_each_group_version_with_its_hash(void **state) {
  (void)state;
  json_t *index = load("/openapi/v3");
  json_t *paths = json_object_get(index, "paths");
  assert_non_null(json_object_get(paths, "api/v1"));
  assert_non_null(json_object_get(paths, "apis/apps/v1"));
  assert_non_null(json_object_get(paths, "apis/scheduling.tug.io/v1"));
  const char *key;
  json_t *gv;
  json_object_foreach(paths, key, gv) {
    const char *url = json_string_value(json_object_get(gv, "serverRelativeURL"));
    char path[256];
    snprintf(path, sizeof path, "/openapi/v3/%s?hash=", key);
    assert_memory_equal(url, path, strlen(path));
    assert_int_equal(strlen(url + strlen(path)), 128); /* SHA-512, hex */
    *strchr(path, '?') = '\0';
    json_decref(load(path));
  }
  json_decref(index);
}

/* kubectl leaves validation to the server, and computes strategic merge patches, only when
 * the first PATCH operation it meets for the kind says so; it meets them in no set order. */
static void every_patch_takes_field_validation_and_strategic_merge(void **state) {
  (void)state;
  json_t *doc = load("/openapi/v3/api/v1");
  const char *path;
  json_t *item;
  int patches = 0;
  json_object_foreach(json_object_get(doc, "paths"), path, item) {
    json_t *op = json_object_get(item, "patch");
    if (op == NULL)
      continue;
    patches++;
    assert_non_null(json_object_get(op, "x-kubernetes-group-version-kind"));
    bool fv = false;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(op, "parameters"), i, p) fv |=
        strcmp(json_string_value(json_object_get(p, "name")), "fieldValidation") == 0 &&
        strcmp(json_string_value(json_object_get(p, "in")), "query") == 0;
    if (!fv)
      fail_msg("PATCH %s has no fieldValidation", path);
    json_t *content = json_object_get(json_object_get(op, "requestBody"), "content");
    assert_non_null(json_object_get(content, "application/strategic-merge-patch+json"));
  }
  assert_true(patches > 10);
  json_t *pod =
      json_object_get(json_object_get(doc, "paths"), "/api/v1/namespaces/{namespace}/pods");
  json_t *gvk = json_object_get(json_object_get(pod, "post"), "x-kubernetes-group-version-kind");
  assert_string_equal(json_string_value(json_object_get(gvk, "kind")), "Pod");
  json_decref(doc);
}

static void kinds_are_found_by_their_group_version_kind(void **state) {
  (void)state;
  json_t *doc = load("/openapi/v3/apis/apps/v1");
  json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
  json_t *d = json_object_get(schemas, "io.k8s.api.apps.v1.Deployment");
  json_t *gvk = json_array_get(json_object_get(d, "x-kubernetes-group-version-kind"), 0);
  assert_string_equal(json_string_value(json_object_get(gvk, "group")), "apps");
  assert_string_equal(json_string_value(json_object_get(gvk, "kind")), "Deployment");
  json_t *props = json_object_get(d, "properties");
  assert_non_null(json_object_get(props, "apiVersion"));
  assert_non_null(json_object_get(props, "kind"));
  const char *ref = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(props, "spec"), "allOf"), 0), "$ref"));
  assert_string_equal(ref, "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
  json_t *containers = json_object_get(
      json_object_get(json_object_get(schemas, "io.k8s.api.core.v1.PodSpec"), "properties"),
      "containers");
  assert_string_equal(
      json_string_value(json_object_get(containers, "x-kubernetes-patch-merge-key")), "name");
  assert_string_equal(json_string_value(json_object_get(containers, "x-kubernetes-patch-strategy")),
                      "merge");
  assert_string_equal(json_string_value(json_object_get(containers, "x-kubernetes-list-type")),
                      "map");
  json_t *required =
      json_object_get(json_object_get(schemas, "io.k8s.api.core.v1.Container"), "required");
  assert_string_equal(json_string_value(json_array_get(required, 0)), "name");
  json_decref(doc);
}

/* Every "$ref" in v names a definition of defs. */
static void check_refs(json_t *v, json_t *defs, const char *prefix, int *refs) {
  if (json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) check_refs(e, defs, prefix, refs);
    return;
  }
  const char *key;
  json_t *e;
  json_object_foreach(v, key, e) {
    if (strcmp(key, "$ref") == 0) {
      const char *ref = json_string_value(e);
      assert_memory_equal(ref, prefix, strlen(prefix));
      if (json_object_get(defs, ref + strlen(prefix)) == NULL)
        fail_msg("%s does not resolve", ref);
      (*refs)++;
    } else {
      check_refs(e, defs, prefix, refs);
    }
  }
}

static void every_reference_resolves_in_its_document(void **state) {
  (void)state;
  json_t *index = load("/openapi/v3");
  const char *key;
  json_t *gv;
  json_object_foreach(json_object_get(index, "paths"), key, gv) {
    char path[256];
    snprintf(path, sizeof path, "/openapi/v3/%s", key);
    json_t *doc = load(path);
    int refs = 0;
    check_refs(doc, json_object_get(json_object_get(doc, "components"), "schemas"),
               "#/components/schemas/", &refs);
    assert_true(refs > 0);
    json_decref(doc);
  }
  json_decref(index);
  json_t *v2 = load("/openapi/v2");
  assert_string_equal(json_string_value(json_object_get(v2, "swagger")), "2.0");
  int refs = 0;
  check_refs(v2, json_object_get(v2, "definitions"), "#/definitions/", &refs);
  assert_true(refs > 100);
  json_decref(v2);
}

/* gnostic's Document: swagger (1) "2.0" first, then info (2), paths (8), definitions (9). */
static void v2_is_also_gnostic_protobuf(void **state) {
  (void)state;
  size_t len, json_len;
  assert_non_null(api_openapi_document(docs, "/openapi/v2", &json_len));
  const char *pb = api_openapi_v2_protobuf_document(docs, &len);
  assert_non_null(pb);
  assert_true(len > 100000 && len < json_len);
  assert_memory_equal(pb,
                      "\x0a\x03"
                      "2.0\x12",
                      6);
  assert_non_null(memmem(pb, len, "io.k8s.api.core.v1.Pod", 22));
  assert_non_null(memmem(pb, len, "x-kubernetes-group-version-kind", 31));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_index_names_each_group_version_with_its_hash),
      cmocka_unit_test(every_patch_takes_field_validation_and_strategic_merge),
      cmocka_unit_test(kinds_are_found_by_their_group_version_kind),
      cmocka_unit_test(every_reference_resolves_in_its_document),
      cmocka_unit_test(v2_is_also_gnostic_protobuf),
  };
  return cmocka_run_group_tests(tests, build, destroy);
}
