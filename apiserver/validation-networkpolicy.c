/*
 * validation-networkpolicy.c — NetworkPolicy (networking.k8s.io/v1).
 *
 * Checked and defaulted as Kubernetes does, so that a manifest valid there is
 * valid here: a policy without policyTypes isolates Ingress, and Egress too
 * when it has egress rules (written into the object, so that every agent and
 * reader sees one answer); a port's protocol defaults to TCP. A peer is one
 * of podSelector and namespaceSelector (both may be given) or an ipBlock
 * alone; an ipBlock's excepts are strict subsets of its cidr. IPv6 blocks are
 * valid, as in Kubernetes, though the agents enforce IPv4 only.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

/* ---- defaults ---- */

static void default_ports(json_t *rules) {
  size_t i, j;
  json_t *rule, *port;
  json_array_foreach(rules, i, rule) {
    json_array_foreach(json_object_get(rule, "ports"), j, port) {
      if (json_is_object(port))
        val_default(port, "protocol", json_string("TCP"));
    }
  }
}

void api_default_networkpolicy(json_t *obj) {
  json_t *spec = val_default_object(obj, "spec");
  if (spec == NULL)
    return;
  default_ports(json_object_get(spec, "ingress"));
  default_ports(json_object_get(spec, "egress"));
  if (json_array_size(json_object_get(spec, "policyTypes")) > 0)
    return;
  json_t *types = json_array();
  json_array_append_new(types, json_string("Ingress"));
  if (json_array_size(json_object_get(spec, "egress")) > 0)
    json_array_append_new(types, json_string("Egress"));
  json_object_set_new(spec, "policyTypes", types);
}

/* ---- address blocks ---- */

typedef struct np_cidr {
  int family, prefix;
  unsigned char addr[16];
} np_cidr;

/* "198.18.0.0/16" or "fd00::/8" (host bits allowed, as net.ParseCIDR allows them). */
static bool parse_cidr(const char *s, np_cidr *c) {
  const char *slash = s ? strchr(s, '/') : NULL;
  char ip[INET6_ADDRSTRLEN];
  size_t n = slash ? (size_t)(slash - s) : 0;
  if (slash == NULL || n >= sizeof ip)
    return false;
  memcpy(ip, s, n);
  ip[n] = '\0';
  c->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
  int max = c->family == AF_INET ? 32 : 128;
  const char *bits = slash + 1;
  size_t len = strlen(bits);
  if (len == 0 || len > 3 || (len > 1 && bits[0] == '0') || strspn(bits, "0123456789") != len)
    return false;
  c->prefix = atoi(bits);
  return c->prefix <= max && inet_pton(c->family, ip, c->addr) == 1;
}

/* Whether inner lies within outer and is smaller (a longer prefix). */
static bool strict_subset(const np_cidr *outer, const np_cidr *inner) {
  if (outer->family != inner->family || inner->prefix <= outer->prefix)
    return false;
  for (int bit = 0; bit < outer->prefix; bit++) {
    unsigned char mask = (unsigned char)(0x80 >> (bit % 8));
    if ((outer->addr[bit / 8] & mask) != (inner->addr[bit / 8] & mask))
      return false;
  }
  return true;
}

static void validate_ip_block(const val_obj *block) {
  static const char bad_cidr[] = "must be a valid CIDR (e.g. 198.18.0.0/16)";
  np_cidr outer, inner;
  const char *cidr = val_string(block, "cidr");
  if (cidr == NULL || *cidr == '\0') {
    val_required(block, "cidr", NULL);
    return;
  }
  bool outer_ok = parse_cidr(cidr, &outer);
  if (!outer_ok)
    val_invalid_str(block, "cidr", cidr, bad_cidr);
  val_obj list;
  val_descend(&list, block, "except", val_array(block, "except"));
  size_t i;
  json_t *e;
  json_array_foreach(list.json, i, e) {
    val_field at = val_bracket_index(i);
    const char *s = json_string_value(e);
    if (s == NULL || !parse_cidr(s, &inner))
      val_invalid(&list, at.s, e, bad_cidr);
    else if (outer_ok && !strict_subset(&outer, &inner))
      val_invalid(&list, at.s, e, "must be a strict subset of `cidr`");
  }
}

/* ---- peers and ports ---- */

/* A LabelSelector member, when present: 1, else 0. */
static int check_selector(const val_obj *o, const char *key) {
  bool empty;
  if (!val_present(o, key))
    return 0;
  _cleanup_selector_ tug_selector *sel = val_label_selector(o, key, &empty);
  return 1;
}

static void validate_peer(const val_obj *peer) {
  int n = check_selector(peer, "podSelector") + check_selector(peer, "namespaceSelector");
  val_obj block;
  bool has_block = val_enter(&block, peer, "ipBlock");
  if (has_block) {
    n++;
    validate_ip_block(&block);
  }
  if (n == 0)
    val_required(peer, NULL, "must specify a peer");
  else if (n > 1 && has_block)
    val_forbidden(peer, NULL, "may not specify both ipBlock and another peer");
}

static void validate_port(const val_obj *port) {
  val_protocol(port, "protocol");
  json_t *p = json_object_get(port->json, "port");
  bool has_end = val_present(port, "endPort");
  int64_t num, end;
  if (p == NULL || json_is_null(p)) {
    if (has_end)
      val_invalid(port, "endPort", json_object_get(port->json, "endPort"),
                  "may not be specified when `port` is not specified");
  } else if (json_is_string(p)) {
    const char *problem = val_port_name_problem(json_string_value(p));
    if (problem)
      val_invalid(port, "port", p, "%s", problem);
    if (has_end)
      val_invalid(port, "endPort", json_object_get(port->json, "endPort"),
                  "may not be specified when `port` is non-numeric");
  } else if (val_port_number(port, "port", true, &num) && has_end &&
             val_port_number(port, "endPort", false, &end) && end < num) {
    val_invalid(port, "endPort", p, "must be greater than or equal to `port`");
  }
}

static void validate_rules(const val_obj *spec, const char *key, const char *peers) {
  val_obj rule, item;
  size_t n = val_array_len(spec, key);
  for (size_t i = 0; i < n; i++) {
    if (!val_enter_item(&rule, spec, key, i))
      continue;
    size_t np = val_array_len(&rule, "ports"), nq = val_array_len(&rule, peers);
    for (size_t j = 0; j < np; j++)
      if (val_enter_item(&item, &rule, "ports", j))
        validate_port(&item);
    for (size_t j = 0; j < nq; j++)
      if (val_enter_item(&item, &rule, peers, j))
        validate_peer(&item);
  }
}

static void validate_policy_types(const val_obj *spec) {
  static const char *const types[] = {"Ingress", "Egress", NULL};
  json_t *list = val_array(spec, "policyTypes");
  if (json_array_size(list) > 2) {
    val_invalid(spec, "policyTypes", list, "may not specify more than two policyTypes");
    return;
  }
  val_obj items;
  val_descend(&items, spec, "policyTypes", list);
  size_t i;
  json_t *t;
  json_array_foreach(list, i, t) {
    const char *s = json_string_value(t);
    if (s == NULL || (strcmp(s, "Ingress") != 0 && strcmp(s, "Egress") != 0))
      val_not_supported(&items, val_bracket_index(i).s, t, types);
  }
}

void api_validate_networkpolicy(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  check_selector(&spec, "podSelector");
  validate_rules(&spec, "ingress", "from");
  validate_rules(&spec, "egress", "to");
  validate_policy_types(&spec);
}
