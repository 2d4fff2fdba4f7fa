/*
 * cmd-exec.c — `tug exec`, `tug attach` and `tug cp`, with kubectl's flags
 * and exit codes: exec returns the command's exit code (after "command
 * terminated with exit code N"), cp is exec of tar in the container and tar
 * here, as kubectl's (the image needs a tar: busybox has one).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "stream.h"

/* "POD" or "pod/POD" (kubectl takes both). */
static const char *pod_name(const char *word) {
  return strncmp(word, "pod/", 4) == 0    ? word + 4
         : strncmp(word, "pods/", 5) == 0 ? word + 5
                                          : word;
}

static int finish(cli_ctx *ctx, int code, const tug_error *err) {
  if (code < 0)
    return cli_fail(ctx, err);
  if (code > 0)
    fprintf(stderr, "command terminated with exit code %d\n", code);
  return code;
}

int cmd_exec(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos < 1 || o->dash_at < 1 || o->dash_at >= o->npos)
    return cli_failf("usage: tug exec [-i] [-t] POD [-c CONTAINER] -- COMMAND [ARGS...]");
  bool tty = o->tty && o->stdin_open && isatty(0);
  if (o->tty && !tty)
    fprintf(stderr, "Unable to use a TTY - input is not a terminal or the right kind of file\n");
  cli_stream_opts so = {.pod = pod_name(o->pos[0]),
                        .container = o->container,
                        .subresource = "exec",
                        .command = (char *const *)&o->pos[o->dash_at],
                        .in_fd = o->stdin_open ? 0 : -1,
                        .out_fd = 1,
                        .err_fd = tty ? -1 : 2,
                        .tty = tty};
  char *argv[CLI_MAX_POS + 1] = {0};
  for (int i = o->dash_at; i < o->npos; i++)
    argv[i - o->dash_at] = (char *)o->pos[i];
  so.command = argv;
  tug_error err = {0};
  return finish(ctx, cli_stream_run(ctx, &so, &err), &err);
}

int cmd_attach(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos != 1)
    return cli_failf("usage: tug attach POD [-c CONTAINER] [-i] [-t]");
  bool tty = o->tty && o->stdin_open && isatty(0);
  cli_stream_opts so = {.pod = pod_name(o->pos[0]),
                        .container = o->container,
                        .subresource = "attach",
                        .in_fd = o->stdin_open ? 0 : -1,
                        .out_fd = 1,
                        .err_fd = tty ? -1 : 2,
                        .tty = tty};
  tug_error err = {0};
  int rc = cli_stream_run(ctx, &so, &err);
  return rc < 0 ? cli_fail(ctx, &err) : 0;
}

/* ---- cp ---- */

/* "[NS/]POD:PATH" → pod and path (ns into *ns); false for a local path. */
static bool remote(const char *spec, char *ns, char *pod, char *path, size_t size) {
  const char *colon = strchr(spec, ':');
  if (colon == NULL || colon == spec)
    return false;
  char left[1024];
  snprintf(left, size < sizeof left ? size : sizeof left, "%.*s", (int)(colon - spec), spec);
  char *slash = strchr(left, '/');
  if (slash) {
    *slash = '\0';
    snprintf(ns, size, "%s", left);
    snprintf(pod, size, "%s", slash + 1);
  } else {
    snprintf(pod, size, "%s", left);
  }
  snprintf(path, size, "%s", colon + 1);
  return true;
}

/* Run a session of argv in pod with local fds; the command's exit code or -1. */
static int run_in(cli_ctx *ctx, const char *pod, char **argv, int in_fd, int out_fd,
                  tug_error *err) {
  cli_stream_opts so = {.pod = pod,
                        .container = ctx->opts.container,
                        .subresource = "exec",
                        .command = argv,
                        .in_fd = in_fd,
                        .out_fd = out_fd,
                        .err_fd = 2};
  return cli_stream_run(ctx, &so, err);
}

/* A local tar with its stdin or stdout on a pipe; *pid and the pipe's other end. */
static int local_tar(char **argv, bool reads, pid_t *pid) {
  int p[2];
  if (pipe(p) < 0 || (*pid = fork()) < 0)
    return -1;
  if (*pid == 0) {
    dup2(p[reads ? 0 : 1], reads ? 0 : 1);
    close(p[0]);
    close(p[1]);
    execvp("tar", argv);
    _exit(127);
  }
  close(p[reads ? 0 : 1]);
  return p[reads ? 1 : 0];
}

static int wait_tar(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* Into the pod: dest an existing directory takes src's name, else dest is the name. */
static int cp_to(cli_ctx *ctx, const char *src, const char *pod, const char *dest) {
  tug_error err = {0};
  char *test[] = {"test", "-d", (char *)dest, NULL};
  int is_dir = run_in(ctx, pod, test, -1, 1, &err) == 0;
  _cleanup_free_ char *s1 = strdup(src), *s2 = strdup(src), *d1 = strdup(dest), *d2 = strdup(dest);
  if (!s1 || !s2 || !d1 || !d2)
    return cli_failf("out of memory");
  const char *base = basename(s1), *name = is_dir ? base : basename(d1);
  const char *dir = is_dir ? dest : dirname(d2);
  char transform[1024];
  snprintf(transform, sizeof transform, "s,^%s,%s,", base, name);
  char *tar[] = {"tar", "cf", "-", "-C", dirname(s2), "--transform", transform, (char *)base, NULL};
  pid_t pid;
  int fd = local_tar(tar, false, &pid);
  if (fd < 0)
    return cli_failf("cp: run tar: %s", strerror(errno));
  char *untar[] = {"tar", "-xmf", "-", "-C", (char *)dir, NULL};
  int rc = run_in(ctx, pod, untar, fd, 1, &err);
  close(fd);
  int trc = wait_tar(pid);
  if (rc < 0)
    return cli_fail(ctx, &err);
  return rc ? rc : trc;
}

/* Out of the pod: the same rule for the local dest. */
static int cp_from(cli_ctx *ctx, const char *pod, const char *src, const char *dest) {
  struct stat st;
  bool is_dir = stat(dest, &st) == 0 && S_ISDIR(st.st_mode);
  _cleanup_free_ char *s1 = strdup(src), *s2 = strdup(src), *d1 = strdup(dest), *d2 = strdup(dest);
  if (!s1 || !s2 || !d1 || !d2)
    return cli_failf("out of memory");
  const char *base = basename(s1), *name = is_dir ? base : basename(d1);
  char transform[1024];
  snprintf(transform, sizeof transform, "s,^%s,%s,", base, name);
  char *untar[] = {"tar",         "xf",      "-", "-C", is_dir ? (char *)dest : dirname(d2),
                   "--transform", transform, NULL};
  pid_t pid;
  int fd = local_tar(untar, true, &pid);
  if (fd < 0)
    return cli_failf("cp: run tar: %s", strerror(errno));
  char *tar[] = {"tar", "cf", "-", "-C", dirname(s2), (char *)base, NULL};
  tug_error err = {0};
  int rc = run_in(ctx, pod, tar, -1, fd, &err);
  close(fd);
  int trc = wait_tar(pid);
  if (rc < 0)
    return cli_fail(ctx, &err);
  return rc ? rc : trc;
}

int cmd_cp(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos != 2)
    return cli_failf("usage: tug cp [NS/]POD:PATH LOCAL | LOCAL [NS/]POD:PATH [-c CONTAINER]");
  char ns[1024] = "", pod[1024], path[1024];
  if (remote(o->pos[1], ns, pod, path, sizeof pod)) {
    if (ns[0])
      ctx->namespace = strdup(ns);
    return cp_to(ctx, o->pos[0], pod, path);
  }
  if (remote(o->pos[0], ns, pod, path, sizeof pod)) {
    if (ns[0])
      ctx->namespace = strdup(ns);
    return cp_from(ctx, pod, path, o->pos[1]);
  }
  return cli_failf("cp: one of the paths must name a pod: [NS/]POD:PATH");
}
