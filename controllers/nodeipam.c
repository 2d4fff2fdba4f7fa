/*
 * nodeipam.c — gives each Node a pod CIDR (spec.podCIDR and podCIDRs), one
 * block of --node-cidr-mask-size from --cluster-cidr, never the same twice.
 *
 * What is in use is read from the Nodes themselves at every reconcile, plus
 * the blocks this process assigned that the cache does not show yet, so a
 * restarted controller starts from the truth and a single worker never races
 * itself. A Node that already has a CIDR keeps it, even one from another range.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "cleanup.h"
#include "ctl.h"
#include "hashmap.h"
#include "log.h"
#include "object.h"

typedef struct ipam {
  ctl_ctx *x;
  ctl_cidr range;
  tug_hashmap *pending; /* node name → strdup'ed CIDR, assigned but not yet seen */
} ipam;

static ipam the_ipam;

static bool *used_blocks(ipam *m) {
  bool *used = calloc(ctl_cidr_blocks(&m->range), sizeof *used);
  if (used == NULL)
    return NULL;
  _cleanup_json_ json_t *nodes = ctl_list(m->x, CTL_NODES, NULL);
  size_t i;
  json_t *n;
  json_array_foreach(nodes, i, n) {
    long b = ctl_cidr_index(&m->range, tug_obj_get_str(n, "spec.podCIDR"));
    if (b >= 0)
      used[b] = true;
  }
  tug_hashmap_iter it;
  const char *k;
  void *v;
  tug_hashmap_iter_init(&it, m->pending);
  while (tug_hashmap_next(&it, &k, &v)) {
    long b = ctl_cidr_index(&m->range, v);
    if (b >= 0)
      used[b] = true;
  }
  return used;
}

static int assign(ipam *m, const json_t *node, tug_error *err) {
  _cleanup_free_ bool *used = used_blocks(m);
  if (used == NULL)
    return tug_error_set(err, ENOMEM, "pod CIDRs");
  long b = ctl_cidr_first_free(&m->range, used);
  if (b < 0) {
    tug_event_record(m->x->events, node, "Warning", "CIDRNotAvailable",
                     "Node %s status is now: CIDRNotAvailable", tug_obj_name(node));
    return tug_error_set(err, ENOSPC, "no pod CIDR left for node %s", tug_obj_name(node));
  }
  char cidr[32];
  ctl_cidr_format(&m->range, (size_t)b, cidr, sizeof cidr);
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:s, s:[s]}}", "spec", "podCIDR", cidr, "podCIDRs", cidr);
  if (ctl_patch(m->x, node, patch, true, NULL, err) < 0)
    return -1;
  free(tug_hashmap_put(m->pending, tug_obj_name(node), strdup(cidr)));
  tug_info("pod CIDR assigned", "node=%s cidr=%s audit_id=%s", tug_obj_name(node), cidr,
           tug_client_audit_id());
  tug_event_record(m->x->events, node, "Normal", "CIDRAssigned", "Assigned pod CIDR %s", cidr);
  return 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  ipam *m = arg;
  _cleanup_json_ json_t *node = ctl_get(m->x, CTL_NODES, key);
  const char *cidr = tug_obj_get_str(node, "spec.podCIDR");
  if (node == NULL || (cidr && cidr[0])) {
    free(tug_hashmap_remove(m->pending, key));
    return 0;
  }
  if (tug_hashmap_get(m->pending, key) || tug_obj_deletion_timestamp(node))
    return 0;
  return assign(m, node, err);
}

tug_controller *ctl_nodeipam_new(ctl_ctx *x, tug_error *err) {
  ipam *m = &the_ipam;
  m->x = x;
  if (ctl_cidr_parse(x->cfg.cluster_cidr, x->cfg.node_cidr_mask, &m->range, err) < 0)
    return NULL;
  if (m->pending == NULL && (m->pending = tug_hashmap_new()) == NULL) {
    tug_error_set(err, ENOMEM, "pod CIDRs");
    return NULL;
  }
  /* One worker: the free block it picks is only free until it writes it. */
  tug_controller_options o = {.name = "nodeipam", .reconcile = reconcile, .arg = m, .workers = 1,
                              .base_delay_ms = 100};
  tug_controller *c = tug_controller_new(&o, err);
  if (c && tug_controller_watch(c, x->inf[CTL_NODES], err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
