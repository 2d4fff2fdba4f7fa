/*
 * agent-network.c — the controller that keeps the node's network matching
 * the cluster: bridge from this Node's pod CIDR, routes to the other nodes'
 * pod CIDRs, and the Services ruleset (see agent-network.h).
 *
 * A lib/controller controller with one worker and two keys: Node events
 * queue "nodes", Service and Endpoints events queue "rules"; reconcile
 * recomputes that part from the caches (level-triggered), so a burst of
 * events costs one pass, and a ruleset that fails to apply is retried with
 * the queue's back-off. The worker enters the node's network namespace as it
 * starts, since nftables rules are programmed where the thread lives. The
 * ruleset is applied only when its text changed.
 */
#include "agent-network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-dns.h"
#include "agent-network-env.h"
#include "cleanup.h"
#include "clock.h"
#include "controller.h"
#include "log.h"
#include "network/bridge.h"
#include "network/netpol.h"
#include "network/proxy.h"
#include "object.h"

/* A ruleset that failed to apply is tried again after 1 s, 2 s, ... 30 s. */
enum { RETRY_BASE_MS = 1000, RETRY_MAX_MS = 30000, SYNC_TIMEOUT_MS = 10000 };

/* The controller's two keys: what a pass recomputes. */
#define KEY_NODES "nodes"
#define KEY_RULES "rules"

struct agent_network {
  agent_network_options o;
  char node_name[256], node_ip[64], cluster_cidr[64], service_cidr[64];
  agent_bridge *bridge;
  tug_shared_informer *nodes, *services, *endpoints;
  tug_shared_informer *pods, *namespaces, *policies; /* NetworkPolicy's inputs */
  tug_controller *c;
  agent_proxy *proxy; /* opened by the worker, in the node's namespace */
  pthread_mutex_t mu; /* rules_since, dns, dns_ip */
  double rules_since; /* monotonic: the first rules change not yet applied; 0: none */
  char *ruleset;      /* the text last applied */
  char pod_cidr[64];  /* configured on the bridge; "" until then */
  agent_dns *dns;     /* on the bridge's address, once it has one */
  char dns_ip[16];    /* where dns listens; "" until it does */
};

/* The ready addresses of a headless Service's Endpoints (host NULL), or the
 * one whose hostname is host, into ips; how many. */
static int endpoint_ips(agent_network *n, const char *key, const char *host, char ips[][16]) {
  json_t *ep = tug_informer_get(tug_shared_informer_informer(n->endpoints), key);
  int found = 0;
  size_t i, j;
  json_t *subset, *a;
  json_array_foreach(json_object_get(ep, "subsets"), i, subset) {
    json_array_foreach(json_object_get(subset, "addresses"), j, a) {
      const char *ip = tug_obj_get_str(a, "ip"), *h = tug_obj_get_str(a, "hostname");
      if (ip && strlen(ip) < 16 && found < AGENT_DNS_MAX_IPS &&
          (host == NULL || (h && strcmp(h, host) == 0)))
        snprintf(ips[found++], 16, "%s", ip);
    }
  }
  json_decref(ep);
  return found;
}

/* "web.demo.svc.cluster.local" → the Service demo/web's cluster IP, or its
 * ready pods' addresses when it is headless; "web-0.web.demo.svc.cluster.local"
 * → the address of pod hostname web-0 behind headless Service demo/web. */
static int dns_lookup(const char *fqdn, char ips[][16], void *arg) {
  agent_network *n = arg;
  char host[256] = "", name[256], ns[256], key[520];
  size_t dots = 0;
  for (const char *p = fqdn; *p; p++)
    dots += *p == '.';
  /* the responder asks only for names of 5 or 6 labels under svc.cluster.local */
  if (dots == 5 && sscanf(fqdn, "%255[^.].%255[^.].%255[^.].", host, name, ns) != 3)
    return 0;
  if (dots == 4 && sscanf(fqdn, "%255[^.].%255[^.].", name, ns) != 2)
    return 0;
  if (dots != 4 && dots != 5)
    return 0;
  snprintf(key, sizeof key, "%s/%s", ns, name);
  json_t *svc = tug_informer_get(tug_shared_informer_informer(n->services), key);
  const char *cip = tug_obj_get_str(svc, "spec.clusterIP");
  int found = 0;
  if (cip && strcmp(cip, "None") == 0)
    found = endpoint_ips(n, key, host[0] ? host : NULL, ips);
  else if (cip && !host[0] && strlen(cip) < 16)
    found = (snprintf(ips[0], 16, "%s", cip), 1);
  json_decref(svc);
  return found;
}

/* The DNS responder on the gateway address, once the bridge has it. */
static void start_dns(agent_network *n) {
  tug_error err = {0};
  const char *gw = agent_bridge_gateway(n->bridge);
  if (n->dns || gw == NULL || *gw == '\0')
    return;
  agent_dns *dns = NULL;
  if (agent_dns_start(n->o.netns_fd, gw, 53, dns_lookup, n, &dns, &err) < 0) {
    tug_warn("DNS responder not started; pods keep the host's resolv.conf", "err=%s",
             TUG_LOG_ERR(&err));
    return;
  }
  pthread_mutex_lock(&n->mu);
  n->dns = dns;
  snprintf(n->dns_ip, sizeof n->dns_ip, "%s", gw);
  pthread_mutex_unlock(&n->mu);
  tug_info("DNS responder listening", "address=%s:53", gw);
}

static void nodes_changed(tug_controller *c, const json_t *old, const json_t *obj, bool deleted,
                          void *arg) {
  (void)old, (void)obj, (void)deleted, (void)arg;
  tug_controller_enqueue(c, KEY_NODES);
}

static void rules_changed(tug_controller *c, const json_t *old, const json_t *obj, bool deleted,
                          void *arg) {
  (void)old, (void)obj, (void)deleted;
  agent_network *n = arg;
  pthread_mutex_lock(&n->mu);
  if (n->rules_since == 0)
    n->rules_since = tug_monotonic_seconds();
  pthread_mutex_unlock(&n->mu);
  tug_controller_enqueue(c, KEY_RULES);
}

/* A host address another node can be reached at: its InternalIP, unless it
 * is ours or loopback (hollow nodes), which no route can go through. */
static const char *node_address(const agent_network *n, const json_t *node) {
  size_t i;
  json_t *a;
  json_array_foreach(tug_obj_get(node, "status.addresses"), i, a) {
    const char *type = tug_obj_get_str(a, "type"), *addr = tug_obj_get_str(a, "address");
    if (type && addr && strcmp(type, "InternalIP") == 0) {
      if (strncmp(addr, "127.", 4) == 0 || strcmp(addr, n->node_ip) == 0)
        return NULL;
      return addr;
    }
  }
  return NULL;
}

/* This node's pod CIDR configures the bridge; every other node's becomes a
 * route through its host address. */
static void sync_nodes(agent_network *n) {
  json_t *nodes = tug_informer_list(tug_shared_informer_informer(n->nodes));
  size_t count = json_array_size(nodes), k = 0, i;
  agent_bridge_route *routes = calloc(count + 1, sizeof *routes);
  json_t *node;
  tug_error err = {0};
  json_array_foreach(nodes, i, node) {
    const char *cidr = tug_obj_get_str(node, "spec.podCIDR"), *name = tug_obj_name(node);
    if (cidr == NULL || name == NULL)
      continue;
    if (strcmp(name, n->node_name) == 0) {
      if (strcmp(cidr, n->pod_cidr) != 0) {
        if (agent_bridge_configure(n->bridge, cidr, n->service_cidr, &err) < 0) {
          tug_warn("pod network not configured", "cidr=%s err=%s", cidr, TUG_LOG_ERR(&err));
        } else {
          snprintf(n->pod_cidr, sizeof n->pod_cidr, "%s", cidr);
          tug_info("pod network configured", "cidr=%s gateway=%s", cidr,
                   agent_bridge_gateway(n->bridge));
          start_dns(n);
        }
      }
      continue;
    }
    const char *via = node_address(n, node);
    if (via && routes)
      routes[k++] = (agent_bridge_route){.cidr = cidr, .via = via};
  }
  if (routes && agent_bridge_sync_routes(n->bridge, routes, k, &err) < 0)
    tug_warn("routes to other nodes not synced", "err=%s", TUG_LOG_ERR(&err));
  free(routes);
  json_decref(nodes);
}

/* Render the Services ruleset and apply it when it changed. */
static int sync_rules(agent_network *n, tug_error *err) {
  pthread_mutex_lock(&n->mu);
  double since = n->rules_since;
  n->rules_since = 0;
  pthread_mutex_unlock(&n->mu);
  json_t *services = tug_informer_list(tug_shared_informer_informer(n->services));
  json_t *endpoints = tug_informer_list(tug_shared_informer_informer(n->endpoints));
  json_t *pods = tug_informer_list(tug_shared_informer_informer(n->pods));
  json_t *namespaces = tug_informer_list(tug_shared_informer_informer(n->namespaces));
  json_t *policies = tug_informer_list(tug_shared_informer_informer(n->policies));
  agent_netpol_input np = {
      .node_name = n->node_name, .policies = policies, .pods = pods, .namespaces = namespaces};
  _cleanup_free_ char *policy_rules = agent_netpol_render(&np, err);
  json_decref(pods);
  json_decref(namespaces);
  json_decref(policies);
  agent_proxy_config cfg = {.node_ip = n->node_ip,
                            .cluster_cidr = n->cluster_cidr,
                            .service_cidr = n->service_cidr,
                            .bridge = "tug0",
                            .extra = policy_rules};
  int rc = 0;
  char *text = policy_rules ? agent_proxy_render(&cfg, services, endpoints, err) : NULL;
  if (text == NULL) {
    rc = tug_error_wrap(err, "render service rules");
  } else if (n->ruleset == NULL || strcmp(text, n->ruleset) != 0) {
    if (agent_proxy_apply(n->proxy, text, err) < 0) {
      free(text);
      rc = tug_error_wrap(err, "apply service rules");
    } else {
      free(n->ruleset);
      n->ruleset = text;
      tug_debug("service and policy rules applied", "services=%zu ms=%.1f",
                json_array_size(services), since ? (tug_monotonic_seconds() - since) * 1000 : 0.0);
    }
  } else {
    free(text);
  }
  if (rc < 0) { /* still owed (the back-off brings the key back): keep its first change's time */
    pthread_mutex_lock(&n->mu);
    if (n->rules_since == 0)
      n->rules_since = since;
    pthread_mutex_unlock(&n->mu);
  }
  json_decref(services);
  json_decref(endpoints);
  return rc;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  agent_network *n = arg;
  if (strcmp(key, KEY_NODES) == 0)
    sync_nodes(n);
  else if (strcmp(key, KEY_RULES) == 0 && n->proxy)
    return sync_rules(n, err);
  return 0;
}

/* The worker's first act: into the node's network namespace, where the
 * Services ruleset lives. Without it the rules stay off, the rest runs. */
/* As kube-proxy does: no ruleset before the Services and Endpoints are all
 * known, or an agent restarting would briefly drop the Services not yet
 * listed. Waiting ends after SYNC_TIMEOUT_MS with a warning (the API server
 * away), and the rules follow when the lists arrive. */
static void caches_synced(tug_controller *c, void *arg) {
  (void)arg;
  tug_controller_enqueue(c, "nodes");
  tug_controller_enqueue(c, "rules");
}

static void enter_netns(tug_controller *c, void *arg) {
  (void)c;
  agent_network *n = arg;
  tug_error err = {0};
  if (n->o.netns_fd >= 0 && setns(n->o.netns_fd, CLONE_NEWNET) < 0)
    tug_error_errno(&err, errno, "enter the node's network namespace");
  else
    agent_proxy_open(&n->proxy, &err);
  if (n->proxy == NULL)
    tug_errorlog("service rules disabled", "err=%s", TUG_LOG_ERR(&err));
}

static tug_shared_informer *watch(agent_network *n, const char *path, tug_controller_map_fn fn,
                                  tug_error *err) {
  tug_shared_informer *si = tug_shared_informer_new(n->o.client, path, err);
  if (si && tug_controller_watch_fn(n->c, si, fn, n, err) < 0) {
    tug_shared_informer_free(si);
    return NULL;
  }
  return si;
}

/* After an agent restart the bridge and the pods' veths are still there, and
 * the IPAM records hold the pod CIDR they were made for: configure from it
 * at once, so pods the agent adopts keep their addresses without waiting for
 * the Node informer (which corrects the CIDR should the Node's have changed). */
static void restore(agent_network *n) {
  tug_error err = {0};
  const char *cidr = agent_bridge_stored_cidr(n->bridge);
  if (cidr[0] == '\0')
    return;
  if (agent_bridge_configure(n->bridge, cidr, n->service_cidr, &err) < 0) {
    tug_warn("pod network not restored; waiting for the Node's pod CIDR", "cidr=%s err=%s", cidr,
             TUG_LOG_ERR(&err));
    return;
  }
  snprintf(n->pod_cidr, sizeof n->pod_cidr, "%s", cidr);
  tug_info("pod network restored", "cidr=%s gateway=%s", cidr, agent_bridge_gateway(n->bridge));
  start_dns(n);
}

static int start_informers(agent_network *n, tug_error *err) {
  tug_shared_informer *all[] = {n->nodes, n->services,   n->endpoints,
                                n->pods,  n->namespaces, n->policies};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    if (tug_shared_informer_start(all[i], err) < 0)
      return -1;
  return 0;
}

int agent_network_start(const agent_network_options *o, agent_network **out, tug_error *err) {
  agent_network *n = calloc(1, sizeof *n);
  if (n == NULL)
    return tug_error_errno(err, ENOMEM, "start the pod network");
  n->o = *o;
  snprintf(n->node_name, sizeof n->node_name, "%s", o->node_name);
  snprintf(n->node_ip, sizeof n->node_ip, "%s", o->node_ip ? o->node_ip : "");
  snprintf(n->cluster_cidr, sizeof n->cluster_cidr, "%s", o->cluster_cidr);
  snprintf(n->service_cidr, sizeof n->service_cidr, "%s", o->service_cidr);
  pthread_mutex_init(&n->mu, NULL);
  agent_bridge_options no = {.netns_fd = o->netns_fd, .state_dir = o->state_dir, .bridge = "tug0"};
  if (agent_bridge_open(&no, &n->bridge, err) < 0) {
    agent_network_stop(n);
    return tug_error_wrap(err, "start the pod network");
  }
  restore(n);
  tug_controller_options co = {.name = "network",
                               .reconcile = reconcile,
                               .arg = n,
                               .workers = 1,
                               .base_delay_ms = RETRY_BASE_MS,
                               .max_delay_ms = RETRY_MAX_MS,
                               .worker_init = enter_netns,
                               .on_synced = caches_synced,
                               .sync_timeout_ms = SYNC_TIMEOUT_MS};
  if ((n->c = tug_controller_new(&co, err)) == NULL ||
      (n->nodes = watch(n, "/api/v1/nodes", nodes_changed, err)) == NULL ||
      (n->services = watch(n, "/api/v1/services", rules_changed, err)) == NULL ||
      (n->endpoints = watch(n, "/api/v1/endpoints", rules_changed, err)) == NULL ||
      (n->pods = watch(n, "/api/v1/pods", rules_changed, err)) == NULL ||
      (n->namespaces = watch(n, "/api/v1/namespaces", rules_changed, err)) == NULL ||
      (n->policies = watch(n, "/apis/networking.k8s.io/v1/networkpolicies", rules_changed, err)) ==
          NULL ||
      start_informers(n, err) < 0 || tug_controller_start(n->c, err) < 0) {
    agent_network_stop(n);
    return tug_error_wrap(err, "start the pod network");
  }
  *out = n;
  return 0;
}

tug_controller *agent_network_controller(agent_network *n) {
  return n->c;
}

void agent_network_stop(agent_network *n) {
  if (n == NULL)
    return;
  tug_controller_stop(n->c);
  agent_dns_stop(n->dns);
  /* the informers before the controller their handlers queue into */
  tug_shared_informer_free(n->nodes);
  tug_shared_informer_free(n->services);
  tug_shared_informer_free(n->endpoints);
  tug_shared_informer_free(n->pods);
  tug_shared_informer_free(n->namespaces);
  tug_shared_informer_free(n->policies);
  tug_controller_free(n->c);
  agent_proxy_close(n->proxy);
  agent_bridge_close(n->bridge);
  pthread_mutex_destroy(&n->mu);
  free(n->ruleset);
  free(n);
}

int agent_network_pod_setup(agent_network *n, const char *pod_uid, int pod_netns_fd, char ip[16],
                            tug_error *err) {
  if (!agent_bridge_configured(n->bridge))
    return tug_error_set(err, EAGAIN,
                         "network not ready: node %s has no spec.podCIDR yet "
                         "(tug-controllers assigns it)",
                         n->node_name);
  return agent_bridge_pod_setup(n->bridge, pod_uid, pod_netns_fd, ip, err);
}

int agent_network_pod_teardown(agent_network *n, const char *pod_uid, tug_error *err) {
  return agent_bridge_pod_teardown(n->bridge, pod_uid, err);
}

json_t *agent_network_service_env(agent_network *n, const char *ns) {
  if (n == NULL)
    return json_object();
  json_t *services = tug_informer_list(tug_shared_informer_informer(n->services));
  json_t *env = agent_service_env(services, ns);
  json_decref(services);
  return env;
}

char *agent_network_hosts(agent_network *n, const char *ns, const char *pod_ip,
                          const char *hostname) {
  json_t *services =
      n ? tug_informer_list(tug_shared_informer_informer(n->services)) : json_array();
  char *hosts = agent_service_hosts(services, ns, pod_ip, hostname);
  json_decref(services);
  return hosts;
}

char *agent_network_resolv_conf(agent_network *n, const char *ns) {
  char ip[16] = "";
  if (n == NULL)
    return NULL;
  pthread_mutex_lock(&n->mu);
  snprintf(ip, sizeof ip, "%s", n->dns_ip);
  pthread_mutex_unlock(&n->mu);
  return ip[0] ? agent_dns_resolv_conf(ns, ip) : NULL;
}
