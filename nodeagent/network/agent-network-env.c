/*
 * agent-network-env.c — what a pod learns about Services when it starts:
 * Kubernetes' environment variables (WEB_SERVICE_HOST, WEB_PORT_80_TCP...)
 * and /etc/hosts entries, from the Services cached at that moment.
 */
#include "agent-network-env.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"

/* A Service with a virtual IP ("None" is headless: no variables, no entry). */
static const char *cluster_ip(const json_t *svc) {
  const char *ip = tug_obj_get_str(svc, "spec.clusterIP");
  return ip && *ip && strcmp(ip, "None") != 0 ? ip : NULL;
}

/* "my-web" → "MY_WEB", as kubelet makes variable names of Service names. */
static void env_name(const char *in, char *out, size_t size) {
  size_t i = 0;
  for (; in[i] && i + 1 < size; i++)
    out[i] = in[i] == '-' || in[i] == '.' ? '_' : (char)toupper((unsigned char)in[i]);
  out[i] = '\0';
}

static void set_str(json_t *env, const char *key, const char *value) {
  json_object_set_new(env, key, json_string(value));
}

static void set_port(json_t *env, const char *key, long port) {
  char value[24];
  snprintf(value, sizeof value, "%ld", port);
  set_str(env, key, value);
}

/* One Service's variables; the first port is the Service's own. */
static void add_service(json_t *env, const json_t *svc, const char *ip) {
  char base[256], key[400], prefix[320], url[160], proto_lc[16];
  env_name(tug_obj_name(svc), base, sizeof base);
  size_t i;
  json_t *p;
  json_array_foreach(tug_obj_get(svc, "spec.ports"), i, p) {
    long port = (long)tug_obj_get_int(p, "port", 0);
    const char *proto = tug_obj_get_str(p, "protocol"), *pname = tug_obj_get_str(p, "name");
    proto = proto ? proto : "TCP";
    size_t k = 0;
    for (; proto[k] && k + 1 < sizeof proto_lc; k++)
      proto_lc[k] = (char)tolower((unsigned char)proto[k]);
    proto_lc[k] = '\0';
    snprintf(url, sizeof url, "%s://%s:%ld", proto_lc, ip, port);
    if (i == 0) {
      snprintf(key, sizeof key, "%s_SERVICE_HOST", base);
      set_str(env, key, ip);
      snprintf(key, sizeof key, "%s_SERVICE_PORT", base);
      set_port(env, key, port);
      snprintf(key, sizeof key, "%s_PORT", base);
      set_str(env, key, url);
    }
    if (pname && *pname) {
      char upper[128];
      env_name(pname, upper, sizeof upper);
      snprintf(key, sizeof key, "%s_SERVICE_PORT_%s", base, upper);
      set_port(env, key, port);
    }
    snprintf(prefix, sizeof prefix, "%s_PORT_%ld_%s", base, port, proto);
    set_str(env, prefix, url);
    snprintf(key, sizeof key, "%s_PROTO", prefix);
    set_str(env, key, proto_lc);
    snprintf(key, sizeof key, "%s_PORT", prefix);
    set_port(env, key, port);
    snprintf(key, sizeof key, "%s_ADDR", prefix);
    set_str(env, key, ip);
  }
}

/* The API server's own Service, which kubelet shows every pod whatever its namespace. */
static bool master_service(const char *ns, const char *name) {
  return strcmp(ns, "default") == 0 && strcmp(name, "kubernetes") == 0;
}

json_t *agent_service_env(const json_t *services, const char *ns) {
  json_t *env = json_object();
  size_t i;
  json_t *svc;
  json_array_foreach(services, i, svc) {
    const char *ip = cluster_ip(svc), *sns = tug_obj_namespace(svc), *name = tug_obj_name(svc);
    if (ip && sns && ns && name && (strcmp(sns, ns) == 0 || master_service(sns, name)))
      add_service(env, svc, ip);
  }
  return env;
}

static int by_name(const void *a, const void *b) {
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  int c = strcmp(tug_obj_namespace(x), tug_obj_namespace(y));
  return c ? c : strcmp(tug_obj_name(x), tug_obj_name(y));
}

char *agent_service_hosts(const json_t *services, const char *ns, const char *pod_ip,
                          const char *hostname) {
  char *buf = NULL;
  size_t len = 0, n = 0, i;
  FILE *f = open_memstream(&buf, &len);
  const json_t **list = calloc(json_array_size(services) + 1, sizeof *list);
  if (f == NULL || list == NULL) {
    if (f)
      fclose(f);
    free(buf);
    free(list);
    return NULL;
  }
  fprintf(f,
          "# Kubernetes-managed hosts file (Tugboat).\n127.0.0.1\tlocalhost\n"
          "::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
          pod_ip && *pod_ip ? pod_ip : "127.0.1.1", hostname);
  json_t *svc;
  json_array_foreach(services, i, svc) {
    if (cluster_ip(svc) && tug_obj_name(svc) && tug_obj_namespace(svc))
      list[n++] = svc;
  }
  qsort(list, n, sizeof *list, by_name);
  for (i = 0; i < n; i++) {
    const char *name = tug_obj_name(list[i]), *sns = tug_obj_namespace(list[i]);
    fprintf(f, "%s\t%s.%s.svc %s.%s.svc.cluster.local", cluster_ip(list[i]), name, sns, name, sns);
    fprintf(f, ns && strcmp(ns, sns) == 0 ? " %s\n" : "%.0s\n", name);
  }
  free(list);
  fclose(f);
  return buf;
}
