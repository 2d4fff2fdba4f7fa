/*
 * rbac-rules.h — RBAC's PolicyRules, parsed once and matched against a
 * request's attributes.
 *
 * A rule allows a resource request when its verbs, apiGroups and resources
 * all match (each list holds the value or "*"; a resource "pods/log" names a
 * subresource, and "*" followed by "/scale" the scale subresource of any resource) and, when it
 * lists resourceNames, the request names one of them. A rule with
 * nonResourceURLs allows a path equal to one, or starting with one that ends
 * in "*". The same matching tells whether one set of rules covers another
 * (escalation checks): a requested "*" is then only covered by a "*".
 */
#ifndef TUG_APISERVER_RBAC_RULES_H
#define TUG_APISERVER_RBAC_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "authz.h"

typedef struct rbac_rule {
  /* NULL-terminated; an absent list is an empty one */
  char **verbs, **groups, **resources, **names, **urls;
} rbac_rule;

typedef struct rbac_rules {
  size_t n;
  rbac_rule *v;
} rbac_rules;

/* Parse a JSON array of PolicyRules (anything not an array or not a string is
 * skipped: stored objects were validated). 0, or -1 out of memory. */
int rbac_rules_parse(const json_t *rules, rbac_rules *out);
/* Append copies of src's rules to dst (for aggregated ClusterRoles). */
int rbac_rules_append(rbac_rules *dst, const rbac_rules *src);
void rbac_rules_free(rbac_rules *rs);

bool rbac_rule_allows(const rbac_rule *r, const api_authz_attrs *a);
bool rbac_rules_allow(const rbac_rules *rs, const api_authz_attrs *a);

/* Whether every action the rule grants is allowed by have: the rule is split
 * into single verb/group/resource/name (or verb/URL) actions, each checked.
 * On false, missing (may be NULL) gets the first action not covered, as JSON. */
bool rbac_rules_cover(const rbac_rules *have, const rbac_rule *want, char *missing, size_t size);

/* The rule as JSON (a PolicyRule). */
json_t *rbac_rule_json(const rbac_rule *r);

#endif
