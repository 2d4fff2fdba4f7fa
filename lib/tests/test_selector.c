/* Unit tests for label selectors: string form, LabelSelector objects, label syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "selector.h"

/* Parses selector (which must be valid) and matches it against labels_json (NULL: none). */
static bool matches(const char *selector, const char *labels_json) {
  tug_error err = {0};
  tug_selector *sel = NULL;
  if (tug_selector_parse(selector, &sel, &err) < 0)
    fail_msg("parse \"%s\": %s", selector ? selector : "(null)", err.msg);
  json_t *labels = labels_json ? json_loads(labels_json, 0, NULL) : NULL;
  if (labels_json != NULL && labels == NULL)
    fail_msg("bad test labels %s", labels_json);
  bool m = tug_selector_matches(sel, labels);
  json_decref(labels);
  tug_selector_free(sel);
  return m;
}

/* Asserts that selector fails to parse with exactly msg. */
static void assert_parse_error(const char *selector, const char *msg) {
  tug_error err = {0};
  tug_selector *sel = (tug_selector *)&err; /* must be left alone on failure */
  assert_int_equal(tug_selector_parse(selector, &sel, &err), -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_string_equal(err.msg, msg);
  assert_ptr_equal(sel, (tug_selector *)&err);
}

static void equality_matches_only_that_value(void **state) {
  (void)state;
  assert_true(matches("app=web", "{\"app\":\"web\"}"));
  assert_true(matches("app==web", "{\"app\":\"web\",\"tier\":\"fe\"}"));
  assert_false(matches("app=web", "{\"app\":\"db\"}"));
  assert_false(matches("app==web", "{\"tier\":\"web\"}"));
  assert_false(matches("app=web", NULL));
}

static void inequality_matches_other_values_and_missing_labels(void **state) {
  (void)state;
  assert_true(matches("app!=web", "{\"app\":\"db\"}"));
  assert_true(matches("app!=web", "{}"));
  assert_true(matches("app!=web", NULL));
  assert_false(matches("app!=web", "{\"app\":\"web\"}"));
}

static void in_matches_any_listed_value(void **state) {
  (void)state;
  assert_true(matches("env in (prod,staging)", "{\"env\":\"prod\"}"));
  assert_true(matches("env in (prod,staging)", "{\"env\":\"staging\"}"));
  assert_false(matches("env in (prod,staging)", "{\"env\":\"dev\"}"));
  assert_false(matches("env in (prod,staging)", "{}"));
  assert_false(matches("env in (prod)", NULL));
}

static void notin_matches_unlisted_values_and_missing_labels(void **state) {
  (void)state;
  assert_true(matches("env notin (prod, staging)", "{\"env\":\"dev\"}"));
  assert_true(matches("env notin (prod, staging)", "{\"app\":\"web\"}"));
  assert_true(matches("env notin (prod)", NULL));
  assert_false(matches("env notin (prod, staging)", "{\"env\":\"staging\"}"));
}

static void exists_and_does_not_exist_look_only_at_the_key(void **state) {
  (void)state;
  assert_true(matches("canary", "{\"canary\":\"\"}"));
  assert_false(matches("canary", "{\"app\":\"canary\"}"));
  assert_false(matches("canary", NULL));
  assert_true(matches("!canary", "{\"app\":\"canary\"}"));
  assert_true(matches("!canary", NULL));
  assert_false(matches("!canary", "{\"canary\":\"yes\"}"));
  assert_true(matches("! canary", "{}"));
}

static void requirements_must_all_hold(void **state) {
  (void)state;
  const char *sel = "app=web,tier!=db,env in (prod,staging),track notin (canary),owner,!legacy";
  assert_true(matches(sel, "{\"app\":\"web\",\"tier\":\"fe\",\"env\":\"prod\",\"owner\":\"x\"}"));
  assert_false(matches(sel, "{\"app\":\"web\",\"tier\":\"db\",\"env\":\"prod\",\"owner\":\"x\"}"));
  assert_false(matches(sel, "{\"app\":\"web\",\"env\":\"prod\",\"owner\":\"x\",\"legacy\":\"1\"}"));
  assert_false(matches(sel, "{\"app\":\"web\",\"env\":\"prod\"}"));
  assert_false(
      matches(sel, "{\"app\":\"web\",\"env\":\"prod\",\"owner\":\"x\",\"track\":\"canary\"}"));
}

static void whitespace_around_tokens_is_ignored(void **state) {
  (void)state;
  const char *labels = "{\"app\":\"web\",\"env\":\"prod\"}";
  assert_true(matches("  app  =  web  ,  env  in(  prod  ,qa )  ", labels));
  assert_true(matches("app\t==\tweb,\n!canary,\r\nenv notin(qa)", labels));
  assert_true(matches("app!= db ,env", labels));
}

static void empty_selector_matches_everything(void **state) {
  (void)state;
  assert_true(matches("", NULL));
  assert_true(matches("", "{\"app\":\"web\"}"));
  assert_true(matches("   \t", "{}"));
  assert_true(matches(NULL, NULL));
}

static void missing_or_empty_values_mean_the_empty_string(void **state) {
  (void)state;
  assert_true(matches("a=", "{\"a\":\"\"}"));
  assert_false(matches("a=", "{\"a\":\"x\"}"));
  assert_true(matches("a==,b", "{\"a\":\"\",\"b\":\"x\"}"));
  assert_true(matches("a in (x,)", "{\"a\":\"\"}"));
  assert_true(matches("a in (,x)", "{\"a\":\"x\"}"));
  assert_true(matches("a in (x,,y)", "{\"a\":\"\"}"));
  assert_false(matches("a in (x,y)", "{\"a\":\"\"}"));
}

static void prefixed_keys_and_keyword_values_parse(void **state) {
  (void)state;
  assert_true(matches("app.kubernetes.io/name=web", "{\"app.kubernetes.io/name\":\"web\"}"));
  assert_true(matches("a=in,notin=notin", "{\"a\":\"in\",\"notin\":\"notin\"}"));
  assert_true(matches("in in (in)", "{\"in\":\"in\"}"));
  assert_true(matches("A_b.c-D=X.y_z-1", "{\"A_b.c-D\":\"X.y_z-1\"}"));
}

static void non_string_label_values_never_equal_a_value(void **state) {
  (void)state;
  assert_false(matches("a=1", "{\"a\":1}"));
  assert_true(matches("a!=1", "{\"a\":1}"));
  assert_true(matches("a", "{\"a\":1}"));
}

static void parse_errors_point_at_the_column(void **state) {
  (void)state;
  assert_parse_error("a in (x", "label selector \"a in (x\": column 8: expected \",\" or \")\"");
  assert_parse_error(
      "a in (x y)",
      "label selector \"a in (x y)\": column 9: expected \",\" or \")\", found \"y\"");
  assert_parse_error("a in x", "label selector \"a in x\": column 6: expected \"(\", found \"x\"");
  assert_parse_error("a in", "label selector \"a in\": column 5: expected \"(\"");
  assert_parse_error("a in ()",
                     "label selector \"a in ()\": column 7: expected a label value, found \")\"");
  assert_parse_error("a in (", "label selector \"a in (\": column 7: expected a label value");
  assert_parse_error("a in (=)",
                     "label selector \"a in (=)\": column 7: expected a label value, found \"=\"");
  assert_parse_error("a in (x))", "label selector \"a in (x))\": column 9: expected \",\" or end "
                                  "of string, found \")\"");
  assert_parse_error("a b", "label selector \"a b\": column 3: expected \"=\", \"==\", \"!=\", "
                            "\"in\" or \"notin\", found \"b\"");
  assert_parse_error("a>1", "label selector \"a>1\": column 2: expected \"=\", \"==\", \"!=\", "
                            "\"in\" or \"notin\", found \">\"");
  assert_parse_error("a=b c", "label selector \"a=b c\": column 5: expected \",\" or end of "
                              "string, found \"c\"");
  assert_parse_error("a=b,", "label selector \"a=b,\": column 5: expected a label key or \"!\"");
  assert_parse_error(",a",
                     "label selector \",a\": column 1: expected a label key or \"!\", found \",\"");
  assert_parse_error("a,,b", "label selector \"a,,b\": column 3: expected a label key or \"!\", "
                             "found \",\"");
  assert_parse_error(
      "(a)", "label selector \"(a)\": column 1: expected a label key or \"!\", found \"(\"");
  assert_parse_error("!", "label selector \"!\": column 2: expected a label key");
  assert_parse_error("!=a", "label selector \"!=a\": column 1: expected a label key or \"!\", "
                            "found \"!=\"");
  assert_parse_error("!a=b", "label selector \"!a=b\": column 3: expected \",\" or end of string, "
                             "found \"=\"");
  assert_parse_error("a=!",
                     "label selector \"a=!\": column 3: expected a label value, found \"!\"");
  assert_parse_error("a===b",
                     "label selector \"a===b\": column 4: expected a label value, found \"=\"");
}

static void bad_keys_and_values_in_selectors_are_rejected(void **state) {
  (void)state;
  assert_parse_error("-a=b", "label selector \"-a=b\": column 1: invalid label key \"-a\": name "
                             "part must start and end with an alphanumeric character");
  assert_parse_error("a=b-", "label selector \"a=b-\": column 3: invalid label value \"b-\": must "
                             "start and end with an alphanumeric character");
  assert_parse_error("a in (x, y@z)",
                     "label selector \"a in (x, y@z)\": column 10: invalid label value \"y@z\": "
                     "must consist of alphanumeric characters, '-', '_' or '.'");
  assert_parse_error("Example.com/a=b",
                     "label selector \"Example.com/a=b\": column 1: invalid label key "
                     "\"Example.com/a\": prefix part must consist of lowercase alphanumeric "
                     "characters, '-' or '.'");
  assert_parse_error("a/b/c", "label selector \"a/b/c\": column 1: invalid label key \"a/b/c\": "
                              "must contain at most one '/'");
  assert_parse_error(" /a", "label selector \" /a\": column 2: invalid label key \"/a\": prefix "
                            "part must not be empty");

  char long_sel[128];
  snprintf(long_sel, sizeof long_sel, "x=%064d", 0);
  tug_error err = {0};
  tug_selector *sel = NULL;
  assert_int_equal(tug_selector_parse(long_sel, &sel, &err), -1);
  assert_non_null(strstr(err.msg, "column 3: invalid label value"));
  assert_non_null(strstr(err.msg, "must be no more than 63 characters"));
  snprintf(long_sel, sizeof long_sel, "%064d", 0);
  assert_int_equal(tug_selector_parse(long_sel, &sel, &err), -1);
  assert_non_null(strstr(err.msg, "name part must be no more than 63 characters"));
}

static void label_keys_follow_kubernetes_rules(void **state) {
  (void)state;
  char prefix253[300], name63[64], buf[400];
  memset(name63, 'n', 63);
  name63[63] = '\0';
  memset(prefix253, 'p', 253);
  prefix253[253] = '\0';
  const char *why = "unset";
  assert_true(tug_label_key_valid("app", &why));
  assert_null(why);
  assert_true(tug_label_key_valid("app.kubernetes.io/name", NULL));
  assert_true(tug_label_key_valid("A_b-c.D9", NULL));
  assert_true(tug_label_key_valid("a-b.c-d/x", NULL));
  assert_true(tug_label_key_valid(name63, NULL));
  snprintf(buf, sizeof buf, "%s/%s", prefix253, name63);
  assert_true(tug_label_key_valid(buf, NULL));

  const char *bad[] = {"",         "-a",       "a-",        "_a",       "a b",    "a@b",
                       "a/b/c",    "/a",       "a/",        "A.com/x",  "a..b/x", ".a/x",
                       "-a.com/x", "a-.com/x", "a_b.com/x", "a.com./x", NULL};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    why = NULL;
    assert_false(tug_label_key_valid(bad[i], &why));
    assert_non_null(why);
  }
  snprintf(buf, sizeof buf, "%sn", name63);
  assert_false(tug_label_key_valid(buf, &why));
  assert_string_equal(why, "name part must be no more than 63 characters");
  snprintf(buf, sizeof buf, "%sp/a", prefix253);
  assert_false(tug_label_key_valid(buf, &why));
  assert_string_equal(why, "prefix part must be no more than 253 characters");
  assert_false(tug_label_key_valid("a/", &why));
  assert_string_equal(why, "name part must not be empty");
}

static void label_values_follow_kubernetes_rules(void **state) {
  (void)state;
  char v[80];
  const char *why = "unset";
  assert_true(tug_label_value_valid("", &why));
  assert_null(why);
  assert_true(tug_label_value_valid("web-1.x_Y", NULL));
  memset(v, 'v', 63);
  v[63] = '\0';
  assert_true(tug_label_value_valid(v, NULL));
  strcat(v, "v");
  assert_false(tug_label_value_valid(v, &why));
  assert_string_equal(why, "must be no more than 63 characters");
  assert_false(tug_label_value_valid("a b", &why));
  assert_false(tug_label_value_valid("-a", &why));
  assert_false(tug_label_value_valid("a/b", &why));
  assert_false(tug_label_value_valid(".", &why));
  assert_false(tug_label_value_valid(NULL, &why));
}

/* Builds a selector from a LabelSelector JSON object (which must be valid). */
static tug_selector *from_label_selector(const char *json) {
  json_t *obj = json_loads(json, 0, NULL);
  if (obj == NULL)
    fail_msg("bad test JSON %s", json);
  tug_error err = {0};
  tug_selector *sel = NULL;
  if (tug_selector_from_match_labels(json_object_get(obj, "matchLabels"),
                                     json_object_get(obj, "matchExpressions"), &sel, &err) < 0)
    fail_msg("from_match_labels %s: %s", json, err.msg);
  json_decref(obj);
  return sel;
}

static bool object_matches(const tug_selector *sel, const char *labels_json) {
  json_t *labels = json_loads(labels_json, 0, NULL);
  bool m = tug_selector_matches(sel, labels);
  json_decref(labels);
  return m;
}

static void label_selector_objects_combine_labels_and_expressions(void **state) {
  (void)state;
  tug_selector *sel =
      from_label_selector("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":["
                          "{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"fe\",\"be\"]},"
                          "{\"key\":\"env\",\"operator\":\"NotIn\",\"values\":[\"dev\"]},"
                          "{\"key\":\"owner\",\"operator\":\"Exists\"},"
                          "{\"key\":\"legacy\",\"operator\":\"DoesNotExist\",\"values\":[]}]}");
  assert_true(object_matches(sel, "{\"app\":\"web\",\"tier\":\"fe\",\"owner\":\"x\"}"));
  assert_true(
      object_matches(sel, "{\"app\":\"web\",\"tier\":\"be\",\"owner\":\"\",\"env\":\"p\"}"));
  assert_false(object_matches(sel, "{\"app\":\"db\",\"tier\":\"fe\",\"owner\":\"x\"}"));
  assert_false(object_matches(sel, "{\"app\":\"web\",\"tier\":\"x\",\"owner\":\"x\"}"));
  assert_false(
      object_matches(sel, "{\"app\":\"web\",\"tier\":\"fe\",\"owner\":\"x\",\"env\":\"dev\"}"));
  assert_false(object_matches(sel, "{\"app\":\"web\",\"tier\":\"fe\"}"));
  assert_false(
      object_matches(sel, "{\"app\":\"web\",\"tier\":\"fe\",\"owner\":\"x\",\"legacy\":\"1\"}"));
  assert_false(tug_selector_matches(sel, NULL));
  tug_selector_free(sel);
}

static void service_style_plain_map_selects_by_equality(void **state) {
  (void)state;
  json_t *map = json_pack("{s:s, s:s}", "app", "web", "tier", "fe");
  tug_error err = {0};
  tug_selector *sel = NULL;
  assert_int_equal(tug_selector_from_match_labels(map, NULL, &sel, &err), 0);
  assert_true(object_matches(sel, "{\"app\":\"web\",\"tier\":\"fe\",\"x\":\"y\"}"));
  assert_false(object_matches(sel, "{\"app\":\"web\"}"));
  tug_selector_free(sel);
  json_decref(map);
}

static void absent_label_selector_parts_match_everything(void **state) {
  (void)state;
  tug_selector *sel = from_label_selector("{\"matchLabels\":null,\"matchExpressions\":[]}");
  assert_true(tug_selector_matches(sel, NULL));
  assert_true(object_matches(sel, "{\"a\":\"b\"}"));
  tug_selector_free(sel);
  sel = from_label_selector("{}");
  assert_true(tug_selector_matches(sel, NULL));
  tug_selector_free(sel);
}

/* Asserts that the LabelSelector object json is rejected with exactly msg. */
static void assert_label_selector_error(const char *json, const char *msg) {
  json_t *obj = json_loads(json, 0, NULL);
  assert_non_null(obj);
  tug_error err = {0};
  tug_selector *sel = NULL;
  assert_int_equal(tug_selector_from_match_labels(json_object_get(obj, "matchLabels"),
                                                  json_object_get(obj, "matchExpressions"), &sel,
                                                  &err),
                   -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_string_equal(err.msg, msg);
  assert_null(sel);
  json_decref(obj);
}

static void label_selector_objects_are_validated(void **state) {
  (void)state;
  assert_label_selector_error("{\"matchLabels\":[\"app\"]}", "matchLabels: must be an object");
  assert_label_selector_error("{\"matchLabels\":{\"app\":1}}",
                              "matchLabels[\"app\"]: value must be a string");
  assert_label_selector_error("{\"matchLabels\":{\"-app\":\"web\"}}",
                              "matchLabels: invalid label key \"-app\": name part must start and "
                              "end with an alphanumeric character");
  assert_label_selector_error("{\"matchLabels\":{\"app\":\"we b\"}}",
                              "matchLabels[\"app\"]: invalid label value \"we b\": must consist "
                              "of alphanumeric characters, '-', '_' or '.'");
  assert_label_selector_error("{\"matchExpressions\":{}}", "matchExpressions: must be a list");
  assert_label_selector_error("{\"matchExpressions\":[\"a\"]}",
                              "matchExpressions[0]: must be an object");
  assert_label_selector_error("{\"matchExpressions\":[{\"operator\":\"Exists\"}]}",
                              "matchExpressions[0].key: must be a string");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a/b/c\",\"operator\":\"Exists\"}]}",
      "matchExpressions[0].key: invalid label key \"a/b/c\": must contain at most one '/'");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\"},"
      "{\"key\":\"b\",\"operator\":\"Equals\",\"values\":[\"x\"]}]}",
      "matchExpressions[1].operator: unknown operator \"Equals\": expected In, NotIn, Exists or "
      "DoesNotExist");
  assert_label_selector_error("{\"matchExpressions\":[{\"key\":\"a\"}]}",
                              "matchExpressions[0].operator: unknown operator \"\": expected In, "
                              "NotIn, Exists or DoesNotExist");
  assert_label_selector_error("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}",
                              "matchExpressions[0].values: must be non-empty for operator In");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[]}]}",
      "matchExpressions[0].values: must be non-empty for operator NotIn");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}",
      "matchExpressions[0].values: must be empty for operator Exists");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":\"x\"}]}",
      "matchExpressions[0].values: must be a list");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\",2]}]}",
      "matchExpressions[0].values[1]: must be a string");
  assert_label_selector_error(
      "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\",\"-y\"]}]}",
      "matchExpressions[0].values[1]: invalid label value \"-y\": must start and end with an "
      "alphanumeric character");
}

static void freeing_null_is_a_no_op(void **state) {
  (void)state;
  tug_selector_free(NULL);
  _cleanup_selector_ tug_selector *sel = NULL;
  tug_error err = {0};
  assert_int_equal(tug_selector_parse("a=b", &sel, &err), 0);
  assert_non_null(sel);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(equality_matches_only_that_value),
      cmocka_unit_test(inequality_matches_other_values_and_missing_labels),
      cmocka_unit_test(in_matches_any_listed_value),
      cmocka_unit_test(notin_matches_unlisted_values_and_missing_labels),
      cmocka_unit_test(exists_and_does_not_exist_look_only_at_the_key),
      cmocka_unit_test(requirements_must_all_hold),
      cmocka_unit_test(whitespace_around_tokens_is_ignored),
      cmocka_unit_test(empty_selector_matches_everything),
      cmocka_unit_test(missing_or_empty_values_mean_the_empty_string),
      cmocka_unit_test(prefixed_keys_and_keyword_values_parse),
      cmocka_unit_test(non_string_label_values_never_equal_a_value),
      cmocka_unit_test(parse_errors_point_at_the_column),
      cmocka_unit_test(bad_keys_and_values_in_selectors_are_rejected),
      cmocka_unit_test(label_keys_follow_kubernetes_rules),
      cmocka_unit_test(label_values_follow_kubernetes_rules),
      cmocka_unit_test(label_selector_objects_combine_labels_and_expressions),
      cmocka_unit_test(service_style_plain_map_selects_by_equality),
      cmocka_unit_test(absent_label_selector_parts_match_everything),
      cmocka_unit_test(label_selector_objects_are_validated),
      cmocka_unit_test(freeing_null_is_a_no_op),
  };
  return cmocka_run_group_tests_name("selector", tests, NULL, NULL);
}
