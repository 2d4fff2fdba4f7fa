/*
 * validation_cases.h — what the validation tests (test_validation*.c) share:
 * a valid example of every kind, and the steps every test takes — edit the
 * example at a path, run defaulting and validation on it as the server does
 * on a write, and check the causes that come back.
 *
 * Paths are dotted, numeric steps index arrays, and a last step in brackets
 * may hold dots: "spec.containers.0.image", "spec.hard[limits.cpu]".
 */
#ifndef TUG_APISERVER_TESTS_VALIDATION_CASES_H
#define TUG_APISERVER_TESTS_VALIDATION_CASES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "registry.h"
#include "validation.h"

typedef struct kind_case {
  const char *kind;
  bool namespaced;
  api_default_fn defaults;
  api_validate_fn validate;
  const char *example; /* JSON with ' for " */
} kind_case;

extern const kind_case kinds[];
extern const size_t n_kinds;
#define NKINDS n_kinds

const kind_case *kind_named(const char *kind);
/* A new copy of kind's valid example. */
json_t *example(const char *kind);

/* The parent of path's last step, whose name goes to last. */
json_t *at_path(json_t *obj, const char *path, char *last, size_t size);
/* Set (value stolen) or, with value NULL, delete the member at path. */
void put(json_t *obj, const char *path, json_t *value);
json_t *get(json_t *obj, const char *path);

/* What the server does on a write: defaults, metadata, the kind's own rules;
 * the causes, a new array. */
json_t *run(const char *kind, json_t *obj, const json_t *old);

void fail_with(const json_t *causes, const char *what, const char *field, const char *reason);
const json_t *find(const json_t *causes, const char *field, const char *reason);
/* There is a cause with this field and reason; its message. */
const char *expect(const json_t *causes, const char *field, const char *reason);
/* That cause is the only one. */
void expect_only(const json_t *causes, const char *field, const char *reason);
void expect_message(const json_t *causes, const char *field, const char *reason,
                    const char *message);
void expect_none(const json_t *causes);
void expect_absent(const json_t *causes, const char *field, const char *reason);

/* The causes of kind's example after one edit (value stolen; NULL deletes). */
json_t *edited(const char *kind, const char *path, json_t *value);
/* One edit of kind's example yields exactly this one cause (and message). */
void edit_yields(const char *kind, const char *path, const char *value_js, const char *field,
                 const char *reason);
void edit_yields_message(const char *kind, const char *path, const char *value_js,
                         const char *field, const char *reason, const char *message);
/* An update of kind's example (defaulted, as stored) by one edit; its causes. */
json_t *updated(const char *kind, const char *path, json_t *value);
/* kind's example after one edit (path NULL: none) and defaulting. */
json_t *defaulted(const char *kind, const char *path, json_t *value);

void expect_str_at(json_t *obj, const char *path, const char *want);
void expect_int_at(json_t *obj, const char *path, json_int_t want);

#endif
