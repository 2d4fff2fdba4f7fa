/*
 * compactor.h — keep etcd's history bounded, as Kubernetes' API server does:
 * every interval, compact etcd to the revision seen one interval earlier, so
 * watchers and paged lists have at least that long before their revision
 * expires (410).
 */
#ifndef TUG_APISERVER_COMPACTOR_H
#define TUG_APISERVER_COMPACTOR_H

#include "server.h"

typedef struct api_compactor api_compactor;

/* interval_seconds <= 0 disables compaction (returns NULL). */
api_compactor *api_compactor_start(api_server *s, int interval_seconds);
void api_compactor_stop(api_compactor *c);

#endif
