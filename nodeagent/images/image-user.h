/*
 * image-user.h — the image config's User ("1000", "1000:1000", "nobody",
 * "app:staff", "root") as uid and gid, with runc's rules: a name is looked up
 * in the image's /etc/passwd (a group name in its /etc/group) and must be
 * there; a numeric uid takes its primary gid from /etc/passwd when listed
 * there, else 0; a group given after ':' wins.
 */
#ifndef TUG_AGENT_IMAGE_USER_H
#define TUG_AGENT_IMAGE_USER_H

#include <sys/types.h>

#include "error.h"

/* Resolve spec against the text of passwd and group (either may be NULL: no file). */
int agent_image_user_lookup(const char *spec, const char *passwd, const char *group, uid_t *uid,
                            gid_t *gid, tug_error *err);
/* The same with the files read from the image (lowerdir: its layers, top first,
 * ':'-separated), symlinks resolved inside it. */
int agent_image_user_resolve(const char *lowerdir, const char *spec, uid_t *uid, gid_t *gid,
                             tug_error *err);

#endif
