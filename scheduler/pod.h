/*
 * pod.h — a pod as the scheduler sees it: parsed once, when it arrives.
 *
 * The one idea: the hot path (queue order, fit, scores) reads plain fields;
 * the JSON stays referenced only for the rarer constraints (affinity,
 * tolerations) that plugins read from it. Where the pod is — waiting in a
 * queue, assumed on a node, bound — is recorded here too, and only the
 * queue layer and the cache change it.
 */
#ifndef SCHED_POD_H
#define SCHED_POD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resources.h"
#include "selector.h"

struct sched_queue;
struct sched_node;

typedef enum {
  SCHED_POD_PENDING, /* no node: the queues own it */
  SCHED_POD_ASSUMED, /* placed by us; the bind is in flight */
  SCHED_POD_BOUND,   /* spec.nodeName is set in the API */
} sched_pod_state;

/* Where a pending pod waits inside its queue. */
typedef enum {
  SCHED_Q_NONE,
  SCHED_Q_ACTIVE,   /* in the queue's heap, ready to be tried */
  SCHED_Q_PARKED,   /* did not fit; tried again when capacity frees */
  SCHED_Q_BACKOFF,  /* failed to bind; tried again at backoff_until */
  SCHED_Q_ADMITTED, /* counted in its queue's usage (assumed or bound) */
} sched_qstate;

typedef struct sched_host_port {
  int port;
  int protocol; /* 0 TCP, 1 UDP, 2 SCTP */
  char ip[48];  /* "" or "0.0.0.0": every address */
} sched_host_port;

typedef struct sched_spread {
  int max_skew;
  bool hard; /* whenUnsatisfiable: DoNotSchedule */
  char *key; /* topologyKey */
  tug_selector *selector;
} sched_spread;

typedef struct sched_pod {
  char *key; /* "ns/name" */
  char *ns, *name, *uid;
  json_t *obj;
  int64_t priority;
  int64_t rank;       /* priority raised by its wait, in its queue's heap (queue-aging.h) */
  bool preempt_never; /* preemptionPolicy: Never */
  bool terminating;   /* deletionTimestamp set */
  double created;     /* creationTimestamp, epoch seconds */
  uint64_t seq;       /* arrival order, the last tie-break */
  sched_res req, nonzero;
  sched_host_port *ports;
  size_t n_ports;
  sched_spread *spread;
  size_t n_spread;

  sched_pod_state state;
  struct sched_node *node; /* when assumed or bound */
  size_t node_slot;        /* index in node->pods */

  struct sched_queue *queue;
  sched_qstate qstate;
  size_t qslot; /* index in the queue's heap or list for qstate */
  int attempts; /* failed binds since the last success, for back-off */
  double backoff_until;
  double enqueued;     /* monotonic time it became pending, for latency */
  char *preemptor;     /* a victim: the key of the pod it makes room for */
  int wait_reason;     /* sched_wait (queue.h): why its last try did not place it */
  char *wait_message;  /* and in words, as its FailedScheduling event says */
  int victims_pending; /* a preemptor: victims not gone yet */
} sched_pod;

/* Parse a Pod object (the reference is kept). NULL without a name. */
sched_pod *sched_pod_new(json_t *obj, uint64_t seq);
void sched_pod_free(sched_pod *p);

/* spec.nodeName, or NULL when it is empty. */
const char *sched_pod_node_name(const json_t *obj);

#endif
