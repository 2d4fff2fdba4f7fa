/*
 * patch.c — PATCH bodies of the three patch formats, and which of the four a request sends (see
 * patch.h).
 *
 * The formats live in lib (object.h, strategicpatch.h, jsonpatch.h); this
 * file picks one from the Content-Type (server-side apply goes on to apply.c), checks the body's
 * shape before any read of the stored object, answers strategic merge's questions about lists from
 * the schema of the patched document's kind (schema.h), and turns library errors into Status codes.
 */
#include "patch.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "jsonpatch.h"
#include "object.h"
#include "schema.h"
#include "strategicpatch.h"

/* Kubernetes' limit on the operations of one JSON Patch. */
enum { JSON_PATCH_MAX_OPS = 10000 };

const char *const api_patch_media_list[] = {
    "application/json-patch+json", "application/merge-patch+json",
    "application/strategic-merge-patch+json", "application/apply-patch+yaml", NULL};

const char api_patch_media_types[] = "application/json-patch+json, application/merge-patch+json, "
                                     "application/strategic-merge-patch+json, "
                                     "application/apply-patch+yaml";

static bool media_type_is(const char *ct, const char *want) {
  size_t n = strlen(want);
  return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

bool api_patch_type_of(const char *content_type, api_patch_type *type) {
  static const struct {
    const char *media;
    api_patch_type type;
  } types[] = {{"application/merge-patch+json", API_PATCH_MERGE},
               {"application/strategic-merge-patch+json", API_PATCH_STRATEGIC},
               {"application/json-patch+json", API_PATCH_JSON},
               {"application/apply-patch+yaml", API_PATCH_APPLY}};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (media_type_is(content_type, types[i].media)) {
      *type = types[i].type;
      return true;
    }
  return false;
}

int api_patch_check_body(api_patch_type type, const json_t *body, api_response *out) {
  if (type != API_PATCH_JSON) {
    if (json_is_object(body))
      return 0;
    api_fail(out, 400, "the patch must be a JSON object, not %s", tug_obj_type_name(body));
    return -1;
  }
  if (!json_is_array(body)) {
    api_fail(out, 400, "error decoding patch: a JSON patch must be an array of operations, not %s",
             tug_obj_type_name(body));
    return -1;
  }
  if (json_array_size(body) > JSON_PATCH_MAX_OPS) {
    api_fail(out, 413, "The allowed maximum operations in a JSON patch is %d, got %zu",
             JSON_PATCH_MAX_OPS, json_array_size(body));
    return -1;
  }
  return 0;
}

/* How the list at path of the message ctx merges, from its patchStrategy
 * and patchMergeKey. A list the schema does not know (an unknown field kept
 * as written) is left to lib's guess. */
static bool smp_lookup(const void *ctx, const char *path, tug_smp_field *out) {
  const api_field *f = api_schema_path(ctx, path);
  if (f == NULL || f->shape != API_SCHEMA_LIST)
    return false;
  out->merge = f->patch_strategy && strstr(f->patch_strategy, "merge") != NULL;
  out->merge_key = out->merge && f->type == API_SCHEMA_MESSAGE ? f->patch_merge_key : NULL;
  return true;
}

json_t *api_patch_apply(api_patch_type type, const json_t *target, const json_t *patch,
                        api_response *out) {
  tug_error err = {0};
  tug_smp_schema schema = {.lookup = smp_lookup,
                           .ctx =
                               api_schema_find(tug_obj_api_version(target), tug_obj_kind(target))};
  json_t *res = NULL;
  int rc = 0;
  if (type == API_PATCH_MERGE)
    rc = (res = tug_obj_merge_patch(target, patch)) ? 0 : tug_error_set(&err, ENOMEM, "no memory");
  else if (type == API_PATCH_STRATEGIC)
    rc = tug_smp_apply(target, patch, schema.ctx ? &schema : NULL, &res, &err);
  else
    rc = tug_json_patch(target, patch, &res, &err);
  if (rc < 0) {
    int code = err.code == TUG_E_PARSE ? 400 : err.code == ENOMEM ? 500 : 422;
    api_fail(out, code, "%s", err.msg);
    return NULL;
  }
  if (!json_is_object(res)) {
    api_fail(out, 422, "the patch must leave an object, not %s", tug_obj_type_name(res));
    json_decref(res);
    return NULL;
  }
  return res;
}
