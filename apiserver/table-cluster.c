/*
 * table-cluster.c — columns of the kinds that describe the cluster itself:
 * namespaces, nodes, events, priority classes and leases, as kubectl 1.32 prints
 * them.
 *
 * A node's STATUS comes from its Ready condition alone ("Ready", "NotReady", or
 * "Unknown" without one) plus ",SchedulingDisabled" when cordoned; its ROLES
 * from node-role.kubernetes.io/<role> and kubernetes.io/role labels. An event's
 * LAST SEEN falls back from series to lastTimestamp to firstTimestamp to
 * eventTime, since old and new event producers fill different fields.
 */
#include "table-internal.h"
#include "table.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"

/* ---- namespaces ---- */

static json_t *namespace_status(const json_t *ns) {
  return table_str_cell(ns, "status.phase", "");
}

const api_column api_columns_namespace[] = {
    TABLE_COLUMN_NAME,
    {"Status", "string", "", 0, "The status of the namespace", namespace_status},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};

/* ---- nodes ---- */

#define NODE_ROLE_PREFIX "node-role.kubernetes.io/"

static json_t *node_status(const json_t *node) {
  const json_t *ready = NULL;
  size_t i;
  json_t *c;
  table_buf b = {0};
  /* kubectl keeps the last Ready condition when there are several. */
  json_array_foreach(tug_obj_get(node, "status.conditions"), i, c) {
    if (strcmp(table_str(c, "type", ""), "Ready") == 0)
      ready = c;
  }
  if (ready == NULL)
    table_buf_add(&b, "Unknown");
  else
    table_buf_add(&b, strcmp(table_str(ready, "status", ""), "True") == 0 ? "Ready" : "NotReady");
  if (json_is_true(tug_obj_get(node, "spec.unschedulable")))
    table_buf_add(&b, ",SchedulingDisabled");
  return table_buf_json(&b, NULL);
}

/* The role a label names, or NULL. */
static const char *label_role(const char *key, const json_t *value) {
  size_t prefix = strlen(NODE_ROLE_PREFIX);
  if (strncmp(key, NODE_ROLE_PREFIX, prefix) == 0 && key[prefix] != '\0')
    return key + prefix;
  if (strcmp(key, "kubernetes.io/role") == 0 && json_string_length(value) > 0)
    return json_string_value(value);
  return NULL;
}

static json_t *node_roles(const json_t *node) {
  json_t *labels = tug_obj_labels(node);
  _cleanup_free_ const char **roles = calloc(json_object_size(labels) + 1, sizeof *roles);
  size_t n = 0;
  const char *key;
  json_t *value;
  table_buf b = {0};
  if (roles == NULL)
    return NULL;
  json_object_foreach(labels, key, value) {
    const char *role = label_role(key, value);
    if (role)
      roles[n++] = role;
  }
  table_add_sorted(&b, roles, n, ",", true);
  return table_buf_json(&b, "<none>");
}

static json_t *node_version(const json_t *node) {
  return table_str_cell(node, "status.nodeInfo.kubeletVersion", "");
}

static json_t *node_address(const json_t *node, const char *type) {
  size_t i;
  json_t *a;
  json_array_foreach(tug_obj_get(node, "status.addresses"), i, a) {
    if (strcmp(table_str(a, "type", ""), type) == 0)
      return table_text(tug_obj_get_str(a, "address"));
  }
  return table_text("<none>");
}

static json_t *node_internal_ip(const json_t *node) {
  return node_address(node, "InternalIP");
}

static json_t *node_external_ip(const json_t *node) {
  return node_address(node, "ExternalIP");
}

static json_t *node_os_image(const json_t *node) {
  return table_str_cell(node, "status.nodeInfo.osImage", "<unknown>");
}

static json_t *node_kernel(const json_t *node) {
  return table_str_cell(node, "status.nodeInfo.kernelVersion", "<unknown>");
}

static json_t *node_runtime(const json_t *node) {
  return table_str_cell(node, "status.nodeInfo.containerRuntimeVersion", "<unknown>");
}

#define NODE_DESC_ADDRESSES                                                                        \
  "List of addresses reachable to the node. Queried from cloud provider, if available."

const api_column api_columns_node[] = {
    TABLE_COLUMN_NAME,
    {"Status", "string", "", 0, "The status of the node", node_status},
    {"Roles", "string", "", 0, "The roles of the node", node_roles},
    TABLE_COLUMN_AGE,
    {"Version", "string", "", 0, "Kubelet Version reported by the node.", node_version},
    {"Internal-IP", "string", "", 1, NODE_DESC_ADDRESSES, node_internal_ip},
    {"External-IP", "string", "", 1, NODE_DESC_ADDRESSES, node_external_ip},
    {"OS-Image", "string", "", 1,
     "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
     node_os_image},
    {"Kernel-Version", "string", "", 1,
     "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
     node_kernel},
    {"Container-Runtime", "string", "", 1,
     "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
     "containerd://1.4.2).",
     node_runtime},
    TABLE_COLUMN_END,
};

/* ---- events ---- */

static const char *event_first_seen(const json_t *ev, char *buf, size_t size) {
  int64_t t;
  const char *first = tug_obj_get_str(ev, "firstTimestamp");
  if (table_parse_time(first, &t) && t != TABLE_ZERO_TIME)
    return table_since(first, buf, size);
  return table_since(tug_obj_get_str(ev, "eventTime"), buf, size);
}

static json_t *event_last_seen(const json_t *ev) {
  char buf[32];
  int64_t t;
  const char *last = tug_obj_get_str(ev, "lastTimestamp");
  if (json_is_object(json_object_get(ev, "series")))
    return table_text(table_since(tug_obj_get_str(ev, "series.lastObservedTime"), buf, sizeof buf));
  if (table_parse_time(last, &t) && t != TABLE_ZERO_TIME)
    return table_text(table_since(last, buf, sizeof buf));
  return table_text(event_first_seen(ev, buf, sizeof buf));
}

static json_t *event_first_seen_cell(const json_t *ev) {
  char buf[32];
  return table_text(event_first_seen(ev, buf, sizeof buf));
}

static json_t *event_type(const json_t *ev) {
  return table_str_cell(ev, "type", "");
}

static json_t *event_reason(const json_t *ev) {
  return table_str_cell(ev, "reason", "");
}

/* "pod/web-1": the involved object's kind in lower case and its name. */
static json_t *event_object(const json_t *ev) {
  const char *name = table_str(ev, "involvedObject.name", NULL);
  table_buf b = {0};
  table_buf_add(&b, table_str(ev, "involvedObject.kind", ""));
  for (size_t i = 0; i < b.len; i++)
    b.s[i] = (char)tolower((unsigned char)b.s[i]);
  if (name)
    table_buf_addf(&b, "/%s", name);
  return table_buf_json(&b, NULL);
}

static json_t *event_subobject(const json_t *ev) {
  return table_str_cell(ev, "involvedObject.fieldPath", "");
}

/* "kubelet, node-1": component and host, falling back to the reporting fields (core/v1
 * spells reportingController "reportingComponent"). */
static json_t *event_source(const json_t *ev) {
  const char *component =
      table_str(ev, "source.component", table_str(ev, "reportingComponent", ""));
  const char *host = table_str(ev, "source.host", table_str(ev, "reportingInstance", NULL));
  table_buf b = {0};
  table_buf_add(&b, component);
  if (host)
    table_buf_addf(&b, ", %s", host);
  return table_buf_json(&b, NULL);
}

static json_t *event_message(const json_t *ev) {
  const char *msg = table_str(ev, "message", "");
  size_t len = strlen(msg);
  while (len > 0 && isspace((unsigned char)msg[len - 1]))
    len--;
  while (len > 0 && isspace((unsigned char)*msg)) {
    msg++;
    len--;
  }
  json_t *j = json_stringn(msg, len);
  return j ? j : table_text("");
}

static json_t *event_count(const json_t *ev) {
  if (json_is_object(json_object_get(ev, "series")))
    return table_int_cell(ev, "series.count", 0);
  int64_t count = tug_obj_get_int(ev, "count", 0);
  return json_integer(count == 0 ? 1 : count);
}

const api_column api_columns_event[] = {
    {"Last Seen", "string", "", 0,
     "The time at which the most recent occurrence of this event was recorded.", event_last_seen},
    {"Type", "string", "", 0,
     "Type of this event (Normal, Warning), new types could be added in the future", event_type},
    {"Reason", "string", "", 0,
     "This should be a short, machine understandable string that gives the reason for the "
     "transition into the object's current status.",
     event_reason},
    {"Object", "string", "", 0, "The object that this event is about.", event_object},
    {"Subobject", "string", "", 1,
     "If referring to a piece of an object instead of an entire object, this string should "
     "contain a valid JSON/Go field access statement, such as "
     "desiredState.manifest.containers[2].",
     event_subobject},
    {"Source", "string", "", 1,
     "The component reporting this event. Should be a short machine understandable string.",
     event_source},
    {"Message", "string", "", 0, "A human-readable description of the status of this operation.",
     event_message},
    {"First Seen", "string", "", 1,
     "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
     event_first_seen_cell},
    {"Count", "string", "", 1, "The number of times this event has occurred.", event_count},
    {"Name", "string", "name", 1, TABLE_DESC_NAME, table_cell_name},
    TABLE_COLUMN_END,
};

/* ---- priority classes ---- */

static json_t *priorityclass_value(const json_t *pc) {
  return table_int_cell(pc, "value", 0);
}

static json_t *priorityclass_global_default(const json_t *pc) {
  return json_boolean(json_is_true(json_object_get(pc, "globalDefault")));
}

static json_t *priorityclass_preemption(const json_t *pc) {
  return table_str_cell(pc, "preemptionPolicy", "");
}

const api_column api_columns_priorityclass[] = {
    TABLE_COLUMN_NAME,
    {"Value", "integer", "", 0,
     "value represents the integer value of this priority class. This is the actual priority "
     "that pods receive when they have the name of this class in their pod spec.",
     priorityclass_value},
    {"Global-Default", "boolean", "", 0,
     "globalDefault specifies whether this PriorityClass should be considered as the default "
     "priority for pods that do not have any priority class.",
     priorityclass_global_default},
    TABLE_COLUMN_AGE,
    {"PreemptionPolicy", "string", "", 0,
     "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, "
     "PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.",
     priorityclass_preemption},
    TABLE_COLUMN_END,
};

/* ---- leases ---- */

static json_t *lease_holder(const json_t *lease) {
  return table_str_cell(lease, "spec.holderIdentity", "");
}

const api_column api_columns_lease[] = {
    TABLE_COLUMN_NAME,
    {"Holder", "string", "", 0,
     "holderIdentity contains the identity of the holder of a current lease.", lease_holder},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};
