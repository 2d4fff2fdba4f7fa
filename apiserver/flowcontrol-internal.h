/*
 * flowcontrol-internal.h — what flowcontrol.c (configuration, classification)
 * and flowcontrol-queue.c (seats and queues) share.
 */
#ifndef TUG_APISERVER_FLOWCONTROL_INTERNAL_H
#define TUG_APISERVER_FLOWCONTROL_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "flowcontrol.h"

enum { API_FC_NAME_MAX = 64, API_FC_UID_MAX = 40 };

typedef enum { API_FC_BY_NONE, API_FC_BY_USER, API_FC_BY_NAMESPACE } api_fc_distinguisher;

typedef struct api_fc_queue {
  api_fc_waiter *head, *tail;
  int waiting;
} api_fc_queue;

struct api_fc_level {
  char name[API_FC_NAME_MAX], uid[API_FC_UID_MAX];
  bool exempt, reject; /* no limit at all; no queues (Reject) */
  int shares, seats, executing, waiting;
  int nqueues, hand, queue_limit;
  api_fc_queue *queues;
  int next;                           /* the queue whose turn is next */
  int reserve;                        /* seats only a flow holding none may take */
  uint64_t *held_flow;                /* flows holding seats, at most `seats` of them */
  int *held_seats;                    /* how many each holds (0: the slot is free) */
  unsigned long dispatched, rejected; /* counters for metrics */
  unsigned long timed_out;
};

struct api_fc_schema {
  char name[API_FC_NAME_MAX], uid[API_FC_UID_MAX];
  int precedence;
  api_fc_level *level;
  api_fc_distinguisher by;
  json_t *rules;                      /* spec.rules as written */
  unsigned long dispatched, rejected; /* counters for metrics, under the mutex */
};

struct api_flowcontrol {
  pthread_mutex_t mu;
  api_fc_level *levels;
  size_t nlevels;
  api_fc_schema *schemas; /* by matchingPrecedence, then name */
  size_t nschemas;
  double queue_wait_s;
};

extern const char api_fc_default_objects[];

/* The schema a request falls under; never NULL (the defaults keep catch-all). */
const api_fc_schema *api_fc_classify(const api_flowcontrol *fc, const api_user *u,
                                     const api_request_info *ri, const char *path);
/* The flow's hash: the schema's name and its distinguisher's value. */
uint64_t api_fc_flow_hash(const api_fc_schema *s, const api_user *u, const api_request_info *ri);
/* Shuffle sharding: deal hand distinct queues of n from hash into out. */
void api_fc_deal(uint64_t hash, int n, int hand, int *out);

#endif
