/*
 * podsecurity.h — Kubernetes' Pod Security Standards (privileged, baseline,
 * restricted; latest version) as pure functions of a pod's metadata and spec.
 *
 * A check yields violations, each a {"reason", "detail"} object worded as
 * Kubernetes words them; api_podsec_describe joins them into the text of
 * `violates PodSecurity "baseline:latest": <text>`. Which level applies comes
 * from the namespace's pod-security.kubernetes.io/{enforce,warn,audit} labels
 * (api_podsec_policy_of); admission.c does the looking up and answering.
 */
#ifndef TUG_APISERVER_PODSECURITY_H
#define TUG_APISERVER_PODSECURITY_H

#include <jansson.h>
#include <stdbool.h>

typedef enum api_podsec_level {
  API_PODSEC_PRIVILEGED,
  API_PODSEC_BASELINE,
  API_PODSEC_RESTRICTED,
} api_podsec_level;

/* The levels a namespace asks for; audit is privileged (nothing) unless labelled. */
typedef struct api_podsec_policy {
  api_podsec_level enforce, warn, audit;
} api_podsec_policy;

/* "baseline" → API_PODSEC_BASELINE; -1 for anything else. */
int api_podsec_level_parse(const char *s, api_podsec_level *out);
const char *api_podsec_level_name(api_podsec_level level);

/* The policy of a namespace with these labels (may be NULL). Without an enforce
 * label, dflt is enforced and warned about (unless a warn label says otherwise).
 * A label with an unknown level fails closed: restricted. Versions are not
 * looked at: every version is evaluated as the latest. */
void api_podsec_policy_of(const json_t *ns_labels, api_podsec_level dflt, api_podsec_policy *out);

/* The violations (a new array, empty when none) of a pod with this metadata and
 * spec at level. */
json_t *api_podsec_check(api_podsec_level level, const json_t *meta, const json_t *spec);

/* "reason (detail), reason" for violations; malloc'd. */
char *api_podsec_describe(const json_t *violations);

/* Whether a Pod update can change what the checks see: an image, the number of
 * ephemeral containers, or a seccomp or AppArmor annotation (as Kubernetes
 * decides; everything else in a running pod's spec is frozen by validation). */
bool api_podsec_significant_update(const json_t *pod, const json_t *old);

#endif
