/* Unit tests for decoding `tug apply -f` input: YAML, JSON, Lists, directories, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "manifest.h"
#include "object.h"

/* Decoded objects and origins, freed together. */
typedef struct decoded {
  json_t *items;
  tug_manifest_origin *origins;
} decoded;

static void decoded_free(decoded *d) {
  tug_manifest_origins_free(d->origins, json_array_size(d->items));
  json_decref(d->items);
}

#define _cleanup_decoded_ __attribute__((cleanup(decoded_free)))

static int decode(const char *name, const char *text, decoded *d, tug_error *err) {
  return tug_manifest_decode_buffer(text, strlen(text), name, &d->items, &d->origins, err);
}

static decoded decode_ok(const char *name, const char *text) {
  decoded d = {0};
  tug_error err = {0};
  if (decode(name, text, &d, &err) < 0)
    fail_msg("decode %s failed: %s", name, err.msg);
  return d;
}

/* Decoding text must fail with exactly this message and return nothing. */
static void assert_decode_error(const char *name, const char *text, const char *want) {
  decoded d = {.items = json_true()};
  tug_error err = {0};
  assert_int_equal(decode(name, text, &d, &err), -1);
  assert_null(d.items);
  assert_null(d.origins);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_string_equal(err.msg, want);
}

static void assert_origin(const tug_manifest_origin *o, const char *file, int doc, int item,
                          int line) {
  assert_string_equal(o->file, file);
  assert_int_equal(o->document, doc);
  assert_int_equal(o->item, item);
  assert_int_equal(o->line, line);
}

static json_t *item(const decoded *d, size_t i) {
  return json_array_get(d->items, i);
}

/* ---- temp files ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void remove_tree(char **dir) {
  if (*dir)
    nftw(*dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(*dir);
}

#define _cleanup_tree_ __attribute__((cleanup(remove_tree)))

static char *make_temp_dir(void) {
  char *dir = strdup("/tmp/tug-manifest-XXXXXX");
  assert_non_null(mkdtemp(dir));
  return dir;
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static const char *pod_yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n";

static char *pod(const char *name) {
  char *s;
  assert_true(asprintf(&s, pod_yaml, name) > 0);
  return s;
}

/* ---- shapes of input ---- */

static void single_yaml_document_decodes_to_one_object(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("web.yaml", "# a pod\napiVersion: v1\nkind: Pod\n"
                                                      "metadata:\n  name: web\n  labels:\n"
                                                      "    app: web\n");
  assert_int_equal(json_array_size(d.items), 1);
  assert_string_equal(tug_obj_name(item(&d, 0)), "web");
  assert_string_equal(tug_obj_label(item(&d, 0), "app"), "web");
  assert_origin(&d.origins[0], "web.yaml", 1, 0, 2);
}

static void multi_document_yaml_skips_empty_documents(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("all.yaml", "---\n"
                                                      "---\n"
                                                      "apiVersion: v1\nkind: Service\n"
                                                      "metadata: {name: a}\n"
                                                      "---\n"
                                                      "# only a comment\n"
                                                      "---\n"
                                                      "~\n"
                                                      "---\n"
                                                      "apiVersion: apps/v1\nkind: Deployment\n"
                                                      "metadata: {name: b}\n"
                                                      "...\n");
  assert_int_equal(json_array_size(d.items), 2);
  assert_string_equal(tug_obj_kind(item(&d, 0)), "Service");
  assert_string_equal(tug_obj_kind(item(&d, 1)), "Deployment");
  assert_origin(&d.origins[0], "all.yaml", 2, 0, 3);
  assert_origin(&d.origins[1], "all.yaml", 5, 0, 11);
}

static void empty_input_decodes_to_an_empty_array(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("empty.yaml", "# nothing here\n");
  assert_true(json_is_array(d.items));
  assert_int_equal(json_array_size(d.items), 0);
}

static void json_object_and_json_stream_decode(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok(
      "pods.json", "\n{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},"
                   "\"spec\":{\"n\":3,\"s\":\"\\ud83d\\ude00\"}}\n\n"
                   "  {\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                   "\"metadata\":{\"name\":\"b\"}}\n");
  assert_int_equal(json_array_size(d.items), 2);
  assert_int_equal(tug_obj_get_int(item(&d, 0), "spec.n", 0), 3);
  assert_string_equal(tug_obj_get_str(item(&d, 0), "spec.s"), "\xF0\x9F\x98\x80");
  assert_string_equal(tug_obj_name(item(&d, 1)), "b");
  assert_origin(&d.origins[0], "pods.json", 1, 0, 2);
  assert_origin(&d.origins[1], "pods.json", 2, 0, 4);
}

static void json_list_items_are_returned_individually(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok(
      "list.json", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
                   "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}},"
                   "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"b\"}}]}");
  assert_int_equal(json_array_size(d.items), 2);
  assert_string_equal(tug_obj_kind(item(&d, 0)), "Pod");
  assert_string_equal(tug_obj_kind(item(&d, 1)), "Service");
  assert_origin(&d.origins[1], "list.json", 1, 2, 1);
}

static void yaml_typed_list_items_carry_their_own_lines(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("pods.yaml", "apiVersion: v1\n"
                                                       "kind: PodList\n"
                                                       "items:\n"
                                                       "- apiVersion: v1\n"
                                                       "  kind: Pod\n"
                                                       "  metadata: {name: a}\n"
                                                       "- apiVersion: v1\n"
                                                       "  kind: Pod\n"
                                                       "  metadata: {name: b}\n");
  assert_int_equal(json_array_size(d.items), 2);
  assert_origin(&d.origins[0], "pods.yaml", 1, 1, 4);
  assert_origin(&d.origins[1], "pods.yaml", 1, 2, 7);
}

static void kind_ending_in_list_without_items_array_is_an_ordinary_object(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d =
      decode_ok("allow.yaml", "apiVersion: example.com/v1\nkind: AllowList\nspec: {items: [1]}\n");
  assert_int_equal(json_array_size(d.items), 1);
  assert_string_equal(tug_obj_kind(item(&d, 0)), "AllowList");
}

/* ---- scalars ---- */

static void yaml_scalars_are_typed_like_kubernetes(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("types.yaml", "apiVersion: v1\nkind: ConfigMap\n"
                                                        "replicas: 3\n"
                                                        "quoted: \"3\"\n"
                                                        "single: '8080'\n"
                                                        "enabled: true\n"
                                                        "off: False\n"
                                                        "answer: yes\n"
                                                        "cpu: 500m\n"
                                                        "port: 8080\n"
                                                        "negative: -5\n"
                                                        "version: 1.10\n"
                                                        "sci: 1e3\n"
                                                        "mode: 0644\n"
                                                        "hex: 0x1F\n"
                                                        "bin: 0b101\n"
                                                        "huge: 99999999999999999999\n"
                                                        "notoctal: 09\n"
                                                        "tilde: ~\n"
                                                        "nul: null\n"
                                                        "empty:\n"
                                                        "inf: .inf\n"
                                                        "tagged: !!str 3\n"
                                                        "123: numeric key\n"
                                                        "block: |\n  line\n");
  json_t *o = item(&d, 0);
  assert_true(json_is_integer(json_object_get(o, "replicas")));
  assert_int_equal(tug_obj_get_int(o, "replicas", 0), 3);
  assert_string_equal(tug_obj_get_str(o, "quoted"), "3");
  assert_string_equal(tug_obj_get_str(o, "single"), "8080");
  assert_true(json_is_true(json_object_get(o, "enabled")));
  assert_true(json_is_false(json_object_get(o, "off")));
  assert_string_equal(tug_obj_get_str(o, "answer"), "yes");
  assert_string_equal(tug_obj_get_str(o, "cpu"), "500m");
  assert_int_equal(tug_obj_get_int(o, "port", 0), 8080);
  assert_int_equal(tug_obj_get_int(o, "negative", 0), -5);
  assert_true(json_is_real(json_object_get(o, "version")));
  assert_true(json_real_value(json_object_get(o, "version")) == 1.1);
  assert_true(json_real_value(json_object_get(o, "sci")) == 1000.0);
  assert_int_equal(tug_obj_get_int(o, "mode", 0), 0644);
  assert_int_equal(tug_obj_get_int(o, "hex", 0), 31);
  assert_int_equal(tug_obj_get_int(o, "bin", 0), 5);
  assert_true(json_real_value(json_object_get(o, "huge")) == 1e20);
  assert_true(json_real_value(json_object_get(o, "notoctal")) == 9.0);
  assert_true(json_is_null(json_object_get(o, "tilde")));
  assert_true(json_is_null(json_object_get(o, "nul")));
  assert_true(json_is_null(json_object_get(o, "empty")));
  assert_string_equal(tug_obj_get_str(o, "inf"), ".inf");
  assert_string_equal(tug_obj_get_str(o, "tagged"), "3");
  assert_string_equal(tug_obj_get_str(o, "123"), "numeric key");
  assert_string_equal(tug_obj_get_str(o, "block"), "line\n");
}

static void int64_bounds_stay_integers(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("b.yaml", "apiVersion: v1\nkind: X\n"
                                                    "max: 9223372036854775807\n"
                                                    "min: -9223372036854775808\n");
  assert_true(tug_obj_get_int(item(&d, 0), "max", 0) == INT64_MAX);
  assert_true(tug_obj_get_int(item(&d, 0), "min", 0) == INT64_MIN);
}

/* ---- anchors ---- */

static void aliases_resolve_to_independent_copies(void **state) {
  (void)state;
  _cleanup_decoded_ decoded d = decode_ok("a.yaml", "apiVersion: v1\nkind: Pod\n"
                                                    "metadata:\n  labels: &l {app: web}\n"
                                                    "spec:\n  selector: *l\n");
  json_t *o = item(&d, 0);
  assert_true(json_equal(tug_obj_get(o, "metadata.labels"), tug_obj_get(o, "spec.selector")));
  assert_ptr_not_equal(tug_obj_get(o, "metadata.labels"), tug_obj_get(o, "spec.selector"));
}

static void yaml_alias_bomb_is_rejected(void **state) {
  (void)state;
  assert_decode_error("lol.yaml",
                      "apiVersion: v1\nkind: ConfigMap\ndata:\n"
                      "  a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
                      "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                      "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                      "  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                      "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                      "  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                      "  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
                      "  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n",
                      "lol.yaml:9:10: aliases expand to more than 100000 values (a YAML alias "
                      "bomb?)");
}

static void anchor_problems_are_clear_errors(void **state) {
  (void)state;
  assert_decode_error("m.yaml", "base: &b {x: 1}\nobj:\n  <<: *b\n",
                      "m.yaml:3:3: merge keys (<<) are not supported");
  assert_decode_error("u.yaml", "a: *nope\n",
                      "u.yaml:1:4: unknown anchor &nope (aliases may only refer back to a "
                      "finished node in the same document)");
  assert_decode_error("d.yaml", "kind: A\nkind: B\n", "d.yaml:2:1: duplicate key \"kind\"");
}

/* ---- errors ---- */

static void yaml_syntax_error_names_file_line_and_column(void **state) {
  (void)state;
  assert_decode_error("web.yaml", "apiVersion: v1\nkind: Pod\nmetadata: name: web\n",
                      "web.yaml:3:15: mapping values are not allowed in this context");
  assert_decode_error("tab.yaml", "a:\n  - b\n  c: d\n",
                      "tab.yaml:3:3: did not find expected '-' indicator (while parsing a block "
                      "collection at line 2)");
}

static void json_syntax_error_names_file_line_and_column(void **state) {
  (void)state;
  assert_decode_error("bad.json", "{\"apiVersion\": \"v1\",\n  \"kind\" \"Pod\"}\n",
                      "bad.json:2:14: ':' expected near '\"Pod\"'");
  assert_decode_error("two.json", "{\"apiVersion\":\"v1\",\"kind\":\"A\"}\n{\"a\":1,\n\"a\":2}",
                      "two.json:3:3: duplicate object key near '\"a\"'");
}

static void invalid_utf8_names_the_position(void **state) {
  (void)state;
  assert_decode_error("u8.yaml", "a: b\nc: \xff\n", "u8.yaml:2:4: invalid leading UTF-8 octet");
}

static void non_mapping_document_is_an_error_naming_the_document(void **state) {
  (void)state;
  _cleanup_free_ char *p = pod("a");
  char text[256];
  snprintf(text, sizeof text, "%s---\n- just\n- a list\n", p);
  assert_decode_error("web.yaml", text,
                      "web.yaml: document 2 (line 6): expected a mapping with apiVersion and "
                      "kind, found an array");
  assert_decode_error("s.yaml", "hello\n",
                      "s.yaml: document 1 (line 1): expected a mapping with apiVersion and kind, "
                      "found a string");
}

static void missing_kind_or_api_version_is_an_error(void **state) {
  (void)state;
  assert_decode_error("k.yaml", "apiVersion: v1\nmetadata: {name: a}\n",
                      "k.yaml: document 1 (line 1): missing kind");
  assert_decode_error("v.yaml", "kind: Pod\n", "v.yaml: document 1 (line 1): missing apiVersion");
  assert_decode_error("e.yaml", "apiVersion: v1\nkind: ''\n",
                      "e.yaml: document 1 (line 1): kind must be a non-empty string");
  assert_decode_error("l.json",
                      "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
                      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},{\"apiVersion\":\"v1\"}]}",
                      "l.json: document 1, item 2 (line 1): missing kind");
}

static void deep_nesting_is_rejected(void **state) {
  (void)state;
  size_t n = 10000;
  _cleanup_free_ char *yaml = malloc(n + 1);
  memset(yaml, '[', n);
  yaml[n] = '\0';
  assert_decode_error("deep.yaml", yaml, "deep.yaml:1:129: nested deeper than 128 levels");

  _cleanup_free_ char *json = malloc(5 * n + 1);
  for (size_t i = 0; i < n; i++)
    memcpy(json + 5 * i, "{\"a\":", 5);
  json[5 * n] = '\0';
  decoded d = {0};
  tug_error err = {0};
  assert_int_equal(decode("deep.json", json, &d, &err), -1);
  assert_null(d.items);
  assert_non_null(strstr(err.msg, "deep.json:1:"));

  char mid[2 * 200 + 64] = "{\"apiVersion\":\"v1\",\"kind\":\"X\",\"a\":";
  size_t at = strlen(mid);
  memset(mid + at, '[', 199);
  memset(mid + at + 199, ']', 199);
  strcpy(mid + at + 398, "}");
  assert_decode_error("mid.json", mid,
                      "mid.json: document 1 (line 1): JSON is nested deeper than 128 levels");
}

/* ---- files, directories, stdin ---- */

static void unreadable_file_is_an_errno_error(void **state) {
  (void)state;
  json_t *items = json_true();
  tug_manifest_origin *origins = NULL;
  tug_error err = {0};
  assert_int_equal(tug_manifest_decode_path("/nonexistent/web.yaml", false, &items, &origins, &err),
                   -1);
  assert_null(items);
  assert_int_equal(err.code, ENOENT);
  assert_string_equal(err.msg, "open /nonexistent/web.yaml: No such file or directory");

  _cleanup_tree_ char *dir = make_temp_dir();
  _cleanup_free_ char *p = pod("a");
  char link[512];
  write_file(dir, "a.yaml", p);
  snprintf(link, sizeof link, "%s/b.yaml", dir);
  assert_int_equal(symlink("/nonexistent/target.yaml", link), 0);
  items = json_true();
  assert_int_equal(tug_manifest_decode_path(dir, false, &items, &origins, &err), -1);
  assert_null(items);
  assert_null(origins);
  assert_int_equal(err.code, ENOENT);
  assert_non_null(strstr(err.msg, "b.yaml: No such file or directory"));
}

static void directory_yields_manifest_files_sorted_by_name(void **state) {
  (void)state;
  _cleanup_tree_ char *dir = make_temp_dir();
  _cleanup_free_ char *a = pod("a"), *b = pod("b"), *c = pod("c"), *e = pod("e");
  char sub[512], text[512];
  snprintf(text, sizeof text, "%s---\n%s", b, c);
  write_file(dir, "b.yaml", text);
  write_file(dir, "a.yml", a);
  write_file(dir, "c.json",
             "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"d\"}}");
  write_file(dir, "notes.txt", "not: a manifest\n");
  snprintf(sub, sizeof sub, "%s/d-sub", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  write_file(sub, "e.yaml", e);

  _cleanup_decoded_ decoded flat = {0};
  tug_error err = {0};
  assert_int_equal(tug_manifest_decode_path(dir, false, &flat.items, &flat.origins, &err), 0);
  assert_int_equal(json_array_size(flat.items), 4);
  const char *want[] = {"a", "b", "c", "d"};
  for (size_t i = 0; i < 4; i++)
    assert_string_equal(tug_obj_name(item(&flat, i)), want[i]);
  snprintf(text, sizeof text, "%s/b.yaml", dir);
  assert_origin(&flat.origins[2], text, 2, 0, 6);

  _cleanup_decoded_ decoded deep = {0};
  assert_int_equal(tug_manifest_decode_path(dir, true, &deep.items, NULL, &err), 0);
  assert_int_equal(json_array_size(deep.items), 5);
  assert_string_equal(tug_obj_name(item(&deep, 4)), "e");
}

static void error_in_a_later_file_returns_nothing(void **state) {
  (void)state;
  _cleanup_tree_ char *dir = make_temp_dir();
  _cleanup_free_ char *a = pod("a");
  write_file(dir, "a.yaml", a);
  write_file(dir, "b.yaml", "apiVersion: v1\nkind: [\n");
  json_t *items = NULL;
  tug_manifest_origin *origins = NULL;
  tug_error err = {0};
  assert_int_equal(tug_manifest_decode_path(dir, false, &items, &origins, &err), -1);
  assert_null(items);
  assert_null(origins);
  assert_non_null(strstr(err.msg, "/b.yaml:"));
}

static void dash_reads_standard_input(void **state) {
  (void)state;
  _cleanup_tree_ char *dir = make_temp_dir();
  _cleanup_free_ char *a = pod("from-stdin");
  char path[512];
  write_file(dir, "in.yaml", a);
  snprintf(path, sizeof path, "%s/in.yaml", dir);
  int saved = dup(STDIN_FILENO);
  int fd = open(path, O_RDONLY);
  assert_true(saved >= 0 && fd >= 0);
  dup2(fd, STDIN_FILENO);
  close(fd);
  _cleanup_decoded_ decoded d = {0};
  tug_error err = {0};
  int rc = tug_manifest_decode_path("-", false, &d.items, &d.origins, &err);
  dup2(saved, STDIN_FILENO);
  close(saved);
  assert_int_equal(rc, 0);
  assert_string_equal(tug_obj_name(item(&d, 0)), "from-stdin");
  assert_origin(&d.origins[0], "<stdin>", 1, 0, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(single_yaml_document_decodes_to_one_object),
      cmocka_unit_test(multi_document_yaml_skips_empty_documents),
      cmocka_unit_test(empty_input_decodes_to_an_empty_array),
      cmocka_unit_test(json_object_and_json_stream_decode),
      cmocka_unit_test(json_list_items_are_returned_individually),
      cmocka_unit_test(yaml_typed_list_items_carry_their_own_lines),
      cmocka_unit_test(kind_ending_in_list_without_items_array_is_an_ordinary_object),
      cmocka_unit_test(yaml_scalars_are_typed_like_kubernetes),
      cmocka_unit_test(int64_bounds_stay_integers),
      cmocka_unit_test(aliases_resolve_to_independent_copies),
      cmocka_unit_test(yaml_alias_bomb_is_rejected),
      cmocka_unit_test(anchor_problems_are_clear_errors),
      cmocka_unit_test(yaml_syntax_error_names_file_line_and_column),
      cmocka_unit_test(json_syntax_error_names_file_line_and_column),
      cmocka_unit_test(invalid_utf8_names_the_position),
      cmocka_unit_test(non_mapping_document_is_an_error_naming_the_document),
      cmocka_unit_test(missing_kind_or_api_version_is_an_error),
      cmocka_unit_test(deep_nesting_is_rejected),
      cmocka_unit_test(unreadable_file_is_an_errno_error),
      cmocka_unit_test(directory_yields_manifest_files_sorted_by_name),
      cmocka_unit_test(error_in_a_later_file_returns_nothing),
      cmocka_unit_test(dash_reads_standard_input),
  };
  return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
