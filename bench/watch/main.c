/*
 * bench/watch — watch fan-out: N clients watch pods in one namespace, one
 * writer creates pods one at a time, and each write's delivery time to every
 * watcher is measured (from just before the POST to the moment the watcher's
 * socket carries the pod's name). Prints p50/p99 of all deliveries and of
 * "the last watcher" per write.
 *
 *   build/bench-watch --host 127.0.0.1 --port 6443 [--watchers 1000]
 *                     [--writes 50] [--namespace bench-watch]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int connect_to(const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, host, &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static int send_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n <= 0)
      return -1;
    buf += n, len -= n;
  }
  return 0;
}

/* POST one pod on a fresh connection and wait for the answer's status line. */
static int create_pod(const char *host, int port, const char *ns, const char *name) {
  char body[512], req[1024];
  int bl = snprintf(body, sizeof body,
                    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"},"
                    "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}",
                    name);
  int rl = snprintf(req, sizeof req,
                    "POST /api/v1/namespaces/%s/pods HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                    "application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                    ns, host, bl, body);
  int fd = connect_to(host, port);
  if (fd < 0 || send_all(fd, req, rl) < 0)
    return -1;
  char resp[64] = "";
  ssize_t n = read(fd, resp, sizeof resp - 1);
  close(fd);
  return n > 12 && strncmp(resp + 9, "201", 3) == 0 ? 0 : -1;
}

typedef struct watcher {
  int fd;
  char tail[64];
  size_t tail_len;
  int seen; /* index of the last write this watcher saw */
} watcher;

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Does this read (with the previous tail) carry marker? */
static int has_marker(watcher *w, const char *data, size_t n, const char *marker) {
  char buf[64 + 65536];
  memcpy(buf, w->tail, w->tail_len);
  memcpy(buf + w->tail_len, data, n);
  size_t total = w->tail_len + n;
  buf[total] = '\0';
  int found = memmem(buf, total, marker, strlen(marker)) != NULL;
  size_t keep = total < 48 ? total : 48;
  memcpy(w->tail, buf + total - keep, keep);
  w->tail_len = keep;
  return found;
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1", *ns = "bench-watch";
  int port = 6443, nwatch = 1000, writes = 50;
  static const struct option opts[] = {{"host", required_argument, NULL, 'h'},
                                       {"port", required_argument, NULL, 'p'},
                                       {"watchers", required_argument, NULL, 'w'},
                                       {"writes", required_argument, NULL, 'n'},
                                       {"namespace", required_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    if (o == 'h') host = optarg;
    else if (o == 'p') port = atoi(optarg);
    else if (o == 'w') nwatch = atoi(optarg);
    else if (o == 'n') writes = atoi(optarg);
    else if (o == 's') ns = optarg;
    else return 2;
  }
  struct rlimit rl = {nwatch + 256, nwatch + 256};
  setrlimit(RLIMIT_NOFILE, &rl);
  watcher *ws = calloc(nwatch, sizeof *ws);
  int ep = epoll_create1(0);
  char req[512];
  int rlen = snprintf(req, sizeof req,
                      "GET /api/v1/namespaces/%s/pods?watch=true&timeoutSeconds=600 HTTP/1.1\r\n"
                      "Host: %s\r\n\r\n", ns, host);
  for (int i = 0; i < nwatch; i++) {
    ws[i].fd = connect_to(host, port);
    ws[i].seen = -1;
    if (ws[i].fd < 0 || send_all(ws[i].fd, req, rlen) < 0) {
      fprintf(stderr, "bench-watch: watcher %d cannot connect: %s\n", i, strerror(errno));
      return 1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, ws[i].fd, &ev);
  }
  sleep(2); /* let every watch register before the first write */
  double *all = calloc((size_t)nwatch * writes, sizeof *all), *last = calloc(writes, sizeof *last);
  size_t nall = 0;
  int lost = 0;
  struct epoll_event evs[256];
  char data[65536];
  for (int k = 0; k < writes; k++) {
    char name[64], marker[80];
    snprintf(name, sizeof name, "fanout-%d-%d", (int)getpid(), k);
    snprintf(marker, sizeof marker, "\"name\":\"%s\"", name);
    double t0 = now_ms();
    if (create_pod(host, port, ns, name) < 0) {
      fprintf(stderr, "bench-watch: create %s failed\n", name);
      return 1;
    }
    int got = 0;
    while (got < nwatch && now_ms() - t0 < 10000) {
      int n = epoll_wait(ep, evs, 256, 100);
      for (int e = 0; e < n; e++) {
        watcher *w = &ws[evs[e].data.u32];
        ssize_t r = read(w->fd, data, sizeof data);
        if (r > 0 && w->seen < k && has_marker(w, data, r, marker)) {
          w->seen = k;
          all[nall++] = now_ms() - t0;
          got++;
        }
      }
    }
    lost += nwatch - got;
    last[k] = now_ms() - t0;
  }
  qsort(all, nall, sizeof *all, cmp);
  qsort(last, writes, sizeof *last, cmp);
  printf("watchers=%d writes=%d deliveries=%zu missed=%d delivery_p50_ms=%.2f delivery_p99_ms=%.2f "
         "last_watcher_p50_ms=%.2f last_watcher_p99_ms=%.2f\n",
         nwatch, writes, nall, lost, all[nall / 2], all[(size_t)(nall * 0.99)], last[writes / 2],
         last[(int)(writes * 0.99)]);
  return lost ? 1 : 0;
}
