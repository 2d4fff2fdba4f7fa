/*
 * tug-agent — the node agent: registers this host as a Node, keeps its Lease,
 * and runs the pods bound to it as containers (agent-pods.c, agent-pod.c on
 * the runtime of runtime.h). main parses flags and wires the pieces, waits
 * for SIGTERM/SIGINT, and then stops its threads but leaves the pods'
 * containers running.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-backoff.h"
#include "agent-logs.h"
#include "agent-node.h"
#include "agent-pods.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "quantity.h"
#include "runtime.h"

typedef struct config {
  const char *server, *node_name, *root, *log_level, *log_file, *address;
  int max_pods, port;
  int64_t reserved_cpu_milli, pod_pids_limit;
  int restart_backoff_seconds;
  bool build_busybox;
} config;

static void usage(FILE *f) {
  fprintf(f, "usage: tug-agent --server URL --node-name NAME [--root DIR] [--max-pods N]\n"
             "                 [--reserved-cpu Q] [--pod-pids-limit N]\n"
             "                 [--restart-backoff-seconds N] [--build-busybox]\n"
             "                 [--address IP] [--port N]\n"
             "                 [--log-level L] [--log-file PATH]\n");
}

static int parse_int(const char *flag, const char *s, long min, long long *out) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end || end == s || v < min || v > INT_MAX) {
    fprintf(stderr, "tug-agent: %s: invalid value \"%s\"\n", flag, s);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_flags(int argc, char **argv, config *c) {
  enum {
    SERVER = 1,
    NODE,
    ROOT,
    MAX_PODS,
    RESERVED,
    PIDS,
    BACKOFF,
    BUSYBOX,
    LEVEL,
    LOGFILE,
    ADDRESS,
    PORT
  };
  static const struct option opts[] = {
      {"server", required_argument, NULL, SERVER},
      {"node-name", required_argument, NULL, NODE},
      {"root", required_argument, NULL, ROOT},
      {"max-pods", required_argument, NULL, MAX_PODS},
      {"reserved-cpu", required_argument, NULL, RESERVED},
      {"pod-pids-limit", required_argument, NULL, PIDS},
      {"restart-backoff-seconds", required_argument, NULL, BACKOFF},
      {"build-busybox", no_argument, NULL, BUSYBOX},
      {"log-level", required_argument, NULL, LEVEL},
      {"log-file", required_argument, NULL, LOGFILE},
      {"address", required_argument, NULL, ADDRESS},
      {"port", required_argument, NULL, PORT},
      {"help", no_argument, NULL, 'h'},
      {0},
  };
  *c = (config){.root = "/var/lib/tug",
                .address = "127.0.0.1",
                .port = 10250,
                .max_pods = 110,
                .log_level = "info",
                .restart_backoff_seconds = AGENT_BACKOFF_BASE_SECONDS};
  int opt;
  long long v;
  tug_error err = {0};
  while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case SERVER:
      c->server = optarg;
      break;
    case NODE:
      c->node_name = optarg;
      break;
    case ROOT:
      c->root = optarg;
      break;
    case LEVEL:
      c->log_level = optarg;
      break;
    case LOGFILE:
      c->log_file = optarg;
      break;
    case BUSYBOX:
      c->build_busybox = true;
      break;
    case ADDRESS:
      c->address = optarg;
      break;
    case PORT:
      if (parse_int("--port", optarg, 1, &v) < 0 || v > 65535)
        return -1;
      c->port = (int)v;
      break;
    case MAX_PODS:
      if (parse_int("--max-pods", optarg, 1, &v) < 0)
        return -1;
      c->max_pods = (int)v;
      break;
    case PIDS:
      if (parse_int("--pod-pids-limit", optarg, 0, &v) < 0)
        return -1;
      c->pod_pids_limit = v;
      break;
    case BACKOFF:
      if (parse_int("--restart-backoff-seconds", optarg, 1, &v) < 0)
        return -1;
      c->restart_backoff_seconds = (int)v;
      break;
    case RESERVED:
      if (tug_quantity_parse_milli(optarg, 0, &c->reserved_cpu_milli, &err) < 0) {
        fprintf(stderr, "tug-agent: --reserved-cpu: %s\n", err.msg);
        return -1;
      }
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (c->server == NULL || c->node_name == NULL || optind != argc) {
    usage(stderr);
    return -1;
  }
  return 0;
}

/* busybox:latest into the store unless it is there already. */
static int ensure_busybox(const char *root, tug_error *err) {
  char rootfs[PATH_MAX];
  struct stat st;
  if (agent_image_rootfs(root, "busybox", "latest", rootfs, sizeof rootfs, err) < 0)
    return -1;
  if (stat(rootfs, &st) == 0 && S_ISDIR(st.st_mode))
    return 0;
  if (agent_image_build_busybox(root, err) < 0)
    return -1;
  tug_info("image built", "image=busybox:latest rootfs=%s", rootfs);
  return 0;
}

/*
 * SIGTERM/SIGINT reach a handler that writes to a pipe main reads. Not
 * blocked with a signal mask: the containers the agent forks would inherit
 * the mask through exec, and a blocked SIGTERM never reaches them.
 */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig) {
  int saved = errno;
  unsigned char b = (unsigned char)sig;
  ssize_t n = write(signal_pipe[1], &b, 1);
  (void)n;
  errno = saved;
}

static int install_signal_handlers(tug_error *err) {
  if (pipe2(signal_pipe, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "signal pipe");
  struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
    return tug_error_errno(err, errno, "install signal handlers");
  return 0;
}

static int wait_for_signal(void) {
  unsigned char b = 0;
  while (read(signal_pipe[0], &b, 1) < 0 && errno == EINTR)
    ;
  return b;
}

static int run(const config *c, tug_client *client, agent_runtime *rt, tug_error *err) {
  const char *host_ip = c->address;
  agent_logs *logs = NULL;
  if (agent_logs_start(c->root, c->address, c->port, &logs, err) < 0)
    return -1;
  agent_node *node = NULL;
  agent_node_options no = {.client = client,
                           .name = c->node_name,
                           .max_pods = c->max_pods,
                           .reserved_cpu_milli = c->reserved_cpu_milli,
                           .host_ip = host_ip,
                           .port = c->port};
  if (agent_node_start(&no, &node, err) < 0) {
    agent_logs_stop(logs);
    return -1;
  }
  agent_pod_env env = {.rt = rt,
                       .client = client,
                       .root = c->root,
                       .host_ip = host_ip,
                       .pids_limit = c->pod_pids_limit,
                       .backoff_base = c->restart_backoff_seconds};
  agent_pods *pods = NULL;
  agent_pods_options po = {.env = &env, .node_name = c->node_name, .max_pods = c->max_pods};
  if (agent_pods_start(&po, &pods, err) < 0) {
    agent_node_stop(node);
    agent_logs_stop(logs);
    return -1;
  }
  tug_info("agent running", "node=%s server=%s root=%s", c->node_name, c->server, c->root);
  int sig = wait_for_signal();
  tug_info("shutting down, pods keep running", "signal=%s", strsignal(sig));
  agent_pods_stop(pods);
  agent_node_stop(node);
  agent_logs_stop(logs);
  return 0;
}

int main(int argc, char **argv) {
  config c;
  if (parse_flags(argc, argv, &c) < 0)
    return 2;
  int level = tug_log_level_parse(c.log_level);
  if (level < 0 || tug_log_init("agent", (tug_log_level)level, c.log_file) < 0) {
    fprintf(stderr, "tug-agent: bad --log-level or --log-file\n");
    return 2;
  }
  tug_error err = {0};
  char state[PATH_MAX];
  snprintf(state, sizeof state, "%s/state", c.root);
  agent_runtime *rt = NULL;
  tug_client *client = NULL;
  int rc = 1;
  if (install_signal_handlers(&err) < 0 || (c.build_busybox && ensure_busybox(c.root, &err) < 0) ||
      agent_runtime_open(state, &rt, &err) < 0 ||
      (client = tug_client_new(c.server, NULL, &err)) == NULL || run(&c, client, rt, &err) < 0)
    tug_errorlog("agent failed", "err=\"%s\"", err.msg);
  else
    rc = 0;
  tug_client_free(client);
  if (rt)
    agent_runtime_close(rt);
  return rc;
}
