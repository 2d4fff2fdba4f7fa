/*
 * rbac-v1.c — the schemas of rbac.authorization.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field PolicyRule[] = {
    FIELD("verbs", 1, STRING, REPEATED, LIST_TYPE(ATOMIC),
          DESC("Verbs allowed: get, list, watch, create, update, patch, delete, ... or *.")),
    FIELD("apiGroups", 2, STRING, REPEATED, LIST_TYPE(ATOMIC),
          DESC("API groups of the resources; \"\" is the core group, * any.")),
    FIELD("resources", 3, STRING, REPEATED, LIST_TYPE(ATOMIC),
          DESC("Resources (pods, pods/log, */scale) or *.")),
    FIELD("resourceNames", 4, STRING, REPEATED, LIST_TYPE(ATOMIC),
          DESC("Object names the rule is limited to; empty means all.")),
    FIELD("nonResourceURLs", 5, STRING, REPEATED, LIST_TYPE(ATOMIC),
          DESC("Paths that are no resource (/healthz, /api/*); ClusterRoles only.")),
};
SCHEMA_MESSAGE(rbac_v1_PolicyRule, "io.k8s.api.rbac.v1.PolicyRule",
               "What a role allows: verbs on resources or on non-resource paths.", PolicyRule,
               false);

static const api_field AggregationRule[] = {
    FIELD("clusterRoleSelectors", 1, MESSAGE, REPEATED, OF(meta_v1_LabelSelector),
          LIST_TYPE(ATOMIC), DESC("ClusterRoles whose rules are gathered into this one.")),
};
SCHEMA_MESSAGE(rbac_v1_AggregationRule, "io.k8s.api.rbac.v1.AggregationRule", NULL, AggregationRule,
               false);

static const api_field Role[] = {
    OBJECT_META,
    FIELD("rules", 2, MESSAGE, REPEATED, OF(rbac_v1_PolicyRule), LIST_TYPE(ATOMIC),
          DESC("What the role allows in its namespace.")),
};
SCHEMA_MESSAGE(rbac_v1_Role, "io.k8s.api.rbac.v1.Role",
               "A set of rules within one namespace, granted by a RoleBinding.", Role, false);

static const api_field ClusterRole[] = {
    OBJECT_META,
    FIELD("rules", 2, MESSAGE, REPEATED, OF(rbac_v1_PolicyRule), LIST_TYPE(ATOMIC),
          DESC("What the role allows.")),
    FIELD("aggregationRule", 3, MESSAGE, OF(rbac_v1_AggregationRule), FLAGS(PTR),
          DESC("When set, rules are gathered from the selected ClusterRoles by the server.")),
};
SCHEMA_MESSAGE(rbac_v1_ClusterRole, "io.k8s.api.rbac.v1.ClusterRole",
               "A set of rules over the whole cluster or, bound by a RoleBinding, one namespace.",
               ClusterRole, false);

static const api_field Subject[] = {
    FIELD("kind", 1, STRING, FLAGS(REQ), DESC("User, Group or ServiceAccount.")),
    FIELD("apiGroup", 2, STRING, FLAGS(OMIT),
          DESC("rbac.authorization.k8s.io for User and Group, \"\" for ServiceAccount.")),
    FIELD("name", 3, STRING, FLAGS(REQ), DESC("Name of the subject.")),
    FIELD("namespace", 4, STRING, FLAGS(OMIT), DESC("A ServiceAccount's namespace.")),
};
SCHEMA_MESSAGE(rbac_v1_Subject, "io.k8s.api.rbac.v1.Subject", "Who a binding grants a role to.",
               Subject, true);

static const api_field RoleRef[] = {
    FIELD("apiGroup", 1, STRING, FLAGS(REQ), DESC("rbac.authorization.k8s.io.")),
    FIELD("kind", 2, STRING, FLAGS(REQ), DESC("Role or ClusterRole.")),
    FIELD("name", 3, STRING, FLAGS(REQ), DESC("Name of the role.")),
};
SCHEMA_MESSAGE(rbac_v1_RoleRef, "io.k8s.api.rbac.v1.RoleRef", "The role a binding grants.", RoleRef,
               true);

/* RoleBinding and ClusterRoleBinding have the same fields. */
#define BINDING(id, desc_)                                                                         \
  static const api_field id[] = {                                                                  \
      OBJECT_META,                                                                                 \
      FIELD("subjects", 2, MESSAGE, REPEATED, OF(rbac_v1_Subject), LIST_TYPE(ATOMIC),              \
            DESC("Users, groups and service accounts granted the role.")),                         \
      FIELD("roleRef", 3, MESSAGE, OF(rbac_v1_RoleRef), FLAGS(REQ),                                \
            DESC("The role granted; cannot be changed.")),                                         \
  };                                                                                               \
  SCHEMA_MESSAGE(rbac_v1_##id, "io.k8s.api.rbac.v1." #id, desc_, id, false)

BINDING(RoleBinding, "Grants a role's rules to subjects within one namespace.");
BINDING(ClusterRoleBinding, "Grants a ClusterRole's rules to subjects across the cluster.");

LIST_MESSAGE(rbac_v1_RoleList, "io.k8s.api.rbac.v1.RoleList", rbac_v1_Role);
LIST_MESSAGE(rbac_v1_ClusterRoleList, "io.k8s.api.rbac.v1.ClusterRoleList", rbac_v1_ClusterRole);
LIST_MESSAGE(rbac_v1_RoleBindingList, "io.k8s.api.rbac.v1.RoleBindingList", rbac_v1_RoleBinding);
LIST_MESSAGE(rbac_v1_ClusterRoleBindingList, "io.k8s.api.rbac.v1.ClusterRoleBindingList",
             rbac_v1_ClusterRoleBinding);

const api_schema_kind api_schema_kinds_rbac_v1[] = {
    {"rbac.authorization.k8s.io", "v1", "Role", &api_msg_rbac_v1_Role},
    {"rbac.authorization.k8s.io", "v1", "RoleList", &api_msg_rbac_v1_RoleList},
    {"rbac.authorization.k8s.io", "v1", "ClusterRole", &api_msg_rbac_v1_ClusterRole},
    {"rbac.authorization.k8s.io", "v1", "ClusterRoleList", &api_msg_rbac_v1_ClusterRoleList},
    {"rbac.authorization.k8s.io", "v1", "RoleBinding", &api_msg_rbac_v1_RoleBinding},
    {"rbac.authorization.k8s.io", "v1", "RoleBindingList", &api_msg_rbac_v1_RoleBindingList},
    {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", &api_msg_rbac_v1_ClusterRoleBinding},
    {"rbac.authorization.k8s.io", "v1", "ClusterRoleBindingList",
     &api_msg_rbac_v1_ClusterRoleBindingList},
    {.kind = NULL},
};
