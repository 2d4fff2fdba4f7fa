/*
 * bench/proxy — the "rules applied" half of a Service's programming latency:
 * agent_proxy_render + agent_proxy_apply of the whole table ip tugboat, for N
 * Services with 3 ready endpoints each (every tenth a NodePort), in a fresh
 * network namespace (a user namespace too when not root).
 *
 * Per N: the first apply into an empty namespace and a whole replacement of
 * the same table, then RUNS updates that each move one endpoint of one
 * Service (an Endpoints change) and RUNS that each add a Service with 3
 * endpoints, timed as render, apply and their sum (p99 is the largest of
 * fewer than 100 runs).
 *
 *   build/bench-proxy [-r RUNS] [N...]      (default: -r 20 10 100 1000 5000)
 *
 * With -p, N counts NetworkPolicies instead (netpol.h's rules in the same
 * table): 1,000 pods in 100 namespaces on 10 nodes, 100 of them on this
 * node, 100 Services beside; policy i selects one pod of its namespace,
 * admits one app label of its namespace on port 8080 and every pod of the
 * next namespace, and lets it reach 198.18.0.0/16 (but one /24) on UDP 53.
 * Timed as the agent does it: render both parts, then apply; updates change
 * one policy's port, or add a pod that some policies' peers select.
 *
 *   build/bench-proxy -p [-r RUNS] [N...]   (default: -r 20 0 100 1000)
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "network/netpol.h"
#include "network/proxy.h"

static const agent_proxy_config cfg = {.node_ip = "198.19.200.11",
                                       .cluster_cidr = "198.18.0.0/16",
                                       .service_cidr = "198.19.0.0/17",
                                       .bridge = "tug0"};

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int enter_fresh_netns(void) {
  if (geteuid() == 0)
    return unshare(CLONE_NEWNET);
  char map[64];
  unsigned uid = geteuid(), gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
    return -1;
  snprintf(map, sizeof map, "0 %u 1\n", uid);
  if (write_file("/proc/self/uid_map", map) < 0)
    return -1;
  write_file("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "0 %u 1\n", gid);
  return write_file("/proc/self/gid_map", map);
}

static json_t *address(int svc, int k, int generation) {
  char ip[32];
  int n = svc * 3 + k + generation * 7;
  snprintf(ip, sizeof ip, "198.18.%d.%d", 1 + (n / 250) % 250, 1 + n % 250);
  return json_pack("{s:s}", "ip", ip);
}

static void make_objects(int n, json_t **services, json_t **endpoints) {
  *services = json_array();
  *endpoints = json_array();
  for (int i = 0; i < n; i++) {
    char name[32], vip[32];
    snprintf(name, sizeof name, "svc-%05d", i);
    snprintf(vip, sizeof vip, "198.19.%d.%d", i / 250, 1 + i % 250);
    json_t *port = json_pack("{s:s,s:i,s:i}", "name", "http", "port", 80, "targetPort", 8080);
    if (i % 10 == 0)
      json_object_set_new(port, "nodePort", json_integer(30000 + i));
    json_array_append_new(*services, json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:[o]}}", "metadata",
                                               "name", name, "namespace", "bench", "spec", "type",
                                               i % 10 == 0 ? "NodePort" : "ClusterIP", "clusterIP",
                                               vip, "ports", port));
    json_t *addrs = json_array();
    for (int k = 0; k < 3; k++)
      json_array_append_new(addrs, address(i, k, 0));
    json_array_append_new(*endpoints,
                          json_pack("{s:{s:s,s:s},s:[{s:o,s:[{s:s,s:i}]}]}", "metadata", "name",
                                    name, "namespace", "bench", "subsets", "addresses", addrs,
                                    "ports", "name", "http", "port", 8080));
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static const char *counted = "services";

static void report(int n, const char *what, double *ms, int runs) {
  qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
  int p99 = (runs * 99 + 99) / 100 - 1;
  printf("%s=%-5d %-20s runs=%d median=%.2f ms p99=%.2f ms max=%.2f ms\n", counted, n, what, runs,
         ms[runs / 2], ms[p99 < 0 ? 0 : p99], ms[runs - 1]);
}

/* The objects a table is rendered from; pods, namespaces and policies are
 * NULL in the Services runs (no policy part at all). */
typedef struct cluster {
  json_t *services, *endpoints, *pods, *namespaces, *policies;
} cluster;

/* The agent's pass: both parts rendered into one table text. */
static char *render_cluster(const cluster *c, tug_error *err) {
  if (c->policies == NULL)
    return agent_proxy_render(&cfg, c->services, c->endpoints, err);
  agent_netpol_input in = {
      .node_name = "n0", .policies = c->policies, .pods = c->pods, .namespaces = c->namespaces};
  char *rules = agent_netpol_render(&in, err);
  agent_proxy_config pc = cfg;
  pc.extra = rules;
  char *text = rules ? agent_proxy_render(&pc, c->services, c->endpoints, err) : NULL;
  free(rules);
  return text;
}

/* What one update changes before it is rendered and applied. */
typedef void (*mutate_fn)(cluster *c, int n, int run);

/* One endpoint of one Service moves (a pod replaced). */
static void move_endpoint(cluster *c, int n, int run) {
  json_t *endpoints = c->endpoints;
  int svc = (run * 7919) % n;
  json_t *subset =
      json_array_get(json_object_get(json_array_get(endpoints, (size_t)svc), "subsets"), 0);
  json_array_set_new(json_object_get(subset, "addresses"), 0, address(svc, 0, run + 1));
}

/* A new Service arrives with its 3 endpoints (what bench-network times). */
static void add_service(cluster *c, int n, int run) {
  json_t *s, *e;
  make_objects(1, &s, &e);
  char name[32], vip[32];
  snprintf(name, sizeof name, "new-%05d", run);
  snprintf(vip, sizeof vip, "198.19.120.%d", 1 + run % 250);
  json_t *svc = json_array_get(s, 0), *eps = json_array_get(e, 0);
  json_object_set_new(json_object_get(svc, "metadata"), "name", json_string(name));
  json_object_set_new(json_object_get(svc, "spec"), "clusterIP", json_string(vip));
  json_object_set_new(json_object_get(svc, "spec"), "type", json_string("ClusterIP"));
  json_object_set_new(json_object_get(eps, "metadata"), "name", json_string(name));
  json_array_append(c->services, svc);
  json_array_append(c->endpoints, eps);
  json_decref(s);
  json_decref(e);
  (void)n;
}

static int timed_updates(agent_proxy *p, cluster *c, int n, int runs, const char *what,
                         mutate_fn mutate) {
  double *ms[3];
  for (int k = 0; k < 3; k++)
    ms[k] = calloc((size_t)runs, sizeof *ms[k]);
  tug_error err = {0};
  int rc = 0;
  for (int r = 0; r < runs && rc == 0; r++) {
    mutate(c, n, r);
    double t0 = tug_monotonic_seconds();
    char *text = render_cluster(c, &err);
    double t1 = tug_monotonic_seconds();
    rc = text ? agent_proxy_apply(p, text, &err) : -1;
    double t2 = tug_monotonic_seconds();
    free(text);
    ms[0][r] = (t1 - t0) * 1e3;
    ms[1][r] = (t2 - t1) * 1e3;
    ms[2][r] = (t2 - t0) * 1e3;
  }
  char label[64];
  static const char *const parts[] = {"render", "apply", "total"};
  for (int k = 0; k < 3 && rc == 0; k++) {
    snprintf(label, sizeof label, "%s %s", what, parts[k]);
    report(n, label, ms[k], runs);
  }
  if (rc < 0)
    fprintf(stderr, "%s=%d %s: %s\n", counted, n, what, err.msg);
  for (int k = 0; k < 3; k++)
    free(ms[k]);
  return rc;
}

static int bench(agent_proxy *p, int n, int runs) {
  json_t *services, *endpoints;
  tug_error err = {0};
  make_objects(n, &services, &endpoints);
  double t0 = tug_monotonic_seconds();
  char *text = agent_proxy_render(&cfg, services, endpoints, &err);
  double t1 = tug_monotonic_seconds();
  if (text == NULL || agent_proxy_apply(p, text, &err) < 0) {
    fprintf(stderr, "services=%d: %s\n", n, err.msg);
    return -1;
  }
  double t2 = tug_monotonic_seconds();
  printf("services=%-5d first apply (whole table) ruleset=%zu bytes render=%.2f ms "
         "apply=%.2f ms\n",
         n, strlen(text), (t1 - t0) * 1e3, (t2 - t1) * 1e3);
  free(text);
  /* The same table again through a fresh context: a whole replacement. */
  agent_proxy *fresh;
  if (agent_proxy_open(&fresh, &err) == 0) {
    text = agent_proxy_render(&cfg, services, endpoints, &err);
    t0 = tug_monotonic_seconds();
    if (text && agent_proxy_apply(fresh, text, &err) == 0)
      printf("services=%-5d replace whole table   apply=%.2f ms\n", n,
             (tug_monotonic_seconds() - t0) * 1e3);
    free(text);
    agent_proxy_close(fresh);
    /* p's idea of the table is still right: fresh applied the same text. */
  }
  cluster c = {.services = services, .endpoints = endpoints};
  int rc = timed_updates(p, &c, n, runs, "move endpoint", move_endpoint);
  if (rc == 0)
    rc = timed_updates(p, &c, n, runs, "add service", add_service);
  json_decref(services);
  json_decref(endpoints);
  return rc;
}

/* --- NetworkPolicies (-p) ------------------------------------------------ */

enum { POD_COUNT = 1000, NS_COUNT = 100, NODE_COUNT = 10, POLICY_SERVICES = 100 };

static json_t *bench_pod(int i) {
  char name[32], ns[32], app[32], node[32], ip[32];
  snprintf(name, sizeof name, "pod-%05d", i);
  snprintf(ns, sizeof ns, "ns-%02d", i % NS_COUNT);
  snprintf(app, sizeof app, "app-%d", (i / NS_COUNT) % 10);
  snprintf(node, sizeof node, "n%d", i % NODE_COUNT);
  snprintf(ip, sizeof ip, "198.18.%d.%d", i % NODE_COUNT, 2 + i / NODE_COUNT);
  return json_pack("{s:{s:s,s:s,s:s,s:{s:s}},s:{s:s,s:[{s:s,s:[{s:s,s:i}]}]},s:{s:s,s:s}}",
                   "metadata", "name", name, "namespace", ns, "uid", name, "labels", "app", app,
                   "spec", "nodeName", node, "containers", "name", "c", "ports", "name", "http",
                   "containerPort", 8080, "status", "phase", "Running", "podIP", ip);
}

static json_t *bench_policy(int i, int port) {
  char name[32], ns[32], app[32], peer[32], next[32];
  snprintf(name, sizeof name, "pol-%05d", i);
  snprintf(ns, sizeof ns, "ns-%02d", i % NS_COUNT);
  snprintf(app, sizeof app, "app-%d", (i / NS_COUNT) % 10);
  snprintf(peer, sizeof peer, "app-%d", (i / NS_COUNT + 1) % 10);
  snprintf(next, sizeof next, "ns-%02d", (i + 1) % NS_COUNT);
  return json_pack(
      "{s:{s:s,s:s},s:{s:{s:{s:s}},s:[s,s],s:[{s:[{s:{s:{s:s}}},{s:{s:{s:s}}}],s:[{s:i}]}],"
      "s:[{s:[{s:{s:s,s:[s]}}],s:[{s:s,s:i}]}]}}",
      "metadata", "name", name, "namespace", ns, "spec", "podSelector", "matchLabels", "app", app,
      "policyTypes", "Ingress", "Egress", "ingress", "from", "podSelector", "matchLabels", "app",
      peer, "namespaceSelector", "matchLabels", "team", next, "ports", "port", port, "egress", "to",
      "ipBlock", "cidr", "198.18.0.0/16", "except", "198.18.99.0/24", "ports", "protocol", "UDP",
      "port", 53);
}

static void make_cluster(int n, cluster *c) {
  make_objects(POLICY_SERVICES, &c->services, &c->endpoints);
  c->pods = json_array();
  c->namespaces = json_array();
  c->policies = json_array();
  for (int i = 0; i < POD_COUNT; i++)
    json_array_append_new(c->pods, bench_pod(i));
  for (int i = 0; i < NS_COUNT; i++) {
    char ns[32];
    snprintf(ns, sizeof ns, "ns-%02d", i);
    json_array_append_new(c->namespaces, json_pack("{s:{s:s,s:{s:s}}}", "metadata", "name", ns,
                                                   "labels", "team", ns));
  }
  for (int i = 0; i < n; i++)
    json_array_append_new(c->policies, bench_policy(i, 8080));
}

/* One policy's port changes. */
static void change_policy(cluster *c, int n, int run) {
  if (n > 0)
    json_array_set_new(c->policies, (size_t)((run * 7919) % n),
                       bench_policy((run * 7919) % n, 9000 + run));
}

/* A pod appears on another node, in the peers of some policies. */
static void new_peer_pod(cluster *c, int n, int run) {
  (void)n;
  json_array_append_new(c->pods, bench_pod(POD_COUNT + run * NODE_COUNT + 1));
}

static int bench_policies(agent_proxy *p, int n, int runs) {
  cluster c;
  tug_error err = {0};
  make_cluster(n, &c);
  double t0 = tug_monotonic_seconds();
  char *text = render_cluster(&c, &err);
  double t1 = tug_monotonic_seconds();
  if (text == NULL || agent_proxy_flush(p, &err) < 0 || agent_proxy_apply(p, text, &err) < 0) {
    fprintf(stderr, "policies=%d: %s\n", n, err.msg);
    return -1;
  }
  double t2 = tug_monotonic_seconds();
  printf("policies=%-5d first apply (whole table) ruleset=%zu bytes render=%.2f ms apply=%.2f ms\n",
         n, strlen(text), (t1 - t0) * 1e3, (t2 - t1) * 1e3);
  free(text);
  int rc = n > 0 ? timed_updates(p, &c, n, runs, "change policy", change_policy) : 0;
  if (rc == 0)
    rc = timed_updates(p, &c, n, runs, "new peer pod", new_peer_pod);
  json_t *all[] = {c.services, c.endpoints, c.pods, c.namespaces, c.policies};
  for (size_t i = 0; i < 5; i++)
    json_decref(all[i]);
  return rc;
}

int main(int argc, char **argv) {
  int runs = 20, opt;
  bool policies = false;
  while ((opt = getopt(argc, argv, "pr:")) != -1) {
    if (opt == 'p') {
      policies = true;
      counted = "policies";
    } else if (opt != 'r' || (runs = atoi(optarg)) < 1) {
      fprintf(stderr, "usage: %s [-p] [-r RUNS] [N...]\n", argv[0]);
      return 2;
    }
  }
  if (enter_fresh_netns() < 0) {
    fprintf(stderr, "bench-proxy: new network namespace: %s\n", strerror(errno));
    return 1;
  }
  tug_error err = {0};
  agent_proxy *p;
  if (agent_proxy_open(&p, &err) < 0) {
    fprintf(stderr, "bench-proxy: %s\n", err.msg);
    return 1;
  }
  static const int sizes[] = {10, 100, 1000, 5000}, policy_sizes[] = {0, 100, 1000};
  int (*one)(agent_proxy *, int, int) = policies ? bench_policies : bench;
  int rc = 0;
  if (optind < argc) {
    for (int i = optind; i < argc && rc == 0; i++)
      rc = one(p, atoi(argv[i]) >= 0 ? atoi(argv[i]) : 1, runs);
  } else if (policies) {
    for (size_t i = 0; i < sizeof policy_sizes / sizeof *policy_sizes && rc == 0; i++)
      rc = one(p, policy_sizes[i], runs);
  } else {
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes && rc == 0; i++)
      rc = one(p, sizes[i], runs);
  }
  agent_proxy_flush(p, &err);
  agent_proxy_close(p);
  return rc < 0 ? 1 : 0;
}
