/*
 * kinds.h — the one table of built-in kinds every client of the API server
 * reads: a kind's group, version, plural resource name and scope, and the
 * REST path built from them.
 *
 * The one idea: no code spells an API path or guesses a plural. A path is
 * asked of this table by kind ("ReplicaSet" → /apis/apps/v1/namespaces/ns/
 * replicasets/name); a kind it does not know is an error (ENOENT), never a
 * guess — a wrong guess would be a 404 that reads like "the object is gone".
 * The API server's registry (apiserver/registry.c) serves the same kinds;
 * apiserver/tests/test_kinds.c checks that the two agree.
 */
#ifndef TUG_KINDS_H
#define TUG_KINDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct tug_kind {
  const char *group; /* "" for the core group */
  const char *version;
  const char *kind;     /* "ReplicaSet" */
  const char *resource; /* "replicasets" */
  bool namespaced;
} tug_kind;

/* Every built-in kind, ending with an entry whose kind is NULL. */
extern const tug_kind tug_kinds[];

/* By kind name (and apiVersion, when not NULL: "v1", "apps/v1"); NULL when unknown. */
const tug_kind *tug_kind_find(const char *api_version, const char *kind);

/* By group ("" for core) and plural resource name ("deployments"); NULL when unknown. */
const tug_kind *tug_kind_by_resource(const char *group, const char *resource);

/*
 * The path of kind k: the collection (name NULL), in namespace ns for
 * namespaced kinds (ns NULL or "": all namespaces), of one object, or of its
 * subresource sub ("status"; only with a name). -1 when it does not fit.
 */
int tug_kind_path(char *buf, size_t size, const tug_kind *k, const char *ns, const char *name,
                  const char *sub);

/* tug_kind_path by kind name; ENOENT for a kind the table does not know. */
int tug_api_path(char *buf, size_t size, const char *kind, const char *ns, const char *name,
                 const char *sub, tug_error *err);
/* The path of obj (by its apiVersion, kind, namespace and name) or of its subresource. */
int tug_obj_path(char *buf, size_t size, const json_t *obj, const char *sub, tug_error *err);

#endif
