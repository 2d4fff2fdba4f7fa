/*
 * cmd-image.c — `tug image import NAME[:TAG] FILE|DIR`: put an image into the
 * store of the agent on this host.
 *
 * The store belongs to the agent (nodeagent/), so tug hands the work to
 * `tug-agent image import --root DIR`, found beside tug itself or on PATH. A
 * remote node's store is out of reach until images are served through the API.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

int cmd_image(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos != 3 || strcmp(o->pos[0], "import") != 0)
    return cli_failf("image: want tug image import NAME[:TAG] FILE|DIR [--root DIR]");
  char agent[PATH_MAX + 16];
  cli_sibling_binary("tug-agent", agent, sizeof agent);
  char *argv[] = {agent,
                  "image",
                  "import",
                  "--root",
                  (char *)(o->root ? o->root : "/var/lib/tug"),
                  (char *)o->pos[1],
                  (char *)o->pos[2],
                  NULL};
  pid_t pid;
  int rc = posix_spawnp(&pid, agent, NULL, NULL, argv, environ);
  if (rc != 0)
    return cli_failf("image import: cannot run %s: %s (tug-agent does the import)", agent,
                     strerror(rc));
  int st;
  if (waitpid(pid, &st, 0) < 0)
    return cli_failf("image import: wait for %s: %s", agent, strerror(errno));
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
