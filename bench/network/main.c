/*
 * bench-network — how long a new Service takes to work on every node.
 *
 *   build/bench-network --server URL --namespace NS --selector app=echo
 *       --target-port 8080 [--services 30] [--background 0] --netns NAME...
 *
 * First --background Services (selecting the same pods) are created and
 * left, so that every agent's ruleset holds that many. Then, --services
 * times: the clock starts, a Service is POSTed, and one thread per --netns
 * (a node's network namespace) tries a TCP connect to the Service's virtual
 * IP:80 every 2 ms (each attempt with a 20 ms timeout, on a new socket) until
 * one succeeds. The time to the last node's first success is the Service's
 * "programming latency": the API server, the Endpoints controller, the
 * agents' watches and their nftables update, end to end. The Service is then
 * deleted. p50/p90/p99/max are printed; all Services are deleted at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "http.h"
#include "kubeconfig.h"
#include "object.h"

enum { MAX_NODES = 16, POLL_US = 2000, CONNECT_MS = 20, GIVE_UP_S = 30 };

typedef struct prober {
  int netns_fd;
  struct sockaddr_in vip;
  double done_at; /* monotonic; 0: never */
} prober;

/* One non-blocking connect with a short timeout; true when it connected. */
static bool try_connect(const struct sockaddr_in *sa) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  bool ok = false;
  if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int soerr = 0;
    socklen_t len = sizeof soerr;
    ok = poll(&p, 1, CONNECT_MS) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 &&
         soerr == 0;
  }
  close(fd);
  return ok;
}

static void *probe(void *arg) {
  prober *p = arg;
  if (setns(p->netns_fd, CLONE_NEWNET) < 0) {
    perror("setns");
    return NULL;
  }
  double give_up = tug_monotonic_seconds() + GIVE_UP_S;
  while (tug_monotonic_seconds() < give_up) {
    if (try_connect(&p->vip)) {
      p->done_at = tug_monotonic_seconds();
      return NULL;
    }
    usleep(POLL_US);
  }
  return NULL;
}

static json_t *service(const char *name, const char *ns, const char *key, const char *value,
                       int target_port) {
  return json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:{s:s}, s:[{s:i, s:i}]}}", "apiVersion", "v1",
                   "kind", "Service", "metadata", "name", name, "namespace", ns, "spec",
                   "selector", key, value, "ports", "port", 80, "targetPort", target_port);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p) {
  int i = (int)(p * (n - 1) + 0.5);
  return v[i < n ? i : n - 1];
}

int main(int argc, char **argv) {
  const char *server = NULL, *kubeconfig = NULL, *ns = "default", *selector = NULL;
  int target_port = 8080, count = 30, background = 0, nodes = 0;
  const char *netns[MAX_NODES];
  static const struct option opts[] = {{"server", required_argument, NULL, 's'},
                                       {"kubeconfig", required_argument, NULL, 'k'},
                                       {"namespace", required_argument, NULL, 'n'},
                                       {"selector", required_argument, NULL, 'l'},
                                       {"target-port", required_argument, NULL, 't'},
                                       {"services", required_argument, NULL, 'c'},
                                       {"background", required_argument, NULL, 'b'},
                                       {"netns", required_argument, NULL, 'N'},
                                       {0}};
  int opt;
  while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (opt) {
    case 's': server = optarg; break;
    case 'k':
      kubeconfig = optarg;
      break;
    case 'n': ns = optarg; break;
    case 'l': selector = optarg; break;
    case 't': target_port = atoi(optarg); break;
    case 'c': count = atoi(optarg); break;
    case 'b': background = atoi(optarg); break;
    case 'N':
      if (nodes < MAX_NODES)
        netns[nodes++] = optarg;
      break;
    default: return 2;
    }
  }
  char key[128], value[128];
  if ((server == NULL && kubeconfig == NULL) || selector == NULL || nodes == 0 || count < 1 ||
      sscanf(selector, "%127[^=]=%127s", key, value) != 2) {
    fprintf(stderr,
            "usage: bench-network --kubeconfig FILE|--server URL --namespace NS --selector K=V "
            "--netns NAME... [--services N] [--background N] [--target-port P]\n");
    return 2;
  }
  int fds[MAX_NODES];
  for (int i = 0; i < nodes; i++) {
    char path[256];
    snprintf(path, sizeof path, strchr(netns[i], '/') ? "%s" : "/run/netns/%s", netns[i]);
    if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
      perror(path);
      return 1;
    }
  }
  tug_error err = {0};
  tug_client *c = tug_kubeconfig_client_for_flags(kubeconfig, server, NULL, &err);
  if (c == NULL) {
    fprintf(stderr, "bench-network: %s\n", err.msg);
    return 1;
  }
  char path[256], name[64];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/services", ns);
  double t0 = tug_monotonic_seconds();
  for (int i = 0; i < background; i++) {
    snprintf(name, sizeof name, "bg-%d", i);
    json_t *svc = service(name, ns, key, value, target_port), *out = NULL;
    if (tug_client_create(c, path, svc, &out, &err) < 0)
      fprintf(stderr, "create %s: %s\n", name, err.msg);
    json_decref(svc);
    json_decref(out);
  }
  if (background)
    printf("background: %d Services created in %.1f s\n", background,
           tug_monotonic_seconds() - t0);
  sleep(background ? 5 : 1); /* let the agents settle */
  double *lat = calloc((size_t)count, sizeof *lat);
  int got = 0;
  for (int i = 0; i < count; i++) {
    snprintf(name, sizeof name, "probe-%d", i);
    json_t *svc = service(name, ns, key, value, target_port), *out = NULL;
    double start = tug_monotonic_seconds();
    if (tug_client_create(c, path, svc, &out, &err) < 0) {
      fprintf(stderr, "create %s: %s\n", name, err.msg);
      json_decref(svc);
      continue;
    }
    prober p[MAX_NODES];
    pthread_t t[MAX_NODES];
    for (int k = 0; k < nodes; k++) {
      p[k] = (prober){.netns_fd = fds[k], .vip = {.sin_family = AF_INET, .sin_port = htons(80)}};
      inet_pton(AF_INET, tug_obj_get_str(out, "spec.clusterIP"), &p[k].vip.sin_addr);
      pthread_create(&t[k], NULL, probe, &p[k]);
    }
    double last = 0;
    bool all = true;
    for (int k = 0; k < nodes; k++) {
      pthread_join(t[k], NULL);
      all &= p[k].done_at > 0;
      if (p[k].done_at > last)
        last = p[k].done_at;
    }
    if (all)
      lat[got++] = (last - start) * 1000;
    else
      fprintf(stderr, "%s: not reachable on every node within %d s\n", name, GIVE_UP_S);
    char one[320];
    snprintf(one, sizeof one, "%s/%s", path, name);
    json_t *gone = NULL;
    tug_client_delete(c, one, &gone, &err);
    json_decref(gone);
    json_decref(svc);
    json_decref(out);
    usleep(200 * 1000);
  }
  for (int i = 0; i < background; i++) {
    char one[320];
    snprintf(one, sizeof one, "%s/bg-%d", path, i);
    json_t *gone = NULL;
    tug_client_delete(c, one, &gone, &err);
    json_decref(gone);
  }
  qsort(lat, (size_t)got, sizeof *lat, cmp_double);
  if (got)
    printf("service programming latency (POST -> VIP connects on all %d nodes), %d services, "
           "%d in the background: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           nodes, got, background, pct(lat, got, 0.5), pct(lat, got, 0.9), pct(lat, got, 0.99),
           lat[got - 1]);
  free(lat);
  tug_client_free(c);
  return got == count ? 0 : 1;
}
