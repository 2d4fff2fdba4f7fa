/*
 * runtime_fixture.c — see runtime_fixture.h.
 */
#include "runtime_fixture.h"

#include <stdio.h>
#include <stdlib.h>

#include "runtime-internal.h"

int runtime_fixture_open(const char *name, char root[PATH_MAX], char rootfs[PATH_MAX],
                         agent_runtime **rt) {
  tug_error err = {0};
  snprintf(root, PATH_MAX, "/var/tmp/%s.XXXXXX", name);
  if (mkdtemp(root) == NULL) {
    root[0] = '\0';
    return -1;
  }
  char state_dir[PATH_MAX + 8];
  snprintf(state_dir, sizeof state_dir, "%.4000s/state", root);
  if (agent_image_build_busybox(root, &err) < 0 ||
      agent_image_rootfs(root, "busybox", "latest", rootfs, PATH_MAX, &err) < 0 ||
      agent_runtime_open(state_dir, rt, &err) < 0) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  return 0;
}

void runtime_fixture_close(char root[PATH_MAX], agent_runtime *rt) {
  if (rt)
    agent_runtime_close(rt);
  if (root[0])
    agent_rm_rf(root, NULL);
}
