/* Unit tests for kubectl's JSONPath templates, --sort-by and custom columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli_test.h"
#include "columns.h"
#include "jsonpath.h"
#include "sort-by.h"

static const char pod[] =
    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\","
    "\"labels\":{\"app\":\"web\",\"app.kubernetes.io/name\":\"shop\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"busybox\",\"ports\":[{\"containerPort\":"
    "80}]},"
    "{\"name\":\"b\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":443},{\"containerPort\":"
    "8443}]},"
    "{\"name\":\"c\",\"image\":\"redis\"}]},"
    "\"status\":{\"phase\":\"Running\",\"conditions\":["
    "{\"type\":\"Initialized\",\"status\":\"True\"},{\"type\":\"Ready\",\"status\":\"False\"}],"
    "\"containerStatuses\":[{\"name\":\"a\",\"restartCount\":3,\"ready\":true},"
    "{\"name\":\"b\",\"restartCount\":0,\"ready\":false,\"ratio\":0.25}]}}";

static const char list[] = "{\"kind\":\"List\",\"items\":["
                           "{\"metadata\":{\"name\":\"a\"},\"status\":{\"restarts\":2}},"
                           "{\"metadata\":{\"name\":\"b\"},\"status\":{\"restarts\":10}},"
                           "{\"metadata\":{\"name\":\"c\"},\"status\":{}}]}";

/* What the template prints for the data; NULL (and the error in errbuf) when it fails. */
static char errbuf[1024];
static char *run(const char *tmpl, const char *data) {
  tug_error err = {0};
  errbuf[0] = '\0';
  _cleanup_json_ json_t *d = J(data);
  _cleanup_jsonpath_ tug_jsonpath *jp = tug_jsonpath_parse(tmpl, &err);
  if (jp == NULL) {
    snprintf(errbuf, sizeof errbuf, "%s", err.msg);
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  int rc = tug_jsonpath_print(jp, d, out, &err);
  fclose(out);
  if (rc < 0) {
    snprintf(errbuf, sizeof errbuf, "%s", err.msg);
    free(buf);
    return NULL;
  }
  return buf;
}

#define assert_prints(tmpl, data, want)                                                            \
  do {                                                                                             \
    _cleanup_free_ char *got_ = run(tmpl, data);                                                   \
    if (got_ == NULL)                                                                              \
      fail_msg("%s: error %s", tmpl, errbuf);                                                      \
    assert_string_equal(got_, want);                                                               \
  } while (0)

#define assert_fails(tmpl, data, msg_part)                                                         \
  do {                                                                                             \
    _cleanup_free_ char *got_ = run(tmpl, data);                                                   \
    if (got_ != NULL)                                                                              \
      fail_msg("%s: printed \"%s\", want an error", tmpl, got_);                                   \
    if (strstr(errbuf, msg_part) == NULL)                                                          \
      fail_msg("%s: error \"%s\" lacks \"%s\"", tmpl, errbuf, msg_part);                           \
  } while (0)

static void fields_and_bracket_keys(void **state) {
  (void)state;
  assert_prints("{.metadata.name}", pod, "web-1");
  assert_prints("{.metadata['name']}", pod, "web-1");
  assert_prints("{['metadata']['namespace']}", pod, "shop");
  assert_prints("{.metadata.labels['app.kubernetes.io/name']}", pod, "shop");
  assert_prints("{.metadata.labels.app\\.kubernetes\\.io/name}", pod, "shop");
  assert_prints("{$.metadata.name}", pod, "web-1");
  assert_prints("{ .metadata.name }", pod, "web-1");
}

static void literal_text_and_escapes(void **state) {
  (void)state;
  assert_prints("name={.metadata.name}, phase={.status.phase}", pod, "name=web-1, phase=Running");
  assert_prints("{.metadata.name}{\"\\n\"}", pod, "web-1\n");
  assert_prints("{.metadata.name}{\"\\t\"}{'x'}", pod, "web-1\tx");
  assert_prints("no actions at all", pod, "no actions at all");
  assert_prints("{\"\\u00e9\"}", pod, "\xc3\xa9");
}

static void missing_keys_print_nothing(void **state) {
  (void)state;
  assert_prints("[{.metadata.nothing}]", pod, "[]");
  assert_prints("[{.nope.deeper[0].x}]", pod, "[]");
}

static void values_print_as_kubectl_prints_them(void **state) {
  (void)state;
  assert_prints("{.status.containerStatuses[0].restartCount}", pod, "3");
  assert_prints("{.status.containerStatuses[0].ready}", pod, "true");
  assert_prints("{.status.containerStatuses[1].ratio}", pod, "0.25");
  assert_prints("{.metadata.labels}", pod, "{\"app\":\"web\",\"app.kubernetes.io/name\":\"shop\"}");
  assert_prints("{.spec.containers[0].ports}", pod, "[{\"containerPort\":80}]");
  assert_prints("{.x}", "{\"x\":null}", "null");
}

static void indexes_negative_indexes_and_slices(void **state) {
  (void)state;
  assert_prints("{.spec.containers[1].name}", pod, "b");
  assert_prints("{.spec.containers[-1].name}", pod, "c");
  assert_prints("{.spec.containers[0:2].name}", pod, "a b");
  assert_prints("{.spec.containers[1:].name}", pod, "b c");
  assert_prints("{.spec.containers[:1].name}", pod, "a");
  assert_prints("{.spec.containers[::2].name}", pod, "a c");
  assert_prints("{.spec.containers[-2:].name}", pod, "b c");
  assert_prints("{.spec.containers[0:10].name}", pod, "a b c");
  assert_prints("[{.spec.containers[2:1].name}]", pod, "[]");
}

static void an_index_past_the_end_is_an_error(void **state) {
  (void)state;
  assert_fails("{.spec.containers[3].name}", pod, "array index out of bounds: index 3, length 3");
  assert_fails("{.spec.containers[-4]}", pod, "out of bounds");
  assert_fails("{.metadata[0]}", pod, "not array or slice");
  assert_fails("{.spec.containers[::0]}", pod, "step must be > 0");
}

static void wildcards_join_results_with_spaces(void **state) {
  (void)state;
  assert_prints("{.spec.containers[*].name}", pod, "a b c");
  assert_prints("{.spec.containers[*].ports[*].containerPort}", pod, "80 443 8443");
  assert_prints("{.metadata.labels.*}", pod, "web shop");
  assert_prints("{.items[*].metadata.name}", list, "a b c");
}

static void unions_of_indexes_and_keys(void **state) {
  (void)state;
  assert_prints("{.spec.containers[0,2].name}", pod, "a c");
  assert_prints("{.metadata['name','namespace']}", pod, "web-1 shop");
}

static void recursive_descent_finds_every_depth(void **state) {
  (void)state;
  assert_prints("{..containerPort}", pod, "80 443 8443");
  assert_prints("{.status..restartCount}", pod, "3 0");
  assert_prints("{..ready}", pod, "true false");
  assert_fails("{.....x}", pod, "invalid multiple recursive descent");
}

static void filters_compare_with_every_operator(void **state) {
  (void)state;
  assert_prints("{.status.conditions[?(@.type==\"Ready\")].status}", pod, "False");
  assert_prints("{.status.conditions[?(@.type=='Ready')].status}", pod, "False");
  assert_prints("{.status.conditions[?(@.type!=\"Ready\")].type}", pod, "Initialized");
  assert_prints("{.status.containerStatuses[?(@.restartCount>0)].name}", pod, "a");
  assert_prints("{.status.containerStatuses[?(@.restartCount<1)].name}", pod, "b");
  assert_prints("{.status.containerStatuses[?(@.restartCount>=0)].name}", pod, "a b");
  assert_prints("{.status.containerStatuses[?(@.restartCount<=3)].name}", pod, "a b");
  assert_prints("{.status.containerStatuses[?(@.ready==true)].name}", pod, "a");
  assert_prints("{.status.containerStatuses[?(@.ratio)].name}", pod, "b");
  assert_prints("{.spec.containers[?(@.ports[0].containerPort==443)].image}", pod, "nginx");
  assert_prints("{.items[?(@.status.restarts>5)].metadata.name}", list, "b");
  assert_prints("[{.status.conditions[?(@.type==\"Nope\")].status}]", pod, "[]");
  assert_prints("{.status.conditions[?(@.type==\"a)b\")].status}", pod, "");
}

static void range_repeats_its_body_for_each_result(void **state) {
  (void)state;
  assert_prints("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", list, "a\nb\nc\n");
  assert_prints("{range .items[*]}[{.metadata.name},{.status.restarts}]{end}", list,
                "[a,2][b,10][c,]");
  assert_prints("{range .spec.containers[*]}{.name}:{range .ports[*]}{.containerPort};{end} {end}",
                pod, "a:80; b:443;8443; c: ");
  assert_prints("{range .items[*]}{.metadata.name} ", list, "a b c ");
  assert_prints("x{range .nothing[*]}{.y}{end}z", pod, "xz");
}

static void bad_templates_are_errors(void **state) {
  (void)state;
  assert_fails("{.metadata.name", pod, "unclosed action");
  assert_fails("{.spec.containers[0}", pod, "unterminated array");
  assert_fails("{.spec.containers[x]}", pod, "invalid array index x");
  assert_fails("{.a[?(@.b==1}", pod, "unterminated filter");
  assert_fails("{.a[?(@.b===1)]}", pod, "unrecognized filter operator ===");
  assert_fails("{.a[?(@.b=1)]}", pod, "unrecognized filter operator =");
  assert_fails("{\"open}", pod, "unterminated quoted string");
  assert_fails("{end}", pod, "not in range, nothing to end");
  assert_fails("{frob .x}", pod, "unrecognized identifier frob");
  assert_fails("{.a}{#}", pod, "unrecognized character in action: #");
  assert_fails("{\"\\q\"}", pod, "invalid escape");
}

static void find_collects_results_for_callers(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *d = J(pod);
  _cleanup_jsonpath_ tug_jsonpath *jp = tug_jsonpath_parse("{.spec.containers[*].name}", &err);
  assert_non_null(jp);
  _cleanup_json_ json_t *found = tug_jsonpath_find(jp, d, &err);
  assert_json(found, "[\"a\",\"b\",\"c\"]");
}

static void relaxed_paths_as_kubectl_takes_them(void **state) {
  (void)state;
  tug_error err = {0};
  const char *in[] = {"metadata.name", ".metadata.name", "{metadata.name}", "{.metadata.name}"};
  for (size_t i = 0; i < 4; i++) {
    _cleanup_free_ char *r = tug_jsonpath_relaxed(in[i], &err);
    assert_string_equal(r, "{.metadata.name}");
  }
  assert_null(tug_jsonpath_relaxed("{.a}{.b}", &err));
  assert_non_null(strstr(err.msg, "unexpected path string"));
}

/* The names of a list's items after sorting by path. */
static void assert_sorted(const char *items, const char *path, const char *want_names) {
  tug_error err = {0};
  _cleanup_json_ json_t *a = J(items);
  if (cli_sort_by(a, NULL, path, &err) < 0)
    fail_msg("sort by %s: %s", path, err.msg);
  char got[512] = "";
  size_t i;
  json_t *it;
  json_array_foreach(a, i, it) {
    strcat(got, i ? " " : "");
    strcat(got, json_string_value(json_object_get(json_object_get(it, "metadata"), "name")));
  }
  assert_string_equal(got, want_names);
}

static void sort_numbers_numerically_and_missing_first(void **state) {
  (void)state;
  _cleanup_json_ json_t *l = J(list);
  _cleanup_free_ char *items = json_dumps(json_object_get(l, "items"), 0);
  assert_sorted(items, ".status.restarts", "c a b");
  assert_sorted(items, "{.metadata.name}", "a b c");
}

static void sort_timestamps_by_time_and_names_naturally(void **state) {
  (void)state;
  assert_sorted("[{\"metadata\":{\"name\":\"late\",\"t\":\"2024-05-01T10:00:00.5Z\"}},"
                "{\"metadata\":{\"name\":\"early\",\"t\":\"2024-05-01T10:00:00Z\"}},"
                "{\"metadata\":{\"name\":\"first\",\"t\":\"2023-12-31T23:59:59Z\"}}]",
                ".metadata.t", "first early late");
  assert_sorted("[{\"metadata\":{\"name\":\"pod-10\"}},{\"metadata\":{\"name\":\"pod-9\"}},"
                "{\"metadata\":{\"name\":\"pod-1\"}}]",
                "metadata.name", "pod-1 pod-9 pod-10");
  assert_sorted("[{\"metadata\":{\"name\":\"big\",\"m\":\"1Gi\"}},"
                "{\"metadata\":{\"name\":\"small\",\"m\":\"500Mi\"}}]",
                ".metadata.m", "small big");
}

static void sort_is_stable_and_sorts_table_rows_by_object(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *rows =
      J("[{\"cells\":[\"x\"],\"object\":{\"n\":2}},{\"cells\":[\"y\"],\"object\":{\"n\":1}},"
        "{\"cells\":[\"z\"],\"object\":{\"n\":1}}]");
  assert_int_equal(cli_sort_by(rows, "object", ".n", &err), 0);
  assert_json(rows,
              "[{\"cells\":[\"y\"],\"object\":{\"n\":1}},{\"cells\":[\"z\"],\"object\":{\"n\":1}},"
              "{\"cells\":[\"x\"],\"object\":{\"n\":2}}]");
}

static void sort_by_a_field_no_object_has_fails(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_json_ json_t *a = J("[{\"a\":1},{\"a\":2}]");
  assert_int_equal(cli_sort_by(a, NULL, ".b", &err), -1);
  assert_string_equal(err.msg, "couldn't find any field with path \"{.b}\" in the list of objects");
  _cleanup_json_ json_t *empty = J("[]");
  assert_int_equal(cli_sort_by(empty, NULL, ".b", &err), 0);
}

static void custom_columns_print_as_a_table(void **state) {
  (void)state;
  tug_error err = {0};
  _cleanup_columns_ cli_columns *c =
      cli_columns_parse("NAME:.metadata.name,Restarts:{.status.restarts},X:.nope", &err);
  assert_non_null(c);
  _cleanup_json_ json_t *l = J(list);
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_int_equal(cli_columns_print(out, c, json_object_get(l, "items"), false, &err), 0);
  fclose(out);
  assert_string_equal(buf, "NAME   Restarts   X\n"
                           "a      2          <none>\n"
                           "b      10         <none>\n"
                           "c      <none>     <none>\n");
  free(buf);
  assert_null(cli_columns_parse("NAME", &err));
  assert_non_null(strstr(err.msg, "expected <header>:<json-path-expr>"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fields_and_bracket_keys),
      cmocka_unit_test(literal_text_and_escapes),
      cmocka_unit_test(missing_keys_print_nothing),
      cmocka_unit_test(values_print_as_kubectl_prints_them),
      cmocka_unit_test(indexes_negative_indexes_and_slices),
      cmocka_unit_test(an_index_past_the_end_is_an_error),
      cmocka_unit_test(wildcards_join_results_with_spaces),
      cmocka_unit_test(unions_of_indexes_and_keys),
      cmocka_unit_test(recursive_descent_finds_every_depth),
      cmocka_unit_test(filters_compare_with_every_operator),
      cmocka_unit_test(range_repeats_its_body_for_each_result),
      cmocka_unit_test(bad_templates_are_errors),
      cmocka_unit_test(find_collects_results_for_callers),
      cmocka_unit_test(relaxed_paths_as_kubectl_takes_them),
      cmocka_unit_test(sort_numbers_numerically_and_missing_first),
      cmocka_unit_test(sort_timestamps_by_time_and_names_naturally),
      cmocka_unit_test(sort_is_stable_and_sorts_table_rows_by_object),
      cmocka_unit_test(sort_by_a_field_no_object_has_fails),
      cmocka_unit_test(custom_columns_print_as_a_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
