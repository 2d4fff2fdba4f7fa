/*
 * The node's pod network end to end against the real kernel: a "node"
 * namespace with the bridge, "pod" namespaces behind veths, routes to other
 * nodes. It runs without root in a private user and network namespace and
 * skips when this machine refuses user namespaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/tests/test_support.h"
#include "cleanup.h"
#include "../../lib/tests/userns_sandbox.h"
#include "netlink.h"
#include "network/bridge.h"
#include "nsrun.h"

static bool sandboxed;
static char sandbox_error[256];

/* Root in a user namespace of our own, with a network namespace it owns. */
static int enter_sandbox(void **state) {
  (void)state;
  int rc = tug_test_enter_userns(sandbox_error, sizeof sandbox_error);
  sandboxed = rc == 1;
  return rc < 0 ? -1 : 0;
}

typedef struct fixture {
  char root[PATH_MAX];
  agent_bridge_options o;
  int node_fd, pod_fd;
  tug_nl *node, *pod; /* for looking */
  agent_bridge *net;
} fixture;

static int setup(void **state) {
  static fixture f;
  f = (fixture){.node_fd = -1, .pod_fd = -1};
  *state = &f;
  if (!sandboxed) {
    print_message("# skipped: user namespaces unavailable: %s\n", sandbox_error);
    return 0;
  }
  tug_error err = {0};
  snprintf(f.root, sizeof f.root, "/tmp/tug-net-test.XXXXXX");
  if (mkdtemp(f.root) == NULL)
    return -1;
  if ((f.node_fd = tug_netns_new(&err)) < 0 || (f.pod_fd = tug_netns_new(&err)) < 0 ||
      tug_nl_open(f.node_fd, &f.node, &err) < 0 || tug_nl_open(f.pod_fd, &f.pod, &err) < 0) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  f.o = (agent_bridge_options){.netns_fd = f.node_fd, .state_dir = f.root};
  if (agent_bridge_open(&f.o, &f.net, &err) < 0) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  agent_bridge_close(f->net);
  tug_nl_close(f->node);
  tug_nl_close(f->pod);
  if (f->node_fd >= 0)
    close(f->node_fd);
  if (f->pod_fd >= 0)
    close(f->pod_fd);
  if (f->root[0]) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    return system(cmd);
  }
  return 0;
}

#define NEED_SANDBOX()                                                                             \
  do {                                                                                             \
    if (!sandboxed)                                                                                \
      skip();                                                                                      \
  } while (0)

static int ifindex(tug_nl *nl, const char *name) {
  tug_error err = {0};
  int index = tug_nl_ifindex(nl, name, &err);
  if (index < 0)
    fail_msg("ifindex %s: %s", name, err.msg);
  return index;
}

static void configure(fixture *f) {
  OK(agent_bridge_configure(f->net, "198.18.4.0/24", "198.19.0.0/17", err));
}

/* The route to dst with TUG_RTPROT in nl's namespace, or NULL (a static copy). */
static const tug_nl_route *tug_route(tug_nl *nl, const char *dst) {
  static tug_nl_route found;
  tug_nl_route *routes = NULL;
  size_t count = 0;
  OK(tug_nl_route_list(nl, TUG_RTPROT, &routes, &count, err));
  const tug_nl_route *r = NULL;
  for (size_t i = 0; i < count && r == NULL; i++)
    if (strcmp(routes[i].dst, dst) == 0) {
      found = routes[i];
      r = &found;
    }
  free(routes);
  return r;
}

static size_t tug_route_count(tug_nl *nl) {
  tug_nl_route *routes = NULL;
  size_t count = 0;
  OK(tug_nl_route_list(nl, TUG_RTPROT, &routes, &count, err));
  free(routes);
  return count;
}

typedef struct iface {
  const char *name;
  char addr[INET_ADDRSTRLEN]; /* "" when it has no IPv4 address */
  int prefix;
  bool up;
} iface;

static int look_up_iface(void *p) {
  iface *want = p;
  struct ifaddrs *all;
  if (getifaddrs(&all) < 0)
    return -1;
  for (struct ifaddrs *a = all; a; a = a->ifa_next) {
    if (strcmp(a->ifa_name, want->name) != 0)
      continue;
    want->up = a->ifa_flags & IFF_UP;
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET) {
      struct sockaddr_in *in = (void *)a->ifa_addr, *mask = (void *)a->ifa_netmask;
      inet_ntop(AF_INET, &in->sin_addr, want->addr, sizeof want->addr);
      want->prefix = __builtin_popcount(mask->sin_addr.s_addr);
    }
  }
  freeifaddrs(all);
  return 0;
}

static iface iface_in(int netns_fd, const char *name) {
  iface i = {.name = name};
  OK(tug_netns_run(netns_fd, look_up_iface, &i, err));
  return i;
}

static int master_of(tug_nl *nl, const char *name) {
  tug_nl_link *links = NULL;
  size_t count = 0;
  int master = -1;
  OK(tug_nl_link_list(nl, &links, &count, err));
  for (size_t i = 0; i < count; i++)
    if (strcmp(links[i].name, name) == 0)
      master = links[i].master;
  free(links);
  return master;
}

/* A shell command run inside netns_fd (through /proc, so the fd need not be inherited). */
static int run_in(int netns_fd, const char *cmd) {
  char line[512];
  snprintf(line, sizeof line, "nsenter --net=/proc/%d/fd/%d sh -c '%s'", (int)getpid(), netns_fd,
           cmd);
  return system(line);
}

static void test_configure_sets_up_bridge_forwarding_and_service_route(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  assert_false(agent_bridge_configured(f->net));
  configure(f);
  assert_true(agent_bridge_configured(f->net));
  assert_string_equal(agent_bridge_gateway(f->net), "198.18.4.1");
  iface br = iface_in(f->node_fd, "tug0");
  assert_true(br.up);
  assert_string_equal(br.addr, "198.18.4.1");
  assert_int_equal(br.prefix, 24);
  assert_int_equal(run_in(f->node_fd, "grep -qx 1 /proc/sys/net/ipv4/ip_forward"), 0);
  const tug_nl_route *svc = tug_route(f->node, "198.19.0.0/17");
  assert_non_null(svc);
  assert_int_equal(svc->oif, ifindex(f->node, "tug0"));
  /* Nothing of it in the agent's own namespace. */
  assert_int_equal(iface_in(-1, "tug0").up, false);

  configure(f);
  tug_error err = {0};
  assert_int_equal(agent_bridge_configure(f->net, "198.18.9.0/24", "198.19.0.0/17", &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_string_equal(agent_bridge_gateway(f->net), "198.18.4.1");
}

static void test_pod_gets_eth0_address_and_default_route(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  char ip[16];
  tug_error err = {0};
  assert_int_equal(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, &err), -1);
  assert_int_equal(err.code, EAGAIN);
  configure(f);
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, err));
  assert_string_equal(ip, "198.18.4.2");

  iface eth0 = iface_in(f->pod_fd, "eth0");
  assert_true(eth0.up);
  assert_string_equal(eth0.addr, "198.18.4.2");
  assert_int_equal(eth0.prefix, 24);
  assert_true(iface_in(f->pod_fd, "lo").up);
  const tug_nl_route *def = tug_route(f->pod, "0.0.0.0/0");
  assert_non_null(def);
  assert_string_equal(def->gw, "198.18.4.1");

  char veth[16];
  agent_bridge_veth_name("uid-1", veth);
  assert_int_equal(strncmp(veth, "veth", 4), 0);
  assert_int_equal(strlen(veth), 15);
  assert_int_equal(master_of(f->node, veth), ifindex(f->node, "tug0"));
  assert_true(iface_in(f->node_fd, veth).up);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "bridge -d link show dev %s | grep -q \"hairpin on\"", veth);
  assert_int_equal(run_in(f->node_fd, cmd), 0);
  assert_int_equal(agent_bridge_pod_ip(f->net, "uid-1", ip), 1);
  assert_string_equal(ip, "198.18.4.2");
}

/* Traffic really flows: a TCP connection from the pod to the gateway. */
static void test_pod_reaches_the_gateway(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  char ip[16];
  configure(f);
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, err));
  int server = -1, client = -1;
  OK(server = tug_netns_socket(f->node_fd, AF_INET, SOCK_STREAM, 0, err));
  struct sockaddr_in addr = {.sin_family = AF_INET};
  inet_pton(AF_INET, "198.18.4.1", &addr.sin_addr);
  socklen_t len = sizeof addr;
  assert_int_equal(bind(server, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(listen(server, 1), 0);
  assert_int_equal(getsockname(server, (struct sockaddr *)&addr, &len), 0);
  OK(client = tug_netns_socket(f->pod_fd, AF_INET, SOCK_STREAM, 0, err));
  assert_int_equal(connect(client, (struct sockaddr *)&addr, sizeof addr), 0);
  struct sockaddr_in peer;
  len = sizeof peer;
  int conn = accept(server, (struct sockaddr *)&peer, &len);
  assert_true(conn >= 0);
  char from[16];
  inet_ntop(AF_INET, &peer.sin_addr, from, sizeof from);
  assert_string_equal(from, ip);
  close(conn);
  close(client);
  close(server);
}

static void test_setup_again_after_restart_keeps_the_running_pod(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  char ip[16], again[16];
  configure(f);
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, err));
  int eth0 = ifindex(f->pod, "eth0");
  agent_bridge_close(f->net);
  f->net = NULL;
  OK(agent_bridge_open(&f->o, &f->net, err));
  assert_false(agent_bridge_configured(f->net));
  /* What the agent configures again at start, before any Node arrives. */
  assert_string_equal(agent_bridge_stored_cidr(f->net), "198.18.4.0/24");
  configure(f);
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, again, err));
  assert_string_equal(again, ip);
  assert_int_equal(ifindex(f->pod, "eth0"), eth0);
  assert_string_equal(iface_in(f->pod_fd, "eth0").addr, ip);
}

static void test_teardown_removes_the_veth_and_frees_the_address(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  char ip[16], veth[16];
  configure(f);
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, err));
  OK(agent_bridge_pod_teardown(f->net, "uid-1", err));
  agent_bridge_veth_name("uid-1", veth);
  assert_int_equal(ifindex(f->node, veth), 0);
  assert_int_equal(ifindex(f->pod, "eth0"), 0);
  assert_int_equal(agent_bridge_pod_ip(f->net, "uid-1", ip), 0);
  OK(agent_bridge_pod_teardown(f->net, "uid-1", err));
  /* The pod's namespace can be set up again, with the next address. */
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, err));
  assert_string_equal(ip, "198.18.4.3");
}

static bool only_uid_a(const char *uid, void *arg) {
  (void)arg;
  return strcmp(uid, "uid-a") == 0;
}

static void test_gc_frees_dead_pods_and_stray_ports(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  char ip_a[16], ip_b[16], veth[16];
  configure(f);
  int other_fd = -1;
  OK(other_fd = tug_netns_new(err));
  OK(agent_bridge_pod_setup(f->net, "uid-a", f->pod_fd, ip_a, err));
  OK(agent_bridge_pod_setup(f->net, "uid-b", other_fd, ip_b, err));
  /* A port nobody holds an address for, as a crash might leave. */
  OK(tug_nl_veth_add(f->node, "vethdeadbeef", "stray", -1, err));
  OK(tug_nl_link_set(f->node, "vethdeadbeef", "tug0", true, err));
  tug_error err = {0};
  assert_int_equal(agent_bridge_gc(f->net, only_uid_a, NULL, &err), 1);
  agent_bridge_veth_name("uid-b", veth);
  assert_int_equal(ifindex(f->node, veth), 0);
  assert_int_equal(ifindex(f->node, "vethdeadbeef"), 0);
  assert_int_equal(agent_bridge_pod_ip(f->net, "uid-b", ip_b), 0);
  assert_int_equal(agent_bridge_pod_ip(f->net, "uid-a", ip_b), 1);
  assert_string_equal(ip_b, ip_a);
  agent_bridge_veth_name("uid-a", veth);
  assert_true(ifindex(f->node, veth) > 0);
  close(other_fd);
}

static void test_sync_routes_adds_replaces_and_removes_its_own(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  configure(f);
  /* The node's uplink, with other nodes on 198.19.200.0/24. */
  OK(tug_nl_veth_add(f->node, "up0", "up1", -1, err));
  OK(tug_nl_link_set(f->node, "up0", NULL, true, err));
  OK(tug_nl_link_set(f->node, "up1", NULL, true, err));
  OK(tug_nl_addr_add(f->node, "up0", "198.19.200.1/24", err));
  OK(tug_nl_route_replace(f->node, "10.1.0.0/16", "198.19.200.9", NULL, 4 /* static */, err));

  agent_bridge_route two[] = {{"198.18.5.0/24", "198.19.200.2"}, {"198.18.6.0/24", "198.19.200.3"}};
  OK(agent_bridge_sync_routes(f->net, two, 2, err));
  assert_string_equal(tug_route(f->node, "198.18.5.0/24")->gw, "198.19.200.2");
  assert_string_equal(tug_route(f->node, "198.18.6.0/24")->gw, "198.19.200.3");
  OK(agent_bridge_sync_routes(f->net, two, 2, err));
  assert_int_equal(tug_route_count(f->node), 3); /* and the service route */

  agent_bridge_route moved[] = {{"198.18.6.0/24", "198.19.200.4"}};
  OK(agent_bridge_sync_routes(f->net, moved, 1, err));
  assert_null(tug_route(f->node, "198.18.5.0/24"));
  assert_string_equal(tug_route(f->node, "198.18.6.0/24")->gw, "198.19.200.4");

  OK(agent_bridge_sync_routes(f->net, NULL, 0, err));
  assert_int_equal(tug_route_count(f->node), 1);
  assert_non_null(tug_route(f->node, "198.19.0.0/17"));
  assert_int_equal(run_in(f->node_fd, "ip route show 10.1.0.0/16 | grep -q 198.19.200.9"), 0);

  /* One unreachable gateway fails the call but not the others. */
  agent_bridge_route mixed[] = {{"198.18.7.0/24", "10.9.9.9"}, {"198.18.8.0/24", "198.19.200.8"}};
  tug_error err = {0};
  assert_int_equal(agent_bridge_sync_routes(f->net, mixed, 2, &err), -1);
  assert_non_null(strstr(err.msg, "198.18.7.0/24"));
  assert_non_null(tug_route(f->node, "198.18.8.0/24"));
}

static void test_destroy_removes_everything(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  char ip[16], veth[16];
  configure(f);
  OK(agent_bridge_pod_setup(f->net, "uid-1", f->pod_fd, ip, err));
  OK(tug_nl_veth_add(f->node, "up0", "up1", -1, err));
  OK(tug_nl_link_set(f->node, "up0", NULL, true, err));
  OK(tug_nl_addr_add(f->node, "up0", "198.19.200.1/24", err));
  agent_bridge_route one[] = {{"198.18.5.0/24", "198.19.200.2"}};
  OK(agent_bridge_sync_routes(f->net, one, 1, err));

  OK(agent_bridge_destroy(f->net, err));
  agent_bridge_veth_name("uid-1", veth);
  assert_int_equal(ifindex(f->node, veth), 0);
  assert_int_equal(ifindex(f->node, "tug0"), 0);
  assert_int_equal(ifindex(f->pod, "eth0"), 0);
  assert_int_equal(tug_route_count(f->node), 0);
  assert_int_equal(agent_bridge_pod_ip(f->net, "uid-1", ip), 0);
  assert_false(agent_bridge_configured(f->net));
  /* A fresh start may use another range. */
  OK(agent_bridge_configure(f->net, "198.18.9.0/24", NULL, err));
  OK(agent_bridge_destroy(f->net, err));
  OK(agent_bridge_destroy(f->net, err));
}

enum { PODS = 8 };

typedef struct pod_worker {
  agent_bridge *net;
  char uid[16], ip[16];
  int netns_fd;
  tug_error err;
  int rc;
} pod_worker;

static void *set_up_pod(void *p) {
  pod_worker *w = p;
  w->rc = agent_bridge_pod_setup(w->net, w->uid, w->netns_fd, w->ip, &w->err);
  return NULL;
}

static void test_concurrent_setups_get_distinct_addresses(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  configure(f);
  pod_worker w[PODS];
  pthread_t t[PODS];
  for (int i = 0; i < PODS; i++) {
    w[i] = (pod_worker){.net = f->net};
    snprintf(w[i].uid, sizeof w[i].uid, "uid-%d", i);
    OK(w[i].netns_fd = tug_netns_new(err));
  }
  for (int i = 0; i < PODS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, set_up_pod, &w[i]), 0);
  for (int i = 0; i < PODS; i++)
    pthread_join(t[i], NULL);
  for (int i = 0; i < PODS; i++) {
    if (w[i].rc < 0)
      fail_msg("%s: %s", w[i].uid, w[i].err.msg);
    for (int j = 0; j < i; j++)
      assert_string_not_equal(w[i].ip, w[j].ip);
    assert_string_equal(iface_in(w[i].netns_fd, "eth0").addr, w[i].ip);
    close(w[i].netns_fd);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_configure_sets_up_bridge_forwarding_and_service_route,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_pod_gets_eth0_address_and_default_route, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_pod_reaches_the_gateway, setup, teardown),
      cmocka_unit_test_setup_teardown(test_setup_again_after_restart_keeps_the_running_pod, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_teardown_removes_the_veth_and_frees_the_address, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_gc_frees_dead_pods_and_stray_ports, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sync_routes_adds_replaces_and_removes_its_own, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_destroy_removes_everything, setup, teardown),
      cmocka_unit_test_setup_teardown(test_concurrent_setups_get_distinct_addresses, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, enter_sandbox, NULL);
}
