/* Unit tests for tug's output: tables from the server's Table, YAML, resource words, config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli_test.h"
#include "config.h"
#include "printer.h"
#include "resources.h"

/* What a printer writes, as a string the test frees. */
#define CAPTURE(call)                                                                              \
  ({                                                                                               \
    char *buf_ = NULL;                                                                             \
    size_t len_ = 0;                                                                               \
    FILE *out = open_memstream(&buf_, &len_);                                                      \
    call;                                                                                          \
    fclose(out);                                                                                   \
    buf_;                                                                                          \
  })

static const char table[] =
    "{\"kind\":\"Table\",\"columnDefinitions\":["
    "{\"name\":\"Name\",\"priority\":0},{\"name\":\"Ready\",\"priority\":0},"
    "{\"name\":\"IP\",\"priority\":1},{\"name\":\"Nominated Node\",\"priority\":1}],"
    "\"rows\":[{\"cells\":[\"web-1\",\"1/1\",\"198.18.0.2\",\"<none>\"],"
    "\"object\":{\"metadata\":{\"namespace\":\"shop\"}}},"
    "{\"cells\":[\"a\",\"0/1\",null,3],\"object\":{\"metadata\":{\"namespace\":\"default\"}}}]}";

static void table_hides_wide_columns_and_aligns_with_three_spaces(void **state) {
  (void)state;
  _cleanup_json_ json_t *t = J(table);
  cli_table_opts o = {0};
  _cleanup_free_ char *s = CAPTURE(cli_print_table(out, t, &o));
  assert_string_equal(s, "NAME    READY\n"
                         "web-1   1/1\n"
                         "a       0/1\n");
}

static void wide_and_all_namespaces_add_columns(void **state) {
  (void)state;
  _cleanup_json_ json_t *t = J(table);
  cli_table_opts o = {.wide = true, .with_namespace = true};
  _cleanup_free_ char *s = CAPTURE(cli_print_table(out, t, &o));
  assert_string_equal(s, "NAMESPACE   NAME    READY   IP           NOMINATED NODE\n"
                         "shop        web-1   1/1     198.18.0.2   <none>\n"
                         "default     a       0/1     <none>       3\n");
}

static void empty_or_malformed_tables_print_nothing(void **state) {
  (void)state;
  cli_table_opts o = {0};
  _cleanup_json_ json_t *empty = J("{\"columnDefinitions\":[{\"name\":\"Name\"}],\"rows\":[]}");
  _cleanup_json_ json_t *odd = J("{\"columnDefinitions\":7,\"rows\":[{\"cells\":\"x\"}]}");
  _cleanup_json_ json_t *short_row =
      J("{\"columnDefinitions\":[{\"name\":\"A\"},{\"name\":\"B\"}],\"rows\":[{\"cells\":[1]},7]}");
  _cleanup_free_ char *a = CAPTURE(assert_int_equal(cli_print_table(out, empty, &o), 0));
  _cleanup_free_ char *b = CAPTURE(assert_int_equal(cli_print_table(out, odd, &o), 0));
  _cleanup_free_ char *c = CAPTURE(cli_print_table(out, short_row, &o));
  assert_string_equal(a, "");
  assert_string_equal(b, "");
  assert_string_equal(c, "A        B\n1        <none>\n<none>   <none>\n");
}

static void yaml_quotes_only_what_would_be_misread(void **state) {
  (void)state;
  assert_true(cli_yaml_plain_ok("busybox:latest"));
  assert_true(cli_yaml_plain_ok("app=web"));
  assert_false(cli_yaml_plain_ok("yes"));
  assert_false(cli_yaml_plain_ok("8080"));
  assert_false(cli_yaml_plain_ok("1.10"));
  assert_false(cli_yaml_plain_ok(""));
  assert_false(cli_yaml_plain_ok("a: b"));
  assert_false(cli_yaml_plain_ok("-f"));
  assert_false(cli_yaml_plain_ok("two\nlines"));
  assert_false(cli_yaml_plain_ok("{x}"));
  assert_false(cli_yaml_plain_ok("2026-12-02T12:16:40Z"));
  assert_true(cli_yaml_plain_ok("web-2026"));
}

static void yaml_is_block_style_with_sorted_keys(void **state) {
  (void)state;
  _cleanup_json_ json_t *v =
      J("{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"-p\",\"80\"]}],\"x\":{}},"
        "\"kind\":\"Pod\",\"none\":null,\"l\":[]}");
  _cleanup_free_ char *s = CAPTURE(cli_print_yaml(out, v));
  assert_string_equal(s, "kind: Pod\n"
                         "l: []\n"
                         "none: null\n"
                         "spec:\n"
                         "  containers:\n"
                         "  - args:\n"
                         "    - \"-p\"\n"
                         "    - \"80\"\n"
                         "    name: a\n"
                         "  x: {}\n");
}

static void ages_read_like_kubectl(void **state) {
  (void)state;
  char b[32];
  assert_string_equal(cli_format_age(5, b, sizeof b), "5s");
  assert_string_equal(cli_format_age(150, b, sizeof b), "2m30s");
  assert_string_equal(cli_format_age(3600, b, sizeof b), "60m");
  assert_string_equal(cli_format_age(4 * 3600 + 60, b, sizeof b), "4h1m");
  assert_string_equal(cli_format_age(3 * 86400, b, sizeof b), "3d0h");
  assert_string_equal(cli_format_age(-5, b, sizeof b), "0s");
}

static const char core[] =
    "[{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
    "\"shortNames\":[\"po\"]},{\"name\":\"pods/log\",\"namespaced\":true,\"kind\":\"Pod\"},"
    "{\"name\":\"nodes\",\"singularName\":\"node\",\"namespaced\":false,\"kind\":\"Node\","
    "\"shortNames\":[\"no\"]}]";

static void resource_words_resolve_by_name_singular_kind_and_short_name(void **state) {
  (void)state;
  _cleanup_json_ json_t *res = J(core);
  cli_resource r;
  const char *words[] = {"pods", "pod", "po", "pod"};
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(cli_resource_match(res, "v1", words[i], &r), 0);
    assert_string_equal(r.name, "pods");
    assert_true(r.namespaced);
  }
  assert_int_equal(cli_resource_match(res, "v1", "no", &r), 0);
  assert_false(r.namespaced);
  assert_int_equal(cli_resource_match(res, "v1", "log", &r), -1);
  assert_int_equal(cli_resource_match(res, "v1", "pods/log", &r), -1);
  assert_int_equal(cli_resource_match(res, "v1", "", &r), -1);
  assert_int_equal(cli_resource_match_kind(res, "v1", "Node", &r), 0);
  assert_int_equal(cli_resource_match_kind(res, "v1", "node", &r), -1);
}

static void paths_and_refs_follow_the_group(void **state) {
  (void)state;
  cli_resource d = {.group = "apps",
                    .version = "v1",
                    .name = "deployments",
                    .kind = "Deployment",
                    .namespaced = true};
  cli_resource n = {.version = "v1", .name = "nodes", .kind = "Node"};
  _cleanup_free_ char *a = cli_resource_path(&d, "shop", "web", "scale");
  _cleanup_free_ char *b = cli_resource_path(&d, NULL, NULL, NULL);
  _cleanup_free_ char *c = cli_resource_path(&n, "shop", "n 1/x", NULL);
  assert_string_equal(a, "/apis/apps/v1/namespaces/shop/deployments/web/scale");
  assert_string_equal(b, "/apis/apps/v1/deployments");
  assert_string_equal(c, "/api/v1/nodes/n%201%2Fx");
  char ref[64];
  assert_string_equal(cli_resource_ref(&d, ref, sizeof ref), "deployment.apps");
  assert_string_equal(cli_resource_ref(&n, ref, sizeof ref), "node");
}

static void config_reads_keys_comments_and_quotes(void **state) {
  (void)state;
  cli_config c = {0};
  tug_error e = {0};
  assert_int_equal(cli_config_parse("# made by tug up\nserver: \"http://127.0.0.1:7\" # here\n"
                                    "\nnamespace: shop\ntoken: t0k\n",
                                    "cfg", &c, &e),
                   0);
  assert_string_equal(c.server, "http://127.0.0.1:7");
  assert_string_equal(c.namespace, "shop");
  assert_string_equal(c.token, "t0k");
  cli_config_clear(&c);
  assert_int_equal(cli_config_parse("server http://x\n", "cfg", &c, &e), -1);
  assert_string_equal(e.msg, "cfg:1: want \"key: value\", got \"server http://x\"");
  assert_int_equal(cli_config_parse("sever: x\n", "cfg", &c, &e), -1);
  assert_non_null(strstr(e.msg, "unknown key \"sever\""));
  cli_config_clear(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_hides_wide_columns_and_aligns_with_three_spaces),
      cmocka_unit_test(wide_and_all_namespaces_add_columns),
      cmocka_unit_test(empty_or_malformed_tables_print_nothing),
      cmocka_unit_test(yaml_quotes_only_what_would_be_misread),
      cmocka_unit_test(yaml_is_block_style_with_sorted_keys),
      cmocka_unit_test(ages_read_like_kubectl),
      cmocka_unit_test(resource_words_resolve_by_name_singular_kind_and_short_name),
      cmocka_unit_test(paths_and_refs_follow_the_group),
      cmocka_unit_test(config_reads_keys_comments_and_quotes),
  };
  return cmocka_run_group_tests_name("cli-print", tests, NULL, NULL);
}
