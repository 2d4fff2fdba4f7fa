/*
 * finalizer.c — letting an object go: one finalizer taken out of its
 * metadata.finalizers, conditional on the resourceVersion that was read, so
 * that a finalizer another writer added meanwhile is never dropped with it.
 */
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "object.h"

int ctl_drop_finalizer(ctl_ctx *x, const json_t *obj, const char *f, tug_error *err) {
  json_t *kept = json_array();
  size_t i;
  json_t *v;
  bool had = false;
  json_array_foreach(tug_obj_get(obj, "metadata.finalizers"), i, v) {
    if (json_is_string(v) && strcmp(json_string_value(v), f) == 0)
      had = true;
    else
      json_array_append(kept, v);
  }
  if (!had) {
    json_decref(kept);
    return 0;
  }
  _cleanup_json_ json_t *patch = json_pack("{s:{s:o}}", "metadata", "finalizers", kept);
  return ctl_patch(x, obj, patch, true, NULL, err);
}
