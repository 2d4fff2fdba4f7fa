/*
 * leader.h — leader election through a coordination.k8s.io/v1 Lease, with
 * Kubernetes' semantics, for daemons that run as several replicas of which
 * only one may act (the scheduler, the controllers).
 *
 * The one idea: a candidate may take the Lease only when its holder has not
 * renewed it for leaseDurationSeconds as measured on the candidate's own
 * clock (the time it last saw the record change), and every write is a PUT
 * guarded by the resourceVersion it read, so two candidates never both win.
 * The leader renews every retry period; if no renewal succeeded within the
 * renew deadline (counted from when the last good one was sent) it stops
 * acting at once — by default the process exits, as kube-scheduler does —
 * which is before any other candidate can see the Lease expire (renew
 * deadline < lease duration). A leader that sees another holder stops too.
 *
 *   tug_leader *l = tug_leader_new(client, &opts, &err);
 *   int sig = tug_leader_campaign(l);      // blocks; 0 once leading
 *   if (sig == 0) { start acting; sig = tug_daemon_wait_signal(); }
 *   stop acting; tug_leader_free(l);       // releases the Lease if held
 */
#ifndef TUG_LEADER_H
#define TUG_LEADER_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "http.h"

/* Kubernetes' defaults. */
#define TUG_LEADER_LEASE_DURATION_S 15.0
#define TUG_LEADER_RENEW_DEADLINE_S 10.0
#define TUG_LEADER_RETRY_PERIOD_S 2.0
/* Leader election's Leases live with the system's other objects. */
#define TUG_LEADER_NAMESPACE "tug-system"
/* The exit status of a process whose leadership was lost. */
enum { TUG_LEADER_LOST_EXIT = 3 };

typedef struct tug_leader_options {
  const char *namespace, *name; /* the Lease */
  const char *identity;         /* holderIdentity; NULL: HOSTNAME_<random> */
  double lease_duration_s, renew_deadline_s, retry_period_s;
  /* Called (from the renewal thread) when leadership is lost; NULL: log and
   * _exit(TUG_LEADER_LOST_EXIT). A hook must stop everything that acts before
   * it returns. */
  void (*on_lost)(void *arg);
  void *arg;
} tug_leader_options;

/* The daemons' flags for it (flags.h), as Kubernetes names them. */
#define TUG_LEADER_FLAGS(o, elect)                                                                 \
  {"leader-elect", TUG_FLAG_STRING, (elect), .arg = "true|false",                                  \
   .help = "elect a leader among replicas through a Lease; only it acts"},                         \
      {"leader-elect-lease-duration",                                                              \
       TUG_FLAG_DURATION,                                                                          \
       &(o)->lease_duration_s,                                                                     \
       .min = 1,                                                                                   \
       .max = 3600,                                                                                \
       .arg = "DURATION",                                                                          \
       .help = "how long a Lease not renewed stays its holder's"},                                 \
      {"leader-elect-renew-deadline",                                                              \
       TUG_FLAG_DURATION,                                                                          \
       &(o)->renew_deadline_s,                                                                     \
       .min = 0.1,                                                                                 \
       .max = 3600,                                                                                \
       .arg = "DURATION",                                                                          \
       .help = "a leader that cannot renew for this long stops acting (< lease duration)"},        \
      {"leader-elect-retry-period",                                                                \
       TUG_FLAG_DURATION,                                                                          \
       &(o)->retry_period_s,                                                                       \
       .min = 0.1,                                                                                 \
       .max = 3600,                                                                                \
       .arg = "DURATION",                                                                          \
       .help = "how often candidates try and leaders renew"},                                      \
      {"leader-elect-resource-name", TUG_FLAG_STRING, &(o)->name, .arg = "NAME",                   \
       .help = "the Lease's name"},                                                                \
  {                                                                                                \
    "leader-elect-resource-namespace", TUG_FLAG_STRING, &(o)->namespace,                           \
        .arg = "NAMESPACE", .help = "the Lease's namespace"                                        \
  }

/* --leader-elect's value: 1 true, 0 false, -1 neither. */
int tug_leader_elect_parse(const char *value);
/* Defaults for name: the namespace and timings above. */
void tug_leader_options_default(tug_leader_options *o, const char *name);
/* EINVAL unless retry period < renew deadline < lease duration. */
int tug_leader_options_check(const tug_leader_options *o, tug_error *err);

typedef struct tug_leader tug_leader;

tug_leader *tug_leader_new(tug_client *client, const tug_leader_options *o, tug_error *err);
/* Try every retry period until this process holds the Lease (0, renewal
 * then runs in a thread of its own) or SIGTERM/SIGINT comes (returned). */
int tug_leader_campaign(tug_leader *l);
bool tug_leader_leading(tug_leader *l);
const char *tug_leader_identity(const tug_leader *l);
/* Stop renewing and, when leading, release the Lease (holderIdentity "") so
 * a standby takes over at once; then free. NULL is fine. */
void tug_leader_free(tug_leader *l);

/* ---- the decision, kept pure for tests ---- */

/* What a candidate remembers of the record it last saw. */
typedef struct tug_leader_observed {
  char record[512]; /* holder, renewTime, acquireTime, transitions, duration */
  double at;        /* monotonic seconds when record last changed */
} tug_leader_observed;

typedef enum {
  TUG_LEADER_WAIT,    /* another holder's Lease is still valid */
  TUG_LEADER_ACQUIRE, /* free or expired: take it */
  TUG_LEADER_RENEW,   /* this identity holds it */
} tug_leader_action;

/* Note lease (NULL: none exists) in *seen at monotonic now and decide. */
tug_leader_action tug_leader_decide(const json_t *lease, const char *identity,
                                    tug_leader_observed *seen, double now);
/* The Lease to write for the action (ACQUIRE or RENEW) over current (NULL:
 * create), with renewTime now_micro: a new reference. Acquiring from another
 * holder sets acquireTime and counts a transition; renewing keeps both. */
json_t *tug_leader_lease_body(const json_t *current, const tug_leader_options *o,
                              const char *identity, tug_leader_action action,
                              const char *now_micro);

#endif
