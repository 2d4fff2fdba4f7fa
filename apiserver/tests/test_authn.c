/* Unit tests for the API server's static token file (authn-tokenfile.c) and
 * the api_user record (authn.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "authn.h"

static api_token_file *parse_ok(const char *text) {
  api_token_file *f = NULL;
  tug_error err = {0};
  if (api_token_file_parse(text, "tokens.csv", &f, &err) < 0)
    fail_msg("%s", err.msg);
  return f;
}

static void parse_fails(const char *text, const char *want) {
  api_token_file *f = NULL;
  tug_error err = {0};
  assert_int_equal(api_token_file_parse(text, "tokens.csv", &f, &err), -1);
  assert_null(f);
  assert_int_equal(err.code, TUG_E_PARSE);
  if (strstr(err.msg, want) == NULL)
    fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
}

static void kubernetes_csv_rows_name_user_uid_and_groups(void **state) {
  (void)state;
  api_token_file *f = parse_ok("# operators\n"
                               "t0k3n,alice,uid-1,\"system:masters,team a\"\r\n"
                               "\n"
                               "other,bob,uid-2\n"
                               "quoted,\"c,arol\",uid-3,\"say \"\"hi\"\"\"\n");
  assert_int_equal(api_token_file_count(f), 3);
  api_user u;
  assert_true(api_token_file_lookup(f, "t0k3n", &u));
  assert_string_equal(u.name, "alice");
  assert_string_equal(u.uid, "uid-1");
  assert_int_equal(u.ngroups, 2);
  assert_string_equal(u.groups[0], "system:masters");
  assert_string_equal(u.groups[1], "team a");
  assert_true(api_token_file_lookup(f, "other", &u));
  assert_string_equal(u.name, "bob");
  assert_int_equal(u.ngroups, 0);
  assert_true(api_token_file_lookup(f, "quoted", &u));
  assert_string_equal(u.name, "c,arol");
  assert_string_equal(u.groups[0], "say \"hi\"");
  api_token_file_free(f);
}

static void only_the_whole_token_matches(void **state) {
  (void)state;
  api_token_file *f = parse_ok("secret-token,alice,1\n");
  api_user u = {0};
  assert_false(api_token_file_lookup(f, "secret-toke", &u));
  assert_false(api_token_file_lookup(f, "secret-token2", &u));
  assert_false(api_token_file_lookup(f, "", &u));
  assert_false(api_token_file_lookup(NULL, "secret-token", &u));
  assert_string_equal(u.name, "");
  api_token_file_free(f);
}

static void bad_rows_are_refused_with_their_line(void **state) {
  (void)state;
  parse_fails("a,b,c\ntoken,user\n", "tokens.csv:2: want token,user,uid");
  parse_fails("tok,\"user,uid\n", "a quote is not closed");
  parse_fails("tok,user,uid,groups,extra\n", "too many fields");
  parse_fails(",user,uid\n", "tokens.csv:1: the token is empty");
  parse_fails("tok,,uid\n", "the user is empty");
}

static void users_keep_one_copy_of_each_group(void **state) {
  (void)state;
  api_user u;
  api_user_set(&u, "n", NULL);
  assert_int_equal(api_user_add_group(&u, "g"), 0);
  assert_int_equal(api_user_add_group(&u, "g"), 0);
  assert_int_equal(u.ngroups, 1);
  for (int i = 1; i < API_USER_MAX_GROUPS; i++) {
    char g[16];
    snprintf(g, sizeof g, "g%d", i);
    assert_int_equal(api_user_add_group(&u, g), 0);
  }
  assert_int_equal(api_user_add_group(&u, "one-too-many"), -1);
}

static void only_the_health_and_version_paths_are_public(void **state) {
  (void)state;
  assert_true(api_authn_public_path("/healthz"));
  assert_true(api_authn_public_path("/livez"));
  assert_true(api_authn_public_path("/readyz"));
  assert_true(api_authn_public_path("/version"));
  assert_false(api_authn_public_path("/version/"));
  assert_false(api_authn_public_path("/api"));
  assert_false(api_authn_public_path("/healthz/etcd"));
  assert_false(api_authn_public_path("/metrics"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kubernetes_csv_rows_name_user_uid_and_groups),
      cmocka_unit_test(only_the_whole_token_matches),
      cmocka_unit_test(bad_rows_are_refused_with_their_line),
      cmocka_unit_test(users_keep_one_copy_of_each_group),
      cmocka_unit_test(only_the_health_and_version_paths_are_public),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
