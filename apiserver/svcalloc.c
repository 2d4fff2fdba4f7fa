/* svcalloc.c — ranges, the bitmap hint and claims (see svcalloc.h). */
#include "svcalloc-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "modify.h"
#include "object.h"

#define IP_KEYS API_SVCALLOC_PREFIX "clusterips/"
#define PORT_KEYS API_SVCALLOC_PREFIX "nodeports/"

/* ---- ranges ---- */

static int parse_cidr(api_svcalloc *a, const char *cidr, tug_error *err) {
  char ip[INET_ADDRSTRLEN], *end = NULL;
  const char *slash = cidr ? strchr(cidr, '/') : NULL;
  long bits = slash && slash[1] ? strtol(slash + 1, &end, 10) : -1;
  struct in_addr in;
  if (slash == NULL || (size_t)(slash - cidr) >= sizeof ip || end == NULL || *end)
    return tug_error_set(err, EINVAL, "service cluster IP range \"%s\": expected an IPv4 CIDR",
                         cidr ? cidr : "");
  memcpy(ip, cidr, slash - cidr);
  ip[slash - cidr] = '\0';
  if (inet_pton(AF_INET, ip, &in) != 1)
    return tug_error_set(err, EINVAL, "service cluster IP range \"%s\": expected an IPv4 CIDR",
                         cidr);
  /* Kubernetes caps the bitmap at 2^20 addresses; /29 leaves five to hand out. */
  if (bits < 12 || bits > 29)
    return tug_error_set(
        err, EINVAL, "service cluster IP range %s: the prefix must be between /12 and /29", cidr);
  a->prefix = (int)bits;
  a->net = ntohl(in.s_addr) & (~0u << (32 - bits));
  struct in_addr net = {htonl(a->net)};
  inet_ntop(AF_INET, &net, ip, sizeof ip);
  snprintf(a->cidr, sizeof a->cidr, "%s/%d", ip, a->prefix);
  a->ips.n = 1u << (32 - bits);
  return 0;
}

static int parse_ports(api_svcalloc *a, const char *s, tug_error *err) {
  int lo, hi;
  char extra;
  if (s == NULL || sscanf(s, "%d-%d%c", &lo, &hi, &extra) != 2 || lo < 1 || hi > 65535 || lo > hi)
    return tug_error_set(err, EINVAL,
                         "service node port range \"%s\": expected MIN-MAX within "
                         "1-65535",
                         s ? s : "");
  a->port_min = lo;
  a->port_max = hi;
  a->ports.n = (uint32_t)(hi - lo + 1);
  return 0;
}

static int bits_alloc(svc_bits *b) {
  size_t words = (b->n + 63) / 64;
  b->used = calloc(words, sizeof *b->used);
  b->busy = calloc(words, sizeof *b->busy);
  return b->used && b->busy ? 0 : -1;
}

api_svcalloc *api_svcalloc_new(const char *cidr, const char *node_ports, tug_error *err) {
  api_svcalloc *a = calloc(1, sizeof *a);
  if (a == NULL) {
    tug_error_errno(err, ENOMEM, "service allocator");
    return NULL;
  }
  pthread_mutex_init(&a->mu, NULL);
  if (parse_cidr(a, cidr, err) < 0 || parse_ports(a, node_ports, err) < 0) {
    api_svcalloc_free(a);
    return NULL;
  }
  if (bits_alloc(&a->ips) < 0 || bits_alloc(&a->ports) < 0 ||
      getrandom(&a->rng, sizeof a->rng, 0) != sizeof a->rng) {
    tug_error_errno(err, ENOMEM, "service allocator");
    api_svcalloc_free(a);
    return NULL;
  }
  a->rng |= 1;
  return a;
}

const char *api_svcalloc_cidr(const api_svcalloc *a) {
  return a->cidr;
}

void api_svcalloc_port_range(const api_svcalloc *a, int *min, int *max) {
  *min = a->port_min;
  *max = a->port_max;
}

static bool in_range(const api_svcalloc *a, const api_svc_item *it) {
  if (!it->ip)
    return it->value >= (uint32_t)a->port_min && it->value <= (uint32_t)a->port_max;
  uint32_t off = it->value - a->net;
  return (it->value >> (32 - a->prefix)) == (a->net >> (32 - a->prefix)) && off != 0 &&
         off != a->ips.n - 1;
}

/* ---- keys and owners ---- */

void svc_item_key(const api_svc_item *it, char *buf, size_t size) {
  if (it->ip) {
    char ip[INET_ADDRSTRLEN];
    struct in_addr in = {htonl(it->value)};
    inet_ntop(AF_INET, &in, ip, sizeof ip);
    snprintf(buf, size, IP_KEYS "%s", ip);
  } else {
    snprintf(buf, size, PORT_KEYS "%" PRIu32, it->value);
  }
}

bool svc_key_item(const char *key, size_t len, api_svc_item *it) {
  char k[SVC_KEY_MAX];
  if (len >= sizeof k)
    return false;
  memcpy(k, key, len);
  k[len] = '\0';
  memset(it, 0, sizeof *it);
  if (strncmp(k, IP_KEYS, strlen(IP_KEYS)) == 0) {
    struct in_addr in;
    if (inet_pton(AF_INET, k + strlen(IP_KEYS), &in) != 1)
      return false;
    it->ip = true;
    it->value = ntohl(in.s_addr);
    return true;
  }
  if (strncmp(k, PORT_KEYS, strlen(PORT_KEYS)) == 0) {
    char *end;
    long port = strtol(k + strlen(PORT_KEYS), &end, 10);
    it->value = (uint32_t)port;
    return *end == '\0' && port > 0 && port < 65536;
  }
  return false;
}

void svc_owner(const json_t *svc, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s", tug_obj_namespace(svc) ? tug_obj_namespace(svc) : "",
           tug_obj_name(svc) ? tug_obj_name(svc) : "");
}

void svc_value_owner(const char *value, size_t len, char *buf, size_t size) {
  json_t *v = json_loadb(value, len, 0, NULL);
  const char *ns = json_string_value(json_object_get(v, "namespace"));
  const char *name = json_string_value(json_object_get(v, "name"));
  snprintf(buf, size, "%s/%s", ns ? ns : "", name ? name : "");
  if (ns == NULL || name == NULL)
    buf[0] = '\0';
  json_decref(v);
}

char *svc_owner_value(const json_t *svc) {
  json_t *v = json_pack("{s:s?, s:s?, s:s?}", "namespace", tug_obj_namespace(svc), "name",
                        tug_obj_name(svc), "uid", tug_obj_uid(svc));
  char *s = json_dumps(v, JSON_COMPACT);
  json_decref(v);
  return s;
}

static const char *svc_type(const json_t *svc) {
  const char *t = tug_obj_get_str(svc, "spec.type");
  return t ? t : "ClusterIP";
}

static bool is_node_port(const json_t *svc) {
  return strcmp(svc_type(svc), "NodePort") == 0;
}

static bool has_cluster_ip(const json_t *svc) {
  return strcmp(svc_type(svc), "ClusterIP") == 0 || is_node_port(svc);
}

static bool same_item(const api_svc_item *x, const api_svc_item *y) {
  return x->ip == y->ip && x->value == y->value;
}

static bool among(const api_svc_item *list, size_t n, const api_svc_item *it) {
  for (size_t i = 0; i < n; i++)
    if (same_item(&list[i], it))
      return true;
  return false;
}

size_t svc_wanted(const api_svcalloc *a, const json_t *svc, api_svc_item *out, size_t max) {
  size_t n = 0;
  if (svc == NULL || !has_cluster_ip(svc))
    return 0;
  const char *ip = tug_obj_get_str(svc, "spec.clusterIP");
  struct in_addr in;
  if (ip && inet_pton(AF_INET, ip, &in) == 1) {
    api_svc_item it = {.ip = true, .value = ntohl(in.s_addr)};
    if (in_range(a, &it) && n < max)
      out[n++] = it;
  }
  size_t i;
  json_t *p;
  json_array_foreach(is_node_port(svc) ? tug_obj_get(svc, "spec.ports") : NULL, i, p) {
    api_svc_item it = {.value = (uint32_t)tug_obj_get_int(p, "nodePort", 0), .port_index = (int)i};
    if (in_range(a, &it) && !among(out, n, &it) && n < max)
      out[n++] = it;
  }
  return n;
}

/* ---- the hint ---- */

static bool bit(const uint64_t *w, uint32_t i) {
  return (w[i / 64] >> (i % 64)) & 1;
}

static void set_bit(uint64_t *w, uint32_t i, bool on) {
  if (on)
    w[i / 64] |= 1ull << (i % 64);
  else
    w[i / 64] &= ~(1ull << (i % 64));
}

static svc_bits *bits_of(api_svcalloc *a, const api_svc_item *it, uint32_t *off) {
  *off = it->ip ? it->value - a->net : it->value - (uint32_t)a->port_min;
  return it->ip ? &a->ips : &a->ports;
}

void svc_hint_set(api_svcalloc *a, const api_svc_item *it, bool used) {
  uint32_t off;
  if (!in_range(a, it))
    return;
  svc_bits *b = bits_of(a, it, &off);
  set_bit(b->used, off, used);
}

static void hint_busy(api_svcalloc *a, const api_svc_item *it, bool busy) {
  uint32_t off;
  if (!in_range(a, it))
    return;
  svc_bits *b = bits_of(a, it, &off);
  set_bit(b->busy, off, busy);
}

void svc_hint_reset(api_svcalloc *a) {
  memset(a->ips.used, 0, (a->ips.n + 63) / 64 * sizeof *a->ips.used);
  memset(a->ports.used, 0, (a->ports.n + 63) / 64 * sizeof *a->ports.used);
}

static uint64_t next_random(api_svcalloc *a) {
  a->rng ^= a->rng << 13;
  a->rng ^= a->rng >> 7;
  a->rng ^= a->rng << 17;
  return a->rng;
}

/* A value free in the hint, from a random start; false when the range is full. */
static bool pick(api_svcalloc *a, bool ip, api_svc_item *out) {
  pthread_mutex_lock(&a->mu);
  svc_bits *b = ip ? &a->ips : &a->ports;
  uint32_t n = b->n, start = (uint32_t)(next_random(a) % n);
  bool found = false;
  for (uint32_t k = 0; k < n && !found;) {
    uint32_t i = (start + k) % n;
    uint64_t word = b->used[i / 64] | b->busy[i / 64];
    if (i % 64 == 0 && word == ~0ull) {
      k += 64;
      continue;
    }
    bool reserved = ip && (i <= 1 || i == n - 1);
    if (!bit(b->used, i) && !bit(b->busy, i) && !reserved) {
      *out = (api_svc_item){.ip = ip, .value = ip ? a->net + i : (uint32_t)a->port_min + i};
      set_bit(b->busy, i, true);
      found = true;
    }
    k++;
  }
  pthread_mutex_unlock(&a->mu);
  return found;
}

/* ---- claims ---- */

static const api_kind *service_kind(void) {
  return api_kind_by_resource("", "v1", "services");
}

static void ip_text(uint32_t value, char *buf, size_t size) {
  struct in_addr in = {htonl(value)};
  inet_ntop(AF_INET, &in, buf, size);
}

static void ip_cause(json_t *causes, const char *ip, const char *why, const char *cidr) {
  api_cause(causes, "FieldValueInvalid", "spec.clusterIPs",
            "Invalid value: [\"%s\"]: failed to allocate IP %s: provided IP %s%s%s", ip, ip, why,
            cidr ? ". The range of valid IPs is " : "", cidr ? cidr : "");
}

static void port_cause(json_t *causes, const api_svc_item *it) {
  char field[64];
  snprintf(field, sizeof field, "spec.ports[%d].nodePort", it->port_index);
  api_cause(causes, "FieldValueInvalid", field,
            "Invalid value: %" PRIu32 ": provided port is already allocated", it->value);
}

/* Cluster IP fields as Kubernetes fills them for a single-stack IPv4 cluster. */
static void set_ip_fields(json_t *spec, const char *given) {
  char ip[INET_ADDRSTRLEN + 8]; /* given may be spec's own string, replaced below */
  snprintf(ip, sizeof ip, "%s", given);
  json_object_set_new(spec, "clusterIP", json_string(ip));
  json_t *ips = json_object_get(spec, "clusterIPs");
  if (!json_is_array(ips) || json_array_size(ips) == 0)
    json_object_set_new(spec, "clusterIPs", json_pack("[s]", ip));
  if (json_array_size(json_object_get(spec, "ipFamilies")) == 0)
    json_object_set_new(spec, "ipFamilies", json_pack("[s]", "IPv4"));
  if (!json_is_string(json_object_get(spec, "ipFamilyPolicy")))
    json_object_set_new(spec, "ipFamilyPolicy", json_string("SingleStack"));
}

/* Pick what svc lacks; a named cluster IP outside the range is a cause. */
static int fill(api_svcalloc *a, json_t *svc, const json_t *old, api_svc_item *picked,
                size_t *npicked, json_t *causes, api_response *out) {
  json_t *spec = json_object_get(svc, "spec");
  const char *ip = json_string_value(json_object_get(spec, "clusterIP"));
  if (strcmp(svc_type(svc), "ClusterIP") == 0 && ip && strcmp(ip, "None") == 0) {
    set_ip_fields(spec, "None");
    return 0;
  }
  if (!has_cluster_ip(svc))
    return 0;
  if (ip == NULL || *ip == '\0') {
    api_svc_item it;
    if (!pick(a, true, &it)) {
      api_fail(out, 500, "Internal error occurred: failed to allocate a serviceIP: range is full");
      return -1;
    }
    picked[(*npicked)++] = it;
    char text[INET_ADDRSTRLEN];
    ip_text(it.value, text, sizeof text);
    set_ip_fields(spec, text);
  } else {
    struct in_addr in;
    api_svc_item it = {.ip = true};
    const char *old_ip = tug_obj_get_str(old, "spec.clusterIP");
    if (inet_pton(AF_INET, ip, &in) == 1 && (it.value = ntohl(in.s_addr), !in_range(a, &it)) &&
        !(old_ip && strcmp(old_ip, ip) == 0))
      ip_cause(causes, ip, "is not in the valid range", a->cidr);
    set_ip_fields(spec, ip);
  }
  size_t i;
  json_t *p;
  json_array_foreach(is_node_port(svc) ? json_object_get(spec, "ports") : NULL, i, p) {
    if (!json_is_object(p) || tug_obj_get_int(p, "nodePort", 0) != 0)
      continue;
    api_svc_item it;
    if (!pick(a, false, &it)) {
      api_fail(out, 500, "Internal error occurred: failed to allocate a nodePort: range is full");
      return -1;
    }
    picked[(*npicked)++] = it;
    json_object_set_new(p, "nodePort", json_integer(it.value));
  }
  return 0;
}

/* Delete key in txn if it still names owner (guarded by its revision). */
static int add_release(api_svcalloc *a, api_txn *txn, const api_svc_item *it, const char *owner,
                       tug_error *err) {
  char key[SVC_KEY_MAX], holder[320];
  svc_item_key(it, key, sizeof key);
  tug_etcd_range r;
  if (tug_etcd_get(a->etcd, key, &r, err) < 0)
    return tug_error_wrap(err, "release %s", key);
  if (r.n == 1) {
    svc_value_owner(r.kvs[0].value, r.kvs[0].value_len, holder, sizeof holder);
    if (strcmp(holder, owner) == 0) {
      api_txn_compare_mod(txn, key, r.kvs[0].mod_revision);
      api_txn_delete(txn, key);
    } else {
      tug_warn("allocation held by another service", "key=%s service=%s holder=%s", key, owner,
               holder);
    }
  }
  tug_etcd_range_free(&r);
  return 0;
}

/* The keys svc takes and gives back, into c and txn. */
static int diff_into_txn(api_svcalloc *a, const json_t *svc, const json_t *old,
                         const api_svc_item *named, size_t nnamed, api_txn *txn, api_svc_claim *c,
                         api_response *out) {
  api_svc_item now[SVC_WANT_MAX], held[SVC_WANT_MAX];
  size_t nnow = svc_wanted(a, svc, now, SVC_WANT_MAX);
  size_t nheld = svc_wanted(a, old, held, SVC_WANT_MAX);
  for (size_t i = 0; i < nnow; i++)
    if (!among(held, nheld, &now[i])) {
      now[i].given = among(named, nnamed, &now[i]);
      c->taken[c->ntaken++] = now[i];
    }
  for (size_t i = 0; i < nheld; i++)
    if (!among(now, nnow, &held[i]))
      c->released[c->nreleased++] = held[i];
  if (txn->ncmp + c->ntaken + c->nreleased > API_TXN_MAX ||
      txn->nops + c->ntaken + c->nreleased > API_TXN_MAX) {
    api_fail(out, 422,
             "Service \"%s\" is invalid: spec.ports: Too many: %zu: must have at most "
             "%d node ports",
             tug_obj_name(svc), c->ntaken, API_SVC_CLAIM_MAX - 1);
    return -1;
  }
  char owner[320], key[SVC_KEY_MAX];
  svc_owner(svc, owner, sizeof owner);
  for (size_t i = 0; i < c->ntaken; i++) {
    svc_item_key(&c->taken[i], key, sizeof key);
    api_txn_compare_absent(txn, key);
    api_txn_put(txn, key, svc_owner_value(svc));
  }
  tug_error err = {0};
  for (size_t i = 0; i < c->nreleased; i++)
    if (add_release(a, txn, &c->released[i], owner, &err) < 0) {
      api_fail_error(out, service_kind(), tug_obj_name(svc), &err);
      return -1;
    }
  return 0;
}

static bool too_many_ports(const json_t *svc) {
  return is_node_port(svc) && json_array_size(tug_obj_get(svc, "spec.ports")) >= API_SVC_CLAIM_MAX;
}

static void mark_busy(api_svcalloc *a, const api_svc_item *items, size_t n, bool busy,
                      const api_svc_claim *except) {
  pthread_mutex_lock(&a->mu);
  for (size_t i = 0; i < n; i++)
    if (except == NULL || !among(except->taken, except->ntaken, &items[i]))
      hint_busy(a, &items[i], busy);
  pthread_mutex_unlock(&a->mu);
}

int api_svcalloc_claim(api_svcalloc *a, const api_kind *k, json_t *svc, const json_t *old,
                       api_txn *txn, api_svc_claim *c, api_response *out) {
  memset(c, 0, sizeof *c);
  if (a == NULL || strcmp(k->kind, "Service") != 0 || !json_is_object(tug_obj_get(svc, "spec")))
    return 0;
  c->spec = json_deep_copy(tug_obj_get(svc, "spec"));
  json_t *causes = json_array();
  if (too_many_ports(svc))
    api_cause(causes, "FieldValueTooMany", "spec.ports",
              "Too many: %zu: must have at most %d items",
              json_array_size(tug_obj_get(svc, "spec.ports")), API_SVC_CLAIM_MAX - 1);
  /* Values named or already held are busy while picking, so no pick lands on
   * them even when the hint lags behind etcd. */
  api_svc_item named[SVC_WANT_MAX], held[SVC_WANT_MAX], picked[SVC_WANT_MAX];
  size_t nnamed = svc_wanted(a, svc, named, SVC_WANT_MAX);
  size_t nheld = svc_wanted(a, old, held, SVC_WANT_MAX), npicked = 0;
  mark_busy(a, named, nnamed, true, NULL);
  mark_busy(a, held, nheld, true, NULL);
  int rc = json_array_size(causes) ? 0 : fill(a, svc, old, picked, &npicked, causes, out);
  if (rc == 0 && json_array_size(causes) > 0)
    rc = api_invalid(k, svc, json_incref(causes), out);
  else if (rc == 0)
    rc = diff_into_txn(a, svc, old, named, nnamed, txn, c, out);
  /* From here on busy marks follow c->taken, which api_svcalloc_done clears. */
  mark_busy(a, named, nnamed, false, c);
  mark_busy(a, held, nheld, false, c);
  mark_busy(a, picked, npicked, false, c);
  if (rc < 0)
    json_object_set_new(svc, "spec", json_deep_copy(c->spec));
  json_decref(causes);
  return rc;
}

/* Causes for the named values another Service holds in etcd; marks every
 * taken value found there as used. -1 when etcd cannot be read. */
static int held_elsewhere(api_svcalloc *a, const api_svc_claim *c, json_t *causes, tug_error *err) {
  for (size_t i = 0; i < c->ntaken; i++) {
    char key[SVC_KEY_MAX];
    svc_item_key(&c->taken[i], key, sizeof key);
    tug_etcd_range r;
    if (tug_etcd_get(a->etcd, key, &r, err) < 0)
      return -1;
    bool held = r.n > 0;
    tug_etcd_range_free(&r);
    if (!held)
      continue;
    pthread_mutex_lock(&a->mu);
    svc_hint_set(a, &c->taken[i], true);
    pthread_mutex_unlock(&a->mu);
    if (!c->taken[i].given)
      continue;
    if (c->taken[i].ip) {
      char ip[INET_ADDRSTRLEN];
      ip_text(c->taken[i].value, ip, sizeof ip);
      ip_cause(causes, ip, "is already allocated", NULL);
    } else {
      port_cause(causes, &c->taken[i]);
    }
  }
  return 0;
}

int api_svcalloc_lost(api_svcalloc *a, api_svc_claim *c, json_t *svc, api_response *out) {
  if (c->spec == NULL)
    return 0;
  json_t *causes = json_array();
  tug_error err = {0};
  int rc = 0;
  if (held_elsewhere(a, c, causes, &err) < 0)
    api_fail_error(out, service_kind(), tug_obj_name(svc), &err), rc = -1;
  else if (json_array_size(causes) > 0)
    rc = api_invalid(service_kind(), svc, json_incref(causes), out);
  json_decref(causes);
  json_object_set_new(svc, "spec", json_deep_copy(c->spec));
  return rc;
}

void api_svcalloc_done(api_svcalloc *a, api_svc_claim *c, bool committed) {
  if (a == NULL || c->spec == NULL)
    return;
  pthread_mutex_lock(&a->mu);
  for (size_t i = 0; i < c->ntaken; i++) {
    hint_busy(a, &c->taken[i], false);
    if (committed)
      svc_hint_set(a, &c->taken[i], true);
  }
  for (size_t i = 0; committed && i < c->nreleased; i++)
    svc_hint_set(a, &c->released[i], false);
  pthread_mutex_unlock(&a->mu);
  json_decref(c->spec);
  memset(c, 0, sizeof *c);
}

int api_svcalloc_preview(api_svcalloc *a, const api_kind *k, json_t *svc, const json_t *old,
                         api_response *out) {
  api_txn scratch = {0};
  api_svc_claim c;
  int rc = api_svcalloc_claim(a, k, svc, old, &scratch, &c, out);
  if (rc == 0 && c.spec) {
    json_t *causes = json_array();
    tug_error err = {0};
    if (held_elsewhere(a, &c, causes, &err) < 0)
      api_fail_error(out, k, tug_obj_name(svc), &err), rc = -1;
    else if (json_array_size(causes) > 0)
      rc = api_invalid(k, svc, json_incref(causes), out);
    json_decref(causes);
  }
  api_txn_clear(&scratch);
  api_svcalloc_done(a, &c, false);
  return rc;
}

int api_svcalloc_release(api_svcalloc *a, const api_kind *k, const json_t *svc, api_txn *txn,
                         tug_error *err) {
  if (a == NULL || strcmp(k->kind, "Service") != 0)
    return 0;
  api_svc_item held[SVC_WANT_MAX];
  size_t n = svc_wanted(a, svc, held, SVC_WANT_MAX);
  char owner[320];
  svc_owner(svc, owner, sizeof owner);
  for (size_t i = 0; i < n; i++)
    if (txn->ncmp < API_TXN_MAX && add_release(a, txn, &held[i], owner, err) < 0)
      return -1;
  return 0;
}

/* ---- updates ---- */

static void keep_cluster_ip(json_t *spec, const json_t *ospec) {
  const char *ip = json_string_value(json_object_get(spec, "clusterIP"));
  const char *old_ip = json_string_value(json_object_get(ospec, "clusterIP"));
  if ((ip == NULL || *ip == '\0') && old_ip && *old_ip) {
    json_object_set(spec, "clusterIP", json_object_get(ospec, "clusterIP"));
    json_object_del(spec, "clusterIPs");
  }
  static const char *const copied[] = {"clusterIPs", "ipFamilies", "ipFamilyPolicy", NULL};
  for (int i = 0; copied[i]; i++) {
    json_t *v = json_object_get(ospec, copied[i]);
    json_t *now = json_object_get(spec, copied[i]);
    if (v && (now == NULL || json_is_null(now)))
      json_object_set(spec, copied[i], v);
  }
}

static bool node_port_in(const json_t *ports, int64_t np) {
  size_t i;
  json_t *p;
  json_array_foreach(ports, i, p) if (tug_obj_get_int(p, "nodePort", 0) == np) return true;
  return false;
}

/* Ports the body leaves without a nodePort get the old one of the same name,
 * unless another port of the body already uses it. */
static void keep_node_ports(json_t *ports, const json_t *old_ports) {
  size_t i, j;
  json_t *p, *q;
  json_array_foreach(ports, i, p) {
    if (!json_is_object(p) || tug_obj_get_int(p, "nodePort", 0) != 0)
      continue;
    const char *name = tug_obj_get_str(p, "name");
    json_array_foreach(old_ports, j, q) {
      const char *old_name = tug_obj_get_str(q, "name");
      int64_t np = tug_obj_get_int(q, "nodePort", 0);
      bool same = strcmp(name ? name : "", old_name ? old_name : "") == 0;
      if (same && np > 0 && !node_port_in(ports, np)) {
        json_object_set_new(p, "nodePort", json_integer(np));
        break;
      }
    }
  }
}

/* Leaving NodePort: node ports the body carried over from the old object go. */
static void drop_node_ports(json_t *ports, const json_t *old_ports) {
  size_t i;
  json_t *p;
  json_array_foreach(ports, i, p) {
    int64_t np = tug_obj_get_int(p, "nodePort", 0);
    if (np != 0 && !node_port_in(old_ports, np))
      return;
  }
  json_array_foreach(ports, i, p) if (json_is_object(p)) json_object_del(p, "nodePort");
}

void api_svcalloc_prepare_update(const api_kind *k, json_t *svc, const json_t *old) {
  json_t *spec = json_object_get(svc, "spec"), *ospec = json_object_get(old, "spec");
  if (strcmp(k->kind, "Service") != 0 || !json_is_object(spec) || !json_is_object(ospec))
    return;
  if (has_cluster_ip(old) && has_cluster_ip(svc))
    keep_cluster_ip(spec, ospec);
  json_t *ports = json_object_get(spec, "ports"), *old_ports = json_object_get(ospec, "ports");
  if (is_node_port(old) && is_node_port(svc))
    keep_node_ports(ports, old_ports);
  else if (is_node_port(old) && has_cluster_ip(svc))
    drop_node_ports(ports, old_ports);
}

void api_svcalloc_free(api_svcalloc *a) {
  if (a == NULL)
    return;
  if (a->running) {
    a->stopping = true;
    pthread_join(a->thread, NULL);
  }
  tug_etcd_watch_close(a->watch);
  free(a->ips.used);
  free(a->ips.busy);
  free(a->ports.used);
  free(a->ports.busy);
  pthread_mutex_destroy(&a->mu);
  free(a);
}
