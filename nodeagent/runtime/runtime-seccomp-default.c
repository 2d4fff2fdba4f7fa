/*
 * runtime-seccomp-default.c — Docker's default seccomp profile as a table.
 *
 * What is not listed is refused with EPERM. The rules, in order: the
 * syscalls every container may make; a few allowed only with harmless
 * arguments (socket but AF_VSOCK, five personality values, clone without
 * namespace flags); clone3 answered ENOSYS, because its flags sit in memory
 * a filter cannot read, so libc falls back to clone; the architecture's own
 * calls; and groups that open up only with a capability (CAP_SYS_ADMIN:
 * mount, unshare, setns, any clone, bpf, ...). Data only: runtime-seccomp.c
 * compiles it.
 */
#include <errno.h>
#include <linux/capability.h>

#include "runtime-seccomp-internal.h"

#define CAP(c) (UINT64_C(1) << (c))

static const char *const allowed[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
    "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
    "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
    "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
    "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
    "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
    "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
    "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
    "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents",
    "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
    "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
    "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
    "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
    "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit",
    "io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill", "landlock_add_rule",
    "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link",
    "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr",
    "lstat", "lstat64", "madvise", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
    "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
    "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "msgctl", "msgget", "msgrcv",
    "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep",
    "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
    "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
    "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
    "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
    "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
    "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
    "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
    "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
    "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
    "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
    "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
    "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
    "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
    "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
    "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
    "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync",
    "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64",
    "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
    "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname",
    "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
    "wait4", "waitid", "waitpid", "write", "writev",
    /* Since Linux 4.8 a filter cannot be bypassed by ptrace, so these are safe. */
    "process_vm_readv", "process_vm_writev", "ptrace", NULL};

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ARG(i, o, a, b)                                                                            \
  { .arg = (i), .op = (o), .datum_a = (a), .datum_b = (b) }
/* CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET */
#define CLONE_NS_FLAGS UINT64_C(0x7E020000)
#define PERSONALITY(v)                                                                             \
  {                                                                                                \
    .names = NAMES("personality"), .action = SCMP_ACT_ALLOW, .n_args = 1, .args = {                \
      ARG(0, SCMP_CMP_EQ, (v), 0)                                                                  \
    }                                                                                              \
  }

static const agent_seccomp_rule rules[] = {
    {.names = allowed, .action = SCMP_ACT_ALLOW},
    /* AF_VSOCK (40) reaches the host's hypervisor sockets, which know no namespaces. */
    {.names = NAMES("socket"),
     .action = SCMP_ACT_ALLOW,
     .n_args = 1,
     .args = {ARG(0, SCMP_CMP_NE, 40, 0)}},
    /* PER_LINUX, UNAME26, ADDR_NO_RANDOMIZE, both, and the query 0xffffffff. */
    PERSONALITY(0),
    PERSONALITY(8),
    PERSONALITY(0x20000),
    PERSONALITY(0x20008),
    PERSONALITY(0xffffffff),
    {.names = NAMES("sync_file_range2", "swapcontext"),
     .action = SCMP_ACT_ALLOW,
     .arches = AGENT_SECCOMP_PPC64LE},
    {.names = NAMES("arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
                    "cacheflush", "set_tls"),
     .action = SCMP_ACT_ALLOW,
     .arches = AGENT_SECCOMP_ARM | AGENT_SECCOMP_ARM64},
    {.names = NAMES("arch_prctl"),
     .action = SCMP_ACT_ALLOW,
     .arches = AGENT_SECCOMP_AMD64 | AGENT_SECCOMP_X32},
    {.names = NAMES("modify_ldt"),
     .action = SCMP_ACT_ALLOW,
     .arches = AGENT_SECCOMP_AMD64 | AGENT_SECCOMP_X32 | AGENT_SECCOMP_X86},
    {.names = NAMES("s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"),
     .action = SCMP_ACT_ALLOW,
     .arches = AGENT_SECCOMP_S390},
    {.names = NAMES("riscv_flush_icache"),
     .action = SCMP_ACT_ALLOW,
     .arches = AGENT_SECCOMP_RISCV64},
    {.names = NAMES("open_by_handle_at"),
     .action = SCMP_ACT_ALLOW,
     .caps_any = CAP(CAP_DAC_READ_SEARCH)},
    {.names = NAMES("bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                    "fspick", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
                    "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
                    "setns", "syslog", "umount", "umount2", "unshare"),
     .action = SCMP_ACT_ALLOW,
     .caps_any = CAP(CAP_SYS_ADMIN)},
    /* Threads and processes, but no new namespaces; s390 swaps clone's first two arguments. */
    {.names = NAMES("clone"),
     .action = SCMP_ACT_ALLOW,
     .n_args = 1,
     .args = {ARG(0, SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0)},
     .caps_none = CAP(CAP_SYS_ADMIN),
     .not_arches = AGENT_SECCOMP_S390},
    {.names = NAMES("clone"),
     .action = SCMP_ACT_ALLOW,
     .n_args = 1,
     .args = {ARG(1, SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0)},
     .caps_none = CAP(CAP_SYS_ADMIN),
     .arches = AGENT_SECCOMP_S390},
    {.names = NAMES("clone3"), .action = SCMP_ACT_ERRNO(ENOSYS), .caps_none = CAP(CAP_SYS_ADMIN)},
    {.names = NAMES("reboot"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_SYS_BOOT)},
    {.names = NAMES("chroot"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_SYS_CHROOT)},
    {.names = NAMES("delete_module", "init_module", "finit_module"),
     .action = SCMP_ACT_ALLOW,
     .caps_any = CAP(CAP_SYS_MODULE)},
    {.names = NAMES("acct"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_SYS_PACCT)},
    {.names = NAMES("kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                    "process_vm_writev", "ptrace"),
     .action = SCMP_ACT_ALLOW,
     .caps_any = CAP(CAP_SYS_PTRACE)},
    {.names = NAMES("iopl", "ioperm"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_SYS_RAWIO)},
    {.names = NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
     .action = SCMP_ACT_ALLOW,
     .caps_any = CAP(CAP_SYS_TIME)},
    {.names = NAMES("vhangup"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_SYS_TTY_CONFIG)},
    {.names = NAMES("get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
     .action = SCMP_ACT_ALLOW,
     .caps_any = CAP(CAP_SYS_NICE)},
    {.names = NAMES("syslog"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_SYSLOG)},
    {.names = NAMES("bpf"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_BPF)},
    {.names = NAMES("perf_event_open"), .action = SCMP_ACT_ALLOW, .caps_any = CAP(CAP_PERFMON)},
};

const agent_seccomp_profile agent_seccomp_default = {
    .default_action = SCMP_ACT_ERRNO(EPERM),
    .native_and_sub_arches = true,
    .rules = rules,
    .n_rules = sizeof rules / sizeof rules[0],
};
