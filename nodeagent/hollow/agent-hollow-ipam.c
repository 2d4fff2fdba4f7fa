/*
 * agent-hollow-ipam.c — fake pod IPs for hollow pods: a bitmap over
 * 198.18.0.0/16 (the cluster CIDR's default), next-fit from a cursor. The
 * network and broadcast addresses (offsets 0 and 65535) are never handed out.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "agent-hollow.h"

enum { LAST = AGENT_HOLLOW_IPS - 1 };

static bool is_used(const agent_hollow_ipam *m, uint32_t off) {
  return m->used[off / 64] >> (off % 64) & 1;
}

static void set_used(agent_hollow_ipam *m, uint32_t off, bool used) {
  if (used)
    m->used[off / 64] |= UINT64_C(1) << (off % 64);
  else
    m->used[off / 64] &= ~(UINT64_C(1) << (off % 64));
}

void agent_hollow_ipam_init(agent_hollow_ipam *m) {
  memset(m, 0, sizeof *m);
  set_used(m, 0, true);
  set_used(m, LAST, true);
  m->next = 1;
}

uint32_t agent_hollow_ipam_alloc(agent_hollow_ipam *m) {
  if (m->count >= LAST - 1)
    return 0;
  for (uint32_t off = m->next;; off = off % (LAST - 1) + 1) {
    if (!is_used(m, off)) {
      set_used(m, off, true);
      m->count++;
      m->next = off % (LAST - 1) + 1;
      return off;
    }
  }
}

bool agent_hollow_ipam_claim(agent_hollow_ipam *m, uint32_t off) {
  if (off == 0 || off >= LAST || is_used(m, off))
    return false;
  set_used(m, off, true);
  m->count++;
  return true;
}

void agent_hollow_ipam_release(agent_hollow_ipam *m, uint32_t off) {
  if (off == 0 || off >= LAST || !is_used(m, off))
    return;
  set_used(m, off, false);
  m->count--;
}

uint32_t agent_hollow_ip_parse(const char *ip) {
  struct in_addr a;
  if (ip == NULL || inet_pton(AF_INET, ip, &a) != 1)
    return 0;
  uint32_t v = ntohl(a.s_addr);
  if (v >> 16 != (198u << 8 | 18u))
    return 0;
  uint32_t off = v & 0xffff;
  return off < LAST ? off : 0;
}

const char *agent_hollow_ip_format(uint32_t off, char *buf, size_t size) {
  snprintf(buf, size, "198.18.%u.%u", (off >> 8) & 0xff, off & 0xff);
  return buf;
}
