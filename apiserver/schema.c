/*
 * schema.c — lookups in the built-in kinds' schemas (see schema.h).
 *
 * meta.k8s.io's kinds (Status, DeleteOptions, WatchEvent) belong to every
 * group-version, as in Kubernetes: a client may send a DeleteOptions as
 * "v1", "apps/v1" or "meta.k8s.io/v1", so a kind a group does not have is
 * looked for among them.
 */
#include "schema.h"

#include <string.h>

#include "schema/messages.h"

const api_schema_group api_schema_groups[] = {
    {api_schema_kinds_meta_v1},
    {api_schema_kinds_core_v1},
    {api_schema_kinds_apps_v1},
    {api_schema_kinds_batch_v1},
    {api_schema_kinds_scheduling_v1},
    {api_schema_kinds_coordination_v1},
    {api_schema_kinds_autoscaling_v1},
    {api_schema_kinds_policy_v1},
    {api_schema_kinds_authentication_v1},
    {api_schema_kinds_rbac_v1},
    {api_schema_kinds_authorization_v1},
    {api_schema_kinds_tug_scheduling_v1},
    {api_schema_kinds_apiextensions_v1},
    {api_schema_kinds_networking_v1},
    {api_schema_kinds_batch_v1_cronjob},
    {api_schema_kinds_apps_v1_daemonset},
    {api_schema_kinds_core_v1_storage},
    {api_schema_kinds_storage_v1},
    {api_schema_kinds_apps_v1_statefulset},
    {api_schema_kinds_networking_v1_networkpolicy},
    {api_schema_kinds_apps_v1_controllerrevision},
    {NULL},
};

static const api_message *find_in(const api_schema_kind *kinds, const char *group,
                                  const char *version, const char *kind) {
  for (const api_schema_kind *k = kinds; k->kind; k++)
    if ((group == NULL || strcmp(k->group, group) == 0) && strcmp(k->version, version) == 0 &&
        strcmp(k->kind, kind) == 0)
      return k->message;
  return NULL;
}

const api_message *api_schema_find_gv(const char *group, const char *version, const char *kind) {
  if (group == NULL || version == NULL || kind == NULL)
    return NULL;
  for (const api_schema_group *g = api_schema_groups; g->kinds; g++) {
    const api_message *m = find_in(g->kinds, group, version, kind);
    if (m)
      return m;
  }
  return find_in(api_schema_kinds_meta_v1, NULL, "v1", kind);
}

const api_message *api_schema_find(const char *api_version, const char *kind) {
  if (api_version == NULL)
    return NULL;
  const char *slash = strchr(api_version, '/');
  if (slash == NULL)
    return api_schema_find_gv("", api_version, kind);
  char group[128];
  size_t n = (size_t)(slash - api_version);
  if (n >= sizeof group)
    return NULL;
  memcpy(group, api_version, n);
  group[n] = '\0';
  return api_schema_find_gv(group, slash + 1, kind);
}

const api_schema_kind *api_schema_kind_of(const api_message *m) {
  for (const api_schema_group *g = api_schema_groups; g->kinds; g++)
    for (const api_schema_kind *k = g->kinds; k->kind; k++)
      if (k->message == m)
        return k;
  return NULL;
}

const api_field *api_schema_field_by_number(const api_message *m, uint32_t number) {
  for (size_t i = 0; m && i < m->n_fields; i++)
    if (m->fields[i].number == number)
      return &m->fields[i];
  return NULL;
}

/* A field by name, looking into inlined messages too. */
static const api_field *field_deep(const api_message *m, const char *name, size_t len) {
  for (size_t i = 0; m && i < m->n_fields; i++) {
    const api_field *f = &m->fields[i];
    if (f->flags & API_FIELD_INLINE) {
      const api_field *in = field_deep(f->message, name, len);
      if (in)
        return in;
    } else if (strncmp(f->name, name, len) == 0 && f->name[len] == '\0') {
      return f;
    }
  }
  return NULL;
}

const api_field *api_schema_field(const api_message *m, const char *name) {
  return field_deep(m, name, strlen(name));
}

const api_field *api_schema_path(const api_message *m, const char *path) {
  const api_field *f = NULL;
  while (m && path && *path) {
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    f = field_deep(m, path, len);
    if (f == NULL)
      return NULL;
    path = dot ? dot + 1 : NULL;
    m = f->type == API_SCHEMA_MESSAGE ? f->message : NULL;
    if (path && m == NULL)
      return NULL;
  }
  return f;
}

const api_message *api_schema_list_item(const api_message *m) {
  const api_field *items = api_schema_field(m, "items");
  const api_field *meta = api_schema_field(m, "metadata");
  if (items == NULL || meta == NULL || meta->message != &api_msg_meta_v1_ListMeta ||
      items->shape != API_SCHEMA_LIST || items->type != API_SCHEMA_MESSAGE)
    return NULL;
  return items->message;
}

const char *api_schema_openapi_type(api_schema_type t) {
  switch (t) {
  case API_SCHEMA_BOOL:
    return "boolean";
  case API_SCHEMA_INT32:
  case API_SCHEMA_INT64:
    return "integer";
  case API_SCHEMA_DOUBLE:
    return "number";
  case API_SCHEMA_MESSAGE:
  case API_SCHEMA_JSON:
    return "object";
  default: /* strings, bytes, quantities, int-or-string and times are text in JSON */
    return "string";
  }
}

const char *api_schema_openapi_format(api_schema_type t) {
  switch (t) {
  case API_SCHEMA_INT32:
    return "int32";
  case API_SCHEMA_INT64:
    return "int64";
  case API_SCHEMA_DOUBLE:
    return "double";
  case API_SCHEMA_BYTES:
    return "byte";
  case API_SCHEMA_TIME:
  case API_SCHEMA_MICROTIME:
    return "date-time";
  case API_SCHEMA_INT_OR_STRING:
    return "int-or-string";
  default:
    return "";
  }
}
