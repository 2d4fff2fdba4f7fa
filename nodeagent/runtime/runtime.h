/*
 * runtime.h — the node agent's container runtime: pod sandboxes, containers,
 * their cgroups, and the local image store.
 *
 * A sandbox is a pod's network, IPC and UTS namespaces, and with
 * user_namespace its own user namespace that owns them. They are kept alive
 * by bind-mounting their ns files under <state>/sandboxes/<pod-uid>/ns/, so
 * no helper process stays. A container is a process in its own PID and mount
 * namespace that joins the sandbox's namespaces, runs on an overlayfs of an
 * image rootfs, and is placed in its cgroups before it runs any image code.
 * Every function returns a negative value on failure and fills err.
 */
#ifndef TUG_NODEAGENT_RUNTIME_H
#define TUG_NODEAGENT_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

typedef struct agent_runtime agent_runtime;
typedef struct agent_sandbox agent_sandbox;
typedef struct agent_container agent_container;

/* Resource figures of one container; 0 means "not set". */
typedef struct agent_resources {
  int64_t cpu_request_milli; /* → cpu.shares (v1) / cpu.weight (v2) */
  int64_t cpu_limit_milli;   /* → cfs quota over a 100 ms period / cpu.max */
  int64_t memory_limit;      /* bytes → memory.limit_in_bytes / memory.max */
  int64_t pids_max;          /* → pids.max */
} agent_resources;

typedef struct agent_sandbox_spec {
  const char *pod_uid;       /* names the state dir and the pod cgroup tug/<uid> */
  bool user_namespace;       /* spec.hostUsers false: the pod's own user namespace */
  const char *pod_name;      /* the hostname */
  const char *hosts;         /* /etc/hosts content; NULL: localhost + hostname */
  const char *resolv_conf;   /* /etc/resolv.conf content; NULL: the host's */
  agent_resources resources; /* pod cgroup limits (agent_podspec_pod_resources); 0: none */
} agent_sandbox_spec;

/* A pod volume bound into a container (agent-volumes.c prepares them). The
 * child opens source on the host, resolves sub_path inside it without leaving
 * it (a missing sub_path is made a directory), and binds the result, with
 * its submounts, onto target inside the rootfs, made to match (dir or file)
 * when missing. Strings are borrowed until agent_runtime_container_start
 * returns. */
enum { AGENT_MAX_MOUNTS = 32 };
typedef struct agent_mount {
  const char *source; /* absolute host path */
  /* hostPath: an allowed prefix of source; the child reaches source beneath
   * it without a magic link, an absolute symlink or "..", and refuses /proc.
   * NULL: source is a volume dir of the agent's own, made nodev and nosuid. */
  const char *source_root;
  const char *sub_path; /* NULL: source itself; else relative, no ".." */
  const char *target;   /* absolute path in the container, no ".." */
  bool read_only;       /* the whole bound tree, submounts too */
} agent_mount;

/* Which seccomp filter a container runs under (securityContext.seccompProfile). */
typedef enum agent_seccomp_kind {
  AGENT_SECCOMP_RUNTIME_DEFAULT = 0, /* Docker's default profile */
  AGENT_SECCOMP_UNCONFINED,
  AGENT_SECCOMP_LOCALHOST, /* a JSON profile under the agent's profile dir */
} agent_seccomp_kind;

enum { AGENT_MAX_GROUPS = 64 };

/*
 * How one container is confined (agent-securitycontext.c fills it from the
 * pod's and the container's securityContext). The zero value is Kubernetes'
 * default for a container: Docker's capability set, no_new_privs, /proc with
 * masked and read-only paths, the standard devices only, the runtime default
 * seccomp profile, and the image's user (root: images carry no user yet).
 * Capabilities end up as (drop_all ? 0 : default & ~cap_drop) | cap_add, bits
 * numbered as CAP_* in <linux/capability.h>.
 */
typedef struct agent_security {
  bool privileged; /* every capability and device, /proc and /sys unmasked and writable, no seccomp
                    */
  bool unmasked_proc;    /* procMount Unmasked: /proc without masked and read-only paths */
  bool read_only_rootfs; /* readOnlyRootFilesystem */
  bool allow_privilege_escalation; /* true: no no_new_privs */
  bool drop_all;
  uint64_t cap_add, cap_drop;
  bool run_as_user, run_as_group; /* else uid 0, gid 0 */
  uid_t uid;
  gid_t gid;
  gid_t groups[AGENT_MAX_GROUPS]; /* supplementalGroups, then fsGroup */
  size_t n_groups;
  agent_seccomp_kind seccomp;
  const char *seccomp_profile; /* Localhost: a path relative to the profile dir, borrowed */
} agent_security;

typedef struct agent_container_spec {
  const char *name;
  const char *rootfs;      /* image rootfs, the read-only overlay lower dir */
  char *const *argv;       /* command + args, NULL-terminated, argv[0] looked up in PATH */
  char *const *env;        /* NULL-terminated; NULL: PATH only */
  const char *working_dir; /* NULL: "/" */
  const char *log_path;    /* stdout+stderr, appended; NULL: <container dir>/log */
  agent_resources resources;
  const agent_mount *mounts; /* in order, after the rootfs's own mounts; at most AGENT_MAX_MOUNTS */
  size_t n_mounts;
  agent_security security;
  bool stdin, stdin_once, tty; /* the container's own stdin and terminal (runtime-stdio.c) */
} agent_container_spec;

typedef struct agent_process_status {
  bool running;
  int exit_code;     /* exit status, or 128 + signal */
  bool oom_killed;   /* the memory cgroup killed a process of this container */
  bool exit_unknown; /* an adopted container ended unseen; exit_code is 137 */
} agent_process_status;

/* What a previous agent left of one container (agent_runtime_container_adopt). */
typedef struct agent_container_record {
  bool found;        /* it had been started in this sandbox */
  time_t started_at; /* wall clock, when found */
} agent_container_record;

typedef struct agent_container_stats {
  uint64_t cpu_usage_ns;
  uint64_t memory_usage;
  uint64_t oom_kills;
  uint64_t cpu_nr_throttled;
  uint64_t pids_current;
  uint64_t pids_max_hits; /* forks refused by pids.max */
} agent_container_stats;

/* state_dir holds sandboxes and containers; it is created when missing. */
int agent_runtime_open(const char *state_dir, agent_runtime **out, tug_error *err);
void agent_runtime_close(agent_runtime *rt);
const char *agent_runtime_state_dir(const agent_runtime *rt);
const char *agent_runtime_data_dir(const agent_runtime *rt);
/* Where Localhost seccomp profiles live (unset: Localhost is refused). */
int agent_runtime_set_seccomp_dir(agent_runtime *rt, const char *dir, tug_error *err);
/* Split what a pod keeps from what only runs it: the pods' data (overlay upper
 * and work dirs, volumes) go to data_dir on disk, and the state dir (namespace
 * pins, hosts files, container state, mount points) becomes a tmpfs when it is
 * not one and holds nothing yet. Unset, both live in the state dir. Call
 * before any sandbox is made. */
int agent_runtime_set_data_dir(agent_runtime *rt, const char *data_dir, tug_error *err);

int agent_runtime_sandbox_create(agent_runtime *rt, const agent_sandbox_spec *spec,
                                 agent_sandbox **out, tug_error *err);
/* Unmounts the ns files and deletes the state dir and the pod cgroup. The
 * sandbox's containers must have been removed. Frees sb even on failure. */
int agent_runtime_sandbox_remove(agent_runtime *rt, agent_sandbox *sb, tug_error *err);
const char *agent_runtime_sandbox_dir(const agent_sandbox *sb);
/* Where the pod's data lives (its volumes): the sandbox dir unless
 * agent_runtime_set_data_dir moved it. */
const char *agent_runtime_sandbox_data_dir(const agent_sandbox *sb);
/* The host uid (and gid) the pod's root has: the base of its id range with a
 * user namespace of its own, else 0. Files its root is to own (an emptyDir)
 * are chowned to it. */
uid_t agent_runtime_sandbox_root_id(const agent_sandbox *sb);
/* True when sandbox_create found the pod's sandbox made by an earlier agent
 * still intact and took it over (a stale one is purged and made anew). */
bool agent_runtime_sandbox_adopted(const agent_sandbox *sb);
/* The sandbox's network namespace, opened O_RDONLY|O_CLOEXEC: an fd to
 * close, or -1 with err. */
int agent_runtime_sandbox_netns(const agent_sandbox *sb, tug_error *err);
/* Replace the sandbox's "hosts" or "resolv.conf" (its containers' /etc/hosts
 * and /etc/resolv.conf; before they start: they bind the files). */
int agent_runtime_sandbox_set_file(agent_sandbox *sb, const char *name, const char *content,
                                   tug_error *err);
/* The pod uids that have a sandbox dir, as a NULL-terminated array to free
 * with agent_runtime_free_list. */
char **agent_runtime_sandbox_list(agent_runtime *rt, tug_error *err);
void agent_runtime_free_list(char **list);
/* Tear down what an earlier agent left of pod_uid with no handle: kill every
 * process in its cgroups, unpin its namespaces, delete cgroups and state. */
int agent_runtime_sandbox_purge(agent_runtime *rt, const char *pod_uid, tug_error *err);

/* Returns once the container runs the spec's command (or failed to). */
int agent_runtime_container_start(agent_runtime *rt, agent_sandbox *sb,
                                  const agent_container_spec *spec, agent_container **out,
                                  tug_error *err);
/* Waits up to timeout_ms (0: poll, -1: forever) for the exit and fills st. */
int agent_runtime_container_wait(agent_container *c, int timeout_ms, agent_process_status *st,
                                 tug_error *err);
int agent_runtime_container_signal(agent_container *c, int sig, tug_error *err);
/* Run argv inside the running container c: in its mount, PID, network, IPC
 * and UTS namespaces (and its pod's user namespace, as its root), at its root, with its
 * capabilities and no_new_privs, stdio on /dev/null. SIGKILLed after timeout_ms. *exit_code as for
 * containers (128 + signal when killed; 126/127 when it could not start).
 * Blocks for up to timeout_ms: _start and _wait split it for callers that
 * must not wait (the container may be gone by the time the wait ends). */
/* Take over container name of an adopted sandbox. Returns 1 with *out when
 * its process still runs (same pid and start time, in its cgroup); 0 when
 * not: rec->found says whether it had been started, and its leftovers (a
 * dead container's processes, cgroup and dir) are removed. log_path as for
 * start. */
int agent_runtime_container_adopt(agent_runtime *rt, agent_sandbox *sb, const char *name,
                                  const char *log_path, agent_container **out,
                                  agent_container_record *rec, tug_error *err);
int agent_runtime_container_exec(agent_container *c, char *const *argv, int timeout_ms,
                                 int *exit_code, tug_error *err);
/* Fork the exec; *pid is the agent's child to pass to agent_runtime_exec_wait. */
int agent_runtime_container_exec_start(agent_container *c, char *const *argv, int timeout_ms,
                                       pid_t *pid, tug_error *err);
int agent_runtime_exec_wait(pid_t pid, int *exit_code, tug_error *err);

/* The stdio of a command exec'd for a user (`kubectl exec`): -1 for
 * /dev/null. With console_fd (a unix socket; else -1) the command gets a
 * terminal of the container's devpts instead, as its controlling terminal in
 * a session of its own, and the terminal's master arrives on the socket's
 * other end (SCM_RIGHTS). */
typedef struct agent_exec_io {
  int fds[3];
  int console_fd;
} agent_exec_io;
/* Like _exec_start with no deadline, the command's stdio from io, and the
 * environment and working directory of the container's own process. */
int agent_runtime_container_exec_io(agent_container *c, char *const *argv, const agent_exec_io *io,
                                    pid_t *pid, tug_error *err);
/* A handle on running container name of pod pod_uid, found from its state
 * files, for exec from a thread that does not own the pod (the agent's
 * server); close it with _close, which leaves the container running. */
int agent_runtime_container_open(agent_runtime *rt, const char *pod_uid, const char *name,
                                 agent_container **out, tug_error *err);
void agent_runtime_container_close(agent_container *c);
/* The network namespace of pod pod_uid's sandbox, found as _container_open
 * finds containers (port-forward): an fd to close, or -1 with err. */
int agent_runtime_pod_netns(agent_runtime *rt, const char *pod_uid, tug_error *err);
/* For attach: a dup of the agent's end of c's stdin (with *tty, the terminal's
 * master, which also takes TIOCSWINSZ), or -1 with err: ENOENT when it has
 * none, EPIPE once stdinOnce closed it. */
int agent_runtime_container_stdin(agent_runtime *rt, const agent_container *c, bool *tty,
                                  tug_error *err);
/* An attach that wrote to c's stdin is over: with stdinOnce, it closes. */
void agent_runtime_container_stdin_release(agent_runtime *rt, const agent_container *c);
/* A terminal's master sent on sock (SCM_RIGHTS) within a few seconds, or -1. */
int agent_runtime_terminal_receive(int sock);
/* A pidfd on the container's process: readable once it exited. */
int agent_runtime_container_pidfd(const agent_container *c);
int agent_runtime_container_stats(agent_runtime *rt, agent_container *c, agent_container_stats *st,
                                  tug_error *err);
/* Kills the container if it runs, deletes its cgroup and state dir, frees c. */
int agent_runtime_container_remove(agent_runtime *rt, agent_container *c, tug_error *err);
pid_t agent_runtime_container_pid(const agent_container *c);
const char *agent_runtime_container_log(const agent_container *c);
/* "tug/<pod-uid>/<name>", relative to each hierarchy's root. */
const char *agent_runtime_container_cgroup(const agent_container *c);

/* Image store: <root>/images/<name>/<tag>/rootfs. */
int agent_image_rootfs(const char *root, const char *name, const char *tag, char *buf, size_t size,
                       tug_error *err);
/* Copies a rootfs directory, or extracts a tar / tar.gz file, into the store. */
int agent_image_import(const char *root, const char *name, const char *tag, const char *src,
                       tug_error *err);
/* runtime-layer.c: what a layer's tar path means for overlayfs. target gets the path that is
 * whited out (FILE) or the directory made opaque (OPAQUE, "." for the layer's root). */
typedef enum {
  AGENT_WHITEOUT_NONE,
  AGENT_WHITEOUT_FILE,
  AGENT_WHITEOUT_OPAQUE,
} agent_whiteout;
agent_whiteout agent_layer_whiteout(const char *path, char *target, size_t size);
/* Unpack a layer blob (tar, tar+gzip, tar+zstd) into dir, which must not exist, with its
 * whiteouts as overlayfs keeps them; dir appears whole or not at all. diff_id (may be
 * NULL): the SHA-256 the uncompressed tar must have ("sha256:<hex>"), else EBADMSG. */
int agent_layer_unpack(const char *blob, const char *dir, const char *diff_id, tug_error *err);
/* busybox:latest from the host's static /bin/busybox, applets linked in /bin. */
int agent_image_build_busybox(const char *root, tug_error *err);

#endif
