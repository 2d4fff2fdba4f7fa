/*
 * runtime_fixture.h — what the runtime's tests against the real kernel
 * share: a temporary root holding the busybox image, and a runtime on its
 * state dir, made once per group and removed after it.
 */
#ifndef TUG_NODEAGENT_TESTS_RUNTIME_FIXTURE_H
#define TUG_NODEAGENT_TESTS_RUNTIME_FIXTURE_H

#include <limits.h>

#include "runtime.h"

/* Make /var/tmp/NAME.XXXXXX into root, busybox:latest's rootfs path into
 * rootfs, and a runtime on root/state; 0, or -1 with the reason printed. */
int runtime_fixture_open(const char *name, char root[PATH_MAX], char rootfs[PATH_MAX],
                         agent_runtime **rt);
/* Close the runtime and remove root (either may be empty/NULL). */
void runtime_fixture_close(char root[PATH_MAX], agent_runtime *rt);

#endif
