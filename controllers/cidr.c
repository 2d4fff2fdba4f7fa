/*
 * cidr.c — see cidr.h.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *s, uint32_t *addr, int *prefix) {
  char ip[32], *end;
  const char *slash = s ? strchr(s, '/') : NULL;
  if (slash == NULL || (size_t)(slash - s) >= sizeof ip)
    return -1;
  memcpy(ip, s, (size_t)(slash - s));
  ip[slash - s] = '\0';
  struct in_addr a;
  long p = strtol(slash + 1, &end, 10);
  if (inet_pton(AF_INET, ip, &a) != 1 || *end || end == slash + 1 || p < 0 || p > 32)
    return -1;
  *addr = ntohl(a.s_addr);
  *prefix = (int)p;
  return 0;
}

static uint32_t netmask(int prefix) {
  return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int ctl_cidr_parse(const char *cluster, int node_mask, ctl_cidr *out, tug_error *err) {
  uint32_t addr;
  int prefix;
  if (parse(cluster, &addr, &prefix) < 0)
    return tug_error_set(err, EINVAL, "cluster CIDR \"%s\": want a.b.c.d/n", cluster);
  if ((addr & ~netmask(prefix)) != 0)
    return tug_error_set(err, EINVAL, "cluster CIDR \"%s\": host bits are set", cluster);
  if (node_mask <= prefix || node_mask > 30 || node_mask - prefix > 20)
    return tug_error_set(err, EINVAL, "node CIDR mask /%d does not fit in %s", node_mask,
                         cluster);
  *out = (ctl_cidr){addr, prefix, node_mask};
  return 0;
}

size_t ctl_cidr_blocks(const ctl_cidr *c) {
  return (size_t)1 << (c->mask - c->prefix);
}

void ctl_cidr_format(const ctl_cidr *c, size_t i, char *buf, size_t size) {
  uint32_t a = c->base + ((uint32_t)i << (32 - c->mask));
  snprintf(buf, size, "%u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
           c->mask);
}

long ctl_cidr_index(const ctl_cidr *c, const char *cidr) {
  uint32_t addr;
  int prefix;
  if (parse(cidr, &addr, &prefix) < 0 || prefix != c->mask ||
      (addr & netmask(c->prefix)) != c->base || (addr & ~netmask(c->mask)) != 0)
    return -1;
  return (long)((addr - c->base) >> (32 - c->mask));
}

long ctl_cidr_first_free(const ctl_cidr *c, const bool *used) {
  size_t n = ctl_cidr_blocks(c);
  for (size_t i = 0; i < n; i++)
    if (!used[i])
      return (long)i;
  return -1;
}
