/*
 * proxy.c — Services as nftables rules: the agent's kube-proxy.
 *
 * The one idea: a packet finds its Service with one hash lookup, whatever the
 * number of Services. The nat base chains hold a single verdict-map rule each
 * (VIP . protocol . port → goto that Service port's chain; protocol . nodePort
 * on the node's address → goto its NodePort chain), and the filter chains one
 * set lookup for Service ports without ready endpoints (rejected fast). A
 * Service port's chain picks a ready endpoint with `numgen random` and DNATs.
 * Masquerading is decided where the cause is known, by a mark bit that
 * postrouting acts on: NodePort and off-cluster sources are marked in their
 * chains, DNAT'd traffic that enters and leaves on the bridge (same node,
 * hairpin) at forward.
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "hashmap.h"
#include "object.h"

#define TABLE "ip tugboat"
/* Readable part of a chain name: ns/name/port, each part cut to a DNS label. */
#define LABEL_PART AGENT_PROXY_LABEL_PART
#define LABEL_MAX (3 * (LABEL_PART + 1) + 9)

typedef struct proxy_endpoint {
  uint32_t ip; /* host order, so that sorting is numeric */
  uint16_t port;
} proxy_endpoint;

/* One programmable Service port. */
typedef struct proxy_port {
  char label[LABEL_MAX]; /* "demo/web/http-3f2a1c0d"; chains are svc-LABEL, nodeport-LABEL */
  uint32_t vip;
  uint16_t port, node_port; /* node_port 0: none */
  const char *proto;        /* "tcp" or "udp" */
  proxy_endpoint *eps;
  size_t neps;
} proxy_port;

typedef struct proxy_plan {
  proxy_port *ports;
  size_t n, cap;
} proxy_plan;

/* The config, checked and with CIDRs in canonical network/prefix form. */
typedef struct proxy_net {
  char node_ip[INET_ADDRSTRLEN];
  char cluster_cidr[INET_ADDRSTRLEN + 3], service_cidr[INET_ADDRSTRLEN + 3];
  const char *bridge;
  const char *extra;
} proxy_net;

static void plan_free(proxy_plan *plan) {
  for (size_t i = 0; i < plan->n; i++)
    free(plan->ports[i].eps);
  free(plan->ports);
}

static int parse_ipv4(const char *s, uint32_t *out) {
  struct in_addr a;
  if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
    return -1;
  *out = ntohl(a.s_addr);
  return 0;
}

static void format_ipv4(uint32_t ip, char out[INET_ADDRSTRLEN]) {
  snprintf(out, INET_ADDRSTRLEN, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
           ip & 0xff);
}

/* "198.18.0.7/16" → "198.18.0.0/16": nft wants the network address. */
static int parse_cidr(const char *s, char out[INET_ADDRSTRLEN + 3]) {
  char addr[INET_ADDRSTRLEN], *end;
  const char *slash = s ? strchr(s, '/') : NULL;
  if (slash == NULL || (size_t)(slash - s) >= sizeof addr || slash[1] < '0' || slash[1] > '9')
    return -1;
  memcpy(addr, s, (size_t)(slash - s));
  addr[slash - s] = '\0';
  long prefix = strtol(slash + 1, &end, 10);
  uint32_t ip;
  if (*end != '\0' || prefix < 0 || prefix > 32 || parse_ipv4(addr, &ip) < 0)
    return -1;
  ip &= prefix == 0 ? 0 : ~0u << (32 - prefix);
  format_ipv4(ip, addr);
  snprintf(out, INET_ADDRSTRLEN + 3, "%s/%ld", addr, prefix);
  return 0;
}

static int check_config(const agent_proxy_config *c, proxy_net *net, tug_error *err) {
  uint32_t ip;
  if (c == NULL)
    return tug_error_set(err, EINVAL, "proxy config missing");
  if (parse_ipv4(c->node_ip, &ip) < 0)
    return tug_error_set(err, EINVAL, "node address %s: not IPv4", c->node_ip ? c->node_ip : "");
  format_ipv4(ip, net->node_ip);
  if (parse_cidr(c->cluster_cidr, net->cluster_cidr) < 0)
    return tug_error_set(err, EINVAL, "cluster CIDR %s: not an IPv4 CIDR",
                         c->cluster_cidr ? c->cluster_cidr : "");
  if (parse_cidr(c->service_cidr, net->service_cidr) < 0)
    return tug_error_set(err, EINVAL, "service CIDR %s: not an IPv4 CIDR",
                         c->service_cidr ? c->service_cidr : "");
  const char *b = c->bridge;
  if (b == NULL || *b == '\0' || strlen(b) >= IFNAMSIZ || strpbrk(b, "\"\\/ \t\n") != NULL)
    return tug_error_set(err, EINVAL, "bridge %s: not an interface name", b ? b : "");
  net->bridge = b;
  net->extra = c->extra;
  return 0;
}

/* --- from objects to a plan --------------------------------------------- */

static const char *key_str(const char *s) {
  return s ? s : "";
}

/* A Service the proxy serves, with what sorting and planning read of it. */
typedef struct proxy_service {
  const char *ns, *name;
  const json_t *obj;
  uint32_t vip;
  bool node_ports;
} proxy_service;

static int by_namespace_name(const void *a, const void *b) {
  const proxy_service *x = a, *y = b;
  int c = strcmp(x->ns, y->ns);
  return c ? c : strcmp(x->name, y->name);
}

static int by_address(const void *a, const void *b) {
  const proxy_endpoint *x = a, *y = b;
  if (x->ip != y->ip)
    return x->ip < y->ip ? -1 : 1;
  return (x->port > y->port) - (x->port < y->port);
}

/* A port number in 1..65535 at key, else 0. */
static uint16_t port_at(const json_t *o, const char *key) {
  int64_t v = tug_obj_get_int(o, key, 0);
  return v >= 1 && v <= 65535 ? (uint16_t)v : 0;
}

/* "TCP" (also when absent) → "tcp", "UDP" → "udp", anything else NULL. */
static const char *protocol(const json_t *port) {
  const char *p = tug_obj_get_str(port, "protocol");
  if (p == NULL || strcmp(p, "TCP") == 0)
    return "tcp";
  return strcmp(p, "UDP") == 0 ? "udp" : NULL;
}

/* Keep [A-Za-z0-9_-], make anything else '_', cut at LABEL_PART. */
void agent_proxy_sanitize(const char *in, char *out) {
  size_t i = 0;
  for (; in[i] && i < LABEL_PART; i++) {
    char ch = in[i];
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_';
    out[i] = ok ? ch : '_';
  }
  out[i] = '\0';
}

/* FNV-1a: sanitizing and cutting may make two labels equal, the hash keeps them apart. */
uint32_t agent_proxy_fnv1a(const char *s, uint32_t h) {
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static void make_label(proxy_port *pp, const char *ns, const char *name, const char *pname) {
  char sns[LABEL_PART + 1], sname[LABEL_PART + 1], sport[LABEL_PART + 1], num[8];
  snprintf(num, sizeof num, "%u", pp->port);
  agent_proxy_sanitize(ns, sns);
  agent_proxy_sanitize(name, sname);
  agent_proxy_sanitize(*pname ? pname : num, sport);
  uint32_t h = 2166136261u;
  const char *parts[] = {ns, "/", name, "/", pname, "/", pp->proto, "/", num};
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
    h = agent_proxy_fnv1a(parts[i], h);
  snprintf(pp->label, sizeof pp->label, "%s/%s/%s-%08x", sns, sname, sport, h);
}

static int add_endpoint(proxy_port *pp, size_t *cap, uint32_t ip, uint16_t port) {
  if (pp->neps == *cap) {
    size_t ncap = *cap ? *cap * 2 : 4;
    proxy_endpoint *n = realloc(pp->eps, ncap * sizeof *n);
    if (n == NULL)
      return -1;
    pp->eps = n;
    *cap = ncap;
  }
  pp->eps[pp->neps++] = (proxy_endpoint){ip, port};
  return 0;
}

/* The ready addresses of every subset that has a port named pname, sorted and
 * without duplicates. notReadyAddresses are left out on purpose. */
static int collect_endpoints(proxy_port *pp, const json_t *eps, const char *pname) {
  size_t i, j, k, cap = 0;
  json_t *subset, *port, *addr;
  json_array_foreach(tug_obj_get(eps, "subsets"), i, subset) {
    uint16_t target = 0;
    json_array_foreach(tug_obj_get(subset, "ports"), j, port) {
      if (strcmp(key_str(tug_obj_get_str(port, "name")), pname) == 0) {
        target = port_at(port, "port");
        break;
      }
    }
    uint32_t ip;
    json_array_foreach(tug_obj_get(subset, "addresses"), k, addr) {
      if (target && parse_ipv4(tug_obj_get_str(addr, "ip"), &ip) == 0 &&
          add_endpoint(pp, &cap, ip, target) < 0)
        return -1;
    }
  }
  if (pp->neps > 1)
    qsort(pp->eps, pp->neps, sizeof *pp->eps, by_address);
  size_t n = 0;
  for (i = 0; i < pp->neps; i++)
    if (n == 0 || by_address(&pp->eps[n - 1], &pp->eps[i]) != 0)
      pp->eps[n++] = pp->eps[i];
  pp->neps = n;
  return 0;
}

/* True when key was not taken yet (and takes it). */
static bool claim(tug_hashmap *taken, const char *key) {
  if (tug_hashmap_get(taken, key))
    return false;
  tug_hashmap_put(taken, key, (void *)1);
  return true;
}

static int plan_port(proxy_plan *plan, tug_hashmap *taken, const proxy_service *svc,
                     const json_t *port, const json_t *eps) {
  proxy_port pp = {.vip = svc->vip, .port = port_at(port, "port"), .proto = protocol(port)};
  if (pp.port == 0 || pp.proto == NULL)
    return 0;
  char key[64];
  snprintf(key, sizeof key, "%u/%s/%u", pp.vip, pp.proto, pp.port);
  if (!claim(taken, key))
    return 0;
  if (svc->node_ports && (pp.node_port = port_at(port, "nodePort")) != 0) {
    snprintf(key, sizeof key, "node/%s/%u", pp.proto, pp.node_port);
    if (!claim(taken, key))
      pp.node_port = 0;
  }
  const char *pname = key_str(tug_obj_get_str(port, "name"));
  make_label(&pp, svc->ns, svc->name, pname);
  if (collect_endpoints(&pp, eps, pname) < 0)
    goto oom;
  if (plan->n == plan->cap) {
    size_t ncap = plan->cap ? plan->cap * 2 : 64;
    proxy_port *n = realloc(plan->ports, ncap * sizeof *n);
    if (n == NULL)
      goto oom;
    plan->ports = n;
    plan->cap = ncap;
  }
  plan->ports[plan->n++] = pp;
  return 0;
oom:
  free(pp.eps);
  return -1;
}

/* Named, with an IPv4 virtual IP (not headless), of a type we serve. */
static bool servable(const json_t *obj, proxy_service *svc) {
  const char *type = tug_obj_get_str(obj, "spec.type");
  svc->obj = obj;
  svc->ns = tug_obj_namespace(obj);
  svc->name = tug_obj_name(obj);
  svc->node_ports = type && strcmp(type, "NodePort") == 0;
  return svc->ns && svc->name &&
         (type == NULL || svc->node_ports || strcmp(type, "ClusterIP") == 0) &&
         parse_ipv4(tug_obj_get_str(obj, "spec.clusterIP"), &svc->vip) == 0;
}

static int plan_build(proxy_plan *plan, const json_t *services, const json_t *endpoints,
                      tug_error *err) {
  if ((services && !json_is_array(services)) || (endpoints && !json_is_array(endpoints)))
    return tug_error_set(err, TUG_E_PARSE, "services and endpoints must be JSON arrays");
  size_t nsvc = json_array_size(services), i, j, n = 0;
  _cleanup_free_ proxy_service *sorted = malloc((nsvc + 1) * sizeof *sorted);
  tug_hashmap *by_key = tug_hashmap_new(), *taken = tug_hashmap_new();
  int rc = sorted && by_key && taken ? 0 : -1;
  json_t *o, *port;
  char key[512];
  json_array_foreach(endpoints, i, o) {
    if (rc == 0 && tug_obj_namespace(o) && tug_obj_name(o)) {
      snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(o), tug_obj_name(o));
      tug_hashmap_put(by_key, key, o);
    }
  }
  json_array_foreach(services, i, o) {
    if (rc == 0 && servable(o, &sorted[n]))
      n++;
  }
  if (rc == 0)
    qsort(sorted, n, sizeof *sorted, by_namespace_name);
  for (i = 0; rc == 0 && i < n; i++) {
    snprintf(key, sizeof key, "%s/%s", sorted[i].ns, sorted[i].name);
    const json_t *eps = tug_hashmap_get(by_key, key);
    json_array_foreach(tug_obj_get(sorted[i].obj, "spec.ports"), j, port) {
      if (rc == 0)
        rc = plan_port(plan, taken, &sorted[i], port, eps);
    }
  }
  tug_hashmap_free(by_key, NULL);
  tug_hashmap_free(taken, NULL);
  return rc < 0 ? tug_error_errno(err, ENOMEM, "plan service rules") : 0;
}

/* --- from a plan to text ------------------------------------------------ */

/* A named map or set: its elements one a line, one entry per matching port. */
typedef void (*element_fn)(FILE *f, const proxy_port *pp);

static void print_collection(FILE *f, const char *what, const char *type, const proxy_plan *plan,
                             bool (*want)(const proxy_port *), element_fn element) {
  fprintf(f, "\t%s {\n\t\ttype %s\n", what, type);
  const char *sep = "\t\telements = {\n";
  for (size_t i = 0; i < plan->n; i++) {
    if (!want(&plan->ports[i]))
      continue;
    fprintf(f, "%s\t\t\t", sep);
    element(f, &plan->ports[i]);
    sep = ",\n";
  }
  fprintf(f, "%s\t}\n", *sep == ',' ? "\n\t\t}\n" : "");
}

static bool served(const proxy_port *pp) {
  return pp->neps > 0;
}
static bool unserved(const proxy_port *pp) {
  return pp->neps == 0;
}
static bool served_node_port(const proxy_port *pp) {
  return pp->node_port && pp->neps > 0;
}
static bool unserved_node_port(const proxy_port *pp) {
  return pp->node_port && !pp->neps;
}

static void vip_key(FILE *f, const proxy_port *pp) {
  char ip[INET_ADDRSTRLEN];
  format_ipv4(pp->vip, ip);
  fprintf(f, "%s . %s . %u", ip, pp->proto, pp->port);
}
static void vip_goto(FILE *f, const proxy_port *pp) {
  vip_key(f, pp);
  fprintf(f, " : goto svc-%s", pp->label);
}
static void node_port_key(FILE *f, const proxy_port *pp) {
  fprintf(f, "%s . %u", pp->proto, pp->node_port);
}
static void node_port_goto(FILE *f, const proxy_port *pp) {
  node_port_key(f, pp);
  fprintf(f, " : goto nodeport-%s", pp->label);
}

/* Same-node and hairpin traffic (pod → Service → pod on this bridge) is
 * marked at forward, where both paths show in and out as the bridge: routed,
 * and bridged by br_netfilter, whose postrouting has no input device. */
static void print_base_chains(FILE *f, const proxy_net *net) {
  static const char *const filter_hooks[] = {"input", "forward", "output"};
  for (size_t i = 0; i < 3; i++) {
    fprintf(f,
            "\tchain filter-%s {\n\t\ttype filter hook %s priority filter - 10; policy accept;\n",
            filter_hooks[i], filter_hooks[i]);
    if (i == 1)
      fprintf(f,
              "\t\tiifname \"%s\" oifname \"%s\" ct status dnat meta mark set meta mark | 0x%x\n",
              net->bridge, net->bridge, AGENT_PROXY_MASQ_MARK);
    fprintf(f, "\t\tip daddr . meta l4proto . th dport @no_endpoint_services goto refuse\n");
    if (i == 0)
      fprintf(f, "\t\tip daddr %s meta l4proto . th dport @no_endpoint_nodeports goto refuse\n",
              net->node_ip);
    else
      fprintf(f, "\t\tip daddr %s goto refuse\n", net->service_cidr);
    fprintf(f, "\t}\n");
  }
  /* -100 is dstnat; nft 1.0.6 knows that name at prerouting only. */
  static const char *const nat_hooks[] = {"prerouting", "output"};
  for (size_t i = 0; i < 2; i++)
    fprintf(f,
            "\tchain nat-%s {\n"
            "\t\ttype nat hook %s priority -100; policy accept;\n"
            "\t\tip daddr . meta l4proto . th dport vmap @service_ips\n"
            "\t\tip daddr %s meta l4proto . th dport vmap @service_nodeports\n"
            "\t}\n",
            nat_hooks[i], nat_hooks[i], net->node_ip);
  /* Pods' connections that leave the cluster network (to other hosts, the
   * API server, the world) leave as the node, as CNI plugins' ipMasq does:
   * nothing outside routes the pod CIDRs back. */
  fprintf(f,
          "\tchain nat-postrouting {\n"
          "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
          "\t\tmeta mark & 0x%x == 0x%x masquerade fully-random\n"
          "\t\tip saddr %s ip daddr != %s oifname != \"%s\" masquerade fully-random\n"
          "\t}\n"
          "\tchain refuse {\n"
          "\t\tmeta l4proto tcp reject with tcp reset\n"
          "\t\treject\n"
          "\t}\n",
          AGENT_PROXY_MASQ_MARK, AGENT_PROXY_MASQ_MARK, net->cluster_cidr, net->cluster_cidr,
          net->bridge);
}

/* svc-LABEL: mark off-cluster sources (other hosts, the node's own address)
 * for masquerade so replies come back here, then DNAT to one endpoint. Of N
 * endpoints the first takes 1/N, the next 1/(N-1) of the rest and so on:
 * equal weights with plain rules, as an anonymous numgen map per Service
 * costs the kernel seven times more time to replace (bench/proxy). */
static void print_port_chains(FILE *f, const proxy_port *pp, const proxy_net *net) {
  char ip[INET_ADDRSTRLEN];
  fprintf(f, "\tchain svc-%s {\n\t\tip saddr != %s meta mark set meta mark | 0x%x\n", pp->label,
          net->cluster_cidr, AGENT_PROXY_MASQ_MARK);
  for (size_t i = 0; i < pp->neps; i++) {
    format_ipv4(pp->eps[i].ip, ip);
    fprintf(f, "\t\tmeta l4proto %s ", pp->proto);
    if (i + 1 < pp->neps)
      fprintf(f, "numgen random mod %zu == 0 ", pp->neps - i);
    fprintf(f, "dnat ip to %s:%u\n", ip, pp->eps[i].port);
  }
  fprintf(f, "\t}\n");
  if (pp->node_port)
    fprintf(f,
            "\tchain nodeport-%s {\n"
            "\t\tmeta mark set meta mark | 0x%x\n"
            "\t\tgoto svc-%s\n"
            "\t}\n",
            pp->label, AGENT_PROXY_MASQ_MARK, pp->label);
}

static void print_ruleset(FILE *f, const proxy_plan *plan, const proxy_net *net) {
  fprintf(f, "table " TABLE " {\n");
  print_collection(f, "map service_ips", "ipv4_addr . inet_proto . inet_service : verdict", plan,
                   served, vip_goto);
  print_collection(f, "map service_nodeports", "inet_proto . inet_service : verdict", plan,
                   served_node_port, node_port_goto);
  print_collection(f, "set no_endpoint_services", "ipv4_addr . inet_proto . inet_service", plan,
                   unserved, vip_key);
  print_collection(f, "set no_endpoint_nodeports", "inet_proto . inet_service", plan,
                   unserved_node_port, node_port_key);
  print_base_chains(f, net);
  for (size_t i = 0; i < plan->n; i++)
    if (plan->ports[i].neps > 0)
      print_port_chains(f, &plan->ports[i], net);
  if (net->extra)
    fputs(net->extra, f);
  fprintf(f, "}\n");
}

char *agent_proxy_render(const agent_proxy_config *c, const json_t *services,
                         const json_t *endpoints, tug_error *err) {
  proxy_net net;
  proxy_plan plan = {0};
  if (check_config(c, &net, err) < 0 || plan_build(&plan, services, endpoints, err) < 0) {
    plan_free(&plan);
    tug_error_wrap(err, "render service rules");
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f != NULL) {
    print_ruleset(f, &plan, &net);
    if (ferror(f) || fclose(f) != 0) {
      free(buf);
      buf = NULL;
    }
  }
  plan_free(&plan);
  if (buf == NULL)
    tug_error_errno(err, ENOMEM, "render service rules");
  return buf;
}

/* --- updates: the difference between two rendered rulesets -------------
 *
 * Replacing the whole table costs time in proportion to its size (over half
 * a second at 5000 Services, bench/proxy), while an Endpoints change touches one
 * chain. So apply keeps the text it applied last and, when only Service
 * chains and map/set elements differ, sends just those changes, still as one
 * transaction. Anything else (the first apply, base chains or map types that
 * changed, an update nft refuses) replaces the table whole. The parser knows
 * only the layout print_ruleset writes: one block a line "\tKIND NAME {",
 * elements one a line, rules one a line. */

typedef struct ruleset_view {
  char *skeleton;        /* every line but Service chains and elements */
  tug_hashmap *chains;   /* svc-/nodeport- chain name → its rule lines */
  tug_hashmap *elements; /* "COLLECTION ELEMENT" → the collection name's length */
} ruleset_view;

static void view_free(ruleset_view *v) {
  free(v->skeleton);
  tug_hashmap_free(v->chains, free);
  tug_hashmap_free(v->elements, NULL);
}

static bool starts_with(const char *s, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len >= n && memcmp(s, prefix, n) == 0;
}

/* The NAME of "\tKIND NAME {". */
static char *block_name(const char *line, size_t len, size_t kind_len) {
  const char *name = line + 1 + kind_len + 1;
  return strndup(name, len - (size_t)(name - line) - 2);
}

static int view_parse(const char *text, ruleset_view *v) {
  size_t skel_len = 0;
  FILE *skel = open_memstream(&v->skeleton, &skel_len);
  v->chains = tug_hashmap_new();
  v->elements = tug_hashmap_new();
  if (skel == NULL || v->chains == NULL || v->elements == NULL) {
    if (skel)
      fclose(skel);
    return -1;
  }
  _cleanup_free_ char *chain = NULL, *coll = NULL;
  const char *body = NULL;
  bool in_elements = false;
  int rc = 0;
  for (const char *line = text, *end; rc == 0 && *line; line = *end ? end + 1 : end) {
    end = strchrnul(line, '\n');
    size_t len = (size_t)(end - line);
    if (chain != NULL) {
      if (len == 2 && memcmp(line, "\t}", 2) == 0) {
        char *rules = strndup(body, (size_t)(line - body));
        rc = rules ? 0 : -1;
        free(rules ? tug_hashmap_put(v->chains, chain, rules) : NULL);
        free(tug_steal_ptr(&chain));
      }
    } else if (in_elements) {
      if (len == 3 && memcmp(line, "\t\t}", 3) == 0) {
        in_elements = false;
        continue;
      }
      const char *e = line + 3;
      size_t elen = len - 3 - (line[len - 1] == ',');
      char key[512];
      snprintf(key, sizeof key, "%s %.*s", coll, (int)elen, e);
      tug_hashmap_put(v->elements, key, (void *)(uintptr_t)strlen(coll));
    } else if (starts_with(line, len, "\tchain svc-") ||
               starts_with(line, len, "\tchain nodeport-") ||
               starts_with(line, len, "\tchain pol-")) {
      chain = block_name(line, len, 5);
      body = end + 1;
      rc = chain ? 0 : -1;
    } else if (starts_with(line, len, "\t\telements = {")) {
      in_elements = true;
      rc = coll ? 0 : -1;
    } else {
      if (starts_with(line, len, "\tmap ") || starts_with(line, len, "\tset ")) {
        free(coll);
        coll = block_name(line, len, 3);
        rc = coll ? 0 : -1;
      }
      fwrite(line, 1, len, skel);
      fputc('\n', skel);
    }
  }
  if (fclose(skel) != 0 || chain != NULL)
    rc = -1;
  return rc;
}

static void print_rules(FILE *f, const char *chain, const char *rules) {
  for (const char *line = rules, *end; *line; line = *end ? end + 1 : end) {
    end = strchrnul(line, '\n');
    fprintf(f, "add rule " TABLE " %s %.*s\n", chain, (int)(end - line - 2), line + 2);
  }
}

/* Element "COLL KEY[ : VALUE]" as "VERB element TABLE COLL { KEY[ : VALUE] }". */
static void print_element(FILE *f, const char *verb, const char *key, size_t coll_len,
                          bool with_value) {
  const char *elem = key + coll_len + 1, *colon = strstr(elem, " : ");
  int n = with_value || colon == NULL ? (int)strlen(elem) : (int)(colon - elem);
  fprintf(f, "%s element " TABLE " %.*s { %.*s }\n", verb, (int)coll_len, key, n, elem);
}

/* Chains that goto others (nodeport-) go before the ones they name (svc-). */
static void print_chain_deletes(FILE *f, const ruleset_view *old, const ruleset_view *new,
                                const char *prefix) {
  tug_hashmap_iter it;
  const char *name;
  void *rules;
  tug_hashmap_iter_init(&it, old->chains);
  while (tug_hashmap_next(&it, &name, &rules))
    if (strncmp(name, prefix, strlen(prefix)) == 0 && !tug_hashmap_get(new->chains, name))
      fprintf(f, "delete chain " TABLE " %s\n", name);
}

static void print_update(FILE *f, const ruleset_view *old, const ruleset_view *new) {
  tug_hashmap_iter it;
  const char *key;
  void *val;
  tug_hashmap_iter_init(&it, old->elements);
  while (tug_hashmap_next(&it, &key, &val))
    if (!tug_hashmap_get(new->elements, key))
      print_element(f, "delete", key, (size_t)(uintptr_t)val, false);
  /* Every new chain exists before any rule or element names it. */
  tug_hashmap_iter_init(&it, new->chains);
  while (tug_hashmap_next(&it, &key, &val))
    if (!tug_hashmap_get(old->chains, key))
      fprintf(f, "add chain " TABLE " %s\n", key);
  tug_hashmap_iter_init(&it, new->chains);
  while (tug_hashmap_next(&it, &key, &val)) {
    const char *was = tug_hashmap_get(old->chains, key);
    if (was && strcmp(was, val) == 0)
      continue;
    if (was)
      fprintf(f, "flush chain " TABLE " %s\n", key);
    print_rules(f, key, val);
  }
  tug_hashmap_iter_init(&it, new->elements);
  while (tug_hashmap_next(&it, &key, &val))
    if (!tug_hashmap_get(old->elements, key))
      print_element(f, "add", key, (size_t)(uintptr_t)val, true);
  print_chain_deletes(f, old, new, "nodeport-");
  print_chain_deletes(f, old, new, "svc-");
  print_chain_deletes(f, old, new, "pol-");
}

/* The commands that turn table `from` into `to`: malloc'd, "" when equal,
 * NULL when only a whole replacement will do. */
static char *update_commands(const char *from, const char *to) {
  ruleset_view old = {0}, new = {0};
  char *buf = NULL;
  size_t len = 0;
  if (view_parse(from, &old) == 0 && view_parse(to, &new) == 0 &&
      strcmp(old.skeleton, new.skeleton) == 0) {
    FILE *f = open_memstream(&buf, &len);
    if (f != NULL) {
      print_update(f, &old, &new);
      if (ferror(f) | fclose(f)) {
        free(buf);
        buf = NULL;
      }
    }
  }
  view_free(&old);
  view_free(&new);
  return buf;
}

/* --- nft ---------------------------------------------------------------- */

struct agent_proxy {
  struct nft_ctx *nft;
  char *applied; /* the ruleset in place, when it is known */
};

int agent_proxy_open(agent_proxy **out, tug_error *err) {
  agent_proxy *p = calloc(1, sizeof *p);
  if (p == NULL)
    return tug_error_errno(err, ENOMEM, "open nftables");
  p->nft = nft_ctx_new(NFT_CTX_DEFAULT);
  if (p->nft == NULL || nft_ctx_buffer_output(p->nft) != 0 || nft_ctx_buffer_error(p->nft) != 0) {
    agent_proxy_close(p);
    return tug_error_set(err, ENOMEM, "open nftables: cannot make a context");
  }
  *out = p;
  return 0;
}

void agent_proxy_close(agent_proxy *p) {
  if (p == NULL)
    return;
  if (p->nft)
    nft_ctx_free(p->nft);
  free(p->applied);
  free(p);
}

/* Run one buffer of commands (one transaction); nft's own words on failure,
 * its lines joined so that the message fits on one log line. */
static int run(agent_proxy *p, const char *cmds, const char *what, tug_error *err) {
  int rc = nft_run_cmd_from_buffer(p->nft, cmds);
  nft_ctx_get_output_buffer(p->nft);
  const char *text = nft_ctx_get_error_buffer(p->nft);
  if (rc == 0)
    return 0;
  char msg[sizeof err->msg - 64];
  size_t n = 0;
  for (const char *s = text ? text : ""; *s && n + 3 < sizeof msg; s++) {
    if (*s != '\n')
      msg[n++] = *s;
    else if (s[1] != '\0') {
      msg[n++] = ' ';
      msg[n++] = '|';
      msg[n++] = ' ';
    }
  }
  msg[n] = '\0';
  return tug_error_set(err, EINVAL, "%s: %s", what, n ? msg : "nft failed");
}

static int replace(agent_proxy *p, const char *ruleset, tug_error *err) {
  static const char reset[] = "add table " TABLE "\ndelete table " TABLE "\n";
  size_t len = strlen(ruleset);
  _cleanup_free_ char *cmds = malloc(sizeof reset + len);
  if (cmds == NULL)
    return tug_error_errno(err, ENOMEM, "apply table " TABLE);
  memcpy(cmds, reset, sizeof reset - 1);
  memcpy(cmds + sizeof reset - 1, ruleset, len + 1);
  return run(p, cmds, "apply table " TABLE, err);
}

int agent_proxy_apply(agent_proxy *p, const char *ruleset, tug_error *err) {
  char *copy = strdup(ruleset);
  if (copy == NULL)
    return tug_error_errno(err, ENOMEM, "apply table " TABLE);
  _cleanup_free_ char *update = p->applied ? update_commands(p->applied, ruleset) : NULL;
  tug_error ignored;
  if (update == NULL || (*update && run(p, update, "update table " TABLE, &ignored) < 0)) {
    free(tug_steal_ptr(&p->applied));
    if (replace(p, ruleset, err) < 0) {
      free(copy);
      return -1;
    }
  }
  free(p->applied);
  p->applied = copy;
  return 0;
}

int agent_proxy_flush(agent_proxy *p, tug_error *err) {
  free(tug_steal_ptr(&p->applied));
  return run(p, "add table " TABLE "\ndelete table " TABLE "\n", "flush table " TABLE, err);
}
