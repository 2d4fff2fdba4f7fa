/*
 * authorization-v1.c — the schemas of authorization.k8s.io/v1 (see schema.h):
 * the access reviews, which are asked (created) and answered, never stored.
 */
#include "messages.h"

static const api_field ResourceAttributes[] = {
    FIELD("namespace", 1, STRING, FLAGS(OMIT), DESC("Namespace of the action; \"\" all.")),
    FIELD("verb", 2, STRING, FLAGS(OMIT), DESC("get, list, watch, create, ... or *.")),
    FIELD("group", 3, STRING, FLAGS(OMIT), DESC("API group of the resource.")),
    FIELD("version", 4, STRING, FLAGS(OMIT), DESC("API version of the resource.")),
    FIELD("resource", 5, STRING, FLAGS(OMIT), DESC("Plural resource name.")),
    FIELD("subresource", 6, STRING, FLAGS(OMIT), DESC("Subresource (status, log, scale).")),
    FIELD("name", 7, STRING, FLAGS(OMIT), DESC("Object name; \"\" all.")),
};
SCHEMA_MESSAGE(authorization_v1_ResourceAttributes,
               "io.k8s.api.authorization.v1.ResourceAttributes",
               "An action on a resource, as an authorizer sees it.", ResourceAttributes, false);

static const api_field NonResourceAttributes[] = {
    FIELD("path", 1, STRING, FLAGS(OMIT), DESC("URL path.")),
    FIELD("verb", 2, STRING, FLAGS(OMIT), DESC("Lower-case HTTP method.")),
};
SCHEMA_MESSAGE(authorization_v1_NonResourceAttributes,
               "io.k8s.api.authorization.v1.NonResourceAttributes",
               "An action on a path that is no resource.", NonResourceAttributes, false);

static const api_field SubjectAccessReviewSpec[] = {
    FIELD("resourceAttributes", 1, MESSAGE, OF(authorization_v1_ResourceAttributes), FLAGS(PTR)),
    FIELD("nonResourceAttributes", 2, MESSAGE, OF(authorization_v1_NonResourceAttributes),
          FLAGS(PTR)),
    FIELD("user", 3, STRING, FLAGS(OMIT), DESC("The user to check.")),
    FIELD("groups", 4, STRING, REPEATED, LIST_TYPE(ATOMIC), DESC("The user's groups.")),
    FIELD("uid", 6, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(authorization_v1_SubjectAccessReviewSpec,
               "io.k8s.api.authorization.v1.SubjectAccessReviewSpec", NULL, SubjectAccessReviewSpec,
               false);

static const api_field SelfSubjectAccessReviewSpec[] = {
    FIELD("resourceAttributes", 1, MESSAGE, OF(authorization_v1_ResourceAttributes), FLAGS(PTR)),
    FIELD("nonResourceAttributes", 2, MESSAGE, OF(authorization_v1_NonResourceAttributes),
          FLAGS(PTR)),
};
SCHEMA_MESSAGE(authorization_v1_SelfSubjectAccessReviewSpec,
               "io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec", NULL,
               SelfSubjectAccessReviewSpec, false);

static const api_field SubjectAccessReviewStatus[] = {
    FIELD("allowed", 1, BOOL, FLAGS(REQ), DESC("Whether the action is allowed.")),
    FIELD("denied", 4, BOOL, FLAGS(OMIT), DESC("Whether it is explicitly denied.")),
    FIELD("reason", 2, STRING, FLAGS(OMIT), DESC("Why, for people.")),
    FIELD("evaluationError", 3, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(authorization_v1_SubjectAccessReviewStatus,
               "io.k8s.api.authorization.v1.SubjectAccessReviewStatus", NULL,
               SubjectAccessReviewStatus, false);

#define REVIEW(id, spec_id, desc_)                                                                 \
  static const api_field id[] = {                                                                  \
      OBJECT_META,                                                                                 \
      FIELD("spec", 2, MESSAGE, OF(authorization_v1_##spec_id), FLAGS(REQ),                        \
            DESC("The action asked about.")),                                                      \
      FIELD("status", 3, MESSAGE, OF(authorization_v1_SubjectAccessReviewStatus), FLAGS(OMIT),     \
            DESC("The answer, filled by the server.")),                                            \
  };                                                                                               \
  SCHEMA_MESSAGE(authorization_v1_##id, "io.k8s.api.authorization.v1." #id, desc_, id, false)

REVIEW(SubjectAccessReview, SubjectAccessReviewSpec, "Asks whether a user may do an action.");
REVIEW(LocalSubjectAccessReview, SubjectAccessReviewSpec,
       "Asks whether a user may do an action in this namespace.");
REVIEW(SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
       "Asks whether the requester may do an action (kubectl auth can-i).");

static const api_field SelfSubjectRulesReviewSpec[] = {
    FIELD("namespace", 1, STRING, FLAGS(OMIT), DESC("Namespace whose rules are listed.")),
};
SCHEMA_MESSAGE(authorization_v1_SelfSubjectRulesReviewSpec,
               "io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec", NULL,
               SelfSubjectRulesReviewSpec, false);

static const api_field ResourceRule[] = {
    FIELD("verbs", 1, STRING, REPEATED, LIST_TYPE(ATOMIC), FLAGS(REQ)),
    FIELD("apiGroups", 2, STRING, REPEATED, LIST_TYPE(ATOMIC)),
    FIELD("resources", 3, STRING, REPEATED, LIST_TYPE(ATOMIC)),
    FIELD("resourceNames", 4, STRING, REPEATED, LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(authorization_v1_ResourceRule, "io.k8s.api.authorization.v1.ResourceRule", NULL,
               ResourceRule, false);

static const api_field NonResourceRule[] = {
    FIELD("verbs", 1, STRING, REPEATED, LIST_TYPE(ATOMIC), FLAGS(REQ)),
    FIELD("nonResourceURLs", 2, STRING, REPEATED, LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(authorization_v1_NonResourceRule, "io.k8s.api.authorization.v1.NonResourceRule",
               NULL, NonResourceRule, false);

static const api_field SubjectRulesReviewStatus[] = {
    FIELD("resourceRules", 1, MESSAGE, REPEATED, OF(authorization_v1_ResourceRule),
          LIST_TYPE(ATOMIC), FLAGS(REQ)),
    FIELD("nonResourceRules", 2, MESSAGE, REPEATED, OF(authorization_v1_NonResourceRule),
          LIST_TYPE(ATOMIC), FLAGS(REQ)),
    FIELD("incomplete", 3, BOOL, FLAGS(REQ)),
    FIELD("evaluationError", 4, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(authorization_v1_SubjectRulesReviewStatus,
               "io.k8s.api.authorization.v1.SubjectRulesReviewStatus", NULL,
               SubjectRulesReviewStatus, false);

static const api_field SelfSubjectRulesReview[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(authorization_v1_SelfSubjectRulesReviewSpec), FLAGS(REQ)),
    FIELD("status", 3, MESSAGE, OF(authorization_v1_SubjectRulesReviewStatus), FLAGS(OMIT)),
};
SCHEMA_MESSAGE(authorization_v1_SelfSubjectRulesReview,
               "io.k8s.api.authorization.v1.SelfSubjectRulesReview",
               "Lists what the requester may do in a namespace (kubectl auth can-i --list).",
               SelfSubjectRulesReview, false);

const api_schema_kind api_schema_kinds_authorization_v1[] = {
    {"authorization.k8s.io", "v1", "SubjectAccessReview",
     &api_msg_authorization_v1_SubjectAccessReview},
    {"authorization.k8s.io", "v1", "LocalSubjectAccessReview",
     &api_msg_authorization_v1_LocalSubjectAccessReview},
    {"authorization.k8s.io", "v1", "SelfSubjectAccessReview",
     &api_msg_authorization_v1_SelfSubjectAccessReview},
    {"authorization.k8s.io", "v1", "SelfSubjectRulesReview",
     &api_msg_authorization_v1_SelfSubjectRulesReview},
    {.kind = NULL},
};
