/*
 * validation-serviceaccount.c — ServiceAccount: the references it lists.
 *
 * A ServiceAccount is mostly its name; what it holds are references to
 * Secrets in its namespace (legacy token Secrets and image pull Secrets), each
 * naming one, and whether its pods get its token mounted by default.
 */
#include "validation-internal.h"
#include "validation.h"

void api_default_serviceaccount(json_t *obj) {
  (void)obj;
}

/* Every element of the list key is an object; name, when given, is a subdomain. */
static void validate_references(const val_obj *root, const char *key) {
  size_t n = val_array_len(root, key);
  for (size_t i = 0; i < n; i++) {
    val_obj ref;
    if (val_enter_item(&ref, root, key, i))
      val_subdomain(&ref, "name");
  }
}

void api_validate_serviceaccount(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root;
  val_root(&root, obj, causes);
  validate_references(&root, "secrets");
  validate_references(&root, "imagePullSecrets");
  val_bool(&root, "automountServiceAccountToken");
}
