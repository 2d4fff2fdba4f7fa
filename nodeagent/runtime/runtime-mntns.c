/*
 * runtime-mntns.c — the mount namespace every container's own is copied from.
 *
 * The one idea: clone(CLONE_NEWNS) copies the agent's whole mount table, and
 * that table grows by four mounts a running pod (its three namespace pins and
 * its token tmpfs). Each container start paid for all of them three times —
 * the copy, making it private, detaching the old root after pivot_root — so
 * the hundredth pod of a burst started slower than the first. A private copy
 * made once when the runtime opens holds only the host's mounts and the
 * agent's state tmpfs; a container's child joins it and copies that instead.
 * Nothing the child needs is missing from it: the images, pods' layers and
 * state files sit on file systems mounted before it was made, and volumes,
 * which may be mounts of their own made later, reach the child as detached
 * trees the agent cloned (agent_rootfs_open_volumes).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-internal.h"

/* The helper shares the agent's descriptor table (CLONE_FILES): it replaces
 * the placeholder the agent opened with its own namespace's file. */
static int template_main(void *arg) {
  int slot = *(int *)arg;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 1;
  int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || dup3(fd, slot, O_CLOEXEC) < 0)
    return 1;
  close(fd);
  return 0;
}

int agent_mntns_template(int *out, tug_error *err) {
  int slot = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (slot < 0)
    return tug_error_errno(err, errno, "open a descriptor for the template mount namespace");
  pid_t pid = agent_clone_vfork(CLONE_NEWNS | CLONE_FILES | SIGCHLD, template_main, &slot);
  int status = 0;
  if (pid < 0) {
    int e = errno;
    close(slot);
    return tug_error_errno(err, e, "clone the template mount namespace");
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    close(slot);
    return tug_error_set(err, EIO, "make the template mount namespace (status %d)", status);
  }
  *out = slot;
  return 0;
}

int agent_mntns_enter(int template_fd, char *msg, size_t size) {
  if (template_fd < 0)
    return 0; /* cloned with CLONE_NEWNS: a copy of the agent's */
  /* Joined, then copied at once: no mount of the child's lands in the template. */
  if (setns(template_fd, CLONE_NEWNS) < 0 || unshare(CLONE_NEWNS) < 0) {
    snprintf(msg, size, "copy the template mount namespace: %s", strerror(errno));
    return -1;
  }
  return 0;
}
