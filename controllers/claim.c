/*
 * claim.c — adoption and release by selector (client-go's
 * ControllerRefManager; see ctl_claim in ctl.h).
 *
 * Both are merge patches of the whole ownerReferences list with the
 * object's resourceVersion as a precondition, so a concurrent change (another
 * controller adopting it first) makes the patch fail instead of winning twice.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "object.h"

bool ctl_owned_by(const json_t *obj, const char *uid) {
  size_t i;
  json_t *ref;
  if (uid == NULL)
    return false;
  json_array_foreach(tug_obj_get(obj, "metadata.ownerReferences"), i, ref) {
    const char *u = json_string_value(json_object_get(ref, "uid"));
    if (u && strcmp(u, uid) == 0)
      return true;
  }
  return false;
}

/* obj's ownerReferences without uid's, plus add (stolen; may be NULL). */
static json_t *refs_without(const json_t *obj, const char *uid, json_t *add) {
  json_t *out = json_array();
  size_t i;
  json_t *ref;
  json_array_foreach(tug_obj_get(obj, "metadata.ownerReferences"), i, ref) {
    const char *u = json_string_value(json_object_get(ref, "uid"));
    if (!(u && uid && strcmp(u, uid) == 0))
      json_array_append(out, ref);
  }
  if (add)
    json_array_append_new(out, add);
  return out;
}

static int set_refs(ctl_ctx *x, const json_t *obj, json_t *refs) {
  json_t *patch = json_pack("{s:{s:o}}", "metadata", "ownerReferences", refs);
  tug_error err = {0};
  int rc = ctl_patch(x, obj, patch, true, NULL, &err);
  json_decref(patch);
  if (rc < 0 && err.code != ENOENT && err.code != TUG_E_CONFLICT)
    tug_warn("owner reference change failed", "obj=%s/%s err=%s", tug_obj_namespace(obj),
             tug_obj_name(obj), TUG_LOG_ERR(&err));
  return rc;
}

json_t *ctl_claim(ctl_ctx *x, const json_t *owner, const tug_selector *sel, json_t *candidates,
                  int *failures) {
  const char *uid = tug_obj_uid(owner);
  bool owner_deleting = tug_obj_deletion_timestamp(owner) != NULL;
  json_t *mine = json_array();
  size_t i;
  json_t *o;
  json_array_foreach(candidates, i, o) {
    json_t *ref = tug_controller_ref(o);
    bool matches = tug_selector_matches(sel, tug_obj_labels(o));
    const char *ref_uid = json_string_value(json_object_get(ref, "uid"));
    if (ref_uid && uid && strcmp(ref_uid, uid) == 0) {
      if (matches || owner_deleting) {
        json_array_append(mine, o);
      } else if (set_refs(x, o, refs_without(o, uid, NULL)) < 0) {
        (*failures)++;
        json_array_append(mine, o);
      }
      continue;
    }
    if (ref != NULL || !matches || owner_deleting || tug_obj_deletion_timestamp(o))
      continue;
    if (set_refs(x, o, refs_without(o, uid, tug_controller_ref_new(owner))) < 0) {
      (*failures)++;
      continue;
    }
    json_array_append(mine, o);
  }
  return mine;
}
