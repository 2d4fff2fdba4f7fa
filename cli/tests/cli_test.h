/*
 * cli_test.h — what the CLI's unit tests share: JSON literals and comparing
 * JSON with a readable failure.
 */
#ifndef TUG_CLI_TEST_H
#define TUG_CLI_TEST_H

#include <jansson.h>
#include <stdlib.h>

/* A JSON value from text; fails the test on bad text. */
static inline json_t *J(const char *text) {
  json_error_t e;
  json_t *v = json_loads(text, 0, &e);
  if (v == NULL)
    fail_msg("bad test JSON %s: %s", text, e.text);
  return v;
}

static inline void assert_json(const json_t *got, const char *want) {
  json_t *w = J(want);
  if (!json_equal((json_t *)got, w)) {
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(w);
    fail_msg("got %s, want %s", g, want);
  }
  json_decref(w);
}

#endif
