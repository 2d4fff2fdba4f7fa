/* Unit tests for tug's command line: verbs, flag forms, verb-specific letters, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "args.h"

#define PARSE(o, ...)                                                                              \
  ({                                                                                               \
    char *argv_[] = {"tug", __VA_ARGS__, NULL};                                                    \
    tug_error e_ = {0};                                                                            \
    int rc_ = cli_args_parse((int)(sizeof argv_ / sizeof argv_[0]) - 1, argv_, (o), &e_);          \
    rc_;                                                                                           \
  })

static void get_with_every_flag_form(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(
      PARSE(&o, "get", "pods", "-n", "shop", "-owide", "--selector=app=web", "-A", "-w"), 0);
  assert_string_equal(o.verb, "get");
  assert_int_equal(o.npos, 1);
  assert_string_equal(o.pos[0], "pods");
  assert_string_equal(o.namespace, "shop");
  assert_string_equal(o.output, "wide");
  assert_string_equal(o.selector, "app=web");
  assert_true(o.all_namespaces);
  assert_true(o.watch);
}

static void flags_may_come_before_the_verb(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "--server", "http://127.0.0.1:1", "-n=x", "get", "po"), 0);
  assert_string_equal(o.verb, "get");
  assert_string_equal(o.server, "http://127.0.0.1:1");
  assert_string_equal(o.namespace, "x");
  assert_string_equal(o.pos[0], "po");
}

static void f_is_filename_for_apply_and_follow_for_logs(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "apply", "-f", "a.yaml", "-f", "dir", "-R"), 0);
  assert_int_equal(o.nfiles, 2);
  assert_string_equal(o.files[1], "dir");
  assert_true(o.recursive);
  assert_int_equal(PARSE(&o, "logs", "-f", "web", "-c", "main", "--tail", "10", "-p"), 0);
  assert_true(o.follow);
  assert_true(o.previous);
  assert_int_equal(o.nfiles, 0);
  assert_string_equal(o.pos[0], "web");
  assert_string_equal(o.container, "main");
  assert_int_equal(o.tail, 10);
}

static void p_is_the_patch_outside_logs(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "patch", "deploy", "web", "-p", "{\"a\":1}", "--type", "merge"), 0);
  assert_string_equal(o.patch, "{\"a\":1}");
  assert_string_equal(o.patch_type, "merge");
  assert_false(o.previous);
}

static void numbers_are_checked(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "logs", "x", "--tail", "ten"), -1);
  assert_int_equal(PARSE(&o, "scale", "deploy/x", "--replicas=-3"), -1);
  assert_int_equal(PARSE(&o, "delete", "po", "x", "--grace-period", "0"), 0);
  assert_int_equal(o.grace_period, 0);
  assert_int_equal(PARSE(&o, "delete", "po", "x"), 0);
  assert_int_equal(o.grace_period, -1);
  assert_int_equal(PARSE(&o, "get", "po", "--tail", "99999999999999999999999"), -1);
}

static void bad_input_is_an_error_not_a_crash(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "get", "--bogus"), -1);
  assert_int_equal(PARSE(&o, "get", "-n"), -1);
  assert_int_equal(PARSE(&o, "get", "-Afoo"), -1);
  assert_int_equal(PARSE(&o, "get", "--watch=maybe"), -1);
  assert_int_equal(PARSE(&o, "-"), 0);
  assert_string_equal(o.verb, "-");
  assert_int_equal(PARSE(&o, "get", "--", "-weird-name"), 0);
  assert_string_equal(o.pos[0], "-weird-name");
}

static void up_takes_nodes_and_dir_and_leaves_them_unset_otherwise(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "up", "--nodes", "3", "--dir=/tmp/x"), 0);
  assert_int_equal(o.nodes, 3);
  assert_string_equal(o.dir, "/tmp/x");
  assert_int_equal(PARSE(&o, "up"), 0);
  assert_int_equal(o.nodes, -1);
  assert_null(o.dir);
  assert_int_equal(PARSE(&o, "up", "--nodes", "-1"), -1);
}

static void root_is_only_a_flag_of_image(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "image", "import", "a:b", "dir", "--root", "/r"), 0);
  assert_string_equal(o.root, "/r");
  assert_int_equal(PARSE(&o, "get", "po", "--root", "/r"), -1);
}

static void no_arguments_means_no_verb(void **state) {
  (void)state;
  cli_opts o;
  char *argv[] = {"tug", NULL};
  tug_error e = {0};
  assert_int_equal(cli_args_parse(1, argv, &o, &e), 0);
  assert_null(o.verb);
}

static void get_sort_by_and_jsonpath_output(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(
      PARSE(&o, "get", "po", "--sort-by=.metadata.name", "-o=jsonpath={.items[*].metadata.name}"),
      0);
  assert_string_equal(o.sort_by, ".metadata.name");
  assert_string_equal(o.output, "jsonpath={.items[*].metadata.name}");
}

static void delete_all_and_logs_since_flags(void **state) {
  (void)state;
  cli_opts o;
  assert_int_equal(PARSE(&o, "delete", "po", "--all", "-A", "--wait"), 0);
  assert_true(o.all);
  assert_true(o.all_namespaces);
  assert_int_equal(PARSE(&o, "logs", "web", "--since", "5m", "--timestamps"), 0);
  assert_string_equal(o.since, "5m");
  assert_true(o.timestamps);
  assert_int_equal(PARSE(&o, "logs", "web", "--since-time=2024-05-01T10:00:00Z"), 0);
  assert_string_equal(o.since_time, "2024-05-01T10:00:00Z");
}

static void durations_read_as_go_writes_them(void **state) {
  (void)state;
  static const struct {
    const char *in;
    double want;
  } ok[] = {{"5s", 5},      {"2m", 120}, {"1h", 3600},   {"1h30m", 5400}, {"1.5h", 5400},
            {"300ms", 0.3}, {"0", 0},    {"2m30s", 150}, {"-1s", -1},     {"1h0m0.5s", 3600.5}};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    double d = -99;
    tug_error err = {0};
    assert_int_equal(cli_parse_duration(ok[i].in, &d, &err), 0);
    assert_true(d > ok[i].want - 1e-9 && d < ok[i].want + 1e-9);
  }
  const char *bad[] = {"", "5", "s", "5x", "1h-5m", "abc", "5 s"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    double d;
    tug_error err = {0};
    assert_int_equal(cli_parse_duration(bad[i], &d, &err), -1);
    assert_non_null(strstr(err.msg, "invalid duration"));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(get_with_every_flag_form),
      cmocka_unit_test(flags_may_come_before_the_verb),
      cmocka_unit_test(f_is_filename_for_apply_and_follow_for_logs),
      cmocka_unit_test(p_is_the_patch_outside_logs),
      cmocka_unit_test(numbers_are_checked),
      cmocka_unit_test(bad_input_is_an_error_not_a_crash),
      cmocka_unit_test(up_takes_nodes_and_dir_and_leaves_them_unset_otherwise),
      cmocka_unit_test(root_is_only_a_flag_of_image),
      cmocka_unit_test(no_arguments_means_no_verb),
      cmocka_unit_test(get_sort_by_and_jsonpath_output),
      cmocka_unit_test(delete_all_and_logs_since_flags),
      cmocka_unit_test(durations_read_as_go_writes_them),
  };
  return cmocka_run_group_tests_name("cli-args", tests, NULL, NULL);
}
