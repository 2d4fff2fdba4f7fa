/*
 * svcalloc-internal.h — what svcalloc.c (ranges, hint, claims) and
 * svcalloc-repair.c (start-up repair, following the keys) share.
 */
#ifndef TUG_APISERVER_SVCALLOC_INTERNAL_H
#define TUG_APISERVER_SVCALLOC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "svcalloc.h"

/* A bitmap hint over one range: used mirrors etcd's keys, busy marks values
 * a request of this process is trying to take right now. */
typedef struct svc_bits {
  uint64_t *used;
  uint64_t *busy;
  uint32_t n;
} svc_bits;

struct api_svcalloc {
  uint32_t net; /* host order */
  int prefix;
  char cidr[24];
  int port_min, port_max;
  pthread_mutex_t mu;
  svc_bits ips;   /* offset from net */
  svc_bits ports; /* offset from port_min */
  uint64_t rng;
  tug_etcd *etcd;
  tug_etcd_watch *watch;
  pthread_t thread;
  bool running;
  atomic_bool stopping;
};

enum { SVC_KEY_MAX = 64, SVC_WANT_MAX = API_SVC_CLAIM_MAX };

/* The allocation key of a value: ".../clusterips/198.19.0.10", ".../nodeports/30080". */
void svc_item_key(const api_svc_item *it, char *buf, size_t size);
/* Parse a key back; false when it is not one. */
bool svc_key_item(const char *key, size_t len, api_svc_item *it);

/* The values svc holds within the ranges (its cluster IP, its node ports when
 * of type NodePort); returns how many were written to out. */
size_t svc_wanted(const api_svcalloc *a, const json_t *svc, api_svc_item *out, size_t max);
/* "ns/name" of a Service, the owner every key of it names. */
void svc_owner(const json_t *svc, char *buf, size_t size);
/* An allocation key's value: {"namespace", "name", "uid"} of svc (malloc'd). */
char *svc_owner_value(const json_t *svc);
/* The owner an allocation key's value names ("" when unreadable). */
void svc_value_owner(const char *value, size_t len, char *buf, size_t size);

/* Hint updates, a.mu held. */
void svc_hint_set(api_svcalloc *a, const api_svc_item *it, bool used);
void svc_hint_reset(api_svcalloc *a);

#endif
