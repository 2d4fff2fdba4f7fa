/* Unit tests for the kinds' schemas (apiserver/schema.c and apiserver/schema/): every kind
 * the server serves has one, and the tables hold together (numbers unique, references set,
 * list-map and merge keys naming real fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <string.h>

#include "registry.h"
#include "schema.h"

static void every_served_kind_and_its_list_has_a_schema(void **state) {
  (void)state;
  for (const api_kind *k = api_kinds; k->kind; k++) {
    char list[128];
    snprintf(list, sizeof list, "%sList", k->kind);
    if (api_schema_find_gv(k->group, k->version, k->kind) == NULL)
      fail_msg("%s/%s %s has no schema", k->group, k->version, k->kind);
    if (!api_kind_allows(k, "list"))
      continue; /* never listed (the access reviews): no List, as in Kubernetes */
    const api_message *l = api_schema_find_gv(k->group, k->version, list);
    if (l == NULL || api_schema_list_item(l) != api_schema_find_gv(k->group, k->version, k->kind))
      fail_msg("%s/%s %s has no list schema of its items", k->group, k->version, list);
  }
}

static void meta_kinds_belong_to_every_group_version(void **state) {
  (void)state;
  const api_message *opts = api_schema_find("meta.k8s.io/v1", "DeleteOptions");
  assert_non_null(opts);
  assert_ptr_equal(api_schema_find("v1", "DeleteOptions"), opts);
  assert_ptr_equal(api_schema_find("apps/v1", "DeleteOptions"), opts);
  assert_non_null(api_schema_find("v1", "Status"));
  assert_null(api_schema_find("v1", "Deployment"));
  assert_null(api_schema_find("nope/v1/x", "Pod"));
}

static void paths_descend_through_lists_and_inlined_messages(void **state) {
  (void)state;
  const api_message *d = api_schema_find("apps/v1", "Deployment");
  const api_field *c = api_schema_path(d, "spec.template.spec.containers");
  assert_non_null(c);
  assert_int_equal(c->number, 2);
  assert_string_equal(c->patch_merge_key, "name");
  assert_int_equal(c->list_type, API_LIST_MAP);
  const api_field *r = api_schema_path(d, "spec.replicas");
  assert_true(r->flags & API_FIELD_POINTER);
  const api_field *e =
      api_schema_path(api_schema_find("v1", "Pod"), "spec.ephemeralContainers.targetContainerName");
  assert_non_null(e);
  const api_field *cm =
      api_schema_path(api_schema_find("v1", "Pod"), "spec.volumes.configMap.name");
  assert_non_null(cm);
  assert_int_equal(cm->type, API_SCHEMA_STRING);
  assert_null(api_schema_path(d, "spec.replicas.x"));
  assert_null(api_schema_path(d, "spec.nope"));
}

static bool has_field(const api_message *m, const char *name) {
  return api_schema_path(m, name) != NULL;
}

/* One message's own consistency; fails naming the message and field. */
static void check_message(const api_message *m) {
  assert_non_null(m->name);
  for (size_t i = 0; i < m->n_fields; i++) {
    const api_field *f = &m->fields[i];
    if (f->number == 0)
      fail_msg("%s.%s has no protobuf number", m->name, f->name);
    for (size_t j = i + 1; j < m->n_fields; j++)
      if (m->fields[j].number == f->number || strcmp(m->fields[j].name, f->name) == 0)
        fail_msg("%s: %s and %s clash", m->name, f->name, m->fields[j].name);
    if ((f->type == API_SCHEMA_MESSAGE) != (f->message != NULL))
      fail_msg("%s.%s: a message type needs its message, and only it", m->name, f->name);
    for (size_t k = 0; f->list_keys && f->list_keys[k]; k++)
      if (f->message && !has_field(f->message, f->list_keys[k]))
        fail_msg("%s.%s: list key %s is no field", m->name, f->name, f->list_keys[k]);
    if (f->patch_merge_key && f->message && !has_field(f->message, f->patch_merge_key))
      fail_msg("%s.%s: merge key %s is no field", m->name, f->name, f->patch_merge_key);
  }
}

static void check_tree(const api_message *m, const api_message **seen, size_t *n) {
  for (size_t i = 0; i < *n; i++)
    if (seen[i] == m)
      return;
  assert_true(*n < 1024);
  seen[(*n)++] = m;
  check_message(m);
  for (size_t i = 0; i < m->n_fields; i++)
    if (m->fields[i].message)
      check_tree(m->fields[i].message, seen, n);
}

static void tables_hold_together(void **state) {
  (void)state;
  static const api_message *seen[1024];
  size_t n = 0;
  for (const api_schema_group *g = api_schema_groups; g->kinds; g++)
    for (const api_schema_kind *k = g->kinds; k->kind; k++)
      check_tree(k->message, seen, &n);
  assert_true(n > 200);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_served_kind_and_its_list_has_a_schema),
      cmocka_unit_test(meta_kinds_belong_to_every_group_version),
      cmocka_unit_test(paths_descend_through_lists_and_inlined_messages),
      cmocka_unit_test(tables_hold_together),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
