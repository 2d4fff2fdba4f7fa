/*
 * cmd-top.c — `tug top nodes|pods`: CPU and memory from the agents' /metrics.
 *
 * Each Node says where its agent listens (InternalIP and
 * status.daemonEndpoints.kubeletEndpoint.Port, as Kubernetes finds the
 * kubelet). Every agent is scraped twice, a second apart: CPU is the rate of
 * the cumulative counter between the scrapes, memory the working set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "metrics.h"
#include "object.h"
#include "quantity.h"
#include "kinds.h"

enum { SCRAPE_GAP_MS = 1000, SCRAPE_TIMEOUT_MS = 5000 };

typedef struct node_sample {
  const json_t *node;
  char url[300];
  cli_pod_usage *first, *second;
  size_t n_first, n_second;
  bool ok;
} node_sample;

static const char *internal_ip(const json_t *node) {
  size_t i;
  json_t *a;
  json_array_foreach(tug_obj_get(node, "status.addresses"), i, a) {
    const char *t = tug_obj_get_str(a, "type");
    if (t && strcmp(t, "InternalIP") == 0)
      return tug_obj_get_str(a, "address");
  }
  return NULL;
}

/* The agent's /metrics, over TLS with the user's own credentials (an agent
 * answers cluster admins and the API server). */
static int scrape(cli_ctx *ctx, const char *url, cli_pod_usage **out, size_t *n) {
  tug_error err = {0};
  _cleanup_client_ tug_client *c = cli_client_for(ctx, url, &err);
  if (c == NULL)
    return -1;
  tug_request req = {.method = "GET",
                     .path = "/metrics",
                     .accept = "text/plain",
                     .raw = true,
                     .timeout_ms = SCRAPE_TIMEOUT_MS};
  tug_response resp;
  int rc = tug_client_do(c, &req, &resp, &err);
  if (rc >= 0)
    rc = cli_metrics_pods(resp.text, out, n);
  tug_response_clear(&resp);
  return rc < 0 ? -1 : 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Scrape every node twice; *elapsed gets the seconds between the rounds. */
static node_sample *scrape_nodes(cli_ctx *ctx, const json_t *nodes, double *elapsed) {
  size_t n = json_array_size(nodes);
  node_sample *s = calloc(n + 1, sizeof *s);
  if (s == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    s[i].node = json_array_get(nodes, i);
    const char *ip = internal_ip(s[i].node);
    int64_t port = tug_obj_get_int(s[i].node, "status.daemonEndpoints.kubeletEndpoint.Port", 0);
    if (ip && port > 0) {
      snprintf(s[i].url, sizeof s[i].url, "https://%s:%lld", ip, (long long)port);
      s[i].ok = scrape(ctx, s[i].url, &s[i].first, &s[i].n_first) == 0;
    }
  }
  double t0 = now_s();
  usleep(SCRAPE_GAP_MS * 1000);
  for (size_t i = 0; i < n; i++)
    if (s[i].ok)
      s[i].ok = scrape(ctx, s[i].url, &s[i].second, &s[i].n_second) == 0;
  *elapsed = now_s() - t0;
  return s;
}

static void free_samples(node_sample *s, size_t n) {
  for (size_t i = 0; s && i < n; i++) {
    free(s[i].first);
    free(s[i].second);
  }
  free(s);
}

/* Millicores of one pod between the two scrapes. */
static int64_t pod_millicores(const node_sample *s, const cli_pod_usage *u, double elapsed) {
  for (size_t j = 0; j < s->n_first; j++)
    if (strcmp(s->first[j].namespace, u->namespace) == 0 && strcmp(s->first[j].pod, u->pod) == 0) {
      double d = u->cpu_seconds - s->first[j].cpu_seconds;
      return d > 0 && elapsed > 0 ? (int64_t)(d / elapsed * 1000.0 + 0.5) : 0;
    }
  return 0;
}

static void top_nodes(node_sample *s, size_t n, double elapsed) {
  printf("%-24s %-11s %-6s %-15s %s\n", "NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%");
  for (size_t i = 0; i < n; i++) {
    const char *name = tug_obj_name(s[i].node);
    if (!s[i].ok) {
      printf("%-24s %-11s %-6s %-15s %s\n", name ? name : "", "<unknown>", "<unknown>", "<unknown>",
             "<unknown>");
      continue;
    }
    int64_t milli = 0, mem = 0, cap_cpu = 0, cap_mem = 0;
    for (size_t j = 0; j < s[i].n_second; j++) {
      milli += pod_millicores(&s[i], &s[i].second[j], elapsed);
      mem += (int64_t)s[i].second[j].memory_bytes;
    }
    tug_quantity_parse_resource("cpu", tug_obj_get_str(s[i].node, "status.allocatable.cpu"),
                                &cap_cpu);
    tug_quantity_parse_resource("memory", tug_obj_get_str(s[i].node, "status.allocatable.memory"),
                                &cap_mem);
    char cpu[32], memb[32], cpup[16], memp[16];
    snprintf(cpu, sizeof cpu, "%lldm", (long long)milli);
    snprintf(memb, sizeof memb, "%lldMi", (long long)(mem >> 20));
    snprintf(cpup, sizeof cpup, "%lld%%", cap_cpu > 0 ? (long long)(milli * 100 / cap_cpu) : 0LL);
    snprintf(memp, sizeof memp, "%lld%%", cap_mem > 0 ? (long long)(mem * 100 / cap_mem) : 0LL);
    printf("%-24s %-11s %-6s %-15s %s\n", name ? name : "", cpu, cpup, memb, memp);
  }
}

static int top_pods(cli_ctx *ctx, node_sample *s, size_t n, double elapsed) {
  bool all = ctx->opts.all_namespaces;
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; s[i].ok && j < s[i].n_second; j++) {
      const cli_pod_usage *u = &s[i].second[j];
      if (!all && strcmp(u->namespace, ctx->namespace) != 0)
        continue;
      if (shown++ == 0) {
        if (all)
          printf("%-20s ", "NAMESPACE");
        printf("%-32s %-11s %s\n", "NAME", "CPU(cores)", "MEMORY(bytes)");
      }
      if (all)
        printf("%-20s ", u->namespace);
      char cpu[32];
      snprintf(cpu, sizeof cpu, "%lldm", (long long)pod_millicores(&s[i], u, elapsed));
      printf("%-32s %-11s %lldMi\n", u->pod, cpu, (long long)((int64_t)u->memory_bytes >> 20));
    }
  if (shown == 0)
    fprintf(stderr, "No resources found%s%s%s\n", all ? "" : " in ", all ? "" : ctx->namespace,
            all ? "" : " namespace.");
  return 0;
}

int cmd_top(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  const char *what = o->npos == 1 ? o->pos[0] : "";
  bool nodes = strcmp(what, "nodes") == 0 || strcmp(what, "node") == 0 || strcmp(what, "no") == 0;
  bool pods = strcmp(what, "pods") == 0 || strcmp(what, "pod") == 0 || strcmp(what, "po") == 0;
  if (!nodes && !pods)
    return cli_failf("top: want nodes or pods");
  tug_error err = {0};
  _cleanup_json_ json_t *list = NULL;
  char path[64];
  if (cli_client(ctx, &err) == NULL ||
      tug_api_path(path, sizeof path, "Node", NULL, NULL, NULL, &err) < 0 ||
      tug_client_list(ctx->client, path, NULL, &list, &err) < 0)
    return cli_fail(ctx, &err);
  json_t *items = json_object_get(list, "items");
  double elapsed = 0;
  node_sample *s = scrape_nodes(ctx, items, &elapsed);
  if (s == NULL)
    return cli_failf("out of memory");
  int rc = 0;
  if (nodes)
    top_nodes(s, json_array_size(items), elapsed);
  else
    rc = top_pods(ctx, s, json_array_size(items), elapsed);
  free_samples(s, json_array_size(items));
  return rc;
}
