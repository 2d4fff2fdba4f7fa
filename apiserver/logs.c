/*
 * logs.c — GET /api/v1/namespaces/{ns}/pods/{name}/log: the API server asks
 * the agent of the pod's node for the container's log, as Kubernetes asks the
 * kubelet. The agent is found through the Node: its InternalIP address and
 * status.daemonEndpoints.kubeletEndpoint.Port.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "object.h"
#include "status.h"
#include "storage.h"
#include "watchcache.h"

typedef struct text {
  char *s;
  size_t len;
} text;

static size_t collect(char *data, size_t size, size_t n, void *arg) {
  text *t = arg;
  char *s = realloc(t->s, t->len + size * n + 1);
  if (s == NULL)
    return 0;
  memcpy(s + t->len, data, size * n);
  t->len += size * n;
  s[t->len] = '\0';
  t->s = s;
  return size * n;
}

static json_t *cached(api_server *s, const char *resource, const char *ns, const char *name) {
  const api_kind *k = api_kind_by_resource("", "v1", resource);
  char key[512];
  api_cached *c = api_watchcache_get(s->caches[k - api_kinds], api_key(k, ns, name, key, sizeof key));
  json_t *o = c ? json_incref(c->obj) : NULL;
  api_cached_unref(c);
  return o;
}

/* The container to read: the one named, or the pod's only one. */
static const char *pick_container(const json_t *pod, const char *asked, api_response *out) {
  json_t *cs = tug_obj_get(pod, "spec.containers");
  size_t i;
  json_t *c;
  json_array_foreach(cs, i, c) {
    const char *name = json_string_value(json_object_get(c, "name"));
    if (name && (asked ? strcmp(asked, name) == 0 : json_array_size(cs) == 1))
      return name;
  }
  char names[512] = "";
  json_array_foreach(cs, i, c) {
    size_t o = strlen(names);
    snprintf(names + o, sizeof names - o, "%s%s", o ? " " : "",
             json_string_value(json_object_get(c, "name")) ?: "");
  }
  if (asked)
    api_fail(out, 400, "container %s is not valid for pod %s", asked, tug_obj_name(pod));
  else
    api_fail(out, 400, "a container name must be specified for pod %s, choose one of: [%s]",
             tug_obj_name(pod), names);
  return NULL;
}

/* http://ADDRESS:PORT of the agent on node, or NULL with out filled. */
static char *agent_url(api_server *s, const char *node, api_response *out) {
  json_t *n = node ? cached(s, "nodes", NULL, node) : NULL;
  const char *ip = NULL;
  size_t i;
  json_t *a;
  json_array_foreach(tug_obj_get(n, "status.addresses"), i, a) {
    const char *type = json_string_value(json_object_get(a, "type"));
    if (type && strcmp(type, "InternalIP") == 0)
      ip = json_string_value(json_object_get(a, "address"));
  }
  int64_t port = tug_obj_get_int(n, "status.daemonEndpoints.kubeletEndpoint.Port", 0);
  char *url = NULL;
  if (ip && port > 0 && asprintf(&url, "http://%s:%lld", ip, (long long)port) < 0)
    url = NULL;
  if (url == NULL)
    api_fail(out, 503, "node %s has no reachable agent for logs", node ? node : "(none)");
  json_decref(n);
  return url;
}

static void fetch(const char *url, api_response *out) {
  CURL *h = curl_easy_init();
  text t = {NULL, 0};
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK) {
    api_fail(out, 503, "reading logs from the node's agent: %s", curl_easy_strerror(rc));
  } else if (code != 200) {
    api_fail(out, code == 404 ? 404 : 502, "%s", t.s ? t.s : "the node's agent refused");
  } else {
    out->code = 200;
    out->text = t.s ? t.s : strdup("");
    out->content_type = "text/plain";
    return;
  }
  free(t.s);
}

void api_handle_log(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "GET") != 0) {
    api_fail(out, 405, "method %s not allowed on log", r->method);
    return;
  }
  const char *prev = api_query(r, "previous");
  if (prev && strcmp(prev, "true") == 0) {
    api_fail(out, 400, "previous=true is not supported yet: logs of earlier container instances "
                       "are not kept apart");
    return;
  }
  json_t *pod = cached(r->server, "pods", rt->ns, rt->name);
  if (pod == NULL) {
    api_fail(out, 404, "pods \"%s\" not found", rt->name);
    return;
  }
  const char *container = pick_container(pod, api_query(r, "container"), out);
  char *base = container ? agent_url(r->server, tug_obj_get_str(pod, "spec.nodeName"), out) : NULL;
  if (base) {
    char *esc_ns = curl_easy_escape(NULL, rt->ns, 0), *esc_pod = curl_easy_escape(NULL, rt->name, 0),
         *esc_c = curl_easy_escape(NULL, container, 0);
    const char *tail = api_query(r, "tailLines");
    char url[2048];
    int n = snprintf(url, sizeof url, "%s/containerLogs/%s/%s/%s", base, esc_ns, esc_pod, esc_c);
    if (tail && n > 0 && (size_t)n < sizeof url)
      snprintf(url + n, sizeof url - n, "?tailLines=%ld", strtol(tail, NULL, 10));
    fetch(url, out);
    curl_free(esc_ns);
    curl_free(esc_pod);
    curl_free(esc_c);
  }
  free(base);
  json_decref(pod);
}
