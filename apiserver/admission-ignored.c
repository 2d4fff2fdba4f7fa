/*
 * admission-ignored.c — warnings for what a pod spec may carry, Kubernetes
 * accepts and users' manifests have, but tug-agent does not act on: the
 * object is stored as written (a later agent may honour it), and whoever
 * applies it is told, field by field, as Kubernetes warns about deprecated
 * fields (a Warning header each, which kubectl prints).
 */
#include <stdio.h>

#include "admission.h"
#include "object.h"

/* Container fields the agent accepts and ignores, with why. */
static const struct {
  const char *field, *why;
} ignored[] = {
    {"lifecycle", "postStart and preStop hooks are not run by tug-agent (ignored)"},
};

static void warn_list(const json_t *spec, const char *prefix, const char *list, api_response *out) {
  size_t i;
  const json_t *c;
  json_array_foreach(json_object_get(spec, list), i, c) {
    for (size_t f = 0; f < sizeof ignored / sizeof ignored[0]; f++)
      if (json_object_get(c, ignored[f].field))
        api_warn(out, "%s.%s[%zu].%s: %s", prefix, list, i, ignored[f].field, ignored[f].why);
  }
}

void api_warn_ignored_pod_fields(const json_t *spec, const char *prefix, api_response *out) {
  warn_list(spec, prefix, "initContainers", out);
  warn_list(spec, prefix, "containers", out);
}
