/*
 * cidr.h — handing out per-node pod CIDRs from the cluster CIDR (pure, tested).
 *
 * The cluster range (198.18.0.0/16 by default) is cut into blocks of one
 * mask size (/24): block i is the i-th such subnet. The allocator only
 * answers "which block is free" from the set of blocks in use, which the
 * node IPAM controller rebuilds from the Nodes it sees, so a restart
 * re-reads every assignment instead of trusting memory.
 */
#ifndef TUG_CTL_CIDR_H
#define TUG_CTL_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct ctl_cidr {
  uint32_t base; /* host order, the network address */
  int prefix;    /* cluster prefix length */
  int mask;      /* per-node prefix length */
} ctl_cidr;

/* "198.18.0.0/16" with node mask 24. Fails on a bad address, a host part
 * that is not zero, or a mask not in (prefix, 30]. */
int ctl_cidr_parse(const char *cluster, int node_mask, ctl_cidr *out, tug_error *err);
/* How many node blocks the range holds. */
size_t ctl_cidr_blocks(const ctl_cidr *c);
/* "198.18.3.0/24" for block i. */
void ctl_cidr_format(const ctl_cidr *c, size_t i, char *buf, size_t size);
/* The block a node CIDR string is, or -1 when it is not one of ours. */
long ctl_cidr_index(const ctl_cidr *c, const char *cidr);
/* The lowest block not marked in used (ctl_cidr_blocks entries), or -1 when full. */
long ctl_cidr_first_free(const ctl_cidr *c, const bool *used);

#endif
