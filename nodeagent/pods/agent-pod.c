/*
 * agent-pod.c — one pod's sandbox and containers through their lifecycle:
 * start in order (agent-initorder.c: init containers one by one, sidecars
 * beside them, then the app), exit, back-off and restart, probes
 * (agent-probe.c: a failed liveness or startup probe kills the container,
 * readiness gates ready), graceful termination (app containers first, then
 * the sidecars from the last to the first), removal; and the status report
 * computed from it (agent-podstatus.c).
 *
 * The containers live in one array: spec.initContainers first, then
 * spec.containers, so the order rules and the status see them as the spec
 * lists them.
 *
 * Times: wall clock (time()) for what the API shows, the monotonic clock for
 * back-off and termination deadlines.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-backoff.h"
#include "agent-env.h"
#include "agent-initorder.h"
#include "agent-logs.h"
#include "agent-pod-api.h"
#include "agent-pod.h"
#include "image-user.h"
#include "agent-probe.h"
#include "agent-securitycontext.h"
#include "agent-podspec.h"
#include "agent-podstatus.h"
#include "agent-time.h"
#include "agent-volumes.h"
#include "base64.h"
#include "image-puller.h"
#include "cleanup.h"
#include "clock.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"

/* Startup first: the other two wait until it succeeds. */
enum { PROBE_STARTUP, PROBE_LIVENESS, PROBE_READINESS, N_PROBES };
static const char *const probe_fields[N_PROBES] = {"startupProbe", "livenessProbe",
                                                   "readinessProbe"};

typedef struct agent_ctr_probe {
  agent_probe_spec spec;
  agent_probe_state st;
  agent_probe_run *run; /* in flight or finished but not yet collected */
} agent_ctr_probe;

typedef struct agent_ctr {
  agent_ctr_status st;
  agent_container *rt;  /* NULL while not running */
  const json_t *spec;   /* spec.containers[i], borrowed from the pod's copy */
  double next_start;    /* monotonic; a waiting container starts at or after it */
  double running_since; /* monotonic */
  int backoff;          /* seconds of the last back-off; 0: none yet */
  int exits;
  agent_ctr_probe probes[N_PROBES];
  bool probe_killed; /* a probe failed: no more probes until the restart */
  agent_pull *pull;  /* the image's pull in flight; NULL: none */
  double pull_next;  /* monotonic; no new pull before it (ImagePullBackOff) */
  int pull_backoff;  /* seconds of the last pull back-off; 0: none */
  bool image_seen;   /* "already present" was said once */
  double kill_at;    /* monotonic; SIGKILL then, if still running; 0: none pending */
  bool stop_sent;    /* the pod is stopping and this container was sent SIGTERM */
  bool stop_seen;    /* ... and has been seen to exit */
} agent_ctr;

struct agent_pod {
  const agent_pod_env *env;
  json_t *pod; /* the pod as first seen: its spec is what runs */
  char ns[256], name[256], uid[128], restart_policy[16];
  char log_dir[1024]; /* not PATH_MAX: one per pod, and agent RSS is a goal */
  agent_sandbox *sb;
  char ip[16];     /* status.podIP; "" without a pod network */
  agent_ctr *ctrs; /* init containers first (n_init), then the app containers */
  size_t n, n_init;
  time_t start_time, ready_since, initialized_since;
  bool ready, initialized, terminating, killed;
  bool finishing; /* the pod's work is over (agent-initorder.h): its sidecars are being stopped */
  double kill_deadline;
  char evicted[256];       /* kubelet's message once evicted; "" until then */
  double next_usage_check; /* monotonic; when emptyDir usage is measured next */
  double next_token_check; /* monotonic; when projected tokens are checked for renewal next */
  json_t *last_sent;
};

const char *agent_pod_uid(const agent_pod *p) {
  return p->uid;
}

static int mkdir_if_missing(const char *path, tug_error *err) {
  if (mkdir(path, 0750) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", path);
  return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

static void release_runs(agent_ctr *c) {
  for (int k = 0; k < N_PROBES; k++) {
    agent_probe_run_release(c->probes[k].run);
    c->probes[k].run = NULL;
  }
}

static void free_pod(agent_pod *p) {
  for (size_t i = 0; i < p->n; i++) {
    release_runs(&p->ctrs[i]);
    agent_pull_release(p->ctrs[i].pull);
    for (int k = 0; k < N_PROBES; k++)
      agent_probe_spec_free(&p->ctrs[i].probes[k].spec);
  }
  json_decref(p->pod);
  json_decref(p->last_sent);
  free(p->ctrs);
  free(p);
}

static agent_ctr_kind ctr_kind(const json_t *spec, bool init) {
  if (!init)
    return AGENT_CTR_APP;
  return tug_ctr_is_sidecar(spec) ? AGENT_CTR_SIDECAR : AGENT_CTR_INIT;
}

static int init_ctrs(agent_pod *p, tug_error *err) {
  const json_t *inits = tug_obj_get(p->pod, "spec.initContainers");
  const json_t *apps = tug_obj_get(p->pod, "spec.containers");
  p->n_init = json_array_size(inits);
  p->n = p->n_init + json_array_size(apps);
  p->ctrs = calloc(p->n ? p->n : 1, sizeof *p->ctrs);
  if (p->ctrs == NULL)
    return tug_error_errno(err, ENOMEM, "allocate containers");
  for (size_t i = 0; i < p->n; i++) {
    agent_ctr *c = &p->ctrs[i];
    bool init = i < p->n_init;
    c->spec = init ? json_array_get(inits, i) : json_array_get(apps, i - p->n_init);
    c->st.kind = ctr_kind(c->spec, init);
    const char *name = tug_obj_get_str(c->spec, "name"), *image = tug_obj_get_str(c->spec, "image");
    snprintf(c->st.name, sizeof c->st.name, "%s", name ? name : "");
    snprintf(c->st.image, sizeof c->st.image, "%s", image ? image : "");
    c->st.state = AGENT_CTR_WAITING;
    /* What the kubelet shows of a container not started yet. */
    snprintf(c->st.reason, sizeof c->st.reason, "%s",
             p->n_init > 0 ? "PodInitializing" : "ContainerCreating");
    for (int k = 0; k < N_PROBES; k++) {
      tug_error perr = {0};
      if (agent_probe_spec_parse(c->spec, probe_fields[k], &c->probes[k].spec, &perr) < 0)
        tug_warn("probe unusable, it will fail", "pod=%s/%s container=%s err=%s", p->ns, p->name,
                 c->st.name, TUG_LOG_ERR(&perr));
    }
  }
  return 0;
}

/* The containerStatuses[] (or initContainerStatuses[]) entry of c in the pod
 * as the API has it, or NULL. */
static const json_t *api_ctr_status(const json_t *pod, const agent_ctr *c) {
  return tug_obj_get_named(pod,
                           c->st.kind == AGENT_CTR_APP ? "status.containerStatuses"
                                                       : "status.initContainerStatuses",
                           c->st.name);
}

static void term_from_api(const json_t *t, agent_ctr_term *out) {
  if (!json_is_object(t))
    return;
  *out = (agent_ctr_term){.set = true, .exit_code = (int)tug_obj_get_int(t, "exitCode", 0)};
  snprintf(out->reason, sizeof out->reason, "%s", tug_obj_get_str(t, "reason") ?: "");
  snprintf(out->message, sizeof out->message, "%s", tug_obj_get_str(t, "message") ?: "");
  time_t started = agent_time_parse(tug_obj_get_str(t, "startedAt"));
  time_t finished = agent_time_parse(tug_obj_get_str(t, "finishedAt"));
  out->started_at = started > 0 ? started : 0;
  out->finished_at = finished > 0 ? finished : 0;
}

/* The Initialized condition an earlier agent reported keeps its time. */
static void restore_initialized(agent_pod *p) {
  size_t i;
  const json_t *cond;
  json_array_foreach(tug_obj_get(p->pod, "status.conditions"), i, cond) {
    time_t since = agent_time_parse(tug_obj_get_str(cond, "lastTransitionTime"));
    const char *type = tug_obj_get_str(cond, "type"), *status = tug_obj_get_str(cond, "status");
    if (type && strcmp(type, "Initialized") == 0 && since > 0) {
      p->initialized = status && strcmp(status, "True") == 0;
      p->initialized_since = since;
    }
  }
}

/* What an earlier agent reported of this pod (the same uid) is what it knew:
 * restart counts, last terminations, and containers that finished for good,
 * so that a restarted agent neither resets nor re-runs them. */
static void restore_from_status(agent_pod *p) {
  time_t start = agent_time_parse(tug_obj_get_str(p->pod, "status.startTime"));
  if (start > 0)
    p->start_time = p->ready_since = p->initialized_since = start;
  restore_initialized(p);
  for (size_t i = 0; i < p->n; i++) {
    agent_ctr *c = &p->ctrs[i];
    const json_t *cs = api_ctr_status(p->pod, c);
    if (cs == NULL)
      continue;
    c->st.restart_count = (int)tug_obj_get_int(cs, "restartCount", 0);
    c->exits = c->st.restart_count;
    term_from_api(tug_obj_get(cs, "lastState.terminated"), &c->st.last);
    agent_ctr_term done = {0};
    term_from_api(tug_obj_get(cs, "state.terminated"), &done);
    if (done.set && !agent_ctr_restarts(c->st.kind, p->restart_policy, done.exit_code)) {
      c->st.state = AGENT_CTR_TERMINATED;
      c->st.term = done;
      c->exits++;
    }
  }
}

/* The container's log file, for start and adopt alike. */
static void ctr_log_path(const agent_pod *p, const agent_ctr *c, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s.log", p->log_dir, c->st.name);
}

static void reset_probes(agent_ctr *c, double now);
static void record_stop(agent_pod *p, agent_ctr *c, const agent_ctr_term *term, double ran);

/* The sandbox is an earlier agent's: take over its containers that still
 * run, keeping the started and ready states that agent reported until the
 * probes say otherwise; one that died unseen ends as ContainerStatusUnknown
 * and goes through the restart policy. */
static void adopt_ctrs(agent_pod *p) {
  for (size_t i = 0; i < p->n; i++) {
    agent_ctr *c = &p->ctrs[i];
    if (c->st.state == AGENT_CTR_TERMINATED)
      continue;
    char log_path[PATH_MAX + 160];
    ctr_log_path(p, c, log_path, sizeof log_path);
    agent_container_record rec;
    tug_error err = {0};
    int rc =
        agent_runtime_container_adopt(p->env->rt, p->sb, c->st.name, log_path, &c->rt, &rec, &err);
    if (rc < 0)
      tug_warn("container adoption failed", "pod=%s/%s container=%s err=%s", p->ns, p->name,
               c->st.name, TUG_LOG_ERR(&err));
    time_t now = time(NULL);
    if (rc == 1) {
      const json_t *cs = api_ctr_status(p->pod, c);
      c->st.state = AGENT_CTR_RUNNING;
      c->st.reason[0] = c->st.message[0] = '\0';
      c->st.started_at = rec.started_at;
      c->running_since = tug_monotonic_seconds() - (double)(now - rec.started_at);
      reset_probes(c, tug_monotonic_seconds());
      c->st.unstarted &= !json_is_true(json_object_get(cs, "started"));
      c->st.unready &= !json_is_true(json_object_get(cs, "ready"));
      tug_info("container adopted", "pod=%s/%s container=%s pid=%d restarts=%d", p->ns, p->name,
               c->st.name, (int)agent_runtime_container_pid(c->rt), c->st.restart_count);
    } else if (rec.found) {
      agent_ctr_term term = {
          .set = true, .exit_code = 137, .started_at = rec.started_at, .finished_at = now};
      snprintf(term.reason, sizeof term.reason, "ContainerStatusUnknown");
      snprintf(term.message, sizeof term.message,
               "The container ended while tug-agent was not running; its exit code is unknown");
      tug_info("container ended while the agent was away", "pod=%s/%s container=%s", p->ns, p->name,
               c->st.name);
      record_stop(p, c, &term, (double)(now - rec.started_at));
    }
  }
}

/* The pod's address and eth0, an /etc/hosts naming it and the Services that
 * exist now, and an /etc/resolv.conf naming the node's DNS responder. An
 * adopted sandbox keeps its address and files. */
static int connect_pod(agent_pod *p, tug_error *err) {
  int fd = agent_runtime_sandbox_netns(p->sb, err);
  if (fd < 0)
    return -1;
  int rc = agent_network_pod_setup(p->env->network, p->uid, fd, p->ip, err);
  close(fd);
  if (rc < 0 || agent_runtime_sandbox_adopted(p->sb))
    return rc;
  _cleanup_free_ char *hosts = agent_network_hosts(p->env->network, p->ns, p->ip, p->name);
  _cleanup_free_ char *resolv = agent_network_resolv_conf(p->env->network, p->ns);
  if (hosts == NULL)
    return tug_error_set(err, ENOMEM, "write /etc/hosts");
  if (agent_runtime_sandbox_set_file(p->sb, "hosts", hosts, err) < 0)
    return -1;
  return resolv ? agent_runtime_sandbox_set_file(p->sb, "resolv.conf", resolv, err) : 0;
}

int agent_pod_create(const agent_pod_env *env, const json_t *pod, agent_pod **out, tug_error *err) {
  agent_pod *p = calloc(1, sizeof *p);
  if (p == NULL)
    return tug_error_errno(err, ENOMEM, "allocate pod");
  p->env = env;
  p->pod = json_deep_copy(pod);
  snprintf(p->ns, sizeof p->ns, "%s", tug_obj_namespace(pod) ? tug_obj_namespace(pod) : "");
  snprintf(p->name, sizeof p->name, "%s", tug_obj_name(pod) ? tug_obj_name(pod) : "");
  snprintf(p->uid, sizeof p->uid, "%s", tug_obj_uid(pod) ? tug_obj_uid(pod) : "");
  const char *policy = tug_obj_get_str(pod, "spec.restartPolicy");
  snprintf(p->restart_policy, sizeof p->restart_policy, "%s", policy ? policy : "Always");
  p->start_time = p->ready_since = p->initialized_since = time(NULL);
  p->initialized = tug_obj_get(pod, "spec.initContainers") == NULL ||
                   json_array_size(tug_obj_get(pod, "spec.initContainers")) == 0;
  char logs[PATH_MAX];
  snprintf(logs, sizeof logs, "%s/logs", env->root);
  if (snprintf(p->log_dir, sizeof p->log_dir, "%s/%s_%s_%s", logs, p->ns, p->name, p->uid) >=
      (int)sizeof p->log_dir) {
    free_pod(p);
    return tug_error_set(err, ENAMETOOLONG, "create pod: log dir under %s too long", logs);
  }
  agent_sandbox_spec sb = {
      .pod_uid = p->uid,
      .pod_name = p->name,
      .user_namespace = agent_securitycontext_user_namespace(tug_obj_get(p->pod, "spec")),
      .resources = agent_podspec_pod_resources(tug_obj_get(p->pod, "spec"), env->pids_limit)};
  if (p->pod == NULL || init_ctrs(p, err) < 0 || mkdir_if_missing(logs, err) < 0 ||
      mkdir_if_missing(p->log_dir, err) < 0 ||
      agent_runtime_sandbox_create(env->rt, &sb, &p->sb, err) < 0) {
    /* The log dir may be an earlier agent's, still written to: keep it. */
    p->log_dir[0] = '\0';
    agent_pod_destroy(p, NULL);
    return tug_error_wrap(err, "create pod %s/%s", p->ns, p->name);
  }
  if (env->network && connect_pod(p, err) < 0) {
    if (!agent_runtime_sandbox_adopted(p->sb)) {
      p->log_dir[0] = '\0';
      agent_pod_destroy(p, NULL);
      return tug_error_wrap(err, "create pod %s/%s", p->ns, p->name);
    }
    /* An adopted pod's eth0 outlived the agent; failing to check it is no
     * reason to kill containers that run. Its address is the one it had. */
    const char *ip = tug_obj_get_str(p->pod, "status.podIP");
    tug_warn("pod network of an adopted pod not checked; the pod keeps running",
             "pod=%s/%s ip=%s err=%s", p->ns, p->name, ip ? ip : "",
             TUG_LOG_Q(err ? err->msg : ""));
    if (ip && strlen(ip) < sizeof p->ip)
      snprintf(p->ip, sizeof p->ip, "%s", ip);
  }
  restore_from_status(p);
  if (agent_runtime_sandbox_adopted(p->sb))
    adopt_ctrs(p);
  *out = p;
  return 0;
}

/* An Event about the pod (c NULL) or one of its containers, as kubelet writes them. */
static void __attribute__((format(printf, 5, 6)))
pod_event(const agent_pod *p, const agent_ctr *c, const char *type, const char *reason,
          const char *fmt, ...) {
  if (p->env->events == NULL)
    return;
  char msg[1024], field[200] = "";
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c)
    snprintf(field, sizeof field, "spec.%s{%.150s}",
             c->st.kind == AGENT_CTR_APP ? "containers" : "initContainers", c->st.name);
  _cleanup_json_ json_t *ref =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s}", "apiVersion", "v1", "kind", "Pod", "name",
                p->name, "namespace", p->ns, "uid", p->uid, "resourceVersion",
                tug_obj_get_str(p->pod, "metadata.resourceVersion"), "fieldPath", field);
  if (ref && !c)
    json_object_del(ref, "fieldPath");
  tug_event_record(p->env->events, ref, type, reason, "%s", msg);
}

/* After an exit (or a failed start): back off and restart, or stay terminated. */
static void record_stop(agent_pod *p, agent_ctr *c, const agent_ctr_term *term, double ran) {
  bool restart = !p->terminating && !p->evicted[0] && !p->finishing &&
                 agent_ctr_restarts(c->st.kind, p->restart_policy, term->exit_code);
  c->exits++;
  if (!restart) {
    c->st.state = AGENT_CTR_TERMINATED;
    c->st.term = *term;
    return;
  }
  c->backoff = agent_backoff_next(c->backoff, ran, p->env->backoff_base, AGENT_BACKOFF_MAX_SECONDS);
  c->next_start = tug_monotonic_seconds() + c->backoff;
  c->st.last = *term;
  c->st.state = AGENT_CTR_WAITING;
  pod_event(p, c, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
            c->st.name, p->name, p->ns, p->uid);
  snprintf(c->st.reason, sizeof c->st.reason, "CrashLoopBackOff");
  snprintf(c->st.message, sizeof c->st.message,
           "back-off %ds restarting failed container=%.100s pod=%.100s_%.100s(%.60s)", c->backoff,
           c->st.name, p->name, p->ns, p->uid);
}

static void check_exit(agent_pod *p, agent_ctr *c) {
  agent_process_status st;
  tug_error err = {0};
  if (agent_runtime_container_wait(c->rt, 0, &st, &err) < 0) {
    tug_warn("container wait failed", "pod=%s/%s container=%s err=%s", p->ns, p->name, c->st.name,
             TUG_LOG_ERR(&err));
    return;
  }
  if (st.running)
    return;
  agent_ctr_term term = {.set = true,
                         .exit_code = st.exit_code,
                         .started_at = c->st.started_at,
                         .finished_at = time(NULL)};
  snprintf(term.reason, sizeof term.reason, "%s",
           st.exit_unknown && !st.oom_killed ? "ContainerStatusUnknown"
                                             : agent_exit_reason(st.exit_code, st.oom_killed));
  if (st.exit_unknown)
    snprintf(term.message, sizeof term.message,
             "The container was adopted from an earlier tug-agent and its exit code is unknown");
  tug_info("container exited", "pod=%s/%s container=%s exit_code=%d reason=%s", p->ns, p->name,
           c->st.name, st.exit_code, term.reason);
  if (agent_runtime_container_remove(p->env->rt, c->rt, &err) < 0)
    tug_warn("container removal failed", "pod=%s/%s container=%s err=%s", p->ns, p->name,
             c->st.name, TUG_LOG_ERR(&err));
  c->rt = NULL;
  release_runs(c);
  record_stop(p, c, &term, tug_monotonic_seconds() - c->running_since);
}

/* Kubelet's figures for image pulls: 10 s doubling to 5 min. */
enum { PULL_BACKOFF_BASE = 10, PULL_BACKOFF_MAX = 300 };

/* The pod's imagePullSecrets of type kubernetes.io/dockerconfigjson, as
 * parsed .dockerconfigjson documents; one that cannot be read is skipped
 * with a warning, as kubelet does. */
static json_t *pull_secrets(agent_pod *p) {
  json_t *out = json_array();
  size_t i;
  const json_t *ref;
  json_array_foreach(tug_obj_get(p->pod, "spec.imagePullSecrets"), i, ref) {
    const char *name = tug_obj_get_str(ref, "name");
    char path[600];
    _cleanup_json_ json_t *secret = NULL;
    tug_error err = {0};
    snprintf(path, sizeof path, "/api/v1/namespaces/%s/secrets/%s", p->ns, name ? name : "");
    if (!name || tug_client_get(p->env->client, path, &secret, &err) < 0) {
      tug_warn("image pull secret unreadable", "pod=%s/%s secret=%s err=%s", p->ns, p->name,
               name ? name : "", TUG_LOG_ERR(&err));
      continue;
    }
    const char *type = tug_obj_get_str(secret, "type");
    const char *b64 =
        json_string_value(json_object_get(json_object_get(secret, "data"), ".dockerconfigjson"));
    _cleanup_free_ unsigned char *raw = NULL;
    size_t len = 0, bad = 0;
    json_t *doc = NULL;
    if (type && strcmp(type, "kubernetes.io/dockerconfigjson") == 0 && b64 &&
        tug_base64_decode(b64, strlen(b64), &raw, &len, &bad) == 0)
      doc = json_loadb((const char *)raw, len, 0, NULL);
    if (doc == NULL)
      tug_warn("image pull secret skipped: not a kubernetes.io/dockerconfigjson secret",
               "pod=%s/%s secret=%s", p->ns, p->name, name);
    else
      json_array_append_new(out, doc);
  }
  return out;
}

static void image_waiting(agent_ctr *c, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void image_waiting(agent_ctr *c, const char *reason, const char *fmt, ...) {
  c->st.state = AGENT_CTR_WAITING;
  snprintf(c->st.reason, sizeof c->st.reason, "%s", reason);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->st.message, sizeof c->st.message, fmt, ap);
  va_end(ap);
}

static void pull_failed(agent_pod *p, agent_ctr *c, bool never, const tug_error *err) {
  tug_warn("image pull failed", "pod=%s/%s container=%s image=%s err=%s", p->ns, p->name,
           c->st.name, c->st.image, TUG_LOG_ERR(err));
  if (never) {
    if (strcmp(c->st.reason, "ErrImageNeverPull") != 0)
      pod_event(p, c, "Warning", "ErrImageNeverPull",
                "Container image \"%s\" is not present with pull policy of Never", c->st.image);
    image_waiting(c, "ErrImageNeverPull",
                  "Container image \"%.300s\" is not present with pull policy of Never",
                  c->st.image);
  } else {
    pod_event(p, c, "Warning", "Failed", "Failed to pull image \"%s\": %s", c->st.image, err->msg);
    pod_event(p, c, "Warning", "Failed", "Error: ErrImagePull");
    image_waiting(c, "ErrImagePull", "%.500s", err->msg);
  }
  c->pull_backoff = agent_backoff_next(c->pull_backoff, 0, PULL_BACKOFF_BASE, PULL_BACKOFF_MAX);
  /* next_start stays: each sync looks in, to turn ErrImagePull into ImagePullBackOff. */
  c->pull_next = tug_monotonic_seconds() + c->pull_backoff;
}

static bool image_ready(agent_ctr *c, agent_image_info *info, agent_image_info *out) {
  snprintf(c->st.image_id, sizeof c->st.image_id, "%.255s", info->image_id);
  c->pull_backoff = 0;
  *out = *info;
  return true;
}

/* Start or join the image's pull: true when the image is present already. */
static bool begin_pull(agent_pod *p, agent_ctr *c, agent_image_info *out) {
  const char *policy = tug_obj_get_str(c->spec, "imagePullPolicy");
  if (c->pull_next > tug_monotonic_seconds()) {
    if (strcmp(c->st.reason, "ErrImagePull") == 0) {
      char why[256];
      snprintf(why, sizeof why, "%.255s", c->st.message);
      pod_event(p, c, "Normal", "BackOff", "Back-off pulling image \"%s\"", c->st.image);
      image_waiting(c, "ImagePullBackOff", "Back-off pulling image \"%.200s\": ErrImagePull: %s",
                    c->st.image, why);
    }
    return false;
  }
  _cleanup_json_ json_t *secrets = pull_secrets(p);
  agent_image_info info;
  tug_error err = {0};
  int rc =
      agent_puller_resolve(p->env->puller, c->st.image, policy, secrets, &c->pull, &info, &err);
  if (rc < 0) {
    pull_failed(p, c, err.code == ENOENT && policy && strcmp(policy, "Never") == 0, &err);
    return false;
  }
  if (rc == 1) {
    if (!c->image_seen)
      pod_event(p, c, "Normal", "Pulled", "Container image \"%s\" already present on machine",
                c->st.image);
    c->image_seen = true;
    return image_ready(c, &info, out);
  }
  pod_event(p, c, "Normal", "Pulling", "Pulling image \"%s\"", c->st.image);
  return false;
}

/* The image's layers and config, or false with the container left Waiting:
 * on its pull, or on ErrImagePull / ImagePullBackOff / ErrImageNeverPull. */
static bool resolve_image(agent_pod *p, agent_ctr *c, agent_image_info *out) {
  if (c->pull == NULL)
    return begin_pull(p, c, out);
  agent_image_info info;
  double seconds = 0;
  tug_error err = {0};
  int rc = agent_pull_poll(c->pull, &info, &seconds, &err);
  if (rc == 0)
    return false;
  agent_pull_release(c->pull);
  c->pull = NULL;
  if (rc < 0) {
    pull_failed(p, c, false, &err);
    return false;
  }
  pod_event(p, c, "Normal", "Pulled",
            "Successfully pulled image \"%s\" in %.3fs (%.3fs including waiting). Image size: "
            "%lld bytes.",
            c->st.image, seconds, seconds, (long long)info.size);
  c->image_seen = true;
  return image_ready(c, &info, out);
}

/* How soon a container whose config (volumes, security) was unusable tries again. */
enum { CONFIG_RETRY_SECONDS = 2 };

static int api_get(void *client, const char *path, json_t **out, tug_error *err) {
  return tug_client_get(client, path, out, err) < 0 ? -1 : 0;
}

static int api_create(void *client, const char *path, const json_t *body, json_t **out,
                      tug_error *err) {
  return tug_client_create(client, path, body, out, err) < 0 ? -1 : 0;
}

static agent_volume_ctx volume_ctx(agent_pod *p) {
  return (agent_volume_ctx){.pod = p->pod,
                            .sandbox_dir = agent_runtime_sandbox_data_dir(p->sb),
                            .root_id = agent_runtime_sandbox_root_id(p->sb),
                            .get = api_get,
                            .create = api_create,
                            .get_arg = p->env->client,
                            .allowed_host_paths = p->env->allowed_host_paths,
                            .local_path_root = p->env->local_path_root};
}

/* Leave c Waiting on CreateContainerConfigError, retried later (a missing
 * ConfigMap may yet come); warn and record an Event when the cause is new. */
static void config_error(agent_pod *p, agent_ctr *c, const char *what, const tug_error *err) {
  if (strcmp(c->st.reason, "CreateContainerConfigError") != 0 ||
      strncmp(c->st.message, err->msg, 500) != 0) {
    tug_warn(what, "pod=%s/%s container=%s err=%s", p->ns, p->name, c->st.name, TUG_LOG_ERR(err));
    pod_event(p, c, "Warning", "Failed", "Error: %s", err->msg);
  }
  c->st.state = AGENT_CTR_WAITING;
  snprintf(c->st.reason, sizeof c->st.reason, "CreateContainerConfigError");
  snprintf(c->st.message, sizeof c->st.message, "%.500s", err->msg);
  c->next_start = tug_monotonic_seconds() + CONFIG_RETRY_SECONDS;
}

/* The container's mounts, or false with it left on CreateContainerConfigError;
 * ctr is its spec with env resolved, for subPathExpr (kubelet, too, makes the
 * environment before the mounts). */
static bool resolve_volumes(agent_pod *p, agent_ctr *c, const json_t *ctr, const json_t *services,
                            agent_volume_plan *plan) {
  agent_volume_ctx ctx = volume_ctx(p);
  ctx.service_env = services;
  tug_error err = {0};
  if (agent_volumes_prepare(&ctx, ctr, plan, &err) == 0)
    return true;
  config_error(p, c, "container volumes unusable", &err);
  return false;
}

/* The container's confinement, or false with it left on CreateContainerConfigError. */
static bool resolve_security(agent_pod *p, agent_ctr *c, agent_security *sec) {
  tug_error err = {0};
  if (agent_securitycontext(tug_obj_get(p->pod, "spec"), c->spec, sec, &err) == 0)
    return true;
  config_error(p, c, "container security context unusable", &err);
  return false;
}

/* The container's spec with its env resolved (envFrom, valueFrom, $(VAR)),
 * or NULL with it left on CreateContainerConfigError. */
static json_t *resolve_env(agent_pod *p, agent_ctr *c, const json_t *services) {
  agent_env_node node = {.pod_ip = p->ip,
                         .host_ip = p->env->host_ip,
                         .alloc_cpu_milli = p->env->alloc_cpu_milli,
                         .alloc_memory = p->env->alloc_memory};
  _cleanup_json_ json_t *objects = NULL, *env = NULL;
  tug_error err = {0};
  json_t *ctr = NULL;
  if (agent_env_fetch(c->spec, p->ns, api_get, p->env->client, &objects, &err) == 0 &&
      agent_env_resolve(p->pod, c->spec, objects, services, &node, &env, &err) == 0 &&
      (ctr = agent_env_container(c->spec, env, services)) == NULL)
    tug_error_set(&err, ENOMEM, "allocate the container's env");
  if (ctr == NULL)
    config_error(p, c, "container env unusable", &err);
  return ctr;
}

/* runAsNonRoot against the image's User, then a User name resolved through
 * the image's /etc/passwd and /etc/group; false with the container left on
 * CreateContainerConfigError (kubelet's reason for both). */
static bool image_user_ok(agent_pod *p, agent_ctr *c, const agent_image_info *image,
                          const agent_security *security, agent_ctr_plan *plan) {
  tug_error err = {0};
  if (agent_securitycontext_image_user(tug_obj_get(p->pod, "spec"), c->spec, security,
                                       tug_obj_get_str(image->config, "User"), &err) < 0) {
    config_error(p, c, "container refused by runAsNonRoot", &err);
    return false;
  }
  if (plan->user_name == NULL || security->run_as_user)
    return true;
  if (agent_image_user_resolve(image->lowerdir, plan->user_name, &plan->uid, &plan->gid, &err) <
      0) {
    config_error(p, c, "image user unusable", &err);
    return false;
  }
  plan->has_user = true;
  return true;
}

static void reset_probes(agent_ctr *c, double now) {
  release_runs(c);
  for (int k = 0; k < N_PROBES; k++)
    agent_probe_reset(&c->probes[k].st, &c->probes[k].spec, now);
  c->probe_killed = false;
  c->kill_at = 0;
  c->st.unstarted = c->probes[PROBE_STARTUP].spec.kind != AGENT_PROBE_NONE;
  c->st.unready = c->st.unstarted || c->probes[PROBE_READINESS].spec.kind != AGENT_PROBE_NONE;
}

static void start_ctr(agent_pod *p, agent_ctr *c) {
  char log_path[PATH_MAX + 160];
  agent_volume_plan volumes;
  agent_security security;
  agent_image_info image;
  if (!resolve_image(p, c, &image))
    return;
  _cleanup_json_ json_t *services = json_is_false(tug_obj_get(p->pod, "spec.enableServiceLinks"))
                                        ? NULL
                                        : agent_network_service_env(p->env->network, p->ns);
  _cleanup_json_ json_t *ctr = NULL;
  if (!resolve_security(p, c, &security) || (ctr = resolve_env(p, c, services)) == NULL ||
      !resolve_volumes(p, c, ctr, services, &volumes)) {
    agent_image_info_clear(&image);
    return;
  }
  agent_ctr_plan plan;
  tug_error err = {0};
  int rc =
      agent_podspec_plan(ctr, image.config, p->name, services, p->env->pids_limit, &plan, &err);
  if (rc == 0 && !image_user_ok(p, c, &image, &security, &plan)) {
    agent_podspec_plan_free(&plan);
    agent_volume_plan_free(&volumes);
    agent_image_info_clear(&image);
    return;
  }
  if (rc == 0 && plan.has_user && !security.run_as_user) {
    security.run_as_user = true;
    security.uid = plan.uid;
    if (!security.run_as_group) {
      security.run_as_group = true;
      security.gid = plan.gid;
    }
  }
  if (rc == 0) {
    ctr_log_path(p, c, log_path, sizeof log_path);
    tug_error lerr = {0};
    if (c->exits > 0 && agent_logs_keep_previous(log_path, &lerr) < 0)
      tug_warn("previous log not kept", "pod=%s/%s container=%s err=%s", p->ns, p->name, c->st.name,
               TUG_LOG_ERR(&lerr));
    agent_container_spec spec = {.name = c->st.name,
                                 .rootfs = image.lowerdir,
                                 .argv = plan.argv,
                                 .env = plan.env,
                                 .working_dir = plan.working_dir,
                                 .log_path = log_path,
                                 .resources = plan.resources,
                                 .mounts = volumes.mounts,
                                 .n_mounts = volumes.n,
                                 .security = security,
                                 .stdin = json_is_true(tug_obj_get(c->spec, "stdin")),
                                 .stdin_once = json_is_true(tug_obj_get(c->spec, "stdinOnce")),
                                 .tty = json_is_true(tug_obj_get(c->spec, "tty"))};
    rc = agent_runtime_container_start(p->env->rt, p->sb, &spec, &c->rt, &err);
    agent_podspec_plan_free(&plan);
  }
  agent_volume_plan_free(&volumes);
  agent_image_info_clear(&image);
  time_t now = time(NULL);
  /* Every attempt after the first is a restart, failed starts too, as kubelet counts. */
  if (c->exits > 0)
    c->st.restart_count++;
  if (rc < 0) {
    tug_warn("container start failed", "pod=%s/%s container=%s err=%s", p->ns, p->name, c->st.name,
             TUG_LOG_ERR(&err));
    agent_ctr_term term = {.set = true, .exit_code = 128, .started_at = now, .finished_at = now};
    snprintf(term.reason, sizeof term.reason, "StartError");
    snprintf(term.message, sizeof term.message, "%.500s", err.msg);
    c->rt = NULL;
    pod_event(p, c, "Warning", "Failed", "Error: %s", err.msg);
    record_stop(p, c, &term, 0);
    return;
  }
  pod_event(p, c, "Normal", "Started", "Started container %s", c->st.name);
  c->st.state = AGENT_CTR_RUNNING;
  c->st.reason[0] = c->st.message[0] = '\0';
  c->st.started_at = now;
  c->running_since = tug_monotonic_seconds();
  reset_probes(c, c->running_since);
  tug_info("container started", "pod=%s/%s container=%s pid=%d restarts=%d", p->ns, p->name,
           c->st.name, (int)agent_runtime_container_pid(c->rt), c->st.restart_count);
}

/* A failed liveness or startup probe: SIGTERM now, SIGKILL after the grace
 * period (the probe's terminationGracePeriodSeconds, else the pod's); the
 * exit then goes through the restart policy like any other. */
static void probe_kill(agent_pod *p, agent_ctr *c, const agent_ctr_probe *pr) {
  const json_t *probe = json_object_get(c->spec, probe_fields[pr - c->probes]);
  int64_t grace =
      tug_obj_get_int(probe, "terminationGracePeriodSeconds",
                      tug_obj_get_int(p->pod, "spec.terminationGracePeriodSeconds", 30));
  tug_info("probe failed, killing container", "pod=%s/%s container=%s probe=%s grace_seconds=%lld",
           p->ns, p->name, c->st.name, probe_fields[pr - c->probes], (long long)grace);
  pod_event(p, c, "Normal", "Killing", "Container %s failed %s probe, will be restarted",
            c->st.name, pr - c->probes == PROBE_STARTUP ? "startup" : "liveness");
  c->probe_killed = true;
  c->kill_at = tug_monotonic_seconds() + (double)(grace > 0 ? grace : 0);
  agent_runtime_container_signal(c->rt, grace > 0 ? SIGTERM : SIGKILL, NULL);
}

/* Take a finished run's outcome and act when the probe's result changed. */
static void collect_probe(agent_pod *p, agent_ctr *c, agent_ctr_probe *pr) {
  bool ok;
  char why[256];
  if (pr->run == NULL || !agent_probe_run_done(pr->run, &ok, why, sizeof why))
    return;
  agent_probe_run_release(pr->run);
  pr->run = NULL;
  const char *field = probe_fields[pr - c->probes];
  static const char *const probe_names[N_PROBES] = {"Startup", "Liveness", "Readiness"};
  if (!ok) {
    tug_debug("probe failed", "pod=%s/%s container=%s probe=%s why=\"%s\"", p->ns, p->name,
              c->st.name, field, why);
    pod_event(p, c, "Warning", "Unhealthy", "%s probe failed: %s", probe_names[pr - c->probes],
              why);
  }
  if (!agent_probe_record(&pr->st, &pr->spec, ok))
    return;
  bool success = pr->st.result == AGENT_PROBE_SUCCESS;
  tug_info("probe result changed", "pod=%s/%s container=%s probe=%s result=%s why=\"%s\"", p->ns,
           p->name, c->st.name, field, success ? "success" : "failure", why);
  switch (pr - c->probes) {
  case PROBE_STARTUP:
    if (success) {
      c->st.unstarted = false;
      c->st.unready = c->probes[PROBE_READINESS].spec.kind != AGENT_PROBE_NONE;
    } else {
      probe_kill(p, c, pr);
    }
    break;
  case PROBE_LIVENESS:
    if (!success)
      probe_kill(p, c, pr);
    break;
  case PROBE_READINESS:
    c->st.unready = !success;
    break;
  }
}

/* Collect finished probe runs and start due ones; never waits for a probe. */
static void probe_step(agent_pod *p, agent_ctr *c) {
  double now = tug_monotonic_seconds();
  if (c->probe_killed) {
    if (c->kill_at > 0 && now >= c->kill_at) {
      agent_runtime_container_signal(c->rt, SIGKILL, NULL);
      c->kill_at = 0;
    }
    return;
  }
  for (int k = 0; k < N_PROBES && !c->probe_killed; k++) {
    agent_ctr_probe *pr = &c->probes[k];
    if (pr->spec.kind == AGENT_PROBE_NONE || (k == PROBE_STARTUP) != c->st.unstarted)
      continue;
    collect_probe(p, c, pr);
    if (c->probe_killed || pr->run || !agent_probe_due(&pr->st, now))
      continue;
    agent_probe_started(&pr->st, &pr->spec, now);
    tug_error err = {0};
    if (agent_probe_run_start(&pr->spec, p->sb, c->rt, &pr->run, &err) < 0)
      tug_debug("probe could not run", "pod=%s/%s container=%s probe=%s err=%s", p->ns, p->name,
                c->st.name, probe_fields[k], TUG_LOG_ERR(&err));
  }
}

/* How often the disk usage of emptyDirs with a sizeLimit is measured. */
enum { VOLUME_USAGE_CHECK_SECONDS = 5 };

/* Kubelet's eviction for local storage: an emptyDir on disk past its
 * sizeLimit fails the whole pod at once (no grace period, no restart). */
static void check_volume_usage(agent_pod *p) {
  double now = tug_monotonic_seconds();
  if (p->evicted[0] || p->terminating || now < p->next_usage_check)
    return;
  p->next_usage_check = now + VOLUME_USAGE_CHECK_SECONDS;
  if (!agent_volumes_over_limit(p->pod, agent_runtime_sandbox_data_dir(p->sb), p->evicted,
                                sizeof p->evicted))
    return;
  tug_warn("pod evicted", "pod=%s/%s why=%s", p->ns, p->name, TUG_LOG_Q(p->evicted));
  pod_event(p, NULL, "Warning", "Evicted", "%s", p->evicted);
  for (size_t i = 0; i < p->n; i++)
    if (p->ctrs[i].rt)
      agent_runtime_container_signal(p->ctrs[i].rt, SIGKILL, NULL);
}

/* How often projected ServiceAccount tokens are checked for renewal: each is
 * renewed past 80% of its life, so an hour's token has twelve minutes to go. */
enum { TOKEN_CHECK_SECONDS = 10 };

static void refresh_tokens(agent_pod *p) {
  double now = tug_monotonic_seconds();
  if (p->terminating || p->sb == NULL || now < p->next_token_check)
    return;
  p->next_token_check = now + TOKEN_CHECK_SECONDS;
  agent_volume_ctx ctx = volume_ctx(p);
  tug_error err = {0};
  if (agent_volumes_refresh_tokens(&ctx, (int64_t)time(NULL), &err) < 0)
    tug_warn("service account token not renewed", "pod=%s/%s err=%s", p->ns, p->name,
             TUG_LOG_Q(err.msg));
}

/* The containers' states as one array, for the order rules and the status. */
static agent_ctr_status *snapshot(const agent_pod *p) {
  agent_ctr_status *st = calloc(p->n ? p->n : 1, sizeof *st);
  for (size_t i = 0; st && i < p->n; i++)
    st[i] = p->ctrs[i].st;
  return st;
}

/* Is c's process still running? The first time a container being stopped is
 * seen gone, the log says so: the stop order is visible there. */
static bool ctr_running(const agent_pod *p, agent_ctr *c) {
  agent_process_status st;
  if (c->rt && agent_runtime_container_wait(c->rt, 0, &st, NULL) == 0 && st.running)
    return true;
  if (c->stop_sent && !c->stop_seen) {
    c->stop_seen = true;
    tug_info("container stopped", "pod=%s/%s container=%s", p->ns, p->name, c->st.name);
  }
  return false;
}

static void stop_ctr(agent_pod *p, agent_ctr *c) {
  pod_event(p, c, "Normal", "Killing", "Stopping container %s", c->st.name);
  tug_info("stopping container", "pod=%s/%s container=%s", p->ns, p->name, c->st.name);
  c->stop_sent = true;
  agent_runtime_container_signal(c->rt, SIGTERM, NULL);
}

/* One step of an orderly stop, as the kubelet stops a pod: SIGTERM to every
 * container but the sidecars; once those have exited, to the sidecars one at
 * a time from the last to the first; SIGKILL to whatever still runs past
 * kill_deadline. True once every container has exited. */
static bool stop_step(agent_pod *p) {
  bool others = false, all_exited;
  for (size_t i = 0; i < p->n; i++) {
    agent_ctr *c = &p->ctrs[i];
    if (c->st.kind == AGENT_CTR_SIDECAR || !ctr_running(p, c))
      continue;
    others = true;
    if (!c->stop_sent)
      stop_ctr(p, c);
  }
  all_exited = !others;
  for (size_t i = p->n_init; i-- > 0;) {
    agent_ctr *c = &p->ctrs[i];
    if (c->st.kind != AGENT_CTR_SIDECAR || !ctr_running(p, c))
      continue;
    all_exited = false;
    if (!others && !c->stop_sent)
      stop_ctr(p, c);
    break;
  }
  if (!all_exited && !p->killed && tug_monotonic_seconds() >= p->kill_deadline) {
    p->killed = true;
    tug_info("grace period over, killing", "pod=%s/%s", p->ns, p->name);
    for (size_t i = 0; i < p->n; i++)
      if (p->ctrs[i].rt)
        agent_runtime_container_signal(p->ctrs[i].rt, SIGKILL, NULL);
  }
  return all_exited;
}

/* The pod's work is over (agent-initorder.h): its sidecars stop as they would
 * on deletion, within the pod's grace period, and nothing starts again. */
static void start_finishing(agent_pod *p) {
  int64_t grace = tug_obj_get_int(p->pod, "spec.terminationGracePeriodSeconds", 30);
  p->finishing = true;
  p->kill_deadline = tug_monotonic_seconds() + (double)(grace > 0 ? grace : 0);
  for (size_t i = 0; i < p->n_init; i++)
    if (p->ctrs[i].st.kind == AGENT_CTR_SIDECAR) {
      tug_info("pod finished, stopping its sidecars", "pod=%s/%s", p->ns, p->name);
      return;
    }
}

/* An init container runs whose exit (or startup) lets the next one go. */
static bool init_running(const agent_pod *p) {
  for (size_t i = 0; i < p->n_init; i++)
    if (p->ctrs[i].rt)
      return true;
  return false;
}

/* How soon a pod is looked at again while an init container runs or its
 * sidecars stop, so that the next step follows promptly. */
enum { STEP_POLL_MS = 200 };

static void wake_within(long *wake, long ms) {
  if (*wake < 0 || ms < *wake)
    *wake = ms;
}

/* Start what the order rules allow and is due. True when a container was
 * started, which may let the next one go; one left waiting (its image still
 * pulling, its start failed) does not. */
static bool start_due(agent_pod *p, long *wake) {
  _cleanup_free_ agent_ctr_status *st = snapshot(p);
  if (st == NULL)
    return false;
  agent_init_plan plan = agent_init_plan_compute(p->restart_policy, st, p->n);
  if (plan.finished && !p->finishing && !p->terminating)
    start_finishing(p);
  if (!plan.initialized && !plan.finished && init_running(p))
    wake_within(wake, STEP_POLL_MS);
  bool started = false;
  for (size_t i = 0; i < p->n; i++) {
    agent_ctr *c = &p->ctrs[i];
    if (c->rt || c->st.state != AGENT_CTR_WAITING || p->terminating || p->evicted[0] ||
        !agent_init_plan_may_start(&plan, st, i))
      continue;
    double left = c->next_start - tug_monotonic_seconds();
    if (left > 0) {
      wake_within(wake, (long)(left * 1000) + 1);
      continue;
    }
    start_ctr(p, c);
    started |= c->rt != NULL;
  }
  return started;
}

/* Remember when Ready and Initialized last changed, for the conditions. */
static void note_transitions(agent_pod *p) {
  _cleanup_free_ agent_ctr_status *st = snapshot(p);
  if (st == NULL)
    return;
  bool ready = agent_pod_containers_ready(st, p->n);
  bool initialized = agent_init_plan_compute(p->restart_policy, st, p->n).initialized;
  if (ready != p->ready) {
    p->ready = ready;
    p->ready_since = time(NULL);
  }
  if (initialized != p->initialized) {
    p->initialized = initialized;
    p->initialized_since = time(NULL);
  }
}

long agent_pod_sync(agent_pod *p) {
  long wake = -1;
  check_volume_usage(p);
  refresh_tokens(p);
  for (size_t i = 0; i < p->n; i++) {
    agent_ctr *c = &p->ctrs[i];
    if (c->rt)
      check_exit(p, c);
    if (c->rt && !p->terminating && !c->stop_sent)
      probe_step(p, c);
  }
  /* A sidecar without a startup probe lets the next init container go at
   * once: another round; each round starts at least one container. */
  for (size_t round = 0; round <= p->n && start_due(p, &wake); round++)
    ;
  if (p->finishing && !p->terminating && !stop_step(p))
    wake_within(&wake, STEP_POLL_MS);
  note_transitions(p);
  return wake;
}

int agent_pod_report(agent_pod *p, tug_error *err) {
  _cleanup_free_ agent_ctr_status *st = snapshot(p);
  if (st == NULL)
    return tug_error_errno(err, ENOMEM, "allocate status");
  agent_pod_status_input in = {.restart_policy = p->restart_policy,
                               .ctrs = st,
                               .n = p->n,
                               .host_ip = p->env->host_ip,
                               .pod_ip = p->ip,
                               .start_time = p->start_time,
                               .initialized_since = p->initialized_since,
                               .ready_since = p->ready_since,
                               .evicted = p->evicted[0] ? p->evicted : NULL};
  json_t *status = agent_pod_status_json(&in);
  if (status == NULL)
    return tug_error_errno(err, ENOMEM, "build status");
  if (p->last_sent && json_equal(status, p->last_sent)) {
    json_decref(status);
    return 0;
  }
  if (agent_pod_api_write_status(p->env->client, p->ns, p->name, status, err) < 0) {
    json_decref(status);
    return -1;
  }
  tug_debug("pod status written", "pod=%s/%s phase=%s", p->ns, p->name,
            json_string_value(json_object_get(status, "phase")));
  json_decref(p->last_sent);
  p->last_sent = status;
  return 0;
}

bool agent_pod_terminate(agent_pod *p, int64_t grace_seconds) {
  if (!p->terminating) {
    p->terminating = true;
    p->kill_deadline = tug_monotonic_seconds() + (double)grace_seconds;
    tug_info("stopping pod", "pod=%s/%s grace_seconds=%lld", p->ns, p->name,
             (long long)grace_seconds);
  }
  return stop_step(p);
}

int agent_pod_destroy(agent_pod *p, tug_error *err) {
  int rc = 0;
  tug_error e = {0};
  for (size_t i = 0; i < p->n; i++)
    if (p->ctrs[i].rt && agent_runtime_container_remove(p->env->rt, p->ctrs[i].rt, &e) < 0) {
      tug_warn("container removal failed", "pod=%s/%s err=%s", p->ns, p->name, TUG_LOG_ERR(&e));
      rc = -1;
    }
  if (p->sb && agent_volumes_release(agent_runtime_sandbox_data_dir(p->sb), &e) < 0)
    tug_warn("volume release failed", "pod=%s/%s err=%s", p->ns, p->name, TUG_LOG_ERR(&e));
  if (p->env->network && agent_network_pod_teardown(p->env->network, p->uid, &e) < 0)
    tug_warn("pod network teardown failed", "pod=%s/%s err=%s", p->ns, p->name, TUG_LOG_ERR(&e));
  if (p->sb && agent_runtime_sandbox_remove(p->env->rt, p->sb, &e) < 0) {
    tug_warn("sandbox removal failed", "pod=%s/%s err=%s", p->ns, p->name, TUG_LOG_ERR(&e));
    rc = -1;
  }
  if (p->log_dir[0] && nftw(p->log_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
    tug_warn("log removal failed", "pod=%s/%s dir=%s", p->ns, p->name, p->log_dir);
  if (rc < 0 && err)
    tug_error_set(err, e.code, "remove pod %s/%s: %s", p->ns, p->name, e.msg);
  free_pod(p);
  return rc;
}

void agent_pod_forget(const agent_pod_env *env, const char *ns, const char *name, const char *uid) {
  char dir[PATH_MAX];
  tug_error err = {0};
  struct stat st;
  snprintf(dir, sizeof dir, "%s/sandboxes/%s", agent_runtime_data_dir(env->rt), uid);
  if (stat(dir, &st) == 0 && agent_volumes_release(dir, &err) < 0)
    tug_warn("volume release failed", "pod=%s/%s uid=%s err=%s", ns, name, uid, TUG_LOG_ERR(&err));
  snprintf(dir, sizeof dir, "%s/sandboxes/%s", agent_runtime_state_dir(env->rt), uid);
  if (env->network && agent_network_pod_teardown(env->network, uid, &err) < 0)
    tug_warn("pod network teardown failed", "pod=%s/%s uid=%s err=%s", ns, name, uid,
             TUG_LOG_ERR(&err));
  if (stat(dir, &st) == 0 && agent_runtime_sandbox_purge(env->rt, uid, &err) < 0)
    tug_warn("sandbox purge failed", "pod=%s/%s uid=%s err=%s", ns, name, uid, TUG_LOG_ERR(&err));
  if (ns && name &&
      snprintf(dir, sizeof dir, "%s/logs/%s_%s_%s", env->root, ns, name, uid) < (int)sizeof dir &&
      nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
    tug_warn("log removal failed", "pod=%s/%s dir=%s", ns, name, dir);
}

void agent_pod_release(agent_pod *p) {
  free_pod(p);
}
