/*
 * validation-rbac.c — Role, ClusterRole, RoleBinding, ClusterRoleBinding and
 * the access reviews, with Kubernetes' rules and messages.
 *
 * A rule names verbs and either resources (with their API groups) or
 * non-resource URLs, never both; only a ClusterRole may name URLs. A
 * binding's roleRef cannot change once made (a binding to another role is a
 * new binding); its subjects are Users, Groups or ServiceAccounts.
 */
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

static const char RBAC_GROUP[] = "rbac.authorization.k8s.io";

static void validate_rule(const val_obj *rule, bool namespaced) {
  if (val_array_len(rule, "verbs") == 0)
    val_required(rule, "verbs", "verbs must contain at least one value");
  bool urls = val_array_len(rule, "nonResourceURLs") > 0;
  bool resources = val_array_len(rule, "resources") > 0 || val_array_len(rule, "apiGroups") > 0;
  static const char *const lists[] = {"verbs",         "apiGroups",       "resources",
                                      "resourceNames", "nonResourceURLs", NULL};
  for (int i = 0; lists[i]; i++)
    val_string_list(rule, lists[i]);
  if (urls && namespaced) {
    val_invalid(rule, "nonResourceURLs", json_object_get(rule->json, "nonResourceURLs"),
                "namespaced rules cannot apply to non-resource URLs");
  } else if (urls && resources) {
    val_invalid(rule, "nonResourceURLs", json_object_get(rule->json, "nonResourceURLs"),
                "rules cannot apply to both regular resources and non-resource URLs");
  } else if (!urls) {
    if (val_array_len(rule, "apiGroups") == 0)
      val_required(rule, "apiGroups", "resource rules must supply at least one api group");
    if (val_array_len(rule, "resources") == 0)
      val_required(rule, "resources", "resource rules must supply at least one resource");
  }
}

static void validate_rules(const json_t *obj, bool namespaced, json_t *causes) {
  val_obj root;
  val_root(&root, obj, causes);
  size_t n = val_array_len(&root, "rules");
  val_array(&root, "rules");
  for (size_t i = 0; i < n; i++) {
    val_obj rule;
    if (val_enter_item(&rule, &root, "rules", i))
      validate_rule(&rule, namespaced);
  }
}

void api_default_role(json_t *obj) {
  (void)obj;
}

void api_validate_role(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  validate_rules(obj, true, causes);
}

void api_default_clusterrole(json_t *obj) {
  (void)obj;
}

void api_validate_clusterrole(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  validate_rules(obj, false, causes);
  val_obj root, agg;
  val_root(&root, obj, causes);
  if (val_enter(&agg, &root, "aggregationRule") && val_array_len(&agg, "clusterRoleSelectors") == 0)
    val_required(&agg, "clusterRoleSelectors",
                 "at least one clusterRoleSelector required if aggregationRule is non-nil");
}

/* ---- bindings ---- */

static void validate_subject(const val_obj *s, bool cluster) {
  static const char *const kinds[] = {"ServiceAccount", "User", "Group", NULL};
  const char *type = val_enum(s, "kind", kinds);
  if (!val_present(s, "kind"))
    val_required(s, "kind", NULL);
  const char *name = val_string_required(s, "name");
  const char *group = val_string(s, "apiGroup");
  if (type == NULL || name == NULL)
    return;
  if (strcmp(type, "ServiceAccount") == 0) {
    if (group && *group)
      val_not_supported(s, "apiGroup", json_object_get(s->json, "apiGroup"),
                        (const char *const[]){"", NULL});
    val_dns_label(s, "name");
    const char *ns = val_string(s, "namespace");
    if (cluster && (ns == NULL || *ns == '\0'))
      val_required(s, "namespace", NULL);
  } else if (group == NULL || strcmp(group, RBAC_GROUP) != 0) {
    val_not_supported(s, "apiGroup", json_object_get(s->json, "apiGroup"),
                      (const char *const[]){RBAC_GROUP, NULL});
  }
}

static void validate_role_ref(const val_obj *root, bool cluster, const json_t *old) {
  val_obj ref;
  if (!val_enter(&ref, root, "roleRef")) {
    if (!val_present(root, "roleRef"))
      val_required(root, "roleRef", NULL);
    return;
  }
  static const char *const group[] = {RBAC_GROUP, NULL};
  static const char *const ns_kinds[] = {"Role", "ClusterRole", NULL};
  static const char *const cluster_kinds[] = {"ClusterRole", NULL};
  if (!val_present(&ref, "apiGroup"))
    val_required(&ref, "apiGroup", NULL);
  else
    val_enum(&ref, "apiGroup", group);
  if (!val_present(&ref, "kind"))
    val_required(&ref, "kind", NULL);
  else
    val_enum(&ref, "kind", cluster ? cluster_kinds : ns_kinds);
  val_string_required(&ref, "name");
  const json_t *before = old ? json_object_get(old, "roleRef") : NULL;
  if (old && !json_equal(json_object_get(root->json, "roleRef"), (json_t *)before))
    val_invalid(root, "roleRef", json_object_get(root->json, "roleRef"), "cannot change roleRef");
}

static void validate_binding(const json_t *obj, const json_t *old, bool cluster, json_t *causes) {
  val_obj root;
  val_root(&root, obj, causes);
  validate_role_ref(&root, cluster, old);
  size_t n = val_array_len(&root, "subjects");
  val_array(&root, "subjects");
  for (size_t i = 0; i < n; i++) {
    val_obj s;
    if (val_enter_item(&s, &root, "subjects", i))
      validate_subject(&s, cluster);
  }
}

void api_default_rolebinding(json_t *obj) {
  (void)obj;
}

void api_validate_rolebinding(const json_t *obj, const json_t *old, json_t *causes) {
  validate_binding(obj, old, false, causes);
}

void api_default_clusterrolebinding(json_t *obj) {
  (void)obj;
}

void api_validate_clusterrolebinding(const json_t *obj, const json_t *old, json_t *causes) {
  validate_binding(obj, old, true, causes);
}

/* ---- access reviews ---- */

void api_default_accessreview(json_t *obj) {
  (void)obj;
}

/* A review asks about resources or a path, not both (rules reviews ask neither). */
void api_validate_accessreview(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  bool res = val_present(&spec, "resourceAttributes");
  bool path = val_present(&spec, "nonResourceAttributes");
  if (res && path)
    val_invalid(&spec, "nonResourceAttributes", json_object_get(spec.json, "nonResourceAttributes"),
                "cannot be specified in combination with resourceAttributes");
  const char *kind = tug_obj_get_str(obj, "kind");
  bool rules_review = kind && strstr(kind, "RulesReview");
  if (!res && !path && !rules_review)
    val_invalid(&spec, "resourceAttributes", NULL,
                "exactly one of nonResourceAttributes or resourceAttributes must be specified");
}
