/*
 * image-user.c — an image's User as uid and gid (image-user.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image-user.h"
#include "runtime-internal.h"

/* A decimal id below 2^32 - 1. */
static bool numeric(const char *s, unsigned long *v) {
  char *end;
  if (*s == '\0')
    return false;
  errno = 0;
  *v = strtoul(s, &end, 10);
  return *end == '\0' && errno == 0 && *v < UINT32_MAX;
}

/* In a passwd or group file, the line whose name (field 0) is name, or with
 * by_id whose id (field 2) is id: its id, and field 3 (passwd's gid, else 0).
 * 1 when found. */
static int find_line(const char *text, const char *name, unsigned long id, bool by_id,
                     unsigned long *f2, unsigned long *f3) {
  for (const char *line = text; line && *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    char buf[1024], *fields[4] = {0};
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
    char *f = buf;
    for (size_t k = 0; k < 4 && f; k++) {
      fields[k] = f;
      if ((f = strchr(f, ':')) != NULL)
        *f++ = '\0';
    }
    unsigned long found;
    if (fields[2] && numeric(fields[2], &found) &&
        (by_id ? found == id : strcmp(fields[0], name) == 0)) {
      *f2 = found;
      if (!fields[3] || !numeric(fields[3], f3))
        *f3 = 0;
      return 1;
    }
    line = nl ? nl + 1 : NULL;
  }
  return 0;
}

int agent_image_user_lookup(const char *spec, const char *passwd, const char *group, uid_t *uid,
                            gid_t *gid, tug_error *err) {
  char user[256];
  snprintf(user, sizeof user, "%s", spec ? spec : "");
  char *grp = strchr(user, ':');
  if (grp)
    *grp++ = '\0';
  unsigned long u = 0, g = 0, id, primary = 0;
  if (user[0] == '\0')
    u = 0;
  else if (numeric(user, &id)) {
    u = id;
    if (passwd && find_line(passwd, NULL, id, true, &id, &primary))
      g = primary;
  } else if (passwd && find_line(passwd, user, 0, false, &id, &primary)) {
    u = id;
    g = primary;
  } else
    return tug_error_set(err, ENOENT, "unable to find user %s: no matching entries in passwd file",
                         user);
  if (grp && *grp) {
    unsigned long unused;
    if (numeric(grp, &id))
      g = id;
    else if (group && find_line(group, grp, 0, false, &id, &unused))
      g = id;
    else
      return tug_error_set(err, ENOENT,
                           "unable to find group %s: no matching entries in group file", grp);
  }
  *uid = (uid_t)u;
  *gid = (gid_t)g;
  return 0;
}

int agent_image_user_resolve(const char *lowerdir, const char *spec, uid_t *uid, gid_t *gid,
                             tug_error *err) {
  char *passwd = agent_layers_read_file(lowerdir, "etc/passwd", 1 << 20);
  char *group = agent_layers_read_file(lowerdir, "etc/group", 1 << 20);
  int rc = agent_image_user_lookup(spec, passwd, group, uid, gid, err);
  free(passwd);
  free(group);
  return rc;
}
