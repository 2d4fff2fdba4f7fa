/*
 * userns_sandbox.c — see userns_sandbox.h.
 */
#include "userns_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

static int write_file(const char *path, const char *text) {
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  return fd < 0 || write(fd, text, strlen(text)) < 0 ? -1 : 0;
}

int tug_test_enter_userns(char *why, size_t size) {
  char map[64];
  unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
    snprintf(why, size, "unshare(CLONE_NEWUSER|CLONE_NEWNET): %s", strerror(errno));
    return 0;
  }
  snprintf(map, sizeof map, "0 %u 1\n", uid);
  write_file("/proc/self/setgroups", "deny");
  if (write_file("/proc/self/uid_map", map) < 0)
    return -1;
  snprintf(map, sizeof map, "0 %u 1\n", gid);
  return write_file("/proc/self/gid_map", map) < 0 ? -1 : 1;
}
