/*
 * validation-cluster.c — the kinds the cluster's own machinery writes:
 * Namespace, Node, Event and Lease.
 *
 * Agents and controllers write most of these, so the rules guard what the
 * scheduler and the node lifecycle read back: a node's pod CIDR and taints,
 * an event's subject, a lease's times.
 */
#include <stdio.h>
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

/* ---- Namespace ---- */

/* Kubernetes labels every namespace with its own name, so that namespace
 * selectors (a Queue's among them) can pick namespaces by name. */
void api_default_namespace(json_t *obj) {
  const char *name = tug_obj_name(obj);
  if (name == NULL || *name == '\0')
    return;
  json_t *labels = val_default_object(val_default_object(obj, "metadata"), "labels");
  if (labels)
    json_object_set_new(labels, "kubernetes.io/metadata.name", json_string(name));
}

void api_validate_namespace(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec, fin;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  val_descend(&fin, &spec, "finalizers", val_array(&spec, "finalizers"));
  for (size_t i = 0; i < json_array_size(fin.json); i++) {
    json_t *v = json_array_get(fin.json, i);
    const char *s = json_string_value(v), *why;
    if (s == NULL)
      val_invalid(&fin, val_bracket_index(i).s, v, "must be a string");
    else if (!val_qualified_name(s, &why))
      val_invalid(&fin, val_bracket_index(i).s, v, "%s", why);
  }
}

/* ---- Node ---- */

/* Allocatable defaults to capacity, as in Kubernetes, for agents that report only that. */
void api_default_node(json_t *obj) {
  json_t *status = json_object_get(obj, "status");
  json_t *capacity = json_object_get(status, "capacity");
  if (json_is_object(capacity))
    val_default(status, "allocatable", json_deep_copy(capacity));
}

static void validate_cidr(const val_obj *o, const char *key, const json_t *v) {
  const char *s = json_string_value(v);
  if (s == NULL)
    val_invalid(o, key, v, "must be a string");
  else if (*s && !val_cidr4(s))
    val_invalid(o, key, v, "must be a valid IPv4 CIDR, (e.g. 198.18.0.0/24)");
}

static void validate_taints(const val_obj *spec) {
  json_t *seen = json_object();
  size_t n = val_array_len(spec, "taints");
  for (size_t i = 0; i < n; i++) {
    val_obj t;
    if (!val_enter_item(&t, spec, "taints", i))
      continue;
    const char *key = val_string_required(&t, "key"), *value = val_string(&t, "value"), *why;
    if (key && !val_qualified_name(key, &why))
      val_invalid_str(&t, "key", key, "%s", why);
    if (value && !tug_label_value_valid(value, &why))
      val_invalid_str(&t, "value", value, "%s", why);
    val_taint_effect(&t, false);
    const char *effect = json_string_value(json_object_get(t.json, "effect"));
    /* One taint per key and effect: a second would only shadow the first. */
    char id[512];
    snprintf(id, sizeof id, "%s\n%s", key ? key : "", effect ? effect : "");
    if (key && effect && json_object_get(seen, id))
      val_duplicate(&t, NULL, t.json);
    else if (key && effect)
      json_object_set_new(seen, id, json_true());
  }
  json_decref(seen);
}

void api_validate_node(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec, cidrs;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  if (val_present(&spec, "podCIDR"))
    validate_cidr(&spec, "podCIDR", json_object_get(spec.json, "podCIDR"));
  val_descend(&cidrs, &spec, "podCIDRs", val_array(&spec, "podCIDRs"));
  for (size_t i = 0; i < json_array_size(cidrs.json); i++)
    validate_cidr(&cidrs, val_bracket_index(i).s, json_array_get(cidrs.json, i));
  val_bool(&spec, "unschedulable");
  validate_taints(&spec);
  /* Routes to the node's pods are built from its CIDR: it is assigned once. */
  const char *before = json_string_value(tug_obj_get(old, "spec.podCIDR"));
  const char *now = json_string_value(json_object_get(spec.json, "podCIDR"));
  if (before && *before && (now == NULL || strcmp(before, now) != 0))
    val_forbidden(&spec, "podCIDR",
                  "node updates may not change podCIDR except from \"\" to valid");
}

/* ---- Event ---- */

static void validate_time(const val_obj *o, const char *key) {
  const char *s = val_string(o, key);
  if (s && !val_rfc3339(s))
    val_invalid_str(o, key, s, "must be an RFC 3339 time (e.g. 2024-05-01T10:00:00Z)");
}

void api_default_event(json_t *obj) {
  (void)obj;
}

void api_validate_event(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, involved;
  val_root(&root, obj, causes);
  if (!val_enter(&involved, &root, "involvedObject")) {
    if (!val_present(&root, "involvedObject"))
      val_required(&root, "involvedObject", NULL);
  } else {
    val_string_required(&involved, "kind");
    val_string_required(&involved, "name");
    const char *ns = val_string(&involved, "namespace"), *event_ns = tug_obj_namespace(obj);
    if (ns && *ns && event_ns && *event_ns && strcmp(ns, event_ns) != 0)
      val_invalid_str(&involved, "namespace", ns, "does not match event.namespace");
  }
  val_string(&root, "reason");
  val_string(&root, "message");
  val_string(&root, "type");
  val_int_min(&root, "count", 0, NULL);
  val_object(&root, "source");
  validate_time(&root, "firstTimestamp");
  validate_time(&root, "lastTimestamp");
  validate_time(&root, "eventTime");
}

/* ---- Lease ---- */

void api_default_lease(json_t *obj) {
  (void)obj;
}

void api_validate_lease(const json_t *obj, const json_t *old, json_t *causes) {
  (void)old;
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec"))
    return;
  val_string(&spec, "holderIdentity");
  val_int_min(&spec, "leaseDurationSeconds", 1, NULL);
  val_int_min(&spec, "leaseTransitions", 0, NULL);
  validate_time(&spec, "acquireTime");
  validate_time(&spec, "renewTime");
}
