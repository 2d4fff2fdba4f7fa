/*
 * apiserver-peers.c — fresh API server Leases to Endpoints subsets (see
 * apiserver-peers.h).
 */
#include "apiserver-peers.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"

void api_peer_lease_name(const char *ip, int port, char *buf, size_t size) {
  char id[96];
  snprintf(id, sizeof id, "%s:%d", ip, port);
  uint64_t h = 14695981039346656037ULL; /* FNV-1a */
  for (const char *c = id; *c; c++)
    h = (h ^ (unsigned char)*c) * 1099511628211ULL;
  snprintf(buf, size, "apiserver-%016llx", (unsigned long long)h);
}

/* "IP:PORT" → ip (IPv4) and port; 0 when valid. */
static int parse_endpoint(const char *s, char ip[INET_ADDRSTRLEN], int *port) {
  const char *colon = s ? strrchr(s, ':') : NULL;
  if (colon == NULL || colon - s >= INET_ADDRSTRLEN)
    return -1;
  memcpy(ip, s, (size_t)(colon - s));
  ip[colon - s] = '\0';
  char *end;
  long p = strtol(colon + 1, &end, 10);
  struct in_addr a;
  if (*end || end == colon + 1 || p < 1 || p > 65535 || inet_pton(AF_INET, ip, &a) != 1)
    return -1;
  *port = (int)p;
  return 0;
}

/* True when the Lease has changed within its duration, as this server saw it. */
static int fresh(const json_t *lease, const char *name, json_t *seen, int64_t now_ms) {
  const char *rv = json_string_value(tug_obj_get(lease, "metadata.resourceVersion")) ?: "";
  json_t *was = json_object_get(seen, name);
  if (was == NULL || strcmp(json_string_value(json_object_get(was, "rv")) ?: "", rv) != 0) {
    json_object_set_new(seen, name, json_pack("{s:s, s:I}", "rv", rv, "at", (json_int_t)now_ms));
    was = json_object_get(seen, name);
  }
  json_int_t duration = json_integer_value(tug_obj_get(lease, "spec.leaseDurationSeconds"));
  return now_ms - json_integer_value(json_object_get(was, "at")) < duration * 1000;
}

/* Adds ip to the subset of port in subsets (an object: port → address set). */
static void add_address(json_t *by_port, const char *ip, int port) {
  char key[8];
  snprintf(key, sizeof key, "%05d", port); /* zero-padded: keys sort as numbers */
  json_t *ips = json_object_get(by_port, key);
  if (ips == NULL)
    json_object_set_new(by_port, key, ips = json_object());
  json_object_set_new(ips, ip, json_true());
}

static int by_ip(const void *a, const void *b) {
  struct in_addr x, y;
  inet_pton(AF_INET, *(const char *const *)a, &x);
  inet_pton(AF_INET, *(const char *const *)b, &y);
  return ntohl(x.s_addr) < ntohl(y.s_addr) ? -1 : ntohl(x.s_addr) > ntohl(y.s_addr);
}

static int by_string(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *subset(const char *port, json_t *ips) {
  size_t n = json_object_size(ips), i = 0;
  const char **sorted = calloc(n ? n : 1, sizeof *sorted);
  const char *ip;
  json_t *v;
  json_object_foreach(ips, ip, v) sorted[i++] = ip;
  qsort(sorted, n, sizeof *sorted, by_ip);
  json_t *addresses = json_array();
  for (i = 0; i < n; i++)
    json_array_append_new(addresses, json_pack("{s:s}", "ip", sorted[i]));
  free(sorted);
  return json_pack("{s:o, s:[{s:s, s:i, s:s}]}", "addresses", addresses, "ports", "name", "https",
                   "port", atoi(port), "protocol", "TCP");
}

json_t *api_peer_subsets(const json_t *leases, json_t *seen, int64_t now_ms) {
  json_t *by_port = json_object(), *listed = json_object(), *lease;
  size_t i;
  json_array_foreach(leases, i, lease) {
    const char *name = json_string_value(tug_obj_get(lease, "metadata.name"));
    const char *label =
        json_string_value(json_object_get(tug_obj_get(lease, "metadata.labels"), API_PEER_LABEL));
    const char *endpoint = json_string_value(
        json_object_get(tug_obj_get(lease, "metadata.annotations"), API_PEER_ENDPOINT));
    char ip[INET_ADDRSTRLEN];
    int port;
    if (name == NULL || label == NULL || strcmp(label, API_PEER_LABEL_VALUE) != 0 ||
        parse_endpoint(endpoint, ip, &port) < 0)
      continue;
    json_object_set_new(listed, name, json_true());
    if (fresh(lease, name, seen, now_ms))
      add_address(by_port, ip, port);
  }
  const char *name;
  json_t *v, *tmp;
  json_object_foreach_safe(seen, tmp, name, v) {
    if (json_object_get(listed, name) == NULL)
      json_object_del(seen, name);
  }
  json_t *subsets = json_array();
  const char **ports = calloc(json_object_size(by_port) + 1, sizeof *ports);
  size_t n = 0;
  json_object_foreach(by_port, name, v) ports[n++] = name;
  qsort(ports, n, sizeof *ports, by_string);
  for (i = 0; i < n; i++)
    json_array_append_new(subsets, subset(ports[i], json_object_get(by_port, ports[i])));
  free(ports);
  json_decref(listed);
  json_decref(by_port);
  return subsets;
}
