/*
 * crd.h — CustomResourceDefinitions: kinds added to the API at run time.
 *
 * A CRD (apiextensions.k8s.io/v1, a built-in kind stored like the others)
 * becomes one api_kind per served version, added to the registry
 * (registry.h) and served by the same handlers as built-in kinds. The
 * versions share one etcd prefix, /registry/{group}/{plural}/, where objects
 * are kept in the storage version; each version has its own watch cache
 * whose objects carry that version's apiVersion (conversion "None": only
 * apiVersion changes between versions).
 *
 * A controller inside the API server (crd.c) follows the CRDs' watch cache:
 * it adds the kinds of a new or changed CRD, then sets its NamesAccepted and
 * Established conditions; it retires the kinds of a CRD that is gone; and
 * for a CRD being deleted it deletes every object of the kind, then lets the
 * CRD go (its finalizer, as in Kubernetes). At start-up it adds the kinds of
 * every stored CRD before the server reports ready.
 */
#ifndef TUG_APISERVER_CRD_H
#define TUG_APISERVER_CRD_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "registry.h"
#include "schema.h"
#include "server.h"

/* The finalizer that holds a CRD until its objects are gone. */
#define API_CRD_FINALIZER "customresourcecleanup.apiextensions.k8s.io"

/* What a kind added from a CRD version carries beside its api_kind. */
typedef struct api_custom {
  char *crd_name; /* "widgets.example.com" */
  char *crd_uid;
  int64_t crd_generation;
  char *storage_api_version; /* "example.com/v1": objects are stored as this */
  char *key_segment;         /* "example.com/widgets" in /registry/example.com/widgets/... */
  json_t *schema;            /* the version's openAPIV3Schema (owned), or NULL */
  /* /scale: dotted paths ("spec.replicas"); selector NULL when not given. */
  char *scale_spec, *scale_status, *scale_selector;
  char *deprecation_warning; /* NULL unless the version is deprecated */
  /* The JSONPath (jsonpath.h) of each of the kind's columns, indexed like
   * them; NULL for Name and Age, which have cells of their own. */
  struct tug_jsonpath **column_paths;
  _Atomic(struct api_watchcache *) cache;
  atomic_bool retired;
  size_t slot; /* in the registry's table of run time kinds */
  /* What the OpenAPI paths name (openapi-custom.c): the kind's definition
   * ("com.example.v1.Widget", no fields of its own: the schema is the CRD's)
   * and its List. */
  api_message message, list_message;
  api_field list_fields[2];
  api_schema_kind schema_kind;
} api_custom;

typedef struct api_crds api_crds;

/* Add the kinds of every stored CRD, then follow CRDs; -1 with err when the
 * stored ones cannot be read. */
int api_crds_start(api_server *s, tug_error *err);
void api_crds_stop(api_server *s);

/* The kinds of one CRD version (crd-kinds.c); NULL when the version is not
 * served. The kind's watch cache is not made yet. */
api_kind *api_crd_kind_new(const json_t *crd, const json_t *version);

/* For a custom object: prune what the schema does not declare (unknown gets
 * `unknown field "path"` strings; may be NULL). */
void api_custom_prune(const api_kind *k, json_t *obj, json_t *unknown);
/* Defaults, then the schema's validation (causes as registry.h's). */
void api_custom_validate(const api_kind *k, json_t *obj, json_t *causes);
/* Give obj the apiVersion of kind k (objects are stored in one version and
 * served in every one). */
void api_custom_set_version(const api_kind *k, json_t *obj);
/* obj as stored: in the storage version; a new string to free. */
char *api_custom_encode(const api_kind *k, const json_t *obj);

#endif
