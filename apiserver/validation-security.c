/*
 * validation-security.c — securityContext at pod and container level, and the
 * pod's host namespace switches.
 *
 * Validation checks that a context is well formed (types, ranges, Kubernetes'
 * cross-field rules); whether a namespace allows what it asks for is Pod
 * Security admission's call (podsecurity.c). Host namespaces are refused
 * here: the node agent does not implement them, and a pod that asked for the
 * host's network must not silently get its own.
 */
#include <stdint.h>
#include <string.h>

#include "validation-internal.h"
#include "validation.h"

/* ---- pieces both levels share ---- */

/* A user or group id: Kubernetes' 0..2^31-1. */
static void validate_id(const val_obj *sc, const char *key) {
  val_int_between(sc, key, 0, INT32_MAX, NULL);
}

static void validate_supplemental_groups(const val_obj *sc) {
  val_obj list;
  val_descend(&list, sc, "supplementalGroups", val_array(sc, "supplementalGroups"));
  for (size_t i = 0; i < json_array_size(list.json); i++) {
    json_t *v = json_array_get(list.json, i);
    if (!json_is_integer(v))
      val_invalid(&list, val_bracket_index(i).s, v, "must be an integer");
    else if (json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
      val_invalid(&list, val_bracket_index(i).s, v, "must be between 0 and %d, inclusive",
                  INT32_MAX);
  }
}

/* A profile file under the node's profile root: relative, never climbing out. */
static void validate_descending_path(const val_obj *o, const char *key, const char *path) {
  if (path[0] == '/') {
    val_invalid_str(o, key, path, "must be a relative path");
    return;
  }
  for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
    if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/')) {
      val_invalid_str(o, key, path, "must not contain '..'");
      return;
    }
}

/* seccompProfile or appArmorProfile (what: "seccomp", "AppArmor"): a type, and
 * localhostProfile exactly for Localhost. */
static void validate_profile(const val_obj *sc, const char *key, const char *what,
                             bool profile_is_path) {
  static const char *const types[] = {"Localhost", "RuntimeDefault", "Unconfined", NULL};
  val_obj p;
  if (!val_enter(&p, sc, key))
    return;
  if (!val_present(&p, "type"))
    val_required(&p, "type", NULL);
  const char *type = val_enum(&p, "type", types);
  const char *local = val_string(&p, "localhostProfile");
  bool localhost = type && strcmp(type, "Localhost") == 0;
  if (localhost && local == NULL)
    val_required(&p, "localhostProfile",
                 strcmp(what, "seccomp") == 0 ? "must be set when seccomp type is Localhost"
                                              : "must be set when AppArmor type is Localhost");
  else if (!localhost && type && local)
    val_invalid_str(&p, "localhostProfile", local, "can only be set when %s type is Localhost",
                    what);
  else if (localhost && profile_is_path)
    validate_descending_path(&p, "localhostProfile", local);
}

static void validate_selinux_options(const val_obj *sc) {
  static const char *const fields[] = {"user", "role", "type", "level"};
  val_obj o;
  if (val_enter(&o, sc, "seLinuxOptions"))
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
      val_string(&o, fields[i]);
}

/* What a pod's and a container's context have in common. */
static void validate_common(const val_obj *sc) {
  validate_id(sc, "runAsUser");
  validate_id(sc, "runAsGroup");
  val_bool(sc, "runAsNonRoot");
  validate_selinux_options(sc);
  validate_profile(sc, "seccompProfile", "seccomp", true);
  validate_profile(sc, "appArmorProfile", "AppArmor", false);
}

/* ---- the pod ---- */

static void validate_pod_context(const val_obj *spec) {
  static const char *const policies[] = {"Always", "OnRootMismatch", NULL};
  val_obj sc;
  if (!val_enter(&sc, spec, "securityContext"))
    return;
  validate_common(&sc);
  validate_id(&sc, "fsGroup");
  validate_supplemental_groups(&sc);
  val_enum(&sc, "fsGroupChangePolicy", policies);
  val_name_value_list(&sc, "sysctls");
}

void val_pod_security(const val_obj *spec) {
  static const char *const host[] = {"hostNetwork", "hostPID", "hostIPC"};
  for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
    if (val_bool(spec, host[i]) && json_is_true(json_object_get(spec->json, host[i])))
      val_forbidden(spec, host[i], "not supported by Tugboat");
  val_bool(spec, "hostUsers");
  validate_pod_context(spec);
}

/* ---- a container ---- */

static bool adds_sys_admin(const json_t *add) {
  size_t i;
  json_t *cap;
  json_array_foreach(add, i, cap) {
    const char *s = json_string_value(cap);
    if (s && (strcmp(s, "CAP_SYS_ADMIN") == 0 || strcmp(s, "SYS_ADMIN") == 0))
      return true;
  }
  return false;
}

/* No escalation asked for, yet everything a privileged container or
 * CAP_SYS_ADMIN would give: Kubernetes refuses the contradiction. */
static void validate_escalation(const val_obj *sc) {
  if (!json_is_false(json_object_get(sc->json, "allowPrivilegeEscalation")))
    return;
  if (json_is_true(json_object_get(sc->json, "privileged")))
    val_invalid(sc, NULL, sc->json,
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true");
  if (adds_sys_admin(json_object_get(json_object_get(sc->json, "capabilities"), "add")))
    val_invalid(sc, NULL, sc->json,
                "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` "
                "CAP_SYS_ADMIN");
}

void val_container_security(const val_obj *c) {
  static const char *const proc_mounts[] = {"Default", "Unmasked", NULL};
  static const char *const flags[] = {"privileged", "readOnlyRootFilesystem",
                                      "allowPrivilegeEscalation"};
  val_obj sc, caps;
  if (!val_enter(&sc, c, "securityContext"))
    return;
  validate_common(&sc);
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    val_bool(&sc, flags[i]);
  if (val_enter(&caps, &sc, "capabilities")) {
    val_string_list(&caps, "add");
    val_string_list(&caps, "drop");
  }
  val_enum(&sc, "procMount", proc_mounts);
  validate_escalation(&sc);
}
