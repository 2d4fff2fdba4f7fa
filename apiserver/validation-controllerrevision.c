/*
 * validation-controllerrevision.c — ControllerRevision, as Kubernetes
 * validates it: data is required and never changes (a revision is a
 * snapshot); revision is a number not below 0, and may change (a rollback
 * renumbers the revision it returns to as the newest).
 */
#include "validation-internal.h"
#include "validation.h"

void api_default_controllerrevision(json_t *obj) {
  (void)obj;
}

void api_validate_controllerrevision(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root;
  val_root(&root, obj, causes);
  if (!val_present(&root, "data"))
    val_required(&root, "data", "data is mandatory");
  val_int_min(&root, "revision", 0, NULL);
  if (old)
    val_immutable(&root, "data", old);
}
