/*
 * etcd_harness.c — start and stop a real etcd for tests (see etcd_harness.h).
 *
 * Ports come from the kernel (bind to port 0, read it, close); the child asks
 * to be killed when the test process dies, so a crashed test leaves no etcd.
 */
#include "etcd_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "etcd.h"

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  close(fd);
  return ntohs(a.sin_port);
}

static void exec_etcd(const tug_test_etcd *e) {
  char client[64], peer[64], cluster[96], data[300], log[300];
  snprintf(client, sizeof client, "http://127.0.0.1:%d", e->client_port);
  snprintf(peer, sizeof peer, "http://127.0.0.1:%d", e->peer_port);
  snprintf(cluster, sizeof cluster, "t=%s", peer);
  snprintf(data, sizeof data, "%s/data", e->dir);
  snprintf(log, sizeof log, "%s/etcd.log", e->dir);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  execlp("etcd", "etcd", "--name", "t", "--data-dir", data, "--listen-client-urls", client,
         "--advertise-client-urls", client, "--listen-peer-urls", peer,
         "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster, "--log-level",
         "warn", "--logger", "zap", (char *)NULL);
  _exit(127);
}

static int wait_ready(tug_test_etcd *e) {
  tug_etcd_options opts = {.call_timeout_ms = 500};
  tug_etcd *c;
  tug_error err = {0};
  if (tug_etcd_open(&c, e->endpoint, &opts, &err) < 0) {
    fprintf(stderr, "etcd harness: %s\n", err.msg);
    return -1;
  }
  int rc = -1;
  for (int i = 0; i < 200 && rc < 0; i++) {
    tug_etcd_range r;
    if (tug_etcd_get(c, "/health", &r, &err) == 0) {
      tug_etcd_range_free(&r);
      rc = 0;
    } else if (waitpid(e->pid, NULL, WNOHANG) == e->pid) {
      fprintf(stderr, "etcd harness: etcd exited; see %s/etcd.log\n", e->dir);
      e->pid = 0;
      break;
    } else {
      usleep(50 * 1000);
    }
  }
  tug_etcd_close(c);
  if (rc < 0)
    fprintf(stderr, "etcd harness: etcd at %s not ready: %s\n", e->endpoint, err.msg);
  return rc;
}

static int spawn(tug_test_etcd *e) {
  e->pid = fork();
  if (e->pid < 0)
    return -1;
  if (e->pid == 0)
    exec_etcd(e);
  return wait_ready(e);
}

int tug_test_etcd_start(tug_test_etcd *e) {
  memset(e, 0, sizeof *e);
  snprintf(e->dir, sizeof e->dir, "/tmp/tug-test-etcd.XXXXXX");
  if (mkdtemp(e->dir) == NULL) {
    perror("etcd harness: mkdtemp");
    return -1;
  }
  e->client_port = free_port();
  e->peer_port = free_port();
  if (e->client_port < 0 || e->peer_port < 0 || e->client_port == e->peer_port)
    return -1;
  snprintf(e->endpoint, sizeof e->endpoint, "http://127.0.0.1:%d", e->client_port);
  return spawn(e);
}

int tug_test_etcd_stop(tug_test_etcd *e) {
  if (e->pid <= 0)
    return 0;
  kill(e->pid, SIGTERM);
  int status;
  for (int i = 0; i < 100; i++) {
    if (waitpid(e->pid, &status, WNOHANG) == e->pid) {
      e->pid = 0;
      return 0;
    }
    usleep(50 * 1000);
  }
  kill(e->pid, SIGKILL);
  waitpid(e->pid, &status, 0);
  e->pid = 0;
  return 0;
}

int tug_test_etcd_restart(tug_test_etcd *e) {
  tug_test_etcd_stop(e);
  return spawn(e);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

void tug_test_etcd_destroy(tug_test_etcd *e) {
  tug_test_etcd_stop(e);
  if (e->dir[0])
    nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  e->dir[0] = '\0';
}
