/*
 * cmd-image.c — `tug image import|ls|rm|load`: the image store of the agent
 * on this host (--root: its state dir, one per node of a `tug up` cluster).
 *
 * The store belongs to the agent (nodeagent/), so tug hands the work to
 * `tug-agent image VERB --root DIR`, found beside tug itself or on PATH. A
 * remote node's store is out of reach until images are served through the API.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* Each verb and the positional arguments it takes (after the verb). */
static bool args_fit(const char *verb, size_t n) {
  if (strcmp(verb, "import") == 0)
    return n == 2;
  if (strcmp(verb, "ls") == 0)
    return n == 0;
  if (strcmp(verb, "rm") == 0)
    return n >= 1;
  if (strcmp(verb, "load") == 0)
    return n == 1 || n == 2;
  return false;
}

int cmd_image(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos < 1 || !args_fit(o->pos[0], (size_t)o->npos - 1))
    return cli_failf("image: want tug image import NAME[:TAG] FILE|DIR | ls | rm NAME|DIGEST... | "
                     "load FILE|DIR [NAME]  [--root DIR]");
  char agent[PATH_MAX + 16];
  cli_sibling_binary("tug-agent", agent, sizeof agent);
  char *argv[CLI_MAX_POS + 6] = {agent, "image", (char *)o->pos[0], "--root",
                                 (char *)(o->root ? o->root : "/var/lib/tug")};
  size_t argc = 5;
  for (size_t i = 1; i < (size_t)o->npos && argc < sizeof argv / sizeof argv[0] - 1; i++)
    argv[argc++] = (char *)o->pos[i];
  argv[argc] = NULL;
  pid_t pid;
  int rc = posix_spawnp(&pid, agent, NULL, NULL, argv, environ);
  if (rc != 0)
    return cli_failf("image %s: cannot run %s: %s (tug-agent does the work)", o->pos[0], agent,
                     strerror(rc));
  int st;
  if (waitpid(pid, &st, 0) < 0)
    return cli_failf("image %s: wait for %s: %s", o->pos[0], agent, strerror(errno));
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
