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
 *
 * No libc: every container start and exec probe pays for this exec, and a
 * static glibc's start-up and page faults cost this machine more than twice
 * what a program of a few system calls does. Hence its own _start, system
 * calls and string loops (built -nostdlib -ffreestanding).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "tug-init.h"

static long sys(long n, long a, long b, long c) {
#if defined(__x86_64__)
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b,
                   x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#else
#error "tug-init: no system call sequence for this architecture"
#endif
}

static size_t len(const char *s) {
  size_t n = 0;
  while (s[n])
    n++;
  return n;
}

static bool starts_with(const char *s, const char *prefix) {
  while (*prefix && *s == *prefix)
    s++, prefix++;
  return *prefix == '\0';
}

static bool has_slash(const char *s) {
  for (; *s; s++)
    if (*s == '/')
      return true;
  return false;
}

static void put(int fd, const char *s) {
  sys(SYS_write, fd, (long)s, (long)len(s));
}

/* strerror's words for what execve can say; the agent shows them to users. */
static const char *error_text(long e) {
  switch (e) {
  case ENOENT:
    return "No such file or directory";
  case EACCES:
    return "Permission denied";
  case ENOEXEC:
    return "Exec format error";
  case ENOTDIR:
    return "Not a directory";
  case ELOOP:
    return "Too many levels of symbolic links";
  case ENAMETOOLONG:
    return "File name too long";
  case E2BIG:
    return "Argument list too long";
  case ENOMEM:
    return "Cannot allocate memory";
  case ETXTBSY:
    return "Text file busy";
  case EPERM:
    return "Operation not permitted";
  case EIO:
    return "Input/output error";
  default:
    return "exec failed";
  }
}

/* execvp with the PATH of env (the container's, not ours). Returns only on
 * failure, with the errno of the most telling attempt. */
static long exec_in_path(char **argv, char **env) {
  const char *file = argv[0];
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  if (has_slash(file))
    return -sys(SYS_execve, (long)file, (long)argv, (long)env);
  for (char **e = env; *e; e++)
    if (starts_with(*e, "PATH="))
      path = *e + 5;
  long saved = ENOENT;
  size_t file_len = len(file);
  char candidate[4096];
  for (const char *p = path;;) {
    const char *end = p;
    while (*end && *end != ':')
      end++;
    size_t dir_len = (size_t)(end - p), n = 0;
    if (dir_len + 1 + file_len < sizeof candidate) {
      while (n < dir_len)
        candidate[n] = p[n], n++;
      if (dir_len > 0) /* an empty entry is the working directory */
        candidate[n++] = '/';
      for (size_t i = 0; i <= file_len; i++)
        candidate[n++] = file[i];
      long e = -sys(SYS_execve, (long)candidate, (long)argv, (long)env);
      if (e != ENOENT && e != ENOTDIR)
        saved = e;
    }
    if (*end == '\0')
      break;
    p = end + 1;
  }
  return saved;
}

static int init_main(int argc, char **argv, char **envp) {
  if (argc < 4 || !starts_with(argv[1], TUG_INIT_MARKER) ||
      argv[1][sizeof TUG_INIT_MARKER - 1] != '\0') {
    put(2, "tug-init: not started by the agent: refusing to run "
           "(an entrypoint script starting #!/proc/self/exe?)\n");
    return TUG_INIT_EXIT_NOEXEC;
  }
  int errfd = -1;
  for (const char *d = argv[2]; *d >= '0' && *d <= '9'; d++)
    errfd = (errfd < 0 ? 0 : errfd * 10) + (*d - '0');
  /* The command must not inherit it: EOF on it tells the agent the exec worked. */
  if (errfd >= 0 && sys(SYS_fcntl, errfd, F_SETFD, FD_CLOEXEC) < 0)
    errfd = -1;
  long e = exec_in_path(argv + 3, envp);
  if (errfd >= 0) {
    put(errfd, "exec ");
    put(errfd, argv[3]);
    put(errfd, ": ");
    put(errfd, error_text(e));
  }
  return TUG_INIT_EXIT_NOEXEC;
}

/* The kernel's initial stack: argc, argv[], NULL, envp[], NULL. */
__attribute__((noreturn, used)) void start_c(long *sp);
void start_c(long *sp) {
  int argc = (int)sp[0];
  char **argv = (char **)(sp + 1);
  sys(SYS_exit_group, init_main(argc, argv, argv + argc + 1), 0, 0);
  __builtin_unreachable();
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
        "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call start_c\n  hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n  mov x0, sp\n  bl start_c\n");
#endif
