/*
 * agent-node.c — register the Node, write its status, and keep it alive:
 * a Lease renewed every 10 s and the Ready heartbeat every 40 s, from one
 * thread that sleeps on a monotonic condition variable between beats.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent-node.h"
#include "agent-node-pressure.h"
#include "agent-time.h"
#include "cleanup.h"
#include "clock.h"
#include "log.h"
#include "object.h"
#include "quantity.h"
#include "stopper.h"
#include "volume-rules.h"

#define LEASE_NAMESPACE "tug-node-lease"

struct agent_node {
  tug_client *client;
  char name[256];
  char ready_since[AGENT_TIME_BUFSIZE];
  char root[1024];
  agent_pressure_state pressure; /* touched by the registering and then the heartbeat thread */
  pthread_t thread;
  bool started;
  tug_stopper stopper; /* the heartbeat's sleeps */
  double renew_s;
  _Atomic double last_renewed; /* see agent_node_last_renewed */
};

void agent_node_cpu(int64_t milli, int64_t reserved_milli, char *capacity, char *allocatable) {
  int64_t alloc = milli - (reserved_milli > 0 ? reserved_milli : 0);
  tug_quantity_format_milli(milli, capacity, TUG_QUANTITY_BUFSIZE);
  tug_quantity_format_milli(alloc > 0 ? alloc : 0, allocatable, TUG_QUANTITY_BUFSIZE);
}

int64_t agent_node_meminfo_total(const char *meminfo) {
  const char *p = strstr(meminfo, "MemTotal:");
  if (p == NULL || (p != meminfo && p[-1] != '\n'))
    return -1;
  char *end;
  long long kb = strtoll(p + strlen("MemTotal:"), &end, 10);
  if (end == p + strlen("MemTotal:") || kb <= 0)
    return -1;
  return (int64_t)kb * 1024;
}

json_t *agent_node_status_json(const agent_node_facts *f) {
  char cpu[TUG_QUANTITY_BUFSIZE], alloc_cpu[TUG_QUANTITY_BUFSIZE], mem[TUG_QUANTITY_BUFSIZE],
      pods[TUG_QUANTITY_BUFSIZE];
  agent_node_cpu(f->cpu_milli, f->reserved_cpu_milli, cpu, alloc_cpu);
  tug_quantity_format_bytes(f->memory_bytes, mem, sizeof mem);
  snprintf(pods, sizeof pods, "%d", f->max_pods);
  return json_pack(
      "{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:[{s:s, s:s}, "
      "{s:s, s:s}], s:{s:{s:i}}}",
      "capacity", "cpu", cpu, "memory", mem, "pods", pods, "allocatable", "cpu", alloc_cpu,
      "memory", mem, "pods", pods, "nodeInfo", "kernelVersion", f->kernel_version, "osImage",
      f->os_image, "containerRuntimeVersion", AGENT_RUNTIME_VERSION, "kubeletVersion",
      AGENT_KUBELET_VERSION, "operatingSystem", "linux", "architecture", f->architecture,
      "addresses", "type", "InternalIP", "address", f->host_ip, "type", "Hostname", "address",
      f->name, "daemonEndpoints", "kubeletEndpoint", "Port", f->port);
}

static char *read_text(const char *path) {
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  char *buf = NULL;
  size_t len = 0;
  if (f == NULL || getdelim(&buf, &len, '\0', f) < 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* PRETTY_NAME of /etc/os-release, unquoted. */
static void os_image(char *buf, size_t size) {
  snprintf(buf, size, "Linux");
  _cleanup_free_ char *text = read_text("/etc/os-release");
  const char *p = text ? strstr(text, "PRETTY_NAME=") : NULL;
  if (p == NULL)
    return;
  p += strlen("PRETTY_NAME=");
  if (*p == '"')
    p++;
  size_t n = strcspn(p, "\"\n");
  snprintf(buf, size, "%.*s", (int)n, p);
}

const char *agent_node_architecture(const char *machine) {
  if (strcmp(machine, "x86_64") == 0)
    return "amd64";
  if (strcmp(machine, "aarch64") == 0)
    return "arm64";
  return machine;
}

void agent_node_host_capacity(int64_t *cpu_milli, int64_t *memory_bytes) {
  _cleanup_free_ char *meminfo = read_text("/proc/meminfo");
  *cpu_milli = (int64_t)sysconf(_SC_NPROCESSORS_ONLN) * 1000;
  *memory_bytes = meminfo ? agent_node_meminfo_total(meminfo) : 0;
  if (*memory_bytes < 0)
    *memory_bytes = 0;
}

static json_t *host_status(const agent_node_options *o) {
  struct utsname u;
  uname(&u);
  char image[256];
  os_image(image, sizeof image);
  int64_t cpu_milli, memory_bytes;
  agent_node_host_capacity(&cpu_milli, &memory_bytes);
  agent_node_facts f = {
      .name = o->name,
      .cpu_milli = cpu_milli,
      .reserved_cpu_milli = o->reserved_cpu_milli,
      .memory_bytes = memory_bytes,
      .max_pods = o->max_pods,
      .host_ip = o->host_ip,
      .port = o->port,
      .kernel_version = u.release,
      .os_image = image,
      .architecture = agent_node_architecture(u.machine),
  };
  return agent_node_status_json(&f);
}

json_t *agent_node_ready_conditions(const char *ready_since) {
  char now[AGENT_TIME_BUFSIZE];
  agent_time_format(time(NULL), now, sizeof now);
  return json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s}]", "type", "Ready", "status", "True", "reason",
                   "KubeletReady", "message", "tug-agent is posting ready status",
                   "lastHeartbeatTime", now, "lastTransitionTime", ready_since);
}

json_t *agent_node_object(const char *name) {
  struct utsname u;
  uname(&u);
  return json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}}, s:{}}", "apiVersion", "v1", "kind",
                   "Node", "metadata", "name", name, "labels", "kubernetes.io/hostname", name,
                   "kubernetes.io/os", "linux", "kubernetes.io/arch",
                   agent_node_architecture(u.machine), "spec");
}

int agent_node_patch_status(tug_client *c, const char *name, json_t *status, tug_error *err) {
  char path[512];
  snprintf(path, sizeof path, "/api/v1/nodes/%s/status", name);
  _cleanup_json_ json_t *patch = json_pack("{s:o}", "status", status);
  if (patch == NULL)
    return tug_error_errno(err, ENOMEM, "write node %s status", name);
  if (tug_client_patch(c, path, TUG_PATCH_MERGE, patch, NULL, err) < 0)
    return tug_error_wrap(err, "write node %s status", name);
  return 0;
}

int agent_node_heartbeat(tug_client *c, const char *name, const char *ready_since, tug_error *err) {
  json_t *status = json_pack("{s:o}", "conditions", agent_node_ready_conditions(ready_since));
  return agent_node_patch_status(c, name, status, err);
}

int agent_node_register(tug_client *c, const json_t *node, tug_error *err) {
  const char *name = tug_obj_name(node);
  if (tug_client_create(c, "/api/v1/nodes", node, NULL, err) >= 0)
    return 0;
  if (err->code != TUG_E_CONFLICT)
    return tug_error_wrap(err, "register node %s", name);
  tug_error_clear(err);
  return agent_node_patch_status(c, name, json_incref(json_object_get(node, "status")), err);
}

int agent_node_renew_lease(tug_client *c, const char *name, tug_error *err) {
  char path[512], renew[AGENT_TIME_BUFSIZE];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  agent_time_format_micro(&now, renew, sizeof renew);
  _cleanup_json_ json_t *lease = json_pack(
      "{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:i, s:s}}", "apiVersion", "coordination.k8s.io/v1", "kind",
      "Lease", "metadata", "name", name, "namespace", LEASE_NAMESPACE, "spec", "holderIdentity",
      name, "leaseDurationSeconds", AGENT_LEASE_DURATION_SECONDS, "renewTime", renew);
  snprintf(path, sizeof path, "/apis/coordination.k8s.io/v1/namespaces/%s/leases", LEASE_NAMESPACE);
  char item[768];
  snprintf(item, sizeof item, "%s/%s", path, name);
  if (tug_client_update(c, item, lease, NULL, err) >= 0)
    return 0;
  if (err->code != ENOENT)
    return tug_error_wrap(err, "renew lease %s", name);
  tug_error_clear(err);
  if (tug_client_create(c, path, lease, NULL, err) < 0)
    return tug_error_wrap(err, "create lease %s", name);
  return 0;
}

int agent_node_register_retrying(tug_client *c, const json_t *node, tug_error *err) {
  const char *name = tug_obj_name(node);
  for (int attempt = 1;; attempt++) {
    tug_error_clear(err);
    if (agent_node_register(c, node, err) == 0 && agent_node_renew_lease(c, name, err) == 0)
      return 0;
    if (attempt >= 30 || (err->code != TUG_E_UNAVAILABLE && err->code != ETIMEDOUT))
      return -1;
    tug_warn("API server unavailable, retrying", "node=%s err=%s", name, TUG_LOG_ERR(err));
    sleep(1);
  }
}

/* Ready, then the pressure conditions measured now. A new reference. */
static json_t *node_conditions(agent_node *n) {
  agent_host_usage u;
  agent_host_usage_read(n->root, &u);
  json_t *list = agent_node_ready_conditions(n->ready_since);
  json_t *pressure = agent_pressure_conditions(&n->pressure, &u, time(NULL));
  if (list && pressure)
    json_array_extend(list, pressure);
  json_decref(pressure);
  return list;
}

/* The local-path annotations on the Node, also when it was registered before
 * (a restart with another capacity). */
static int publish_local_path(agent_node *n, const agent_node_options *o, tug_error *err) {
  if (o->local_path_root == NULL || o->local_path_capacity == NULL)
    return 0;
  char path[512];
  snprintf(path, sizeof path, "/api/v1/nodes/%s", n->name);
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:{s:s, s:s}}}", "metadata", "annotations", TUG_ANN_LOCAL_PATH_ROOT,
                o->local_path_root, TUG_ANN_LOCAL_PATH_CAPACITY, o->local_path_capacity);
  if (tug_client_patch(n->client, path, TUG_PATCH_MERGE, patch, NULL, err) < 0)
    return tug_error_wrap(err, "publish local-path storage of node %s", n->name);
  return 0;
}

static int register_node(agent_node *n, const agent_node_options *o, tug_error *err) {
  _cleanup_json_ json_t *node = agent_node_object(n->name);
  json_t *status = host_status(o);
  json_object_set_new(status, "conditions", node_conditions(n));
  json_object_set_new(node, "status", status);
  if (agent_node_register_retrying(n->client, node, err) < 0)
    return -1;
  return publish_local_path(n, o, err);
}

/* Sleep until the monotonic time until; true when asked to stop. */
static bool wait_stop(agent_node *n, double until) {
  double left = until - tug_monotonic_seconds();
  return !tug_stopper_sleep_ms(&n->stopper, left > 0 ? (long)(left * 1000) + 1 : 0);
}

static void *heartbeat_main(void *arg) {
  agent_node *n = arg;
  double now = tug_monotonic_seconds();
  double next_lease = now + n->renew_s, next_status = now + AGENT_NODE_STATUS_SECONDS;
  while (!wait_stop(n, next_lease < next_status ? next_lease : next_status)) {
    tug_error err = {0};
    now = tug_monotonic_seconds();
    if (now >= next_lease) {
      next_lease = now + n->renew_s;
      double before = atomic_load(&n->last_renewed);
      if (agent_node_renew_lease(n->client, n->name, &err) < 0) {
        tug_warn("lease renewal failed", "node=%s err=%s", n->name, TUG_LOG_ERR(&err));
      } else {
        atomic_store(&n->last_renewed, now);
        /* Back after a gap (a cut, a slow server): the controllers may have
         * marked the node Unknown meanwhile; say Ready now, not at the next
         * beat (the gap counts the renewal that hung until the link came back). */
        if (tug_monotonic_seconds() - before > 2 * n->renew_s)
          next_status = now;
      }
    }
    if (now >= next_status) {
      next_status = now + AGENT_NODE_STATUS_SECONDS;
      if (agent_node_patch_status(n->client, n->name,
                                  json_pack("{s:o}", "conditions", node_conditions(n)), &err) < 0)
        tug_warn("node heartbeat failed", "node=%s err=%s", n->name, TUG_LOG_ERR(&err));
    }
  }
  return NULL;
}

int agent_node_start(const agent_node_options *o, agent_node **out, tug_error *err) {
  agent_node *n = calloc(1, sizeof *n);
  if (n == NULL)
    return tug_error_errno(err, ENOMEM, "allocate node");
  n->client = o->client;
  snprintf(n->name, sizeof n->name, "%s", o->name);
  snprintf(n->root, sizeof n->root, "%s", o->root ? o->root : "/");
  agent_time_format(time(NULL), n->ready_since, sizeof n->ready_since);
  tug_stopper_init(&n->stopper);
  n->renew_s = o->lease_renew_s > 0 ? o->lease_renew_s : AGENT_LEASE_RENEW_SECONDS;
  atomic_init(&n->last_renewed, tug_monotonic_seconds());
  if (register_node(n, o, err) < 0) {
    agent_node_stop(n);
    return -1;
  }
  int rc = pthread_create(&n->thread, NULL, heartbeat_main, n);
  if (rc != 0) {
    agent_node_stop(n);
    return tug_error_errno(err, rc, "start node heartbeat thread");
  }
  n->started = true;
  tug_info("node registered", "node=%s host_ip=%s audit_id=%s", n->name, o->host_ip,
           tug_client_audit_id());
  *out = n;
  return 0;
}

double agent_node_last_renewed(agent_node *n) {
  return atomic_load(&n->last_renewed);
}

void agent_node_stop(agent_node *n) {
  if (n == NULL)
    return;
  tug_stopper_stop(&n->stopper);
  if (n->started)
    pthread_join(n->thread, NULL);
  tug_stopper_destroy(&n->stopper);
  free(n);
}
