/*
 * authn.c — the api_user record every request carries (authn.h).
 */
#include <stdio.h>
#include <string.h>

#include "authn.h"

void api_user_set(api_user *u, const char *name, const char *uid) {
  memset(u, 0, sizeof *u);
  snprintf(u->name, sizeof u->name, "%s", name);
  snprintf(u->uid, sizeof u->uid, "%s", uid ? uid : "");
}

int api_user_add_group(api_user *u, const char *group) {
  if (api_user_in_group(u, group))
    return 0;
  if (u->ngroups == API_USER_MAX_GROUPS)
    return -1;
  snprintf(u->groups[u->ngroups++], sizeof u->groups[0], "%s", group);
  return 0;
}

bool api_user_in_group(const api_user *u, const char *group) {
  for (int i = 0; i < u->ngroups; i++)
    if (strcmp(u->groups[i], group) == 0)
      return true;
  return false;
}

void api_user_set_admin(api_user *u) {
  api_user_set(u, "system:admin", NULL);
  api_user_add_group(u, "system:masters");
  api_user_add_group(u, "system:authenticated");
}

void api_user_set_anonymous(api_user *u) {
  api_user_set(u, "system:anonymous", NULL);
  api_user_add_group(u, "system:unauthenticated");
}
