/*
 * agent-network.c — the thread that keeps the node's network matching the
 * cluster: bridge from this Node's pod CIDR, routes to the other nodes' pod
 * CIDRs, and the Services ruleset (see agent-network.h).
 *
 * Informer handlers only mark what they touch dirty (routes for Nodes, rules
 * for Services and Endpoints) and wake the thread; the thread recomputes that
 * part from the caches (level-triggered), so a burst of events costs one pass.
 * The ruleset is applied only when its text changed.
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
#include "clock.h"
#include "informer.h"
#include "log.h"
#include "network/net.h"
#include "network/proxy.h"
#include "object.h"

enum { RETRY_MS = 1000 };

/* What a pass has to recompute. */
enum { DIRTY_NODES = 1, DIRTY_RULES = 2 };

struct agent_network {
  agent_network_options o;
  char node_name[256], node_ip[64], cluster_cidr[64], service_cidr[64];
  agent_net *net;
  tug_informer *nodes, *services, *endpoints;
  pthread_t thread;
  bool thread_started;
  pthread_mutex_t mu;
  pthread_cond_t wake;
  unsigned dirty; /* DIRTY_* */
  bool stop;
  double dirty_since; /* monotonic: the first change not yet applied */
  char *ruleset;      /* the text last applied */
  char pod_cidr[64];  /* configured on the bridge; "" until then */
  agent_dns *dns;     /* on the bridge's address, once it has one */
  char dns_ip[16];    /* where dns listens; "" until it does */
};

/* "web.demo.svc.cluster.local" → the Service demo/web's cluster IP. */
static int dns_lookup(const char *fqdn, char ip[16], void *arg) {
  agent_network *n = arg;
  char name[256], ns[256], key[520];
  if (sscanf(fqdn, "%255[^.].%255[^.].svc.cluster.local", name, ns) != 2)
    return 0;
  snprintf(key, sizeof key, "%s/%s", ns, name);
  json_t *svc = tug_informer_get(n->services, key);
  const char *cip = tug_obj_get_str(svc, "spec.clusterIP");
  int found = cip && strcmp(cip, "None") != 0 && strlen(cip) < 16;
  if (found)
    snprintf(ip, 16, "%s", cip);
  json_decref(svc);
  return found;
}

/* The DNS responder on the gateway address, once the bridge has it. */
static void start_dns(agent_network *n) {
  tug_error err = {0};
  const char *gw = agent_net_gateway(n->net);
  if (n->dns || gw == NULL || *gw == '\0')
    return;
  agent_dns *dns = NULL;
  if (agent_dns_start(n->o.netns_fd, gw, 53, dns_lookup, n, &dns, &err) < 0) {
    tug_warn("DNS responder not started; pods keep the host's resolv.conf", "err=%s",
             TUG_LOG_Q(err.msg));
    return;
  }
  pthread_mutex_lock(&n->mu);
  n->dns = dns;
  snprintf(n->dns_ip, sizeof n->dns_ip, "%s", gw);
  pthread_mutex_unlock(&n->mu);
  tug_info("DNS responder listening", "address=%s:53", gw);
}

static void mark_dirty(agent_network *n, unsigned what) {
  pthread_mutex_lock(&n->mu);
  if (!n->dirty)
    n->dirty_since = tug_monotonic_seconds();
  n->dirty |= what;
  pthread_cond_signal(&n->wake);
  pthread_mutex_unlock(&n->mu);
}

static void on_node(json_t *obj, void *arg) {
  (void)obj;
  mark_dirty(arg, DIRTY_NODES);
}
static void on_node_update(json_t *old_obj, json_t *new_obj, void *arg) {
  (void)old_obj;
  on_node(new_obj, arg);
}
static void on_rules(json_t *obj, void *arg) {
  (void)obj;
  mark_dirty(arg, DIRTY_RULES);
}
static void on_rules_update(json_t *old_obj, json_t *new_obj, void *arg) {
  (void)old_obj;
  on_rules(new_obj, arg);
}
static const tug_informer_handlers node_handlers = {
    .on_add = on_node, .on_update = on_node_update, .on_delete = on_node};
static const tug_informer_handlers rules_handlers = {
    .on_add = on_rules, .on_update = on_rules_update, .on_delete = on_rules};

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
  json_t *nodes = tug_informer_list(n->nodes);
  size_t count = json_array_size(nodes), k = 0, i;
  agent_net_route *routes = calloc(count + 1, sizeof *routes);
  json_t *node;
  tug_error err = {0};
  json_array_foreach(nodes, i, node) {
    const char *cidr = tug_obj_get_str(node, "spec.podCIDR"), *name = tug_obj_name(node);
    if (cidr == NULL || name == NULL)
      continue;
    if (strcmp(name, n->node_name) == 0) {
      if (strcmp(cidr, n->pod_cidr) != 0) {
        if (agent_net_configure(n->net, cidr, n->service_cidr, &err) < 0) {
          tug_warn("pod network not configured", "cidr=%s err=%s", cidr, TUG_LOG_Q(err.msg));
        } else {
          snprintf(n->pod_cidr, sizeof n->pod_cidr, "%s", cidr);
          tug_info("pod network configured", "cidr=%s gateway=%s", cidr, agent_net_gateway(n->net));
          start_dns(n);
        }
      }
      continue;
    }
    const char *via = node_address(n, node);
    if (via && routes)
      routes[k++] = (agent_net_route){.cidr = cidr, .via = via};
  }
  if (routes && agent_net_sync_routes(n->net, routes, k, &err) < 0)
    tug_warn("routes to other nodes not synced", "err=%s", TUG_LOG_Q(err.msg));
  free(routes);
  json_decref(nodes);
}

/* Render the Services ruleset and apply it when it changed. */
static int sync_rules(agent_network *n, agent_proxy *proxy, double since) {
  json_t *services = tug_informer_list(n->services), *endpoints = tug_informer_list(n->endpoints);
  agent_proxy_config cfg = {.node_ip = n->node_ip,
                            .cluster_cidr = n->cluster_cidr,
                            .service_cidr = n->service_cidr,
                            .bridge = "tug0"};
  tug_error err = {0};
  int rc = 0;
  char *text = agent_proxy_render(&cfg, services, endpoints, &err);
  if (text == NULL) {
    tug_warn("service rules not rendered", "err=%s", TUG_LOG_Q(err.msg));
    rc = -1;
  } else if (n->ruleset == NULL || strcmp(text, n->ruleset) != 0) {
    if (agent_proxy_apply(proxy, text, &err) < 0) {
      tug_warn("service rules not applied", "err=%s", TUG_LOG_Q(err.msg));
      free(text);
      rc = -1;
    } else {
      free(n->ruleset);
      n->ruleset = text;
      tug_debug("service rules applied", "services=%zu ms=%.1f", json_array_size(services),
                (tug_monotonic_seconds() - since) * 1000);
    }
  } else {
    free(text);
  }
  json_decref(services);
  json_decref(endpoints);
  return rc;
}

static void *sync_loop(void *arg) {
  agent_network *n = arg;
  agent_proxy *proxy = NULL;
  tug_error err = {0};
  if (n->o.netns_fd >= 0 && setns(n->o.netns_fd, CLONE_NEWNET) < 0)
    tug_error_errno(&err, errno, "enter the node's network namespace");
  else
    agent_proxy_open(&proxy, &err);
  if (proxy == NULL)
    tug_errorlog("service rules disabled", "err=%s", TUG_LOG_Q(err.msg));
  pthread_mutex_lock(&n->mu);
  while (!n->stop) {
    if (!n->dirty) {
      pthread_cond_wait(&n->wake, &n->mu);
      continue;
    }
    unsigned what = n->dirty;
    n->dirty = 0;
    double since = n->dirty_since;
    pthread_mutex_unlock(&n->mu);
    if (what & DIRTY_NODES)
      sync_nodes(n);
    int rc = proxy && (what & DIRTY_RULES) ? sync_rules(n, proxy, since) : 0;
    pthread_mutex_lock(&n->mu);
    if (rc < 0 && !n->stop) {
      /* Try again after a pause, or sooner on the next change. */
      n->dirty |= DIRTY_RULES;
      struct timespec until = tug_deadline_ms(RETRY_MS);
      pthread_cond_timedwait(&n->wake, &n->mu, &until);
    }
  }
  pthread_mutex_unlock(&n->mu);
  agent_proxy_close(proxy);
  return NULL;
}

static tug_informer *watch(agent_network *n, const char *path,
                           const tug_informer_handlers *handlers, tug_error *err) {
  tug_informer *inf = tug_informer_new(n->o.client, path, NULL, NULL, handlers, n, err);
  if (inf && tug_informer_start(inf, err) < 0) {
    tug_informer_free(inf);
    return NULL;
  }
  return inf;
}

/* After an agent restart the bridge and the pods' veths are still there, and
 * the IPAM records hold the pod CIDR they were made for: configure from it
 * at once, so pods the agent adopts keep their addresses without waiting for
 * the Node informer (which corrects the CIDR should the Node's have changed). */
static void restore(agent_network *n) {
  tug_error err = {0};
  const char *cidr = agent_net_stored_cidr(n->net);
  if (cidr[0] == '\0')
    return;
  if (agent_net_configure(n->net, cidr, n->service_cidr, &err) < 0) {
    tug_warn("pod network not restored; waiting for the Node's pod CIDR", "cidr=%s err=%s", cidr,
             TUG_LOG_Q(err.msg));
    return;
  }
  snprintf(n->pod_cidr, sizeof n->pod_cidr, "%s", cidr);
  tug_info("pod network restored", "cidr=%s gateway=%s", cidr, agent_net_gateway(n->net));
  start_dns(n);
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
  tug_cond_init_monotonic(&n->wake);
  agent_net_options no = {.netns_fd = o->netns_fd, .state_dir = o->state_dir, .bridge = "tug0"};
  if (agent_net_open(&no, &n->net, err) < 0) {
    agent_network_stop(n);
    return tug_error_wrap(err, "start the pod network");
  }
  restore(n);
  if ((n->nodes = watch(n, "/api/v1/nodes", &node_handlers, err)) == NULL ||
      (n->services = watch(n, "/api/v1/services", &rules_handlers, err)) == NULL ||
      (n->endpoints = watch(n, "/api/v1/endpoints", &rules_handlers, err)) == NULL) {
    agent_network_stop(n);
    return tug_error_wrap(err, "start the pod network");
  }
  if (pthread_create(&n->thread, NULL, sync_loop, n) != 0) {
    agent_network_stop(n);
    return tug_error_set(err, EAGAIN, "start the pod network: cannot start its thread");
  }
  n->thread_started = true;
  *out = n;
  return 0;
}

void agent_network_stop(agent_network *n) {
  if (n == NULL)
    return;
  pthread_mutex_lock(&n->mu);
  n->stop = true;
  pthread_cond_signal(&n->wake);
  pthread_mutex_unlock(&n->mu);
  if (n->thread_started)
    pthread_join(n->thread, NULL);
  agent_dns_stop(n->dns);
  tug_informer_free(n->nodes);
  tug_informer_free(n->services);
  tug_informer_free(n->endpoints);
  agent_net_close(n->net);
  pthread_mutex_destroy(&n->mu);
  pthread_cond_destroy(&n->wake);
  free(n->ruleset);
  free(n);
}

int agent_network_pod_setup(agent_network *n, const char *pod_uid, int pod_netns_fd, char ip[16],
                            tug_error *err) {
  if (!agent_net_configured(n->net))
    return tug_error_set(err, EAGAIN,
                         "network not ready: node %s has no spec.podCIDR yet "
                         "(tug-controllers assigns it)",
                         n->node_name);
  return agent_net_pod_setup(n->net, pod_uid, pod_netns_fd, ip, err);
}

int agent_network_pod_teardown(agent_network *n, const char *pod_uid, tug_error *err) {
  return agent_net_pod_teardown(n->net, pod_uid, err);
}

json_t *agent_network_service_env(agent_network *n, const char *ns) {
  if (n == NULL)
    return json_object();
  json_t *services = tug_informer_list(n->services);
  json_t *env = agent_service_env(services, ns);
  json_decref(services);
  return env;
}

char *agent_network_hosts(agent_network *n, const char *ns, const char *pod_ip,
                          const char *hostname) {
  json_t *services = n ? tug_informer_list(n->services) : json_array();
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
