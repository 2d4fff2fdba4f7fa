/*
 * apiextensions-v1.c — the schemas of apiextensions.k8s.io/v1 (see schema.h): data only.
 *
 * A CustomResourceDefinition's openAPIV3Schema is a recursive JSONSchemaProps;
 * it is kept here as free JSON (type JSON), checked by the CRD's validation
 * (validation-crd.c) rather than field by field, and its protobuf form is
 * the JSON bytes.
 */
#include "messages.h"

static const char *const enum_Scope[] = {"Cluster", "Namespaced", NULL};
static const char *const enum_ConversionStrategy[] = {"None", "Webhook", NULL};

static const api_field CustomResourceDefinition[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(apiextensions_v1_CustomResourceDefinitionSpec), FLAGS(OMIT),
          DESC("The kind the definition adds: its group, names, scope and versions.")),
    FIELD("status", 3, MESSAGE, OF(apiextensions_v1_CustomResourceDefinitionStatus), FLAGS(OMIT),
          DESC("Whether the names were accepted and the kind is served.")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceDefinition,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
               "A kind added to the API at run time, with its schema.", CustomResourceDefinition,
               false);

static const api_field CustomResourceDefinitionSpec[] = {
    FIELD("group", 1, STRING, FLAGS(REQ), DESC("The API group of the kind (example.com).")),
    FIELD("names", 3, MESSAGE, OF(apiextensions_v1_CustomResourceDefinitionNames), FLAGS(REQ),
          DESC("The kind's names: plural, singular, kind, short names, categories.")),
    FIELD("scope", 4, STRING, FLAGS(REQ), ENUM(enum_Scope),
          DESC("Whether objects live in a namespace (Namespaced) or not (Cluster).")),
    FIELD("versions", 7, MESSAGE, REPEATED, OF(apiextensions_v1_CustomResourceDefinitionVersion),
          FLAGS(REQ), DESC("The versions served; exactly one is stored.")),
    FIELD("conversion", 9, MESSAGE, OF(apiextensions_v1_CustomResourceConversion), FLAGS(PTR),
          DESC("How objects change between versions (None: only apiVersion).")),
    FIELD("preserveUnknownFields", 10, BOOL, FLAGS(OMIT),
          DESC("Must be false: unknown fields are pruned by the schema.")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceDefinitionSpec,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceDefinitionSpec",
               NULL, CustomResourceDefinitionSpec, false);

static const api_field CustomResourceDefinitionNames[] = {
    FIELD("plural", 1, STRING, FLAGS(REQ), DESC("The resource's name in URLs (widgets).")),
    FIELD("singular", 2, STRING, FLAGS(OMIT), DESC("One object's name (widget).")),
    FIELD("shortNames", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Short aliases for kubectl (wg).")),
    FIELD("kind", 4, STRING, FLAGS(REQ), DESC("The kind's name in objects (Widget).")),
    FIELD("listKind", 5, STRING, FLAGS(OMIT), DESC("The kind of its lists (WidgetList).")),
    FIELD("categories", 6, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Groups of kinds it belongs to (all), for kubectl get <category>.")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceDefinitionNames,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceDefinitionNames",
               NULL, CustomResourceDefinitionNames, false);

static const api_field CustomResourceDefinitionVersion[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("The version's name (v1, v1beta1).")),
    FIELD("served", 2, BOOL, FLAGS(REQ), DESC("Whether the API serves this version.")),
    FIELD("storage", 3, BOOL, FLAGS(REQ), DESC("Whether objects are stored in this version.")),
    FIELD("schema", 4, MESSAGE, OF(apiextensions_v1_CustomResourceValidation), FLAGS(PTR),
          DESC("The OpenAPI v3 schema objects of this version are validated against.")),
    FIELD("subresources", 5, MESSAGE, OF(apiextensions_v1_CustomResourceSubresources), FLAGS(PTR),
          DESC("The status and scale subresources.")),
    FIELD("additionalPrinterColumns", 6, MESSAGE, REPEATED,
          OF(apiextensions_v1_CustomResourceColumnDefinition), FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Columns kubectl get prints besides the name.")),
    FIELD("deprecated", 7, BOOL, FLAGS(OMIT), DESC("Whether clients are warned of this version.")),
    FIELD("deprecationWarning", 8, STRING, FLAGS(PTR), DESC("The warning they get.")),
    FIELD("selectableFields", 9, MESSAGE, REPEATED, OF(apiextensions_v1_SelectableField),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceDefinitionVersion,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceDefinitionVersion",
               NULL, CustomResourceDefinitionVersion, false);

static const api_field CustomResourceValidation[] = {
    FIELD("openAPIV3Schema", 1, JSON, FLAGS(PTR),
          DESC("A structural OpenAPI v3 schema (JSONSchemaProps).")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceValidation,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceValidation",
               NULL, CustomResourceValidation, false);

static const api_field CustomResourceSubresources[] = {
    FIELD("status", 1, JSON, FLAGS(PTR), DESC("{} enables /status.")),
    FIELD("scale", 2, MESSAGE, OF(apiextensions_v1_CustomResourceSubresourceScale), FLAGS(PTR),
          DESC("Where /scale finds replicas and the label selector.")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceSubresources,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceSubresources",
               NULL, CustomResourceSubresources, false);

static const api_field CustomResourceSubresourceScale[] = {
    FIELD("specReplicasPath", 1, STRING, FLAGS(REQ), DESC("Desired replicas (.spec.replicas).")),
    FIELD("statusReplicasPath", 2, STRING, FLAGS(REQ),
          DESC("Observed replicas (.status.replicas).")),
    FIELD("labelSelectorPath", 3, STRING, FLAGS(PTR),
          DESC("The selector in string form (.status.selector).")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceSubresourceScale,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceSubresourceScale",
               NULL, CustomResourceSubresourceScale, false);

static const api_field CustomResourceColumnDefinition[] = {
    FIELD("name", 1, STRING, FLAGS(REQ), DESC("The column's header.")),
    FIELD("type", 2, STRING, FLAGS(REQ), DESC("integer, number, string, boolean or date.")),
    FIELD("format", 3, STRING, FLAGS(OMIT)),
    FIELD("description", 4, STRING, FLAGS(OMIT)),
    FIELD("priority", 5, INT32, FLAGS(OMIT), DESC("0: shown by default; more: with -o wide.")),
    FIELD("jsonPath", 6, STRING, FLAGS(REQ), DESC("Where the cell's value is (.spec.size).")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceColumnDefinition,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceColumnDefinition",
               NULL, CustomResourceColumnDefinition, false);

static const api_field SelectableField[] = {
    FIELD("jsonPath", 1, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(apiextensions_v1_SelectableField,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.SelectableField", NULL,
               SelectableField, false);

static const api_field CustomResourceConversion[] = {
    FIELD("strategy", 1, STRING, FLAGS(REQ), ENUM(enum_ConversionStrategy)),
    FIELD("webhook", 2, JSON, FLAGS(PTR), DESC("Not supported: conversion webhooks.")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceConversion,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion",
               NULL, CustomResourceConversion, false);

static const api_field CustomResourceDefinitionStatus[] = {
    FIELD("conditions", 1, MESSAGE, REPEATED,
          OF(apiextensions_v1_CustomResourceDefinitionCondition), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("type"), DESC("NamesAccepted, Established, Terminating.")),
    FIELD("acceptedNames", 2, MESSAGE, OF(apiextensions_v1_CustomResourceDefinitionNames),
          FLAGS(OMIT), DESC("The names the server serves the kind under.")),
    FIELD("storedVersions", 3, STRING, REPEATED, FLAGS(OMIT),
          DESC("Every version objects were ever stored in.")),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceDefinitionStatus,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceDefinitionStatus",
               NULL, CustomResourceDefinitionStatus, false);

static const api_field CustomResourceDefinitionCondition[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("status", 2, STRING, FLAGS(REQ), DESC("True, False or Unknown.")),
    FIELD("lastTransitionTime", 3, TIME, FLAGS(OMIT)),
    FIELD("reason", 4, STRING, FLAGS(OMIT)),
    FIELD("message", 5, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(apiextensions_v1_CustomResourceDefinitionCondition,
               "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
               "CustomResourceDefinitionCondition",
               NULL, CustomResourceDefinitionCondition, false);

LIST_MESSAGE(apiextensions_v1_CustomResourceDefinitionList,
             "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
             "CustomResourceDefinitionList",
             apiextensions_v1_CustomResourceDefinition);

const api_schema_kind api_schema_kinds_apiextensions_v1[] = {
    {"apiextensions.k8s.io", "v1", "CustomResourceDefinition",
     &api_msg_apiextensions_v1_CustomResourceDefinition},
    {"apiextensions.k8s.io", "v1", "CustomResourceDefinitionList",
     &api_msg_apiextensions_v1_CustomResourceDefinitionList},
    {.kind = NULL},
};
