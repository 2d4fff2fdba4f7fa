/*
 * authz-node.c — the node authorizer: what an agent (user system:node:NAME in
 * group system:nodes) may do, decided from what its node runs.
 *
 * An agent reads its own Node and lists/watches all of them (its routes need
 * every node's pod CIDR and address), writes only its own Node and its
 * status; reads and deletes the pods bound to it and writes their status;
 * lists and watches every pod, Namespace and NetworkPolicy (it enforces
 * NetworkPolicy, whose peers may run anywhere, as a network plugin's node
 * daemon does in Kubernetes); reads a Secret,
 * ConfigMap, PersistentVolumeClaim or ServiceAccount (and asks tokens for it)
 * only when a pod bound to it uses that object; renews its own Lease in
 * tug-node-lease; writes Events; reads Services and Endpoints; reads
 * PersistentVolumes and changes those pinned to its node. Anything else
 * is no opinion here, left to RBAC. What an allowed write may change is
 * NodeRestriction's concern (admission-node.c).
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "object.h"
#include "server.h"
#include "storage.h"
#include "volume-rules.h"
#include "watchcache.h"

static const char NODE_PREFIX[] = "system:node:";
static const char LEASE_NAMESPACE[] = "tug-node-lease";

static bool is(const char *s, const char *want) {
  return strcmp(s, want) == 0;
}

static bool verb_in(const api_authz_attrs *a, const char *const *verbs) {
  for (size_t i = 0; verbs[i]; i++)
    if (is(a->verb, verbs[i]))
      return true;
  return false;
}

static api_watchcache *pod_cache(api_server *s, const api_kind **k) {
  *k = api_kind_by_resource("", "v1", "pods");
  return *k && s->caches ? api_kind_cache(s, *k) : NULL;
}

static bool pod_on_node(api_server *s, const char *ns, const char *name, const char *node) {
  const api_kind *k;
  api_watchcache *c = pod_cache(s, &k);
  char key[600];
  if (c == NULL)
    return false;
  api_cached *p = api_watchcache_get(c, api_key(k, ns, name, key, sizeof key));
  const char *bound = p ? tug_obj_get_str(p->obj, "spec.nodeName") : NULL;
  bool ok = bound && is(bound, node);
  api_cached_unref(p);
  return ok;
}

static bool names(const json_t *v, const char *name) {
  return json_is_string(v) && is(json_string_value(v), name);
}

/* Whether a container's env or envFrom names the object. */
static bool container_uses(const json_t *c, const char *ref_key, const char *from_key,
                           const char *name) {
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(c, "env"), i, e) {
    if (names(tug_obj_get(json_object_get(e, "valueFrom"), ref_key), name))
      return true;
  }
  json_array_foreach(json_object_get(c, "envFrom"), i, e) {
    if (names(tug_obj_get(json_object_get(e, from_key), "name"), name))
      return true;
  }
  return false;
}

/* Paths in a volume (or projection source) and container that name an object
 * of each kind the node may read. */
typedef struct ref_paths {
  const char *resource, *volume_path, *projection_path, *env_key, *env_from_key;
} ref_paths;

static const ref_paths refs[] = {
    {"secrets", "secret.secretName", "secret.name", "secretKeyRef.name", "secretRef"},
    {"configmaps", "configMap.name", "configMap.name", "configMapKeyRef.name", "configMapRef"},
    {"persistentvolumeclaims", "persistentVolumeClaim.claimName", NULL, NULL, NULL},
    {NULL},
};

static bool volumes_use(const json_t *spec, const ref_paths *rp, const char *name) {
  size_t i, j;
  json_t *v, *src;
  json_array_foreach(json_object_get(spec, "volumes"), i, v) {
    if (names(tug_obj_get(v, rp->volume_path), name))
      return true;
    if (rp->projection_path == NULL)
      continue;
    json_array_foreach(tug_obj_get(v, "projected.sources"), j, src) {
      if (names(tug_obj_get(src, rp->projection_path), name))
        return true;
    }
  }
  return false;
}

static bool containers_use(const json_t *spec, const ref_paths *rp, const char *name) {
  static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers", NULL};
  for (int l = 0; rp->env_key && lists[l]; l++) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, lists[l]), i, c) {
      if (container_uses(c, rp->env_key, rp->env_from_key, name))
        return true;
    }
  }
  return false;
}

static bool pod_uses(const json_t *pod, const char *resource, const char *name) {
  const json_t *spec = json_object_get(pod, "spec");
  if (is(resource, "serviceaccounts")) {
    const char *sa = tug_obj_get_str(pod, "spec.serviceAccountName");
    return is(sa && *sa ? sa : "default", name);
  }
  if (is(resource, "secrets")) {
    size_t i;
    json_t *ps;
    json_array_foreach(json_object_get(spec, "imagePullSecrets"), i, ps) {
      if (names(json_object_get(ps, "name"), name))
        return true;
    }
  }
  for (const ref_paths *rp = refs; rp->resource; rp++)
    if (is(rp->resource, resource))
      return volumes_use(spec, rp, name) || containers_use(spec, rp, name);
  return false;
}

/* Whether some pod bound to node in ns uses the object (resource/name). The
 * pod cache indexes pods by spec.nodeName, so this costs the node's pods. */
static bool node_uses(api_server *s, const char *node, const api_authz_attrs *a) {
  const api_kind *k;
  api_watchcache *c = pod_cache(s, &k);
  if (c == NULL || a->name[0] == '\0')
    return false;
  api_cached **items;
  size_t n;
  if (api_watchcache_list_indexed(c, node, &items, &n) < 0)
    return false;
  bool found = false;
  for (size_t i = 0; i < n && !found; i++) {
    const char *ns = tug_obj_get_str(items[i]->obj, "metadata.namespace");
    found = ns && is(ns, a->ns) && pod_uses(items[i]->obj, a->resource, a->name);
  }
  api_cached_list_free(items, n);
  return found;
}

/* No opinion, with why not in reason; fmt has one %s, the node. */
static int deny(char *reason, size_t size, const char *fmt, const char *node)
    __attribute__((format(printf, 3, 0)));
static int deny(char *reason, size_t size, const char *fmt, const char *node) {
  if (reason && size)
    snprintf(reason, size, fmt, node);
  return 0;
}

static const char *const read_verbs[] = {"get", "list", "watch", NULL};
static const char *const own_verbs[] = {"get", "update", "patch", "delete", NULL};

static int nodes(const api_authz_attrs *a, const char *node, char *reason, size_t size) {
  if (a->subresource[0] && !is(a->subresource, "status"))
    return 0;
  if (is(a->verb, "list") || is(a->verb, "watch") || (is(a->verb, "create") && !a->subresource[0]))
    return 1;
  if (verb_in(a, own_verbs) && is(a->name, node))
    return 1;
  return deny(reason, size, "node '%s' cannot touch another node", node);
}

static int pods(api_server *s, const api_authz_attrs *a, const char *node, char *reason,
                size_t size) {
  if ((is(a->verb, "list") || is(a->verb, "watch")) && !a->subresource[0])
    return 1;
  bool main_ok = !a->subresource[0] && (is(a->verb, "get") || is(a->verb, "delete"));
  bool status_ok = is(a->subresource, "status") && !is(a->verb, "delete");
  if (!main_ok && !status_ok)
    return 0;
  if (pod_on_node(s, a->ns, a->name, node))
    return 1;
  return deny(reason, size, "no relationship found between node '%s' and this object", node);
}

static int used_objects(api_server *s, const api_authz_attrs *a, const char *node, char *reason,
                        size_t size) {
  bool token =
      is(a->resource, "serviceaccounts") && is(a->subresource, "token") && is(a->verb, "create");
  if (!token && (a->subresource[0] || !is(a->verb, "get")))
    return 0;
  if (node_uses(s, node, a))
    return 1;
  return deny(reason, size, "no relationship found between node '%s' and this object", node);
}

/* PersistentVolumes: read, as every node needs to find its pods' volumes
 * and the ones to clean up; changed only when pinned to this node (the
 * agent takes its cleanup finalizer off once the directory is gone). */
static int volumes(api_server *s, const api_authz_attrs *a, const char *node, char *reason,
                   size_t size) {
  if (verb_in(a, read_verbs) && !a->subresource[0])
    return 1;
  if (!(is(a->verb, "update") || is(a->verb, "patch")) || a->subresource[0])
    return 0;
  const api_kind *k = api_kind_by_resource("", "v1", "persistentvolumes");
  api_watchcache *c = k && s->caches ? api_kind_cache(s, k) : NULL;
  char key[600];
  api_cached *pv = c ? api_watchcache_get(c, api_key(k, NULL, a->name, key, sizeof key)) : NULL;
  const char *on = pv ? tug_volume_node(pv->obj) : NULL;
  bool ok = on && is(on, node);
  api_cached_unref(pv);
  return ok ? 1 : deny(reason, size, "node '%s' may only change the volumes pinned to it", node);
}

static int core(api_server *s, const api_authz_attrs *a, const char *node, char *reason,
                size_t size) {
  if (is(a->resource, "persistentvolumes"))
    return volumes(s, a, node, reason, size);
  if (is(a->resource, "nodes"))
    return nodes(a, node, reason, size);
  if (is(a->resource, "pods"))
    return pods(s, a, node, reason, size);
  if (is(a->resource, "secrets") || is(a->resource, "configmaps") ||
      is(a->resource, "persistentvolumeclaims") || is(a->resource, "serviceaccounts"))
    return used_objects(s, a, node, reason, size);
  if ((is(a->resource, "services") || is(a->resource, "endpoints")) && verb_in(a, read_verbs))
    return 1;
  if (is(a->resource, "namespaces") && !a->subresource[0] && verb_in(a, read_verbs))
    return 1;
  if (is(a->resource, "events"))
    return is(a->verb, "create") || is(a->verb, "update") || is(a->verb, "patch");
  return 0;
}

static int leases(const api_authz_attrs *a, const char *node, char *reason, size_t size) {
  if (!is(a->ns, LEASE_NAMESPACE))
    return 0;
  if (is(a->verb, "create") || (verb_in(a, own_verbs) && is(a->name, node)))
    return 1;
  return deny(reason, size, "node '%s' may only renew its own lease", node);
}

int api_authz_node(api_server *s, const api_authz_attrs *a, char *reason, size_t size) {
  const api_user *u = a->user;
  if (u == NULL || !a->resource_request || !api_user_in_group(u, "system:nodes") ||
      strncmp(u->name, NODE_PREFIX, sizeof NODE_PREFIX - 1) != 0)
    return 0;
  const char *node = u->name + sizeof NODE_PREFIX - 1;
  if (a->group[0] == '\0')
    return core(s, a, node, reason, size);
  if (is(a->group, "coordination.k8s.io") && is(a->resource, "leases"))
    return leases(a, node, reason, size);
  if (is(a->group, "networking.k8s.io") && is(a->resource, "networkpolicies"))
    return verb_in(a, read_verbs);
  if (is(a->group, "events.k8s.io") && is(a->resource, "events"))
    return is(a->verb, "create") || is(a->verb, "update") || is(a->verb, "patch");
  return 0;
}
