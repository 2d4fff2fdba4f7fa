/*
 * resources.h — what a word on the command line names: "po", "deploy",
 * "deployments.apps", "Queue" → group, version, resource, kind and scope,
 * resolved through the server's discovery documents (/api/v1, /apis), as
 * kubectl does, so a kind the server adds needs no change here.
 *
 * The one idea: discovery is fetched lazily and at most once per document, core
 * (/api/v1) first, so `tug get pods` costs one discovery request.
 */
#ifndef TUG_CLI_RESOURCES_H
#define TUG_CLI_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "http.h"

typedef struct cli_resource {
  char group[128];  /* "" for the core group */
  char version[32]; /* "v1" */
  char name[128];   /* plural resource: "deployments" */
  char kind[128];   /* "Deployment" */
  bool namespaced;
} cli_resource;

/*
 * Match word against one APIResourceList's "resources" array (pure): the plural
 * name, singularName, kind (any case) or a short name; subresources never match.
 * gv is the list's groupVersion ("apps/v1", "v1"). 0 when found, -1 when not.
 */
int cli_resource_match(const json_t *resources, const char *gv, const char *word,
                       cli_resource *out);
/* The same by exact kind ("Deployment"), for manifests. */
int cli_resource_match_kind(const json_t *resources, const char *gv, const char *kind,
                            cli_resource *out);

typedef struct cli_discovery cli_discovery;

cli_discovery *cli_discovery_new(tug_client *c);
void cli_discovery_free(cli_discovery *d);

/* Resolve a word as typed ("po", "deploy", "deployments.apps"). Unknown words
 * fail with ENOENT: the server doesn't have a resource type "x". */
int cli_discovery_resolve(cli_discovery *d, const char *word, cli_resource *out, tug_error *err);
/* Resolve a manifest's apiVersion and kind. */
int cli_discovery_resolve_kind(cli_discovery *d, const char *api_version, const char *kind,
                               cli_resource *out, tug_error *err);

/*
 * "/apis/apps/v1/namespaces/NS/deployments/NAME/SUB": ns is ignored for
 * cluster-scoped resources and may be NULL (all namespaces); name and sub may
 * be NULL. Name and namespace are URL-escaped. A new string, NULL without memory.
 */
char *cli_resource_path(const cli_resource *r, const char *ns, const char *name, const char *sub);

/* "deployment.apps" or "pod": kubectl's resource prefix in "deployment.apps/web". */
const char *cli_resource_ref(const cli_resource *r, char *buf, size_t size);

static inline void cli_discovery_freep(cli_discovery **d) {
  cli_discovery_free(*d);
}
#define _cleanup_discovery_ __attribute__((cleanup(cli_discovery_freep)))

#endif
