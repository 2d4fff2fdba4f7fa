/*
 * apiserver_harness.c — start and stop tug-apiserver for tests (see
 * apiserver_harness.h).
 *
 * The port is chosen once, so a restarted server comes back where clients
 * expect it; stop waits for the process to exit, so the port is free again.
 */
#include "apiserver_harness.h"

#include "http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  int port = -1;
  if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  if (fd >= 0)
    close(fd);
  return port;
}

/* $TUG_APISERVER_BIN, ./bin/tug-apiserver, or bin/ of the tree holding this test. */
static void find_binary(char *out, size_t size) {
  const char *env = getenv("TUG_APISERVER_BIN");
  if (env && env[0]) {
    snprintf(out, size, "%s", env);
    return;
  }
  snprintf(out, size, "bin/tug-apiserver");
  if (access(out, X_OK) == 0)
    return;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return;
  exe[n] = '\0';
  char *dir = exe;
  for (int i = 0; i < 4; i++) /* <root>/<build>/lib/tests/test_x */
    dir = dirname(dir);
  snprintf(out, size, "%s/bin/tug-apiserver", dir);
}

static void exec_apiserver(const tug_test_apiserver *a, const char *bin, pid_t parent) {
  char listen[32];
  snprintf(listen, sizeof listen, "127.0.0.1:%d", a->port);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent)
    _exit(127);
  int fd = open(a->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  enum { BASE_ARGS = 7, MAX_EXTRA = 16 };
  const char *argv[BASE_ARGS + MAX_EXTRA + 1] = {
      bin, "--etcd-servers", a->etcd.endpoint, "--insecure-listen", listen, "--log-level", "warn"};
  for (size_t i = 0; a->extra_args && a->extra_args[i] && i < MAX_EXTRA; i++)
    argv[BASE_ARGS + i] = a->extra_args[i];
  execv(bin, (char *const *)argv);
  _exit(127);
}

static bool readyz(const char *url) {
  char u[96];
  snprintf(u, sizeof u, "%s/readyz", url);
  CURL *h = curl_easy_init();
  if (h == NULL)
    return false;
  curl_easy_setopt(h, CURLOPT_URL, u);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
  curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  long code = 0;
  if (curl_easy_perform(h) == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(h);
  return code == 200;
}

static int spawn(tug_test_apiserver *a) {
  char bin[PATH_MAX];
  find_binary(bin, sizeof bin);
  pid_t parent = getpid();
  a->pid = fork();
  if (a->pid < 0) {
    perror("apiserver harness: fork");
    a->pid = 0;
    return -1;
  }
  if (a->pid == 0)
    exec_apiserver(a, bin, parent);
  for (int i = 0; i < 300; i++) {
    if (readyz(a->url))
      return 0;
    int status;
    if (waitpid(a->pid, &status, WNOHANG) == a->pid) {
      fprintf(stderr, "apiserver harness: %s exited (status %d); see %s\n", bin, status, a->log);
      a->pid = 0;
      return -1;
    }
    usleep(50 * 1000);
  }
  fprintf(stderr, "apiserver harness: %s not ready at %s; see %s\n", bin, a->url, a->log);
  return -1;
}

int tug_test_apiserver_start(tug_test_apiserver *a) {
  const char *const *extra = a->extra_args;
  memset(a, 0, sizeof *a);
  a->extra_args = extra;
  curl_global_init(CURL_GLOBAL_ALL);
  if (tug_test_etcd_start(&a->etcd) < 0) {
    tug_test_etcd_destroy(&a->etcd);
    return -1;
  }
  a->port = free_port();
  snprintf(a->url, sizeof a->url, "http://127.0.0.1:%d", a->port);
  snprintf(a->log, sizeof a->log, "%s/apiserver.log", a->etcd.dir);
  if (a->port < 0 || spawn(a) < 0) {
    tug_test_apiserver_destroy(a);
    return -1;
  }
  return 0;
}

int tug_test_apiserver_stop(tug_test_apiserver *a) {
  if (a->pid <= 0)
    return 0;
  kill(a->pid, SIGTERM);
  int status;
  for (int i = 0; i < 100; i++) {
    if (waitpid(a->pid, &status, WNOHANG) == a->pid) {
      a->pid = 0;
      return 0;
    }
    usleep(50 * 1000);
  }
  kill(a->pid, SIGKILL);
  waitpid(a->pid, &status, 0);
  a->pid = 0;
  return 0;
}

int tug_test_apiserver_restart(tug_test_apiserver *a) {
  tug_test_apiserver_stop(a);
  return spawn(a);
}

void tug_test_apiserver_destroy(tug_test_apiserver *a) {
  tug_test_apiserver_stop(a);
  tug_test_etcd_destroy(&a->etcd);
}

int tug_test_apiserver_start_with_client(tug_test_apiserver *a, tug_client **cli) {
  if (tug_test_apiserver_start(a) < 0)
    return -1;
  tug_error err = {0};
  *cli = tug_client_new(a->url, NULL, &err);
  if (*cli == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    tug_test_apiserver_destroy(a);
    return -1;
  }
  return 0;
}

void tug_test_apiserver_destroy_with_client(tug_test_apiserver *a, tug_client *cli) {
  tug_client_free(cli);
  tug_test_apiserver_destroy(a);
}
