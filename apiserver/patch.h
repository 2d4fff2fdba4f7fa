/*
 * patch.h — the three PATCH formats Kubernetes accepts, applied one way, and the fourth (apply)
 * told apart.
 *
 * The Content-Type picks the format: JSON merge patch (RFC 7386), strategic
 * merge patch (merge keys from the kind's schema) or JSON Patch (RFC 6902);
 * a fourth, server-side apply (application/apply-patch+yaml), is no patch
 * of the stored object but a configuration its manager owns (apply.c).
 * The same functions serve an object and its subresources, whose handlers
 * apply the patch to what the subresource shows (the object for /status, a
 * Scale for /scale) and keep what they own of the result.
 *
 * Errors carry Kubernetes' codes: a body that is no patch of its format is
 * 400, a JSON Patch of more than 10,000 operations is 413, and a patch that
 * does not apply to the stored object (a failed "test", a missing path, a
 * strategic list element without its merge key) is 422.
 */
#ifndef TUG_APISERVER_PATCH_H
#define TUG_APISERVER_PATCH_H

#include <jansson.h>
#include <stdbool.h>

#include "handlers.h"
#include "server.h"

typedef enum api_patch_type {
  API_PATCH_MERGE,     /* application/merge-patch+json */
  API_PATCH_STRATEGIC, /* application/strategic-merge-patch+json */
  API_PATCH_JSON,      /* application/json-patch+json */
  API_PATCH_APPLY,     /* application/apply-patch+yaml: server-side apply */
} api_patch_type;

/* The patch format a Content-Type names; false when it is none of the four. */
bool api_patch_type_of(const char *content_type, api_patch_type *type);

/* The four media types, NULL-terminated (the OpenAPI documents list them). */
extern const char *const api_patch_media_list[];
/* "application/merge-patch+json, ..." for 415 answers. */
extern const char api_patch_media_types[];

/* Whether a parsed body is the shape its format wants (an object, or an
 * array of at most 10,000 operations); -1 with out filled (400, 413). */
int api_patch_check_body(api_patch_type type, const json_t *body, api_response *out);

/* target patched, a new object; NULL with out filled (400, 422). Strategic
 * merge takes its merge keys from the schema of target's apiVersion and kind
 * (a Scale's for /scale). */
json_t *api_patch_apply(api_patch_type type, const json_t *target, const json_t *patch,
                        api_response *out);

/* Server-side apply of config (the body of an apply PATCH) to the route's
 * object (sub NULL), its status or its scale (apply.c). */
void api_handle_apply(api_request *r, const api_route *rt, const char *sub, json_t *config,
                      api_response *out);

#endif
