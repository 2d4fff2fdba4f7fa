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
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"
#include "runtime-cgroup.h"
#include "runtime-idrange.h"
#include "runtime.h"

/* The environment of a container whose spec gives none. */
#define AGENT_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum { AGENT_NAME_MAX = 128 };
/* The state dir's longest path, and the longest path of a sandbox's or a
 * container's files (a pod's log dir holds its namespace, name and uid): one
 * such buffer lives in every sandbox and two in every container, so not
 * PATH_MAX each (agent RSS with 100 pods is a goal). */
enum { AGENT_STATE_DIR_MAX = 256, AGENT_PATH_MAX = 1024 };

typedef struct agent_stdio agent_stdio;

struct agent_runtime {
  char state_dir[AGENT_STATE_DIR_MAX];
  char data_dir[AGENT_STATE_DIR_MAX];    /* the pods' data; the state dir unless set */
  char seccomp_dir[AGENT_STATE_DIR_MAX]; /* Localhost profiles; "": none */
  agent_cgroup_mode cgroup_mode;
  char idrange_dir[AGENT_STATE_DIR_MAX + 16]; /* <state>/userns */
  agent_idrange_pool ids;                     /* the pods' user namespace ranges */
  int init_fd;                                /* tug-init in a sealed memfd (runtime-init.c) */
  int mnt_template;   /* what containers' mount namespaces copy (runtime-mntns.c); -1: none */
  agent_stdio *stdio; /* containers' kept stdin and terminals (runtime-stdio.c) */
};

/* A container's identity and privileges, resolved from its agent_security by
 * the parent (runtime-security.c), applied by its child and its exec probes. */
typedef struct agent_creds {
  uint64_t caps; /* the bounding set; permitted and effective while uid 0 */
  uid_t uid;
  gid_t gid;
  gid_t groups[AGENT_MAX_GROUPS];
  size_t n_groups;
  bool no_new_privs;
} agent_creds;

struct agent_sandbox {
  char uid[AGENT_NAME_MAX];
  char name[AGENT_NAME_MAX];
  char dir[AGENT_PATH_MAX];
  char data[AGENT_PATH_MAX]; /* <data dir>/sandboxes/<uid>: volumes, containers' layers */
  char cgroup[2 * AGENT_NAME_MAX];
  bool adopted;     /* an earlier agent made it (runtime-adopt.c) */
  uint32_t id_base; /* host uid and gid of the pod's root; 0: the pod uses the host's */
};

struct agent_container {
  char name[AGENT_NAME_MAX];
  char dir[AGENT_PATH_MAX];
  char data[AGENT_PATH_MAX]; /* <sandbox data>/<name>: its overlay's dirs are data.upper, data.work
                              */
  char log[AGENT_PATH_MAX];
  char cgroup[3 * AGENT_NAME_MAX];
  agent_cgroup_mode cgroup_mode;
  int init_fd; /* the runtime's, borrowed */
  agent_creds creds;
  pid_t pid;
  int pidfd;
  unsigned long long start_ticks; /* the process's start time, /proc/pid/stat field 22 */
  time_t started_at;
  bool adopted; /* not the agent's child: its exit status is not ours to reap */
  bool exited;
  agent_process_status status;
};

/* runtime-container.c: remove the container's state dir and its data (the
 * overlay's upper and work dirs). */
int agent_container_remove_dirs(const agent_container *c, tug_error *err);

/* runtime-adopt.c: the state file that lets a later agent find a running
 * container again, written once it has exec'd. */
int agent_container_save(const agent_container *c, tug_error *err);
/* An existing sandbox dir: 1 when its namespaces are still pinned (sb is
 * filled for reuse), 0 when it was stale and has been purged. */
int agent_sandbox_reopen(agent_runtime *rt, agent_sandbox *sb, tug_error *err);
/* The exit status of a container that is not the agent's child, read from
 * its zombie's /proc entry while one lingers; *known false when it is gone. */
void agent_container_record_foreign_exit(agent_container *c, int *status, bool *known);
/* The /proc start time of pid, to tell it from a later process with its pid. */
unsigned long long agent_proc_start_ticks(pid_t pid);
/* SIGKILL every process in cgroup path and its child groups until none is left. */
int agent_cgroup_kill_all(agent_cgroup_mode mode, const char *path, tug_error *err);
/* Fill c's name, paths and cgroup for container name of sb (no I/O). */
int agent_container_init(agent_runtime *rt, agent_sandbox *sb, const char *name,
                         const char *log_path, agent_container *c, tug_error *err);
/* runtime-container.c: default signal dispositions, nothing blocked; fds sorted. */
void agent_reset_signals(void);
void agent_sort_fds(int *fds, size_t n);
/* runtime-exec.c: keep the container's environment and working directory
 * for the commands later exec'd in it. */
int agent_exec_save_process(const agent_container *c, char *const *env, const char *working_dir,
                            tug_error *err);
/* runtime-sandbox.c: sb's hostname file, for /etc/hostname. */
int agent_sandbox_write_hostname(const agent_sandbox *sb, tug_error *err);
/* Fill sb's names, dir and cgroup for pod uid (no I/O). */
int agent_sandbox_init(agent_runtime *rt, const char *uid, const char *name, agent_sandbox *sb,
                       tug_error *err);

/* runtime-stdio.c: a container's stdin (spec stdin) or terminal (spec tty).
 * Before the spawn: child_stdin (else /dev/null) is the child's stdin and
 * keep the agent's end; with tty the child opens a terminal of its own
 * devpts (agent_open_terminal) and sends its master on console[1]. After
 * the spawn, _keep takes the agent's end (and starts a terminal's copy into
 * log_fd); _setup_close closes what is left either way. _drop forgets c's at
 * its removal. */
typedef struct agent_stdio_setup {
  int child_stdin, keep;
  int console[2];
} agent_stdio_setup;
int agent_stdio_prepare(const agent_container_spec *spec, agent_stdio_setup *s, tug_error *err);
int agent_stdio_keep(agent_runtime *rt, const agent_container *c, const agent_container_spec *spec,
                     agent_stdio_setup *s, int log_fd, tug_error *err);
void agent_stdio_setup_close(agent_stdio_setup *s);
void agent_stdio_drop(agent_runtime *rt, const agent_container *c);
/* Child side (runtime-exec.c): a terminal of the devpts at /dev/ptmx, its
 * master sent on console_fd; returns the slave or -1. _take makes the slave
 * on fd 0 the controlling terminal of a new session. */
int agent_open_terminal(int console_fd);
/* A one-byte message with room for one fd (SCM_RIGHTS), in the caller's
 * storage (child side too); _init points its parts at each other and
 * returns its control header. */
typedef struct agent_fd_msg {
  char byte;
  struct iovec iov;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr m;
} agent_fd_msg;
struct cmsghdr *agent_fd_msg_init(agent_fd_msg *f);
int agent_take_terminal(void);

/* What the child needs to build the container's file system. */
typedef struct agent_rootfs_config {
  const char *lower, *upper, *work, *merged;
  /* NULL, or where lower is bound idmapped through userns_fd first (the
   * pod's user namespace), so that its root's files are the pod root's. */
  const char *idmapped_lower;
  int userns_fd;
  const char *hosts, *resolv_conf, *hostname; /* host files bind-mounted read-only */
  agent_mount mounts[AGENT_MAX_MOUNTS];       /* volumes, a copy the child may read */
  size_t n_mounts;
  /* mounts[i]'s tree, cloned detached by the agent (agent_rootfs_open_volumes) */
  int volume_fds[AGENT_MAX_MOUNTS];
  size_t n_volume_fds;
  bool mask_proc;      /* agent_masked_paths and agent_readonly_paths */
  bool sys_writable;   /* privileged: /sys read-write */
  bool read_only_root; /* readOnlyRootFilesystem */
} agent_rootfs_config;

/* Paths relative to the container's root, NULL-terminated: what a container
 * that is neither privileged nor procMount Unmasked finds masked (a file
 * reads as /dev/null, a directory as an empty read-only tmpfs) and read-only. */
extern const char *const agent_masked_paths[];
extern const char *const agent_readonly_paths[];
/* The rootfs settings that follow from how the container is confined. */
void agent_rootfs_confine(const agent_security *sec, agent_rootfs_config *cfg);

/* Parent side: each volume's source opened as the agent sees it and cloned
 * into a detached tree with its mount flags, into cfg->volume_fds, so the
 * child needs no path of the agent's mount namespace to bind it; closed with
 * agent_rootfs_close_volumes, on failure too. */
int agent_rootfs_open_volumes(agent_rootfs_config *cfg, tug_error *err);
void agent_rootfs_close_volumes(agent_rootfs_config *cfg);
/* Child side: mounts, then pivot_root into cfg->merged. */
int agent_rootfs_setup(const agent_rootfs_config *cfg, char *msg, size_t size);
/* Child side, after agent_rootfs_chdir (which may make the working directory
 * in the root, as runc does): readOnlyRootFilesystem's read-only root. */
int agent_rootfs_seal(const agent_rootfs_config *cfg, char *msg, size_t size);
/* Child side, after pivot_root: make path the working directory, resolved
 * inside the root with no magic link followed, made when missing. */
int agent_rootfs_chdir(const char *path, char *msg, size_t size);

/* The capability set a container confined as sec runs with. */
uint64_t agent_security_caps(const agent_security *sec);
void agent_creds_from_security(const agent_security *s, agent_creds *out);
/* Child side: close every descriptor above stdio but keep[0..n) (sorted). */
int agent_close_fds_except(const int *keep, size_t n, char *msg, size_t size);
/* Child side: bounding set, groups, gid, uid, capabilities, no_new_privs. */
int agent_security_apply(const agent_creds *c, char *msg, size_t size);

/* runtime-mntns.c: a private copy of the agent's mount namespace as it is
 * now, held by the descriptor in *out. */
int agent_mntns_template(int *out, tug_error *err);
/* Child side, cloned without CLONE_NEWNS: into a new copy of the template;
 * template_fd -1: nothing to do (cloned with CLONE_NEWNS). */
int agent_mntns_enter(int template_fd, char *msg, size_t size);

/* runtime-init.c: tug-init in a sealed memfd; the fd, or -1 with err. */
int agent_init_load(tug_error *err);
/* tug-init's argv for command argv (tug-init.h), err_fd's number written in
 * err_fd_buf; NULL when out of memory, else free() the array only. */
char **agent_init_argv(char *const *argv, int err_fd, char *err_fd_buf, size_t size);
/* Child side: exec tug-init; returns only on failure. */
void agent_init_exec(int init_fd, char *const *argv, char *const *env);

/* Child side, in the sandbox's new namespaces: its hostname, lo up. NULL,
 * or what failed with errno set. */
const char *agent_sandbox_configure(const agent_sandbox *sb);

/* runtime-userns.c. Make the pod's user namespace with its net, IPC and UTS namespaces, the
 * user namespace mapping 0 to sb->id_base for AGENT_IDRANGE_SIZE ids, and pin
 * all four under <sb->dir>/ns/. */
int agent_userns_pin(const agent_sandbox *sb, tug_error *err);
/* Child side: join the user namespace and become its root. */
int agent_userns_enter(int userns_fd, char *msg, size_t size);
/* Child side: bind source (recursively) on target, its ids mapped as the
 * user namespace userns_fd maps them. */
int agent_userns_idmap(const char *source, const char *target, int userns_fd, char *msg,
                       size_t size);

/* Run fn(arg) in a child made with clone(CLONE_VM | CLONE_VFORK | flags) on a
 * stack of its own; returns once the child has exec'd or exited, with its pid
 * (-1 and errno on failure). fn runs in the agent's memory: see the rules in
 * runtime-container.c. Under AddressSanitizer, which cannot follow a child on
 * a foreign stack, the child is a vfork-style copy instead (no CLONE_VM). */
pid_t agent_clone_vfork(int flags, int (*fn)(void *), void *arg);

/* runtime-image.c: copy every entry of archive `in` under dest with
 * libarchive's secure extraction (no "..", no absolute paths, no writes
 * through symlinks). For a directory source (disk), strip is the length of
 * the source path every entry starts with. hook, when set, sees each entry
 * first (its path as in the archive) and may rewrite it: 0 writes it, 1
 * skips it, -1 fails with err. */
struct archive;
struct archive_entry;
typedef int (*agent_entry_hook)(struct archive_entry *e, void *arg, tug_error *err);
int agent_archive_copy(struct archive *in, bool disk, size_t strip, const char *dest,
                       agent_entry_hook hook, void *arg, tug_error *err);
void agent_archive_read_freep(struct archive **a);
/* A reader of the tar at src, compressed or not (every filter libarchive has: gzip, zstd, ...). */
int agent_archive_open_tar(const char *src, struct archive **out, tug_error *err);
#define _cleanup_archive_read_ __attribute__((cleanup(agent_archive_read_freep)))
/* Unpack the tar at src into dest (made here, which must not exist) with agent_archive_copy. */
int agent_archive_extract(const char *src, const char *dest, tug_error *err);

/* A pod uid or container name usable as one path component. */
int agent_check_name(const char *what, const char *name, tug_error *err);
int agent_mkdir_p(const char *path, mode_t mode, tug_error *err);
int agent_write_file(const char *path, const char *content, tug_error *err);
/* rm -r that never crosses into another mount. Missing path is success. */
int agent_rm_rf(const char *path, tug_error *err);

/* openat2 of path below dirfd, resolved as resolve says (RESOLVE_IN_ROOT: as
 * if dirfd were "/"; RESOLVE_BENEATH: refused when it would leave dirfd) and
 * never through a magic link (/proc/PID/root, /proc/self/fd/N): an fd
 * (O_CLOEXEC added), or -1 with errno. */
int agent_open_at(int dirfd, const char *path, int flags, uint64_t resolve);
typedef enum { AGENT_KIND_DIR, AGENT_KIND_FILE } agent_file_kind;
/* An O_PATH fd of path below dirfd, made when missing (with its parent dirs,
 * 0755; a file 0644, empty) through the same resolution; errno ENOTDIR when
 * what is there is not of kind (a regular file for AGENT_KIND_FILE). */
int agent_ensure_at(int dirfd, const char *path, agent_file_kind kind, uint64_t resolve);

/* runtime-image.c: the paths every container gets something mounted on,
 * relative to its root, made in an image ahead of its containers. */
typedef struct agent_mount_point {
  const char *path;
  agent_file_kind kind;
} agent_mount_point;
extern const agent_mount_point agent_mount_points[];
extern const size_t agent_n_mount_points;

/* runtime-points.c: into dir (made beside it and renamed), the layer that
 * holds the mount points the merged view of layers (top first) lacks. */
enum { AGENT_POINTS_MAX_LAYERS = 128 };
int agent_points_layer_make(const char *const *layers, size_t n, const char *dir, tug_error *err);
/* The regular file at path in the merged view of lowerdir (layers top first,
 * ':'-separated; symlinks resolved inside it), at most max bytes: a new string,
 * or NULL when there is none. */
char *agent_layers_read_file(const char *lowerdir, const char *path, size_t max);
/* A hostPath source under its allowed prefix root: path relative to root
 * ("." for root itself), or NULL when root is not a prefix of path. */
const char *agent_host_path_rel(const char *root, const char *path);
/* An O_PATH fd of path reached beneath root: errno ELOOP through a magic
 * link, EXDEV when a symlink or ".." leads out of root (or root is no prefix
 * of path), EPERM in /proc or any procfs. */
int agent_open_host_path(const char *root, const char *path);
bool agent_is_procfs(int fd);

#endif
