/*
 * quota.c — ResourceQuota admission: usage charged and given back inside the
 * object's own etcd transaction (see admission.h for why that is race-free).
 *
 * Usage is counted in the units the quantity parser gives: millicores for
 * cpu resources, bytes for memory, plain numbers for counts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "object.h"
#include "quantity.h"
#include "quota-eval.h"
#include "status.h"
#include "validation.h"
#include "watchcache.h"

/* What writing obj, of the served kind k, uses of res (lib/quota-eval.h); -1
 * when a pod does not state what res measures, which admission refuses. */
static int64_t usage_of(const api_kind *k, const json_t *obj, const char *res) {
  bool missing;
  int64_t u = tug_quota_usage(tug_kind_find(NULL, k->kind), obj, res, &missing);
  return missing ? -1 : u;
}

/* A stored object, opened (encryption.h); NULL, and skipped, when it does not open. */
static json_t *decode_kv(api_server *s, const api_kind *k, const tug_etcd_kv *kv) {
  char key[512];
  snprintf(key, sizeof key, "%.*s", (int)kv->key_len, kv->key);
  tug_error err = {0};
  return api_storage_decode(s, k, key, kv->value, kv->value_len, &err);
}

static char *quota_key(const json_t *q, char *buf, size_t size) {
  snprintf(buf, size, "/registry/resourcequotas/%s/%s", tug_obj_namespace(q), tug_obj_name(q));
  return buf;
}

static int list_quotas(api_server *s, const char *ns, tug_etcd_range *out, tug_error *err) {
  char prefix[300];
  snprintf(prefix, sizeof prefix, "/registry/resourcequotas/%s/", ns);
  return tug_etcd_list(s->etcd, prefix, NULL, 0, 0, out, err);
}

static void quota_refused(api_response *out, const api_kind *k, const json_t *obj, const json_t *q,
                          const char *res, int64_t want, int64_t used, int64_t hard) {
  char a[32], b[32], c[32];
  api_fail(out, 403,
           "%s \"%s\" is forbidden: exceeded quota: %s, requested: %s=%s, used: %s=%s, "
           "limited: %s=%s",
           k->plural, tug_obj_name(obj), tug_obj_name(q), res,
           tug_quantity_format_resource(res, want, a, 32), res,
           tug_quantity_format_resource(res, used, b, 32), res,
           tug_quantity_format_resource(res, hard, c, 32));
}

/* Charge (sign +1) or give back (sign -1) obj's usage against one quota; the
 * quota's new status goes into txn. 1 when the quota is not concerned. */
static int apply_one(api_server *s, const api_kind *k, const json_t *obj, json_t *q, int64_t qrev,
                     int sign, api_txn *txn, api_response *out) {
  json_t *hard = tug_obj_get(q, "spec.hard");
  json_t *used = tug_obj_get(q, "status.used");
  if (!json_is_object(used)) {
    used = json_object();
    tug_obj_set(q, "status.used", used, NULL);
  }
  bool concerned = false;
  const char *res;
  json_t *hv;
  json_object_foreach(hard, res, hv) {
    int64_t delta = usage_of(k, obj, res), limit, now = 0;
    if (delta == 0 || tug_quantity_parse_resource(res, json_string_value(hv), &limit) < 0)
      continue;
    if (delta < 0 && sign > 0) {
      api_fail(out, 403, "%s \"%s\" is forbidden: failed quota: %s: must specify %s", k->plural,
               tug_obj_name(obj), tug_obj_name(q), res);
      return -1;
    }
    if (delta < 0)
      continue;
    tug_quantity_parse_resource(res, json_string_value(json_object_get(used, res)), &now);
    int64_t next;
    /* A sum past int64 is over any limit, never a wrap to little. */
    bool fits = sign > 0 ? tug_quantity_add(now, delta, &next)
                         : (next = tug_quantity_sub_sat(now, delta), true);
    if (sign > 0 && (!fits || next > limit)) {
      quota_refused(out, k, obj, q, res, delta, now, limit);
      return -1;
    }
    char buf[32];
    json_object_set_new(
        used, res, json_string(tug_quantity_format_resource(res, next < 0 ? 0 : next, buf, 32)));
    concerned = true;
  }
  if (!concerned)
    return 1;
  char key[512];
  quota_key(q, key, sizeof key);
  api_txn_compare_mod(txn, key, qrev);
  tug_error err = {0};
  if (api_txn_put_object(s, txn, api_kind_by_resource("", "v1", "resourcequotas"), key, q, &err) <
      0) {
    api_fail(out, 500, "%s", err.msg);
    return -1;
  }
  return 0;
}

/* Whether the quota cache knows of any quota in ns. A quota created a moment
 * ago may not be there yet; Kubernetes' quota has the same short window, and
 * the quota controller's recount closes it. */
static bool namespace_has_quota(api_server *s, const char *ns) {
  const api_kind *qk = api_kind_by_resource("", "v1", "resourcequotas");
  api_filter f = {.namespace = ns};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache_list(api_kind_cache(s, qk), &f, &items, &n, &rev);
  api_cached_list_free(items, n);
  return n > 0;
}

static int apply_all(api_server *s, const api_kind *k, const json_t *obj, int sign, api_txn *txn,
                     api_response *out, tug_error *err) {
  if (!namespace_has_quota(s, tug_obj_namespace(obj)))
    return 0;
  const api_kind *qk = api_kind_by_resource("", "v1", "resourcequotas");
  tug_etcd_range r;
  if (list_quotas(s, tug_obj_namespace(obj), &r, err) < 0) {
    if (out)
      api_fail_error(out, k, tug_obj_name(obj), err);
    return -1;
  }
  int rc = 0;
  api_response scratch = {0};
  for (size_t i = 0; i < r.n && rc == 0 && txn->ncmp < API_TXN_MAX - 1; i++) {
    json_t *q = decode_kv(s, qk, &r.kvs[i]);
    if (q && apply_one(s, k, obj, q, r.kvs[i].mod_revision, sign, txn, out ? out : &scratch) < 0)
      rc = -1;
    json_decref(q);
  }
  json_decref(scratch.body);
  tug_etcd_range_free(&r);
  return rc;
}

int api_quota_charge(api_server *s, const api_kind *k, const json_t *obj, api_txn *txn,
                     api_response *out) {
  tug_error err = {0};
  return apply_all(s, k, obj, +1, txn, out, &err);
}

int api_quota_release(api_server *s, const api_kind *k, const json_t *obj, api_txn *txn,
                      tug_error *err) {
  /* A finished pod uses nothing (tug_quota_usage): its usage was given back
   * by the quota controller's recount, and releasing it again would make
   * status.used dip below what is really used. */
  if (!k->namespaced)
    return 0;
  return apply_all(s, k, obj, -1, txn, NULL, err);
}

/* Usage of res over the objects of one kind in ns, read from etcd. */
static int count_usage(api_server *s, const api_kind *k, const char *ns, const char *res,
                       int64_t *total, tug_error *err) {
  char prefix[300];
  api_prefix(k, ns, prefix, sizeof prefix);
  tug_etcd_range r;
  if (tug_etcd_list(s->etcd, prefix, NULL, 0, 0, &r, err) < 0)
    return -1;
  for (size_t i = 0; i < r.n; i++) {
    json_t *o = decode_kv(s, k, &r.kvs[i]);
    /* what is stored counts as the controller's recount counts it */
    if (o)
      *total =
          tug_quantity_add_sat(*total, tug_quota_usage(tug_kind_find(NULL, k->kind), o, res, NULL));
    json_decref(o);
  }
  tug_etcd_range_free(&r);
  return 0;
}

int api_quota_init_status(api_server *s, json_t *quota, tug_error *err) {
  json_t *hard = tug_obj_get(quota, "spec.hard");
  json_t *used = json_object();
  const char *res;
  json_t *hv;
  json_object_foreach(hard, res, hv) {
    int64_t total = 0;
    for (const api_kind *k = api_kinds; k->kind; k++) {
      if (!k->namespaced)
        continue;
      const tug_kind *counted = tug_quota_kind(res);
      bool relevant = counted && strcmp(counted->kind, k->kind) == 0;
      if (relevant && count_usage(s, k, tug_obj_namespace(quota), res, &total, err) < 0) {
        json_decref(used);
        return -1;
      }
    }
    char buf[32];
    json_object_set_new(used, res,
                        json_string(tug_quantity_format_resource(res, total, buf, sizeof buf)));
  }
  json_t *status = json_pack("{s:O*, s:o}", "hard", hard, "used", used);
  json_object_set_new(quota, "status", status);
  return 0;
}
