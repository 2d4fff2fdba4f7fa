/*
 * authentication-v1.c — the schemas of authentication.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field TokenRequest[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(authentication_v1_TokenRequestSpec),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(authentication_v1_TokenRequestStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(authentication_v1_TokenRequest, "io.k8s.api.authentication.v1.TokenRequest",
               "Asks for a token of a service account.", TokenRequest, false);

static const api_field TokenRequestSpec[] = {
    FIELD("audiences", 1, STRING, REPEATED, LIST_TYPE(ATOMIC), DESC("Who the token is meant for.")),
    FIELD("expirationSeconds", 4, INT64, FLAGS(PTR), DESC("Seconds the token is valid.")),
    FIELD("boundObjectRef", 3, MESSAGE, OF(authentication_v1_BoundObjectReference), FLAGS(PTR)),
};
SCHEMA_MESSAGE(authentication_v1_TokenRequestSpec, "io.k8s.api.authentication.v1.TokenRequestSpec",
               NULL, TokenRequestSpec, false);

static const api_field BoundObjectReference[] = {
    FIELD("kind", 1, STRING, FLAGS(OMIT), DESC("The kind of object this is, e.g. Pod.")),
    FIELD("apiVersion", 2, STRING, FLAGS(OMIT),
          DESC("Versioned schema of this object, e.g. v1 or apps/v1.")),
    FIELD("name", 3, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("uid", 4, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(authentication_v1_BoundObjectReference,
               "io.k8s.api.authentication.v1.BoundObjectReference", NULL, BoundObjectReference,
               false);

static const api_field TokenRequestStatus[] = {
    FIELD("token", 1, STRING, DESC("The token.")),
    FIELD("expirationTimestamp", 2, TIME),
};
SCHEMA_MESSAGE(authentication_v1_TokenRequestStatus,
               "io.k8s.api.authentication.v1.TokenRequestStatus", NULL, TokenRequestStatus, false);

const api_schema_kind api_schema_kinds_authentication_v1[] = {
    {"authentication.k8s.io", "v1", "TokenRequest", &api_msg_authentication_v1_TokenRequest},
    {.kind = NULL},
};
