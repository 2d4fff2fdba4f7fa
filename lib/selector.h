/*
 * selector.h — Kubernetes label selectors and label syntax.
 *
 * A selector is a list of requirements that must all hold:
 *
 *   app=web, tier!=db, env in (prod, staging), track notin (canary), owner, !legacy
 *
 * It comes either as the string form above (?labelSelector=, kubectl -l) or as the
 * LabelSelector object of Deployment/ReplicaSet specs ({matchLabels, matchExpressions});
 * both build the same tug_selector. "!=" and "notin" also match objects that lack the
 * label, as in Kubernetes. The label key and value validators are exported because
 * the API server checks metadata.labels with the same rules.
 */
#ifndef TUG_SELECTOR_H
#define TUG_SELECTOR_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

typedef struct tug_selector tug_selector;

/* Parses the string form. An empty (or NULL, or all-blank) string matches everything.
 * Errors name the selector and the 1-based column:
 *   label selector "a in (x": column 8: expected "," or ")" */
int tug_selector_parse(const char *s, tug_selector **out, tug_error *err);

/* Builds a selector from a LabelSelector's matchLabels (object of string → string) and
 * matchExpressions (list of {key, operator: In|NotIn|Exists|DoesNotExist, values}).
 * Either may be NULL or JSON null; with both absent the selector matches everything
 * (a caller whose object has no selector at all decides itself what that means). */
int tug_selector_from_match_labels(const json_t *match_labels, const json_t *match_expressions,
                                   tug_selector **out, tug_error *err);

/* labels is a JSON object of string → string, or NULL for an object without labels.
 * sel must not be NULL. */
bool tug_selector_matches(const tug_selector *sel, const json_t *labels);

void tug_selector_free(tug_selector *sel);

static inline void tug_selector_freep(tug_selector **sel) {
  tug_selector_free(*sel);
}
#define _cleanup_selector_ __attribute__((cleanup(tug_selector_freep)))

/* A label key is [prefix/]name: the optional prefix a DNS subdomain of at most 253
 * characters, the name at most 63 alphanumerics with '-', '_' or '.' inside. When the
 * key is invalid and why is not NULL, *why says which rule it broke (a static string). */
bool tug_label_key_valid(const char *key, const char **why);

/* A label value is empty or like a key's name part. *why as for tug_label_key_valid. */
bool tug_label_value_valid(const char *value, const char **why);

#endif
