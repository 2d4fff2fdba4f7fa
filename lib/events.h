/*
 * events.h — the Event recorder every component shares: client-go's
 * EventRecorder and EventBroadcaster in one object.
 *
 * The one idea: tug_event_record never waits on the network. It copies the
 * event into a bounded queue (dropping, counted, when full) and one
 * background thread per recorder writes core/v1 Events. On the way, a
 * correlator drops floods (a token bucket per involved object: burst 25, one
 * more every 5 minutes) and folds repeats of the same event (same object,
 * type, reason and message within 10 minutes of the last one) into a PATCH
 * of the existing Event's count and lastTimestamp. Write failures are logged
 * and retried with back-off, never returned.
 *
 *   tug_events *ev;
 *   if (tug_events_open(client, "scheduler", NULL, &ev, &err) < 0) ...
 *   tug_event_record(ev, pod, "Warning", "FailedScheduling", "0/%d nodes are available", n);
 *   tug_events_close(ev);
 */
#ifndef TUG_EVENTS_H
#define TUG_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "http.h"

typedef struct tug_events tug_events;

/*
 * A recorder writing through c (borrowed: it must outlive the recorder) as
 * source {component, host}, which are also reportingComponent and
 * reportingInstance. host may be NULL (controllers and the scheduler have
 * none; the agent passes its node name). Fails with EINVAL without a
 * component, or with the errno of a thread that cannot start.
 */
int tug_events_open(tug_client *c, const char *component, const char *host, tug_events **out,
                    tug_error *err);

/* Write what is queued, waiting at most 2 s, then stop and free. NULL is a no-op. */
void tug_events_close(tug_events *ev);

/*
 * Record an event about involved, which is either a whole object
 * ({apiVersion, kind, metadata: {name, namespace, uid, resourceVersion}}) or
 * an object reference ({apiVersion, kind, name, namespace, uid,
 * resourceVersion, fieldPath}, e.g. with fieldPath "spec.containers{web}").
 * type is "Normal" or "Warning"; the message is cut to 1024 bytes. The Event
 * lives in the object's namespace, or "default" for cluster-scoped objects.
 * An unusable call (NULL recorder or object, no kind or name, an unknown
 * type, no reason) is logged as a warning and records nothing.
 */
void tug_event_record(tug_events *ev, const json_t *involved, const char *type, const char *reason,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Events dropped because the queue was full, since open. */
uint64_t tug_events_dropped(tug_events *ev);

/*
 * ---- The correlator: what the writer thread decides, without the network ----
 *
 * Exposed for tests and for anyone who needs the same rules; recorders keep
 * their own. Not thread-safe. `now` is monotonic seconds. event is an Event
 * as the recorder builds it (involvedObject, type, reason, message).
 */
typedef struct tug_event_correlator tug_event_correlator;

typedef enum {
  TUG_EVENT_SKIP,   /* the involved object's spam bucket is empty */
  TUG_EVENT_CREATE, /* a new Event */
  TUG_EVENT_PATCH,  /* a repeat: patch *name's count to *count */
} tug_event_action;

/* max_entries bounds each of its two LRU maps (0: 4096). NULL when memory runs out. */
tug_event_correlator *tug_event_correlator_new(size_t max_entries);
void tug_event_correlator_free(tug_event_correlator *c);

/*
 * Spend a token of the object's bucket (SKIP when none is left), then look
 * for the same event written within the last 10 minutes: PATCH with the
 * stored Event's name (borrowed until the next call) and count + 1, or CREATE.
 */
tug_event_action tug_event_correlate(tug_event_correlator *c, const json_t *event, double now,
                                     const char **name, int64_t *count);

/* Remember a written Event (the server's answer: metadata.name, count) as last seen at now. */
void tug_event_correlator_observe(tug_event_correlator *c, const json_t *written, double now);

#endif
