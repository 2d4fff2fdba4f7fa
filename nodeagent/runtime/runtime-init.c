/*
 * runtime-init.c — tug-init (nodeagent/runtime/init/), built static and embedded in
 * the agent, loaded once into a sealed memfd that every container and exec
 * probe child execs with execveat(AT_EMPTY_PATH).
 *
 * The one idea: what a container's "/proc/self/exe" can reach while the
 * child is still ours must not be the agent's binary. A memfd needs no path
 * in the container's root, and its seals (no write, shrink, grow, or new
 * seal) mean that even a process that opens it through /proc cannot change
 * what the next container runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/tug-init.h"
#include "runtime-internal.h"

/* The Makefile names the static binary (TUG_INIT_BINARY) and makes this
 * object depend on it. */
__asm__(".section .rodata.tug_init, \"a\"\n"
        ".balign 16\n"
        "agent_init_image:\n"
        ".incbin \"" TUG_INIT_BINARY "\"\n"
        "agent_init_image_end:\n"
        ".previous\n");
extern const char agent_init_image[] __asm__("agent_init_image");
extern const char agent_init_image_end[] __asm__("agent_init_image_end");

/* Linux 6.3: ask for an executable memfd, which vm.memfd_noexec=1 would
 * otherwise not give; older kernels know no such flag and make it anyway. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

int agent_init_load(tug_error *err) {
  int fd = memfd_create("tug-init", MFD_ALLOW_SEALING | MFD_CLOEXEC | MFD_EXEC);
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create("tug-init", MFD_ALLOW_SEALING | MFD_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "memfd_create tug-init");
  for (const char *p = agent_init_image; p < agent_init_image_end;) {
    ssize_t n = write(fd, p, (size_t)(agent_init_image_end - p));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      return tug_error_errno(err, e, "write tug-init into its memfd");
    }
    p += n;
  }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
    int e = errno;
    close(fd);
    return tug_error_errno(err, e, "seal tug-init's memfd");
  }
  return fd;
}

char **agent_init_argv(char *const *argv, int err_fd, char *err_fd_buf, size_t size) {
  size_t n = 0;
  while (argv[n])
    n++;
  char **out = calloc(n + 4, sizeof *out);
  if (out == NULL)
    return NULL;
  if (err_fd >= 0)
    snprintf(err_fd_buf, size, "%d", err_fd);
  else
    snprintf(err_fd_buf, size, "-");
  out[0] = "tug-init";
  out[1] = TUG_INIT_MARKER;
  out[2] = err_fd_buf;
  for (size_t i = 0; i < n; i++)
    out[3 + i] = argv[i];
  return out;
}

void agent_init_exec(int init_fd, char *const *argv, char *const *env) {
  syscall(SYS_execveat, init_fd, "", argv, env, AT_EMPTY_PATH);
}
