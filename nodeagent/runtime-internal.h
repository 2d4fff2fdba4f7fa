/*
 * runtime-internal.h — what the runtime-*.c files share and nothing else sees:
 * the handles' layout, the child-side setup steps, and file-system helpers.
 *
 * Child-side functions run between clone and exec in a copy of a possibly
 * multi-threaded agent, so they allocate nothing and report failure by
 * writing a message into a caller's buffer.
 */
#ifndef TUG_NODEAGENT_RUNTIME_INTERNAL_H
#define TUG_NODEAGENT_RUNTIME_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "runtime-cgroup.h"
#include "runtime.h"

/* The environment of a container whose spec gives none. */
#define AGENT_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum { AGENT_NAME_MAX = 128 };

struct agent_runtime {
  char state_dir[PATH_MAX];
  agent_cgroup_mode cgroup_mode;
};

struct agent_sandbox {
  char uid[AGENT_NAME_MAX];
  char name[AGENT_NAME_MAX];
  char dir[PATH_MAX];
  char cgroup[2 * AGENT_NAME_MAX];
};

struct agent_container {
  char name[AGENT_NAME_MAX];
  char dir[PATH_MAX];
  char log[PATH_MAX];
  char cgroup[3 * AGENT_NAME_MAX];
  agent_cgroup_mode cgroup_mode;
  pid_t pid;
  int pidfd;
  bool exited;
  agent_container_status status;
};

/* What the child needs to build the container's file system. */
typedef struct agent_rootfs_config {
  const char *lower, *upper, *work, *merged;
  const char *hosts, *resolv_conf; /* host files bind-mounted read-only */
} agent_rootfs_config;

/* Child side: mounts, then pivot_root into cfg->merged. */
int agent_rootfs_setup(const agent_rootfs_config *cfg, char *msg, size_t size);
/* Child side: close fds >= keep_from but keep_fd, drop capabilities to
 * Docker's default set with an empty inheritable set, set no_new_privs. */
int agent_security_apply(int keep_fd, char *msg, size_t size);

/* A pod uid or container name usable as one path component. */
int agent_check_name(const char *what, const char *name, tug_error *err);
int agent_mkdir_p(const char *path, mode_t mode, tug_error *err);
int agent_write_file(const char *path, const char *content, tug_error *err);
/* rm -r that never crosses into another mount. Missing path is success. */
int agent_rm_rf(const char *path, tug_error *err);

#endif
