/*
 * netpol.c — NetworkPolicy as nftables rules (see netpol.h).
 *
 * Kubernetes' semantics, decided here once per render:
 * - a policy selects the pods of its namespace its podSelector matches; its
 *   policyTypes (or, when absent, Ingress plus Egress if it has egress rules)
 *   say which directions it isolates them in;
 * - a pod isolated in a direction accepts there only what some rule of some
 *   policy selecting it allows (rules add up); a rule allows traffic from/to
 *   any of its peers on any of its ports, an empty list meaning "any";
 * - a peer is pods of the policy's namespace (podSelector), every pod of the
 *   namespaces a namespaceSelector matches, those of them a podSelector
 *   matches when both are given, or an ipBlock minus its excepts;
 * - a named port is looked up among the container ports of the pod that
 *   receives the traffic: the isolated pod itself for ingress, each
 *   destination pod for egress (so egress rules with named ports list
 *   address . port pairs).
 * Egress chains `return` when allowed, so traffic between two isolated pods
 * of this node is checked in both directions; ingress chains `accept`.
 */
#include "netpol.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "hashmap.h"
#include "netlink.h"
#include "network/proxy.h"
#include "object.h"
#include "selector.h"

/* One pod with an IPv4 address: what peers and chains read of it. */
typedef struct np_pod {
  const char *ns, *name, *uid, *ip, *node;
  const json_t *obj, *labels, *ns_labels; /* ns_labels: its namespace's */
} np_pod;

typedef struct np_ctx {
  const agent_netpol_input *in;
  np_pod *pods;
  size_t npods;
  json_t *ns_labels;   /* namespace name → its labels object (borrowed) */
  tug_hashmap *parsed; /* "%p" of a LabelSelector object → its tug_selector, or &unparsable */
  FILE *f;
} np_ctx;

/* What the cache holds for a selector that does not parse: it matches nothing. */
static char unparsable;

enum np_dir { NP_INGRESS, NP_EGRESS };

static const char *const dir_rules[] = {"spec.ingress", "spec.egress"};
static const char *const dir_type[] = {"Ingress", "Egress"};
static const char *const dir_peers[] = {"from", "to"};
static const char *const dir_addr[] = {"saddr", "daddr"};
static const char *const dir_chain[] = {"pol-in-", "pol-out-"};
/* Allowed egress goes on to the destination's ingress check. */
static const char *const dir_verdict[] = {"accept", "return"};

static bool ipv4(const char *s) {
  struct in_addr a;
  return s && inet_pton(AF_INET, s, &a) == 1;
}

/* Running pods with an IPv4 address in the pod network; terminal and
 * host-network pods are no one's peers and isolate nothing. */
static bool usable(const json_t *pod, np_pod *p) {
  const char *phase = tug_obj_get_str(pod, "status.phase");
  p->obj = pod;
  p->ns = tug_obj_namespace(pod);
  p->name = tug_obj_name(pod);
  p->uid = tug_obj_uid(pod);
  p->ip = tug_obj_get_str(pod, "status.podIP");
  p->node = tug_obj_get_str(pod, "spec.nodeName");
  p->labels = tug_obj_get(pod, "metadata.labels");
  if (json_is_true(tug_obj_get(pod, "spec.hostNetwork")))
    return false;
  if (phase && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0))
    return false;
  return p->ns && p->name && ipv4(p->ip);
}

static int by_ns_name(const void *a, const void *b) {
  const np_pod *x = a, *y = b;
  int c = strcmp(x->ns, y->ns);
  return c ? c : strcmp(x->name, y->name);
}

static int by_policy_name(const void *a, const void *b) {
  const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
  int c = strcmp(tug_obj_namespace(x), tug_obj_namespace(y));
  return c ? c : strcmp(tug_obj_name(x), tug_obj_name(y));
}

/* The LabelSelector object parsed, NULL when it does not parse (it then
 * matches nothing). Each is parsed once per render (the cache lives as long
 * as the objects), as a pass asks the same ones about every pod. */
static const tug_selector *parsed(const np_ctx *c, const json_t *selector) {
  char key[32];
  snprintf(key, sizeof key, "%p", (const void *)selector);
  void *sel = tug_hashmap_get(c->parsed, key);
  if (sel == NULL) {
    tug_error err;
    tug_selector *made = NULL;
    if (!json_is_object(selector) ||
        tug_selector_from_match_labels(json_object_get(selector, "matchLabels"),
                                       json_object_get(selector, "matchExpressions"), &made,
                                       &err) < 0)
      made = NULL;
    sel = made ? (void *)made : &unparsable;
    tug_hashmap_put(c->parsed, key, sel);
  }
  return sel == &unparsable ? NULL : sel;
}

static bool selects(const np_ctx *c, const json_t *selector, const json_t *labels) {
  const tug_selector *sel = parsed(c, selector);
  return sel && tug_selector_matches(sel, labels);
}

static void free_selector(void *sel) {
  if (sel != &unparsable)
    tug_selector_free(sel);
}

/* Whether the policy isolates its pods in direction d. */
static bool isolates(const json_t *policy, enum np_dir d) {
  const json_t *types = tug_obj_get(policy, "spec.policyTypes");
  if (json_array_size(types) == 0)
    return d == NP_INGRESS || json_array_size(tug_obj_get(policy, "spec.egress")) > 0;
  size_t i;
  json_t *t;
  json_array_foreach(types, i, t) {
    if (json_is_string(t) && strcmp(json_string_value(t), dir_type[d]) == 0)
      return true;
  }
  return false;
}

/* A selector peer, parsed once for the walk over every pod: pods NULL for
 * every pod, ns NULL for the policy's namespace only; bad when a selector
 * does not parse (the peer then covers no one). */
typedef struct np_peer {
  const tug_selector *pods, *ns;
  bool bad;
} np_peer;

static np_peer peer_parse(const np_ctx *c, const json_t *peer) {
  const json_t *pods = json_object_get(peer, "podSelector"),
               *nss = json_object_get(peer, "namespaceSelector");
  np_peer out = {0};
  if (pods && !json_is_null(pods))
    out.bad |= (out.pods = parsed(c, pods)) == NULL;
  if (nss && !json_is_null(nss))
    out.bad |= (out.ns = parsed(c, nss)) == NULL;
  return out;
}

/* Whether the peer (of a policy in policy_ns) covers pod p. */
static bool peer_selects(const np_peer *peer, const char *policy_ns, const np_pod *p) {
  if (peer->bad)
    return false;
  if (peer->ns ? !tug_selector_matches(peer->ns, p->ns_labels) : strcmp(p->ns, policy_ns) != 0)
    return false;
  return peer->pods == NULL || tug_selector_matches(peer->pods, p->labels);
}

static bool is_selector_peer(const json_t *peer) {
  return json_object_get(peer, "ipBlock") == NULL;
}

/* The pod's container port named name for protocol proto ("TCP"), 0 if none. */
static long named_port(const np_pod *p, const char *name, const char *proto) {
  size_t i, j;
  json_t *ctr, *port;
  json_array_foreach(tug_obj_get(p->obj, "spec.containers"), i, ctr) {
    json_array_foreach(json_object_get(ctr, "ports"), j, port) {
      const char *n = tug_obj_get_str(port, "name"), *pr = tug_obj_get_str(port, "protocol");
      if (n && strcmp(n, name) == 0 && strcmp(pr ? pr : "TCP", proto) == 0)
        return tug_obj_get_int(port, "containerPort", 0);
    }
  }
  return 0;
}

/* "TCP" (also absent) → "tcp", and UDP, SCTP alike; NULL for anything else. */
static const char *l4proto(const json_t *port, const char **upper) {
  const char *p = tug_obj_get_str(port, "protocol");
  *upper = p ? p : "TCP";
  if (strcmp(*upper, "TCP") == 0)
    return "tcp";
  if (strcmp(*upper, "UDP") == 0)
    return "udp";
  return strcmp(*upper, "SCTP") == 0 ? "sctp" : NULL;
}

/* --- one rule's match text ---------------------------------------------- */

/* Sorted, distinct addresses of the pods a rule's selector peers cover. */
static size_t peer_ips(const np_ctx *c, const json_t *peers, const char *policy_ns,
                       const np_pod **out) {
  size_t n = 0, np = 0, i, k;
  json_t *peer;
  np_peer *sel = calloc(json_array_size(peers) + 1, sizeof *sel);
  if (sel == NULL)
    return 0;
  json_array_foreach(peers, i, peer) {
    if (is_selector_peer(peer))
      sel[np++] = peer_parse(c, peer);
  }
  for (k = 0; np && k < c->npods; k++) {
    for (i = 0; i < np; i++) {
      if (peer_selects(&sel[i], policy_ns, &c->pods[k])) {
        out[n++] = &c->pods[k];
        break;
      }
    }
  }
  free(sel);
  return n;
}

static void print_ip_list(FILE *f, const np_pod *const *pods, size_t n) {
  if (n == 1) {
    fputs(pods[0]->ip, f);
    return;
  }
  fputs("{ ", f);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s%s", i ? ", " : "", pods[i]->ip);
  fputs(" }", f);
}

/* The ipBlock peer as "ip saddr CIDR[ ip saddr != { EXCEPT, ... }]"; false for
 * an IPv6 or malformed block (enforced nowhere: IPv4 only). */
static bool print_block(FILE *f, const json_t *block, enum np_dir d) {
  const char *cidr = tug_obj_get_str(block, "cidr");
  struct in_addr a;
  int prefix;
  if (cidr == NULL || tug_cidr4_parse(cidr, &a, &prefix) < 0 || strchr(cidr, '/') == NULL)
    return false;
  a.s_addr &= prefix ? htonl(~0u << (32 - prefix)) : 0;
  char net[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, net, sizeof net);
  fprintf(f, "ip %s %s/%d", dir_addr[d], net, prefix);
  const char *sep = " ip %s != { ";
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(block, "except"), i, e) {
    if (!json_is_string(e) || tug_cidr4_parse(json_string_value(e), &a, &prefix) < 0)
      continue;
    a.s_addr &= prefix ? htonl(~0u << (32 - prefix)) : 0;
    inet_ntop(AF_INET, &a, net, sizeof net);
    fprintf(f, sep, dir_addr[d]);
    fprintf(f, "%s/%d", net, prefix);
    sep = ", ";
  }
  if (*sep == ',')
    fputs(" }", f);
  return true;
}

/* One rule line: peer match, port match, verdict. */
static void print_line(FILE *f, const char *peer, const char *port, enum np_dir d) {
  fprintf(f, "\t\t%s%s%s%s%s\n", peer, *peer ? " " : "", port, *port ? " " : "", dir_verdict[d]);
}

enum np_ports { NP_RESOLVE, NP_NUMERIC, NP_NAMED };

/* Port matches of one rule into out (at most json_array_size(ports)): with
 * NP_RESOLVE every port, named ones looked up on dst and left out when dst
 * lacks them; NP_NUMERIC the others only; NP_NAMED named ones of dst only. */
static size_t port_matches(const json_t *ports, const np_pod *dst, enum np_ports mode,
                           char out[][64]) {
  size_t n = 0, i;
  json_t *port;
  json_array_foreach(ports, i, port) {
    const char *upper, *proto = l4proto(port, &upper);
    const json_t *num = json_object_get(port, "port");
    int lo = 0, hi = 0;
    if (proto == NULL || (json_is_string(num) ? mode == NP_NUMERIC : mode == NP_NAMED))
      continue;
    if (json_is_string(num)) {
      lo = hi = (int)named_port(dst, json_string_value(num), upper);
      if (lo == 0)
        continue;
    } else if (json_is_integer(num)) {
      lo = hi = (int)json_integer_value(num) & 0xffff;
      if (json_is_integer(json_object_get(port, "endPort")))
        hi = (int)json_integer_value(json_object_get(port, "endPort")) & 0xffff;
    }
    if (lo == 0)
      snprintf(out[n++], 64, "meta l4proto %s", proto);
    else if (hi > lo)
      snprintf(out[n++], 64, "meta l4proto %s th dport %d-%d", proto, lo, hi);
    else
      snprintf(out[n++], 64, "meta l4proto %s th dport %d", proto, lo);
  }
  return n;
}

static bool has_named_port(const json_t *ports) {
  size_t i;
  json_t *port;
  json_array_foreach(ports, i, port) {
    if (json_is_string(json_object_get(port, "port")))
      return true;
  }
  return false;
}

/* The peer half of a rule's lines, one text per alternative: "" for any
 * peer, "ip saddr { pods... }" for the selector peers together, one per
 * ipBlock. ips receives the selector peers' pods. malloc'd texts. */
static size_t peer_matches(const np_ctx *c, const json_t *peers, const char *policy_ns,
                           enum np_dir d, const np_pod **ips, size_t *nips, char **out) {
  size_t n = 0, i;
  json_t *peer;
  *nips = 0;
  if (json_array_size(peers) == 0) {
    out[n++] = strdup("");
    return n;
  }
  *nips = peer_ips(c, peers, policy_ns, ips);
  char *buf = NULL;
  size_t len = 0;
  FILE *f;
  if (*nips > 0 && (f = open_memstream(&buf, &len)) != NULL) {
    fprintf(f, "ip %s ", dir_addr[d]);
    print_ip_list(f, ips, *nips);
    fclose(f);
    out[n++] = buf;
  }
  json_array_foreach(peers, i, peer) {
    const json_t *block = json_object_get(peer, "ipBlock");
    if (block == NULL || (f = open_memstream(&buf, &len)) == NULL)
      continue;
    bool ok = print_block(f, block, d);
    fclose(f);
    if (ok)
      out[n++] = buf;
    else
      free(buf);
  }
  return n;
}

/* Egress to named ports: resolved on each destination pod, so one line per
 * pod and port (the peers' pods; every pod when the rule names no peer). */
static void print_named_egress(const np_ctx *c, const json_t *rule, const json_t *peers,
                               const np_pod **ips, size_t nips) {
  const json_t *ports = json_object_get(rule, "ports");
  size_t nports = json_array_size(ports), total = json_array_size(peers) ? nips : c->npods;
  char(*pm)[64] = calloc(nports, sizeof *pm);
  for (size_t k = 0; pm && k < total; k++) {
    const np_pod *dst = json_array_size(peers) ? ips[k] : &c->pods[k];
    char addr[64];
    snprintf(addr, sizeof addr, "ip daddr %s", dst->ip);
    size_t n = port_matches(ports, dst, NP_NAMED, pm);
    for (size_t j = 0; j < n; j++)
      print_line(c->f, addr, pm[j], NP_EGRESS);
  }
  free(pm);
}

/* The lines of one rule of a policy selecting self: every peer alternative
 * with every port alternative. */
static void print_rule(const np_ctx *c, const json_t *rule, const char *policy_ns,
                       const np_pod *self, enum np_dir d) {
  const json_t *peers = json_object_get(rule, dir_peers[d]),
               *ports = json_object_get(rule, "ports");
  size_t nports = json_array_size(ports), npeer, nips, i, j;
  const np_pod **ips = calloc(c->npods + 1, sizeof *ips);
  char **pt = calloc(json_array_size(peers) + 2, sizeof *pt);
  char(*pm)[64] = calloc(nports + 1, sizeof *pm);
  if (ips == NULL || pt == NULL || pm == NULL)
    goto out;
  npeer = peer_matches(c, peers, policy_ns, d, ips, &nips, pt);
  size_t nport =
      nports == 0 ? 1 : port_matches(ports, self, d == NP_INGRESS ? NP_RESOLVE : NP_NUMERIC, pm);
  for (i = 0; i < npeer; i++)
    for (j = 0; pt[i] && j < nport; j++)
      print_line(c->f, pt[i], pm[j], d);
  if (d == NP_EGRESS && has_named_port(ports))
    print_named_egress(c, rule, peers, ips, nips);
  for (i = 0; i < npeer; i++)
    free(pt[i]);
out:
  free(ips);
  free(pt);
  free(pm);
}

/* --- chains -------------------------------------------------------------- */

/* pol-in-NS/NAME-HASH: readable, and the hash of the uid keeps two pods
 * whose names sanitize alike apart. */
static void chain_name(const np_pod *p, enum np_dir d, char *out, size_t size) {
  char sns[AGENT_PROXY_LABEL_PART + 1], sname[AGENT_PROXY_LABEL_PART + 1];
  agent_proxy_sanitize(p->ns, sns);
  agent_proxy_sanitize(p->name, sname);
  uint32_t h = agent_proxy_fnv1a(p->uid ? p->uid : p->name, 2166136261u);
  snprintf(out, size, "%s%s/%s-%08x", dir_chain[d], sns, sname, h);
}

/* The policies (sorted by namespace, then name) of p's namespace that
 * select p and isolate it in d; only that namespace's are looked at. */
static size_t selecting(const np_ctx *c, const json_t *const *policies, size_t n, const np_pod *p,
                        enum np_dir d, const json_t **out) {
  size_t lo = 0, hi = n, k = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(tug_obj_namespace(policies[mid]), p->ns) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (size_t i = lo; i < n && strcmp(tug_obj_namespace(policies[i]), p->ns) == 0; i++) {
    const json_t *pol = policies[i];
    if (isolates(pol, d) && selects(c, tug_obj_get(pol, "spec.podSelector"), p->labels))
      out[k++] = pol;
  }
  return k;
}

static void print_pod_chain(const np_ctx *c, const np_pod *p, enum np_dir d,
                            const json_t *const *pols, size_t npols) {
  char name[256];
  size_t i, j;
  json_t *rule;
  chain_name(p, d, name, sizeof name);
  fprintf(c->f, "\tchain %s {\n", name);
  for (i = 0; i < npols; i++) {
    json_array_foreach(tug_obj_get(pols[i], dir_rules[d]), j, rule) {
      if (json_is_object(rule))
        print_rule(c, rule, tug_obj_namespace(pols[i]), p, d);
    }
  }
  fprintf(c->f, "\t\tgoto policy-deny\n\t}\n");
}

/* The isolated pods of this node: map elements first (the maps come before
 * the chains in the text, as nft reads a table whole), then their chains. */
typedef struct np_isolated {
  const np_pod *pod;
  const json_t **pols[2];
  size_t npols[2];
} np_isolated;

static void print_map(FILE *f, const char *name, const np_isolated *iso, size_t n, enum np_dir d) {
  char chain[256];
  fprintf(f, "\tmap %s {\n\t\ttype ipv4_addr : verdict\n", name);
  const char *sep = "\t\telements = {\n";
  for (size_t i = 0; i < n; i++) {
    if (iso[i].npols[d] == 0)
      continue;
    chain_name(iso[i].pod, d, chain, sizeof chain);
    fprintf(f, "%s\t\t\t%s : jump %s", sep, iso[i].pod->ip, chain);
    sep = ",\n";
  }
  fprintf(f, "%s\t}\n", *sep == ',' ? "\n\t\t}\n" : "");
}

/* Replies pass first; then the source's egress chain (it returns when
 * allowed), then the destination's ingress chain. Pods reach the node
 * itself (its DNS responder) through input, so egress is checked there too;
 * the node's own traffic to its pods is never held, as in Kubernetes. */
static void print_base(FILE *f) {
  fprintf(f, "\tchain policy-forward {\n"
             "\t\ttype filter hook forward priority filter - 5; policy accept;\n"
             "\t\tct state established,related accept\n"
             "\t\tip saddr vmap @policy_egress\n"
             "\t\tip daddr vmap @policy_ingress\n"
             "\t}\n"
             "\tchain policy-input {\n"
             "\t\ttype filter hook input priority filter - 5; policy accept;\n"
             "\t\tct state established,related accept\n"
             "\t\tip saddr vmap @policy_egress\n"
             "\t}\n"
             "\tchain policy-deny {\n"
             "\t\tmeta l4proto tcp reject with tcp reset\n"
             "\t\treject with icmp type admin-prohibited\n"
             "\t}\n");
}

static void print_policies(np_ctx *c, const json_t *const *pols, size_t npols) {
  np_isolated *iso = calloc(c->npods + 1, sizeof *iso);
  size_t n = 0;
  for (size_t i = 0; iso && i < c->npods; i++) {
    const np_pod *p = &c->pods[i];
    if (p->node == NULL || strcmp(p->node, c->in->node_name) != 0)
      continue;
    np_isolated it = {.pod = p};
    for (int d = NP_INGRESS; d <= NP_EGRESS; d++) {
      it.pols[d] = calloc(npols + 1, sizeof *it.pols[d]);
      it.npols[d] = it.pols[d] ? selecting(c, pols, npols, p, d, it.pols[d]) : 0;
    }
    iso[n++] = it;
  }
  print_map(c->f, "policy_ingress", iso, n, NP_INGRESS);
  print_map(c->f, "policy_egress", iso, n, NP_EGRESS);
  print_base(c->f);
  for (size_t i = 0; i < n; i++) {
    for (int d = NP_INGRESS; d <= NP_EGRESS; d++) {
      if (iso[i].npols[d])
        print_pod_chain(c, iso[i].pod, d, iso[i].pols[d], iso[i].npols[d]);
      free(iso[i].pols[d]);
    }
  }
  free(iso);
}

static int collect(np_ctx *c, const json_t ***pols, size_t *npols) {
  const agent_netpol_input *in = c->in;
  size_t i, n = 0;
  json_t *o;
  c->pods = calloc(json_array_size(in->pods) + 1, sizeof *c->pods);
  *pols = calloc(json_array_size(in->policies) + 1, sizeof **pols);
  c->ns_labels = json_object();
  c->parsed = tug_hashmap_new();
  if (c->pods == NULL || *pols == NULL || c->ns_labels == NULL || c->parsed == NULL)
    return -1;
  json_array_foreach(in->pods, i, o) {
    if (usable(o, &c->pods[c->npods]))
      c->npods++;
  }
  qsort(c->pods, c->npods, sizeof *c->pods, by_ns_name);
  json_array_foreach(in->policies, i, o) {
    if (tug_obj_namespace(o) && tug_obj_name(o))
      (*pols)[n++] = o;
  }
  qsort(*pols, n, sizeof **pols, by_policy_name);
  *npols = n;
  json_array_foreach(in->namespaces, i, o) {
    json_t *labels = tug_obj_get(o, "metadata.labels");
    if (tug_obj_name(o))
      json_object_set(c->ns_labels, tug_obj_name(o), labels ? labels : json_null());
  }
  for (i = 0; i < c->npods; i++)
    c->pods[i].ns_labels = json_object_get(c->ns_labels, c->pods[i].ns);
  return 0;
}

char *agent_netpol_render(const agent_netpol_input *in, tug_error *err) {
  if (in == NULL || in->node_name == NULL)
    return tug_error_set(err, EINVAL, "render network policies: no node name"), NULL;
  const json_t *lists[] = {in->policies, in->pods, in->namespaces};
  for (size_t i = 0; i < 3; i++)
    if (lists[i] && !json_is_array(lists[i]))
      return tug_error_set(err, TUG_E_PARSE,
                           "render network policies: policies, pods and namespaces must be "
                           "JSON arrays"),
             NULL;
  np_ctx c = {.in = in};
  const json_t **pols = NULL;
  size_t npols = 0, len = 0;
  char *buf = NULL;
  if (collect(&c, &pols, &npols) == 0 && (c.f = open_memstream(&buf, &len)) != NULL) {
    print_policies(&c, pols, npols);
    if (ferror(c.f) | fclose(c.f)) {
      free(buf);
      buf = NULL;
    }
  }
  free(c.pods);
  free(pols);
  json_decref(c.ns_labels);
  tug_hashmap_free(c.parsed, free_selector);
  if (buf == NULL)
    tug_error_errno(err, ENOMEM, "render network policies");
  return buf;
}
