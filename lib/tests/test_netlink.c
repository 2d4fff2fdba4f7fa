/*
 * rtnetlink helpers against the real kernel. Without root they run in a
 * private user and network namespace (root there, so CAP_NET_ADMIN over its
 * own links); they skip when this machine refuses user namespaces. Named
 * namespaces under /run/netns need real root and are tested only with it,
 * before the process moves into its private namespaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "userns_sandbox.h"
#include "netlink.h"
#include "nsrun.h"
#include "test_support.h"

static bool sandboxed;
static char sandbox_error[256];

/* Root in a user namespace of our own, with a network namespace it owns. */
static int enter_sandbox(void **state) {
  (void)state;
  int rc = tug_test_enter_userns(sandbox_error, sizeof sandbox_error);
  sandboxed = rc == 1;
  return rc < 0 ? -1 : 0;
}

#define NEED_SANDBOX()                                                                             \
  do {                                                                                             \
    if (!sandboxed) {                                                                              \
      print_message("# skipped: user namespaces unavailable: %s\n", sandbox_error);                \
      skip();                                                                                      \
    }                                                                                              \
  } while (0)

typedef struct fixture {
  tug_nl *nl;   /* the sandbox's own namespace */
  int other_fd; /* a second namespace */
  tug_nl *other;
} fixture;

static int setup(void **state) {
  static fixture f;
  f = (fixture){.other_fd = -1};
  *state = &f;
  if (!sandboxed)
    return 0;
  tug_error err = {0};
  if (tug_nl_open(-1, &f.nl, &err) < 0 || (f.other_fd = tug_netns_new(&err)) < 0 ||
      tug_nl_open(f.other_fd, &f.other, &err) < 0) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  tug_nl_close(f->nl);
  tug_nl_close(f->other);
  if (f->other_fd >= 0)
    close(f->other_fd);
  return 0;
}

static int ifindex(tug_nl *nl, const char *name) {
  tug_error err = {0};
  int index = tug_nl_ifindex(nl, name, &err);
  if (index < 0)
    fail_msg("ifindex %s: %s", name, err.msg);
  return index;
}

static const tug_nl_link *find_link(const tug_nl_link *links, size_t count, const char *name) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(links[i].name, name) == 0)
      return &links[i];
  return NULL;
}

static const tug_nl_route *find_route(const tug_nl_route *routes, size_t count, const char *dst) {
  for (size_t i = 0; i < count; i++)
    if (strcmp(routes[i].dst, dst) == 0)
      return &routes[i];
  return NULL;
}

static void test_bridge_add_is_idempotent_and_del_tolerates_missing(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  assert_int_equal(ifindex(f->nl, "br-t"), 0);
  OK(tug_nl_bridge_add(f->nl, "br-t", err));
  int index = ifindex(f->nl, "br-t");
  assert_true(index > 0);
  OK(tug_nl_bridge_add(f->nl, "br-t", err));
  assert_int_equal(ifindex(f->nl, "br-t"), index);
  OK(tug_nl_link_set(f->nl, "br-t", NULL, true, err));
  assert_int_equal(system("ip link show br-t | grep -q ',UP'"), 0);
  OK(tug_nl_link_del(f->nl, "br-t", err));
  assert_int_equal(ifindex(f->nl, "br-t"), 0);
  OK(tug_nl_link_del(f->nl, "br-t", err));
}

static void test_veth_peer_is_made_in_the_other_namespace(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  OK(tug_nl_bridge_add(f->nl, "br-v", err));
  OK(tug_nl_veth_add(f->nl, "vt0", "eth0", f->other_fd, err));
  assert_true(ifindex(f->nl, "vt0") > 0);
  assert_int_equal(ifindex(f->nl, "eth0"), 0);
  assert_true(ifindex(f->other, "eth0") > 0);
  tug_error err = {0};
  assert_int_equal(tug_nl_veth_add(f->nl, "vt0", "eth1", f->other_fd, &err), -1);
  assert_int_equal(err.code, EEXIST);

  OK(tug_nl_link_set(f->nl, "vt0", "br-v", true, err));
  OK(tug_nl_bridge_port_hairpin(f->nl, "vt0", true, err));
  tug_nl_link *links = NULL;
  size_t count = 0;
  OK(tug_nl_link_list(f->nl, &links, &count, err));
  const tug_nl_link *port = find_link(links, count, "vt0");
  assert_non_null(port);
  assert_int_equal(port->master, ifindex(f->nl, "br-v"));
  assert_null(find_link(links, count, "eth0"));
  free(links);
  assert_int_equal(system("bridge -d link show dev vt0 | grep -q 'hairpin on'"), 0);
  OK(tug_nl_bridge_port_hairpin(f->nl, "vt0", false, err));
  assert_int_equal(system("bridge -d link show dev vt0 | grep -q 'hairpin off'"), 0);
  OK(tug_nl_link_set(f->nl, "vt0", "", false, err));
  OK(tug_nl_link_list(f->nl, &links, &count, err));
  assert_int_equal(find_link(links, count, "vt0")->master, 0);
  free(links);

  /* Deleting one end takes the peer in the other namespace with it. */
  OK(tug_nl_link_del(f->nl, "vt0", err));
  assert_int_equal(ifindex(f->other, "eth0"), 0);
  OK(tug_nl_link_del(f->nl, "br-v", err));
}

static void test_addresses_and_routes_carry_the_protocol(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  OK(tug_nl_veth_add(f->nl, "vr0", "vr1", -1, err));
  OK(tug_nl_link_set(f->nl, "vr0", NULL, true, err));
  OK(tug_nl_link_set(f->nl, "vr1", NULL, true, err));
  OK(tug_nl_addr_add(f->nl, "vr0", "198.18.3.1/24", err));
  OK(tug_nl_addr_add(f->nl, "vr0", "198.18.3.1/24", err));
  assert_int_equal(system("ip -4 addr show dev vr0 | grep -q 'inet 198.18.3.1/24'"), 0);

  OK(tug_nl_route_replace(f->nl, "198.18.5.0/24", "198.18.3.5", NULL, TUG_RTPROT, err));
  OK(tug_nl_route_replace(f->nl, "198.18.5.0/24", "198.18.3.6", NULL, TUG_RTPROT, err));
  OK(tug_nl_route_replace(f->nl, "198.19.0.0/17", NULL, "vr0", TUG_RTPROT, err));
  tug_nl_route *routes = NULL;
  size_t count = 0;
  OK(tug_nl_route_list(f->nl, TUG_RTPROT, &routes, &count, err));
  assert_int_equal(count, 2);
  const tug_nl_route *r = find_route(routes, count, "198.18.5.0/24");
  assert_non_null(r);
  assert_string_equal(r->gw, "198.18.3.6"); /* replaced, not added beside */
  assert_int_equal(r->oif, ifindex(f->nl, "vr0"));
  r = find_route(routes, count, "198.19.0.0/17");
  assert_non_null(r);
  assert_string_equal(r->gw, "");
  assert_int_equal(r->protocol, TUG_RTPROT);
  free(routes);
  assert_int_equal(system("ip route show proto 0x74 | grep -q '198.18.5.0/24 via 198.18.3.6'"), 0);

  /* Any protocol: the kernel's own route for the address is there too. */
  OK(tug_nl_route_list(f->nl, 0, &routes, &count, err));
  r = find_route(routes, count, "198.18.3.0/24");
  assert_non_null(r);
  assert_int_equal(r->protocol, RTPROT_KERNEL);
  free(routes);

  /* Deleting with another protocol leaves the route; missing is fine. */
  OK(tug_nl_route_del(f->nl, "198.19.0.0/17", RTPROT_STATIC, err));
  OK(tug_nl_route_del(f->nl, "198.18.5.0/24", TUG_RTPROT, err));
  OK(tug_nl_route_del(f->nl, "198.18.5.0/24", TUG_RTPROT, err));
  OK(tug_nl_route_list(f->nl, TUG_RTPROT, &routes, &count, err));
  assert_int_equal(count, 1);
  assert_string_equal(routes[0].dst, "198.19.0.0/17");
  free(routes);

  OK(tug_nl_route_replace(f->nl, "default", "198.18.3.9", "vr0", TUG_RTPROT, err));
  OK(tug_nl_route_list(f->nl, TUG_RTPROT, &routes, &count, err));
  assert_non_null(find_route(routes, count, "0.0.0.0/0"));
  free(routes);
  OK(tug_nl_route_del(f->nl, "0.0.0.0/0", TUG_RTPROT, err));
  OK(tug_nl_link_del(f->nl, "vr0", err));
  assert_int_equal(ifindex(f->nl, "vr1"), 0);
  OK(tug_nl_route_list(f->nl, TUG_RTPROT, &routes, &count, err));
  assert_int_equal(count, 0); /* the link's routes went with it */
  assert_null(routes);
}

static void test_failures_name_the_request_and_the_kernels_reason(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  tug_error err = {0};
  assert_int_equal(tug_nl_route_replace(f->nl, "198.18.7.0/24", "10.9.9.9", NULL, TUG_RTPROT, &err),
                   -1);
  assert_int_equal(err.code, ENETUNREACH);
  assert_non_null(strstr(err.msg, "replace route to 198.18.7.0/24 via 10.9.9.9"));
  assert_int_equal(tug_nl_addr_add(f->nl, "nosuchdev", "198.18.3.1/24", &err), -1);
  assert_int_equal(err.code, ENODEV);
  assert_int_equal(tug_nl_addr_add(f->nl, "lo", "198.18.3.1/33", &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_int_equal(tug_nl_bridge_add(f->nl, "a-name-far-too-long", &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_int_equal(tug_nl_link_set(f->nl, "lo", "nosuchbridge", true, &err), -1);
  assert_int_equal(err.code, ENODEV);
}

typedef struct read_args {
  const char *path;
  char value[32];
} read_args;

static int read_value(void *p) {
  read_args *a = p;
  _cleanup_fclose_ FILE *f = fopen(a->path, "r");
  if (f == NULL || fgets(a->value, sizeof a->value, f) == NULL)
    return -1;
  a->value[strcspn(a->value, "\n")] = '\0';
  return 0;
}

static void test_sysctl_is_written_in_that_namespace_only(void **state) {
  NEED_SANDBOX();
  fixture *f = *state;
  read_args here = {.path = "/proc/sys/net/ipv4/ip_forward"}, there = here;
  OK(tug_sysctl_write(f->other_fd, "net/ipv4/ip_forward", "1", err));
  OK(tug_netns_run(f->other_fd, read_value, &there, err));
  assert_int_equal(read_value(&here), 0);
  assert_string_equal(there.value, "1");
  assert_string_equal(here.value, "0");
  tug_error err = {0};
  assert_int_equal(tug_sysctl_write(f->other_fd, "net/ipv4/no_such_knob", "1", &err), -1);
  assert_int_equal(err.code, ENOENT);
}

/* Root of the machine, not just of some user namespace: uid 0 mapped to
 * itself over the whole range, as only the initial namespace has it. */
static bool real_root(void) {
  unsigned inside = 1, outside = 1, count = 0;
  _cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "r");
  return geteuid() == 0 && f && fscanf(f, "%u %u %u", &inside, &outside, &count) == 3 &&
         inside == 0 && outside == 0 && count == UINT32_MAX;
}

static void test_named_namespace_works_with_ip_netns(void **state) {
  (void)state;
  if (!real_root()) {
    print_message("# skipped: /run/netns needs root in the initial namespaces\n");
    skip();
  }
  char name[64], cmd[256];
  snprintf(name, sizeof name, "tug-test-%d", (int)getpid());
  OK(tug_netns_add(name, err));
  OK(tug_netns_add(name, err));
  snprintf(cmd, sizeof cmd, "ip netns list | grep -q '^%s'", name);
  assert_int_equal(system(cmd), 0);
  int fd = -1;
  OK(fd = tug_netns_open(name, err));
  OK(tug_sysctl_write(fd, "net/ipv4/ip_forward", "1", err));
  close(fd);
  snprintf(cmd, sizeof cmd, "ip netns exec %s sysctl -n net.ipv4.ip_forward | grep -qx 1", name);
  assert_int_equal(system(cmd), 0);
  OK(tug_netns_del(name, err));
  OK(tug_netns_del(name, err));
  struct stat st;
  snprintf(cmd, sizeof cmd, "/run/netns/%s", name);
  assert_int_equal(stat(cmd, &st), -1);
  tug_error err = {0};
  assert_int_equal(tug_netns_open(name, &err), -1);
  assert_int_equal(err.code, ENOENT);
  assert_int_equal(tug_netns_add("../x", &err), -1);
}

int main(void) {
  const struct CMUnitTest as_root[] = {
      cmocka_unit_test(test_named_namespace_works_with_ip_netns),
  };
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_bridge_add_is_idempotent_and_del_tolerates_missing,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_veth_peer_is_made_in_the_other_namespace, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_addresses_and_routes_carry_the_protocol, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_failures_name_the_request_and_the_kernels_reason, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sysctl_is_written_in_that_namespace_only, setup,
                                      teardown),
  };
  /* Named namespaces first: afterwards the process lives in its sandbox. */
  int failed = cmocka_run_group_tests_name("named namespaces", as_root, NULL, NULL);
  return failed + cmocka_run_group_tests_name("rtnetlink in a private namespace", tests,
                                              enter_sandbox, NULL);
}
