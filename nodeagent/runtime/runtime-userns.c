/*
 * runtime-userns.c — a pod's own user namespace (spec.hostUsers false): its
 * root is uid and gid 0 inside and the pod's id range outside
 * (runtime-idrange.h), so a process that escapes its container is an
 * unprivileged user on the host.
 *
 * The one idea: the user namespace is made in one clone together with the
 * pod's net, IPC and UTS namespaces, so it owns them and the pod's root holds
 * CAP_NET_BIND_SERVICE and the like over its own network only. Only a process
 * outside may write a namespace's id map with more than one id, and the
 * agent's thread would be blocked by a vfork child: so this helper is a plain
 * copy of the agent that sets up its namespaces and waits, while the agent
 * writes its maps and pins its namespaces by bind mounts as runtime-sandbox.c
 * does. Containers then join it last (agent_userns_enter), after their mounts
 * were made with the host's privileges, and see the image through an idmapped
 * mount (agent_userns_idmap), so neither the image nor its copies change.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-idrange.h"
#include "runtime-internal.h"

static const char *const pinned[] = {"user", "net", "ipc", "uts", NULL};

/* The helper: configure the namespaces it was born in, report, then wait
 * for the agent to close hold (it exits on EOF). Async-signal-safe calls
 * only: it is a copy of a multi-threaded agent. */
static __attribute__((noreturn)) void helper(const agent_sandbox *sb, int report_fd, int hold_fd) {
  const char *what = agent_sandbox_configure(sb);
  if (what)
    dprintf(report_fd, "%s: %s", what, strerror(errno));
  close(report_fd);
  char c;
  while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
    ;
  _exit(what ? 1 : 0);
}

static int write_map(pid_t pid, const char *file, uint32_t base, tug_error *err) {
  char path[64], map[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  snprintf(map, sizeof map, "0 %" PRIu32 " %d\n", base, AGENT_IDRANGE_SIZE);
  return agent_write_file(path, map, err);
}

/* With the helper waiting: its id maps, then its namespaces pinned. */
static int map_and_pin(const agent_sandbox *sb, pid_t pid, tug_error *err) {
  if (write_map(pid, "uid_map", sb->id_base, err) < 0 ||
      write_map(pid, "gid_map", sb->id_base, err) < 0)
    return -1;
  char src[64], dst[AGENT_PATH_MAX + 16];
  for (const char *const *ns = pinned; *ns; ns++) {
    snprintf(src, sizeof src, "/proc/%d/ns/%s", (int)pid, *ns);
    snprintf(dst, sizeof dst, "%s/ns/%s", sb->dir, *ns);
    if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
      return tug_error_errno(err, errno, "bind-mount %s on %s", src, dst);
  }
  return 0;
}

/* The helper's report: "" once it configured its namespaces, else what failed. */
static void read_report(int fd, char *msg, size_t size) {
  size_t len = 0;
  ssize_t n;
  while (len < size - 1 && (n = read(fd, msg + len, size - 1 - len)) != 0)
    if (n > 0)
      len += (size_t)n;
    else if (errno != EINTR)
      break;
  msg[len] = '\0';
}

int agent_userns_pin(const agent_sandbox *sb, tug_error *err) {
  int report[2], hold[2];
  if (pipe2(report, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "pipe");
  if (pipe2(hold, O_CLOEXEC) < 0) {
    int e = errno;
    close(report[0]);
    close(report[1]);
    return tug_error_errno(err, e, "pipe");
  }
  pid_t pid = (pid_t)syscall(SYS_clone,
                             CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD,
                             NULL, NULL, NULL, NULL);
  if (pid == 0) {
    close(report[0]);
    close(hold[1]);
    helper(sb, report[1], hold[0]);
  }
  int e = errno;
  close(report[1]);
  close(hold[0]);
  int rc = 0;
  char msg[512];
  if (pid < 0) {
    rc = tug_error_errno(err, e, "clone the user namespace helper");
  } else {
    read_report(report[0], msg, sizeof msg);
    rc = msg[0] ? tug_error_set(err, EIO, "%s", msg) : map_and_pin(sb, pid, err);
  }
  close(report[0]);
  close(hold[1]); /* the helper exits: its namespaces live on in the bind mounts */
  while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return rc;
}

int agent_userns_enter(int userns_fd, char *msg, size_t size) {
  const char *what = "join the pod's user namespace";
  if (setns(userns_fd, CLONE_NEWUSER) < 0)
    goto fail;
  /* Joining keeps the host's ids, which have no name inside: become the
   * pod's root, whose ids the kernel then writes to disk as the range's base. */
  what = "become the pod's root";
  /* Raw calls: glibc's would take a lock and mark every thread of the agent,
   * whose memory a container's child shares, to change them all. */
  if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setgroups, 0, NULL) < 0 ||
      syscall(SYS_setresuid, 0, 0, 0) < 0)
    goto fail;
  return 0;
fail:
  snprintf(msg, size, "%s: %s", what, strerror(errno));
  return -1;
}

int agent_userns_idmap(const char *source, const char *target, int userns_fd, char *msg,
                       size_t size) {
  const char *what = "clone";
  int fd = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0)
    goto fail;
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
  what = "idmap";
  if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    goto fail;
  what = "attach";
  if (move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    goto fail;
  close(fd);
  return 0;
fail:;
  int saved = errno;
  if (fd >= 0)
    close(fd);
  snprintf(msg, size, "%s %s as the pod's ids on %s: %s", what, source, target, strerror(saved));
  return -1;
}
