/*
 * ipam.h — the node's pod addresses, one file per address held (the way
 * CNI's host-local plugin keeps them).
 *
 * The one idea: the directory is the truth. <dir>/<ip> holds the uid of the
 * pod that holds ip and is made with O_CREAT|O_EXCL, so taking an address is
 * atomic and survives agent restarts; <dir>/last is the address handed out
 * last, and the next search starts after it and wraps, so a freed address
 * is not handed out again at once; <dir>/cidr is the range all records are
 * from. Neither the network address, the first host address (the bridge's,
 * the pods' gateway) nor the broadcast address is ever handed out.
 *
 * One agent_ipam is for one thread at a time (agent_bridge locks around it).
 */
#ifndef TUG_AGENT_IPAM_H
#define TUG_AGENT_IPAM_H

#include <stddef.h>

#include "error.h"

enum { AGENT_IPAM_UID_MAX = 256 };

typedef struct agent_ipam agent_ipam;

typedef struct agent_ipam_record {
  char ip[16];
  char uid[AGENT_IPAM_UID_MAX]; /* "" when the holder's uid was never written */
} agent_ipam_record;

/* Records under dir (created if missing), with the range stored there. */
int agent_ipam_open(const char *dir, agent_ipam **out, tug_error *err);
void agent_ipam_close(agent_ipam *m);

/* Use cidr ("198.18.4.0/24", at most /30) and store it. The range the
 * records hold already is fine; another one fails with TUG_E_CONFLICT until
 * agent_ipam_clear. */
int agent_ipam_set_range(agent_ipam *m, const char *cidr, tug_error *err);
/* The stored range, "198.18.4.0/24", or "" before agent_ipam_set_range. */
const char *agent_ipam_range(const agent_ipam *m);

/* An address for uid: the one it holds, else the next free one after the
 * last handed out. ENOSPC when every address is held, EAGAIN without a range. */
int agent_ipam_alloc(agent_ipam *m, const char *uid, char ip[16], tug_error *err);
/* The address uid holds: 1 found (ip filled), 0 none, -1 the directory
 * cannot be read. */
int agent_ipam_lookup(agent_ipam *m, const char *uid, char ip[16]);
/* Free what uid holds; holding nothing is fine. */
int agent_ipam_release(agent_ipam *m, const char *uid, tug_error *err);
/* Free r's address if it is still held by r's uid (a record from
 * agent_ipam_list; works for records with no uid written too). */
int agent_ipam_release_record(agent_ipam *m, const agent_ipam_record *r, tug_error *err);

/* Every record, into a malloc'd array (*out NULL when there are none). */
int agent_ipam_list(agent_ipam *m, agent_ipam_record **out, size_t *count, tug_error *err);

/* Remove every record, the range and the last-address mark. */
int agent_ipam_clear(agent_ipam *m, tug_error *err);

#endif
