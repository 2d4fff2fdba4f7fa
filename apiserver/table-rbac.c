/*
 * table-rbac.c — the columns of roles and bindings, as kubectl 1.32 prints
 * them: a role shows its name and creation time; a binding its role
 * ("ClusterRole/view") and, with -o wide, its users, groups and service
 * accounts.
 */
#include <string.h>

#include "table-internal.h"
#include "table.h"

const api_column api_columns_role[] = {
    TABLE_COLUMN_NAME,
    TABLE_COLUMN_CREATED_AT,
    TABLE_COLUMN_END,
};

const api_column api_columns_clusterrole[] = {
    TABLE_COLUMN_NAME,
    TABLE_COLUMN_CREATED_AT,
    TABLE_COLUMN_END,
};

static json_t *binding_role(const json_t *b) {
  table_buf out = {0};
  table_buf_addf(&out, "%s/%s", table_str(b, "roleRef.kind", ""), table_str(b, "roleRef.name", ""));
  return table_buf_json(&out, "");
}

/* Subjects of one kind, joined with ", " (ServiceAccounts as namespace/name). */
static json_t *subjects_of(const json_t *b, const char *type) {
  table_buf out = {0};
  size_t i, count = 0;
  json_t *s;
  json_array_foreach(json_object_get(b, "subjects"), i, s) {
    if (strcmp(table_str(s, "kind", ""), type) != 0)
      continue;
    table_buf_sep(&out, ", ", &count);
    if (strcmp(type, "ServiceAccount") == 0)
      table_buf_addf(&out, "%s/%s", table_str(s, "namespace", ""), table_str(s, "name", ""));
    else
      table_buf_add(&out, table_str(s, "name", ""));
  }
  return table_buf_json(&out, "");
}

static json_t *binding_users(const json_t *b) {
  return subjects_of(b, "User");
}

static json_t *binding_groups(const json_t *b) {
  return subjects_of(b, "Group");
}

static json_t *binding_service_accounts(const json_t *b) {
  return subjects_of(b, "ServiceAccount");
}

#define BINDING_COLUMNS                                                                            \
  TABLE_COLUMN_NAME,                                                                               \
      {"Role", "string", "", 0, "Role references the role being granted.", binding_role},          \
      TABLE_COLUMN_AGE, {"Users", "string", "", 1, "Users in the roleBinding.", binding_users},    \
      {"Groups", "string", "", 1, "Groups in the roleBinding.", binding_groups},                   \
      {"ServiceAccounts",       "string", "", 1, "ServiceAccounts in the roleBinding.",            \
       binding_service_accounts},                                                                  \
      TABLE_COLUMN_END

const api_column api_columns_rolebinding[] = {BINDING_COLUMNS};
const api_column api_columns_clusterrolebinding[] = {BINDING_COLUMNS};
