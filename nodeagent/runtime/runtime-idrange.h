/*
 * runtime-idrange.h — the host uid/gid ranges of pods that run in a user
 * namespace of their own (spec.hostUsers false), one file per range held.
 *
 * The one idea: the directory is the truth, as for pod addresses. A range is
 * AGENT_IDRANGE_SIZE ids from a base that is a multiple of it; <dir>/<base>
 * holds the uid of the pod that holds it and is made with O_CREAT|O_EXCL, so
 * taking a range is atomic and outlives agent restarts; <dir>/last is the base
 * handed out last, and the next search starts after it and wraps, so the ids
 * of a deleted pod (which may still own files on a hostPath) are not handed to
 * the next pod at once.
 *
 * The pool's default, [0x70000000, 0x7ffe0000), lies above what useradd hands
 * out for /etc/subuid (100000 up to 600100000), above systemd-nspawn's
 * container range (up to 0x6fffffff), below systemd's foreign range
 * (0x7ffe0000) and below 2^31, which tools that keep ids in a signed int
 * mishandle: 4094 pods.
 */
#ifndef TUG_NODEAGENT_RUNTIME_IDRANGE_H
#define TUG_NODEAGENT_RUNTIME_IDRANGE_H

#include <stdint.h>

#include "error.h"

enum { AGENT_IDRANGE_SIZE = 65536 };
#define AGENT_IDRANGE_FIRST UINT32_C(0x70000000)
#define AGENT_IDRANGE_COUNT UINT32_C(4094)

typedef struct agent_idrange_pool {
  const char *dir; /* made when missing */
  uint32_t first;  /* the lowest base, a multiple of AGENT_IDRANGE_SIZE */
  uint32_t count;  /* ranges in the pool */
} agent_idrange_pool;

/* The base of pod_uid's range: the one it holds, else the next free one after
 * the last handed out. ENOSPC when every range is held. */
int agent_idrange_alloc(const agent_idrange_pool *pool, const char *pod_uid, uint32_t *base,
                        tug_error *err);
/* The range pod_uid holds: 1 found (*base filled), 0 none, -1 the directory
 * cannot be read (errno). */
int agent_idrange_lookup(const agent_idrange_pool *pool, const char *pod_uid, uint32_t *base);
/* Free what pod_uid holds; holding nothing is fine. */
int agent_idrange_release(const agent_idrange_pool *pool, const char *pod_uid, tug_error *err);

#endif
