/*
 * flowcontrol.h — API Priority and Fairness, Kubernetes' shape simplified:
 * every request (watches and other long-running ones aside) is classified by
 * the first FlowSchema that matches it (lowest matchingPrecedence) into a
 * priority level and a flow (the schema plus the user's name or the
 * request's namespace). A level owns a share of --max-requests-inflight
 * seats (nominalConcurrencyShares / the sum of all shares); when its seats
 * are taken a request waits in one of the level's queues, picked by shuffle
 * sharding the flow over a hand of queues (the shortest of the hand), and
 * the queues are served in turn, so a flow that floods fills only its own
 * queues and every other flow keeps its turns. A quarter of a level's seats
 * (rounded up) is kept for flows that hold none, so a quiet flow finds a
 * seat at once instead of waiting for a flood's request to end. A full
 * queue, or a level whose limitResponse is Reject, answers 429 with
 * Retry-After.
 *
 * Configuration is FlowSchema and PriorityLevelConfiguration objects
 * (flowcontrol.apiserver.k8s.io/v1 shapes) read from a file; built-in
 * defaults modelled on Kubernetes' (system:masters exempt, nodes and the
 * control plane on levels of their own, users on global-default) stay unless
 * the file names an object of the same name.
 *
 * Thread-safety: one mutex; admit and release are O(hand size) and O(queues)
 * at worst, nothing else is done under it. The waiter is the caller's: it
 * is suspended when queued and resumed once release hands it a seat.
 */
#ifndef TUG_APISERVER_FLOWCONTROL_H
#define TUG_APISERVER_FLOWCONTROL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "authn.h"
#include "error.h"
#include "requestinfo.h"

/* How long a request may wait in a queue: a quarter of the 60 s request
 * timeout, as Kubernetes allows. */
#define API_FC_QUEUE_WAIT_S 15.0

typedef struct api_flowcontrol api_flowcontrol;
typedef struct api_fc_level api_fc_level;
typedef struct api_fc_schema api_fc_schema;

typedef enum { API_FC_RUN, API_FC_QUEUED, API_FC_REJECTED } api_fc_verdict;

/* One request's place: filled by admit, held until release. */
typedef struct api_fc_waiter {
  struct api_fc_waiter *next;
  const api_fc_schema *schema;
  api_fc_level *level;
  uint64_t flow;  /* the flow's hash (schema and distinguisher) */
  int queue;      /* index in the level's queues; -1 when not queued */
  double since;   /* monotonic seconds it started waiting */
  bool seated;    /* holds a seat of its level */
  bool timed_out; /* left its queue without a seat: answer 429 */
  void *cls;      /* the caller's (its request) */
} api_fc_waiter;

/*
 * The defaults plus the objects in extra (an array of FlowSchema and
 * PriorityLevelConfiguration objects, may be NULL), seats shared out of
 * total. -1 with err naming the object and field at fault.
 */
api_flowcontrol *api_flowcontrol_new(const json_t *extra, int total, double queue_wait_s,
                                     tug_error *err);
/* api_flowcontrol_new with the objects of a YAML or JSON file (NULL: none). */
api_flowcontrol *api_flowcontrol_load(const char *path, int total, double queue_wait_s,
                                      tug_error *err);
void api_flowcontrol_free(api_flowcontrol *fc);

/* Classify and take a seat (RUN), or queue w (QUEUED: the caller suspends the
 * request until release hands w back), or refuse (REJECTED: 429). */
api_fc_verdict api_flowcontrol_admit(api_flowcontrol *fc, const api_user *u,
                                     const api_request_info *ri, const char *path, double now,
                                     api_fc_waiter *w);
/*
 * Give back w's seat, or take w out of its queue. Returns the waiters to
 * resume, chained by next: those that now hold a seat, and those that waited
 * longer than queue_wait_s (timed_out: answer 429); NULL when none.
 */
api_fc_waiter *api_flowcontrol_release(api_flowcontrol *fc, api_fc_waiter *w, double now);

/* The UIDs Kubernetes sends as X-Kubernetes-PF-FlowSchema-UID and -PriorityLevel-UID. */
const char *api_fc_schema_uid(const api_fc_schema *s);
const char *api_fc_level_uid(const api_fc_level *l);
const char *api_fc_level_name(const api_fc_level *l);

/* Prometheus lines: seats, executing, waiting, dispatched and rejected per level. */
void api_flowcontrol_render(api_flowcontrol *fc, FILE *f);

#endif
