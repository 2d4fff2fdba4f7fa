/*
 * tug-init.c — the program a container's first process and an exec probe
 * run in place of the agent's binary: it finds the command in the
 * container's PATH and execs it.
 *
 * The one idea: until its exec, a container process is a clone of tug-agent,
 * so "/proc/self/exe" named the agent's binary, and an image whose
 * entrypoint is a script starting "#!/proc/self/exe" made the kernel run
 * tug-agent inside the container (runc's CVE-2019-5736). The agent instead
 * execs this static program from a sealed memfd after pivot_root; that is
 * all "/proc/self/exe" can reach now, it cannot be written, and reached
 * without the agent's marker it refuses (tug-init.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tug-init.h"

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/* execvp with the PATH of env (the container's, not ours). Returns only on
 * failure, with errno of the most telling attempt. */
static void exec_in_path(char *const *argv, char *const *env) {
  const char *file = argv[0], *path = default_path;
  if (strchr(file, '/')) {
    execve(file, argv, env);
    return;
  }
  for (char *const *e = env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0)
      path = *e + 5;
  int saved = ENOENT;
  char candidate[PATH_MAX];
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    int n = snprintf(candidate, sizeof candidate, "%.*s%s%s", (int)(end - p), p,
                     end == p ? "" : "/", file);
    if (n > 0 && (size_t)n < sizeof candidate) {
      execve(candidate, argv, env);
      if (errno != ENOENT && errno != ENOTDIR)
        saved = errno;
    }
    if (*end == '\0')
      break;
    p = end;
  }
  errno = saved;
}

int main(int argc, char **argv, char **envp) {
  if (argc < 4 || strcmp(argv[1], TUG_INIT_MARKER) != 0) {
    fprintf(stderr, "tug-init: not started by the agent: refusing to run "
                    "(an entrypoint script starting #!/proc/self/exe?)\n");
    return TUG_INIT_EXIT_NOEXEC;
  }
  int errfd = strcmp(argv[2], "-") == 0 ? -1 : atoi(argv[2]);
  /* The command must not inherit it: EOF on it tells the agent the exec worked. */
  if (errfd >= 0 && fcntl(errfd, F_SETFD, FD_CLOEXEC) < 0)
    errfd = -1;
  exec_in_path(argv + 3, envp);
  if (errfd >= 0)
    dprintf(errfd, "exec %s: %s", argv[3], strerror(errno));
  return TUG_INIT_EXIT_NOEXEC;
}
