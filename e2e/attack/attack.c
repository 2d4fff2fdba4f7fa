/*
 * attack.c — the attacks of the security suites, run inside a container.
 *
 * Each verb tries one thing a hostile image would try and prints one line:
 * "allowed: ..." when it worked, "refused: VERB: <errno name> (<message>)"
 * when the kernel said no. Exit status 0 means refused, 1 allowed, 2 a usage
 * error, so a bats test reads `run attack ...; [ "$status" -eq 0 ]` as "the
 * defence held". Every verb only reads, or asks for something and lets it go
 * at once (opens for writing without writing, mounts a tmpfs in the
 * container's own mount namespace): if a defence failed, the host is not
 * harmed. Built static, so it runs in any image.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int refused(const char *verb) {
  printf("refused: %s: %s (%s)\n", verb, strerrorname_np(errno), strerror(errno));
  return 0;
}

static int allowed(const char *what) {
  printf("allowed: %s\n", what);
  return 1;
}

/* open PATH r|w: opening for writing writes nothing. */
static int do_open(const char *path, const char *mode) {
  int fd = open(path, (mode[0] == 'w' ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0)
    return refused("open");
  close(fd);
  return allowed(path);
}

/* A read that yields nothing (a masked file is /dev/null) leaks nothing and
 * counts as refused, unless even a successful open is the breach (a device
 * node: the next read could be the disk). */
static int read_some(const char *path, const char *verb, int empty_is_refused) {
  char buf[512];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return refused(verb);
  ssize_t n = read(fd, buf, sizeof buf);
  int saved = errno;
  close(fd);
  if (n < 0) {
    errno = saved;
    return refused(verb);
  }
  if (n == 0 && empty_is_refused) {
    printf("refused: %s: %s reads as empty\n", verb, path);
    return 0;
  }
  printf("allowed: read %zd bytes of %s\n", n, path);
  return 1;
}

/* mknod-read NAME MAJOR MINOR [DIR [b|c]]: a device node (block unless c)
 * made in DIR (/tmp unless given), then opened and read. */
static int do_mknod_read(char **argv, int argc) {
  const char *dir = argc > 5 ? argv[5] : "/tmp";
  mode_t type = argc > 6 && strcmp(argv[6], "c") == 0 ? S_IFCHR : S_IFBLK;
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, argv[2]);
  unlink(path);
  if (mknod(path, type | 0600, makedev(atoi(argv[3]), atoi(argv[4]))) < 0)
    return refused("mknod");
  int rc = read_some(path, "read device", 0);
  unlink(path);
  return rc;
}

static int do_mount(void) {
  mkdir("/tmp/attack-mnt", 0700);
  if (mount("tmpfs", "/tmp/attack-mnt", "tmpfs", 0, "size=4k") < 0)
    return refused("mount");
  umount2("/tmp/attack-mnt", MNT_DETACH);
  return allowed("mount tmpfs");
}

static int do_unshare(const char *what) {
  int flags = strcmp(what, "user") == 0    ? CLONE_NEWUSER
              : strcmp(what, "mount") == 0 ? CLONE_NEWNS
              : strcmp(what, "net") == 0   ? CLONE_NEWNET
                                           : -1;
  if (flags < 0) {
    fprintf(stderr, "attack: unshare user|mount|net\n");
    return 2;
  }
  if (unshare(flags) < 0)
    return refused("unshare");
  return allowed("unshare");
}

/* Asks for the session keyring's id: a read, no keyring is made. */
static int do_keyctl(void) {
  if (syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) < 0)
    return refused("keyctl");
  return allowed("keyctl");
}

/* An invalid descriptor: EBADF means the call got as far as the module
 * loader's argument checks; EPERM means it was refused first. */
static int do_module(void) {
  if (syscall(SYS_finit_module, -1, "", 0) < 0 && errno != EBADF)
    return refused("finit_module");
  return allowed("finit_module reached its argument checks");
}

static int do_ptrace(const char *pid_s) {
  pid_t pid = atoi(pid_s);
  if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) < 0)
    return refused("ptrace");
  waitpid(pid, NULL, 0);
  ptrace(PTRACE_DETACH, pid, NULL, NULL);
  return allowed("ptrace attach");
}

/* The working directory must be inside the container's root: the kernel
 * calls one outside it unreachable, and getcwd fails. */
static int do_cwd(void) {
  char buf[4096];
  if (getcwd(buf, sizeof buf) == NULL)
    return allowed("the working directory is outside the root");
  printf("refused: cwd: inside the root at %s\n", buf);
  return 0;
}

/* Descriptors beyond stdio that the process holds, with their targets. */
static int do_fds(void) {
  char path[64], target[4096];
  int found = 0;
  for (int fd = 3; fd < 1024; fd++) {
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
      continue;
    target[n] = '\0';
    if (strstr(target, "/proc/") && strstr(target, "/fd"))
      continue; /* the directory this loop reads */
    printf("fd %d -> %s\n", fd, target);
    found = 1;
  }
  if (found)
    return allowed("inherited descriptors");
  printf("refused: fds: only stdio\n");
  return 0;
}

/* uid, gid, groups, capabilities, no_new_privs and seccomp mode. */
static int do_whoami(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return refused("whoami");
  char line[512];
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "Gid:", 4) == 0 ||
        strncmp(line, "Groups:", 7) == 0 || strncmp(line, "Cap", 3) == 0 ||
        strncmp(line, "NoNewPrivs:", 11) == 0 || strncmp(line, "Seccomp:", 8) == 0)
      fputs(line, stdout);
  fclose(f);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: attack open PATH r|w | read PATH | mknod-read NAME MAJOR MINOR [DIR [b|c]] | "
          "mount | unshare user|mount|net | keyctl | module | ptrace PID | cwd | fds | "
          "whoami\n");
  return 2;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2)
    return usage();
  const char *verb = argv[1];
  if (strcmp(verb, "open") == 0 && argc == 4)
    return do_open(argv[2], argv[3]);
  if (strcmp(verb, "read") == 0 && argc == 3)
    return read_some(argv[2], "read", 1);
  if (strcmp(verb, "mknod-read") == 0 && argc >= 5 && argc <= 7)
    return do_mknod_read(argv, argc);
  if (strcmp(verb, "mount") == 0)
    return do_mount();
  if (strcmp(verb, "unshare") == 0 && argc == 3)
    return do_unshare(argv[2]);
  if (strcmp(verb, "keyctl") == 0)
    return do_keyctl();
  if (strcmp(verb, "module") == 0)
    return do_module();
  if (strcmp(verb, "ptrace") == 0 && argc == 3)
    return do_ptrace(argv[2]);
  if (strcmp(verb, "cwd") == 0)
    return do_cwd();
  if (strcmp(verb, "fds") == 0)
    return do_fds();
  if (strcmp(verb, "whoami") == 0)
    return do_whoami();
  return usage();
}
