/*
 * netlink.c — rtnetlink requests over libmnl, and `ip netns`-compatible named
 * namespaces (see netlink.h).
 *
 * Every request goes through nl_talk: one message out, answers in until the
 * kernel's ack or the end of a dump. Errors keep the kernel's extended-ack
 * text ("Nexthop has invalid gateway"), which says far more than errno.
 * Namespace work that must happen "inside" a namespace runs on a short-lived
 * thread, because setns and unshare of CLONE_NEWNET change only the calling
 * thread.
 */
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "array.h"
#include "cleanup.h"
#include "nsrun.h"

#define NETNS_RUN_DIR "/run/netns"

enum { NL_RECV_SIZE = 32768, NL_SEND_SIZE = 8192, ATTR_MAX = 128, DUMP_TRIES = 3 };

struct tug_nl {
  struct mnl_socket *sock;
  unsigned int portid, seq;
  char extack[256]; /* the kernel's message for the last failed request */
  char send[NL_SEND_SIZE];
  char recv[NL_RECV_SIZE];
};

/* ---- requests ---------------------------------------------------------- */

typedef struct nl_call {
  tug_nl *nl;
  mnl_cb_t data_cb; /* NULL: the request expects only an ack */
  void *data;
} nl_call;

static int on_data(const struct nlmsghdr *nlh, void *p) {
  nl_call *c = p;
  return c->data_cb ? c->data_cb(nlh, c->data) : MNL_CB_OK;
}

/* NLMSG_ERROR: error 0 is the ack; otherwise keep the extended-ack text. */
static int on_error(const struct nlmsghdr *nlh, void *p) {
  nl_call *c = p;
  const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof *e)) {
    errno = EBADMSG;
    return MNL_CB_ERROR;
  }
  if (e->error == 0)
    return MNL_CB_STOP;
  if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
    size_t off = nlh->nlmsg_flags & NLM_F_CAPPED ? sizeof *e : sizeof e->error + e->msg.nlmsg_len;
    const struct nlattr *a;
    mnl_attr_for_each(a, nlh, off) {
      if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_STRING) == 0)
        snprintf(c->nl->extack, sizeof c->nl->extack, "%s", mnl_attr_get_str(a));
    }
  }
  errno = -e->error;
  return MNL_CB_ERROR;
}

static int on_done(const struct nlmsghdr *nlh, void *p) {
  (void)nlh;
  (void)p;
  return MNL_CB_STOP;
}

static int on_overrun(const struct nlmsghdr *nlh, void *p) {
  (void)nlh;
  (void)p;
  errno = ENOSPC;
  return MNL_CB_ERROR;
}

/* Given an array, libmnl calls only these for control messages. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
    [NLMSG_ERROR] = on_error, [NLMSG_DONE] = on_done, [NLMSG_OVERRUN] = on_overrun};

/* True when the n bytes in nl->recv end a dump. */
static bool ends_dump(const tug_nl *nl, ssize_t n) {
  int len = (int)n;
  for (const struct nlmsghdr *h = (const void *)nl->recv; mnl_nlmsg_ok(h, len);
       h = mnl_nlmsg_next(h, &len))
    if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
      return true;
  return false;
}

/* Read and drop the rest of a dump that failed half way (an interrupted dump,
 * a callback out of memory), so the next request reads only its own answers. */
static void drain(tug_nl *nl, ssize_t n) {
  while (!ends_dump(nl, n)) {
    n = mnl_socket_recvfrom(nl->sock, nl->recv, sizeof nl->recv);
    if (n < 0 && errno != EINTR)
      return;
    if (n < 0)
      n = 0;
  }
}

/* Send nlh (built in nl->send) and read until the ack, or NLMSG_DONE for a
 * dump, handing data messages to cb. Returns 0, or -1 with errno. */
static int nl_talk(tug_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data) {
  /* NLM_F_DUMP is two bits, one of them NLM_F_EXCL's: test both. A dump
   * ends with NLMSG_DONE, and asks for no ack. */
  bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  nlh->nlmsg_flags |= NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK);
  unsigned int seq = nlh->nlmsg_seq = ++nl->seq;
  nl->extack[0] = '\0';
  if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -1;
  nl_call call = {.nl = nl, .data_cb = cb, .data = data};
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(nl->sock, nl->recv, sizeof nl->recv);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    int rc =
        mnl_cb_run2(nl->recv, (size_t)n, seq, nl->portid, on_data, &call, ctl_cbs, NLMSG_MIN_TYPE);
    if (rc == MNL_CB_STOP)
      return 0;
    if (rc == MNL_CB_ERROR) {
      int e = errno;
      if (dump)
        drain(nl, n);
      errno = e;
      return -1;
    }
  }
}

/* Fill err with what failed, errno's text and the kernel's own words. */
static int nl_fail(tug_nl *nl, tug_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int nl_fail(tug_nl *nl, tug_error *err, const char *fmt, ...) {
  int errnum = errno;
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (nl->extack[0])
    return tug_error_set(err, errnum, "%s: %s (%s)", what, strerror(errnum), nl->extack);
  return tug_error_errno(err, errnum, "%s", what);
}

static struct nlmsghdr *msg_start(tug_nl *nl, uint16_t type, uint16_t flags, void **extra,
                                  size_t extra_size) {
  struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->send);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  *extra = mnl_nlmsg_put_extra_header(nlh, extra_size);
  return nlh;
}

static struct nlmsghdr *link_msg(tug_nl *nl, uint16_t type, uint16_t flags,
                                 struct ifinfomsg **ifm) {
  struct nlmsghdr *nlh = msg_start(nl, type, flags, (void **)ifm, sizeof **ifm);
  (*ifm)->ifi_family = AF_UNSPEC;
  return nlh;
}

static void parse_attrs(const struct nlmsghdr *nlh, size_t hdr, const struct nlattr *tb[ATTR_MAX]) {
  memset(tb, 0, ATTR_MAX * sizeof *tb);
  const struct nlattr *a;
  mnl_attr_for_each(a, nlh, hdr) {
    if (mnl_attr_get_type(a) < ATTR_MAX)
      tb[mnl_attr_get_type(a)] = a;
  }
}

static bool name_ok(const char *name) {
  return name && name[0] && strlen(name) < IF_NAMESIZE && !strchr(name, '/');
}

int tug_cidr4_parse(const char *s, struct in_addr *addr, int *prefix) {
  if (s && strcmp(s, "default") == 0)
    s = "0.0.0.0/0";
  char buf[INET_ADDRSTRLEN + 4];
  if (s == NULL || snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
    return -1;
  char *slash = strchr(buf, '/');
  *prefix = 32;
  if (slash) {
    *slash = '\0';
    char *end;
    long len = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end || len < 0 || len > 32)
      return -1;
    *prefix = (int)len;
  }
  return inet_pton(AF_INET, buf, addr) == 1 ? 0 : -1;
}

/* ---- sockets ----------------------------------------------------------- */

int tug_nl_open(int netns_fd, tug_nl **out, tug_error *err) {
  int fd = tug_netns_socket(netns_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, err);
  if (fd < 0)
    return tug_error_wrap(err, "open rtnetlink");
  tug_nl *nl = calloc(1, sizeof *nl);
  if (nl == NULL || (nl->sock = mnl_socket_fdopen(fd)) == NULL) {
    int e = nl ? errno : ENOMEM;
    free(nl);
    close(fd);
    return tug_error_errno(err, e, "open rtnetlink");
  }
  if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    tug_nl_close(nl);
    return tug_error_errno(err, e, "bind rtnetlink socket");
  }
  int one = 1;
  /* Both are best effort: older kernels just give plainer errors. */
  mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof one);
  mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof one);
  /* The kernel answers at once; a missing answer is an error, never a hang. */
  struct timeval tv = {.tv_sec = 10};
  setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  nl->portid = mnl_socket_get_portid(nl->sock);
  *out = nl;
  return 0;
}

void tug_nl_close(tug_nl *nl) {
  if (nl == NULL)
    return;
  mnl_socket_close(nl->sock);
  free(nl);
}

/* ---- links ------------------------------------------------------------- */

static int on_link_index(const struct nlmsghdr *nlh, void *p) {
  const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
  *(int *)p = ifm->ifi_index;
  return MNL_CB_OK;
}

int tug_nl_ifindex(tug_nl *nl, const char *name, tug_error *err) {
  if (!name_ok(name))
    return tug_error_set(err, EINVAL, "look up link: bad name \"%s\"", name ? name : "");
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_GETLINK, 0, &ifm);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  int index = 0;
  if (nl_talk(nl, nlh, on_link_index, &index) < 0) {
    if (errno == ENODEV)
      return 0;
    return nl_fail(nl, err, "look up link %s", name);
  }
  return index;
}

int tug_nl_bridge_add(tug_nl *nl, const char *name, tug_error *err) {
  if (!name_ok(name))
    return tug_error_set(err, EINVAL, "add bridge: bad name \"%s\"", name ? name : "");
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end(nlh, info);
  if (nl_talk(nl, nlh, NULL, NULL) < 0 && errno != EEXIST)
    return nl_fail(nl, err, "add bridge %s", name);
  return 0;
}

int tug_nl_veth_add(tug_nl *nl, const char *name, const char *peer, int peer_netns_fd,
                    tug_error *err) {
  if (!name_ok(name) || !name_ok(peer))
    return tug_error_set(err, EINVAL, "add veth: bad names \"%s\", \"%s\"", name ? name : "",
                         peer ? peer : "");
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifm);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
  struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  struct nlattr *peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
  /* The peer's part is an ifinfomsg and its own attributes. */
  mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
  mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
  if (peer_netns_fd >= 0)
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
  mnl_attr_nest_end(nlh, peer_info);
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, info);
  if (nl_talk(nl, nlh, NULL, NULL) < 0)
    return nl_fail(nl, err, "add veth %s (peer %s)", name, peer);
  return 0;
}

int tug_nl_link_set(tug_nl *nl, const char *name, const char *master, bool up, tug_error *err) {
  if (!name_ok(name))
    return tug_error_set(err, EINVAL, "set link: bad name \"%s\"", name ? name : "");
  int master_index = 0;
  if (master && master[0]) {
    master_index = tug_nl_ifindex(nl, master, err);
    if (master_index < 0)
      return tug_error_wrap(err, "set master of %s", name);
    if (master_index == 0)
      return tug_error_set(err, ENODEV, "set master of %s: no link %s", name, master);
  }
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_NEWLINK, 0, &ifm);
  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = up ? IFF_UP : 0;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  if (master)
    mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master_index);
  if (nl_talk(nl, nlh, NULL, NULL) < 0)
    return nl_fail(nl, err, "set link %s%s%s %s", name, master ? " master " : "",
                   master ? (master[0] ? master : "none") : "", up ? "up" : "down");
  return 0;
}

int tug_nl_link_del(tug_nl *nl, const char *name, tug_error *err) {
  if (!name_ok(name))
    return tug_error_set(err, EINVAL, "delete link: bad name \"%s\"", name ? name : "");
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_DELLINK, 0, &ifm);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  if (nl_talk(nl, nlh, NULL, NULL) < 0 && errno != ENODEV)
    return nl_fail(nl, err, "delete link %s", name);
  return 0;
}

/* A growing array that dump callbacks append to. */
typedef struct dump_array {
  void *items;
  size_t count, cap, size;
} dump_array;

static void *dump_append(dump_array *d) {
  if (tug_array_reserve(&d->items, &d->cap, d->count + 1, d->size, 16) < 0)
    return NULL;
  void *item = (char *)d->items + d->count++ * d->size;
  memset(item, 0, d->size);
  return item;
}

/* Run a dump, retrying when the kernel says the table changed under it. */
static int dump(tug_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, dump_array *d) {
  for (int i = 0;; i++) {
    d->count = 0;
    int rc = nl_talk(nl, nlh, cb, d);
    if (rc == 0 || errno != EINTR || i + 1 == DUMP_TRIES)
      return rc;
  }
}

static int on_link(const struct nlmsghdr *nlh, void *p) {
  const struct nlattr *tb[ATTR_MAX];
  parse_attrs(nlh, sizeof(struct ifinfomsg), tb);
  if (tb[IFLA_IFNAME] == NULL || mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_STRING) < 0)
    return MNL_CB_OK;
  tug_nl_link *l = dump_append(p);
  if (l == NULL) {
    errno = ENOMEM;
    return MNL_CB_ERROR;
  }
  const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
  l->index = ifm->ifi_index;
  snprintf(l->name, sizeof l->name, "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
  if (tb[IFLA_MASTER] && mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) == 0)
    l->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
  return MNL_CB_OK;
}

int tug_nl_link_list(tug_nl *nl, tug_nl_link **out, size_t *count, tug_error *err) {
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_GETLINK, NLM_F_DUMP, &ifm);
  dump_array d = {.size = sizeof **out};
  if (dump(nl, nlh, on_link, &d) < 0) {
    free(d.items);
    return nl_fail(nl, err, "list links");
  }
  *out = d.count ? d.items : NULL;
  if (d.count == 0)
    free(d.items);
  *count = d.count;
  return 0;
}

int tug_nl_bridge_port_hairpin(tug_nl *nl, const char *port, bool on, tug_error *err) {
  int index = tug_nl_ifindex(nl, port, err);
  if (index < 0)
    return tug_error_wrap(err, "set hairpin");
  if (index == 0)
    return tug_error_set(err, ENODEV, "set hairpin on %s: no such link", port);
  /* AF_BRIDGE goes to the port's master; a nested IFLA_PROTINFO holds port
   * options (unnested, it would be the old STP state byte). */
  struct ifinfomsg *ifm;
  struct nlmsghdr *nlh = link_msg(nl, RTM_SETLINK, 0, &ifm);
  ifm->ifi_family = AF_BRIDGE;
  ifm->ifi_index = index;
  struct nlattr *proto = mnl_attr_nest_start(nlh, IFLA_PROTINFO | NLA_F_NESTED);
  mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, on ? 1 : 0);
  mnl_attr_nest_end(nlh, proto);
  if (nl_talk(nl, nlh, NULL, NULL) < 0)
    return nl_fail(nl, err, "set hairpin %s on %s", on ? "on" : "off", port);
  return 0;
}

/* ---- addresses and routes ---------------------------------------------- */

int tug_nl_addr_add(tug_nl *nl, const char *dev, const char *cidr, tug_error *err) {
  struct in_addr addr;
  int prefix;
  if (tug_cidr4_parse(cidr, &addr, &prefix) < 0)
    return tug_error_set(err, EINVAL, "add address to %s: bad address \"%s\"", dev,
                         cidr ? cidr : "");
  int index = tug_nl_ifindex(nl, dev, err);
  if (index < 0)
    return tug_error_wrap(err, "add address %s", cidr);
  if (index == 0)
    return tug_error_set(err, ENODEV, "add address %s to %s: no such link", cidr, dev);
  struct ifaddrmsg *ifa;
  struct nlmsghdr *nlh =
      msg_start(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, (void **)&ifa, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = (unsigned char)prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = (unsigned)index;
  mnl_attr_put(nlh, IFA_LOCAL, sizeof addr, &addr);
  mnl_attr_put(nlh, IFA_ADDRESS, sizeof addr, &addr);
  if (nl_talk(nl, nlh, NULL, NULL) < 0 && errno != EEXIST)
    return nl_fail(nl, err, "add address %s to %s", cidr, dev);
  return 0;
}

static struct nlmsghdr *route_msg(tug_nl *nl, uint16_t type, uint16_t flags, struct in_addr dst,
                                  int prefix, unsigned char protocol, struct rtmsg **rtm) {
  struct nlmsghdr *nlh = msg_start(nl, type, flags, (void **)rtm, sizeof **rtm);
  (*rtm)->rtm_family = AF_INET;
  (*rtm)->rtm_dst_len = (unsigned char)prefix;
  (*rtm)->rtm_table = RT_TABLE_MAIN;
  (*rtm)->rtm_protocol = protocol;
  if (prefix > 0)
    mnl_attr_put(nlh, RTA_DST, sizeof dst, &dst);
  return nlh;
}

int tug_nl_route_replace(tug_nl *nl, const char *dst_cidr, const char *gw, const char *dev,
                         unsigned char protocol, tug_error *err) {
  struct in_addr dst, via;
  int prefix, index = 0;
  if (tug_cidr4_parse(dst_cidr, &dst, &prefix) < 0)
    return tug_error_set(err, EINVAL, "replace route: bad destination \"%s\"",
                         dst_cidr ? dst_cidr : "");
  if ((gw == NULL && dev == NULL) || (gw && inet_pton(AF_INET, gw, &via) != 1))
    return tug_error_set(err, EINVAL, "replace route to %s: bad gateway \"%s\"", dst_cidr,
                         gw ? gw : "");
  if (dev && (index = tug_nl_ifindex(nl, dev, err)) <= 0)
    return index < 0 ? tug_error_wrap(err, "replace route to %s", dst_cidr)
                     : tug_error_set(err, ENODEV, "replace route to %s: no link %s", dst_cidr, dev);
  struct rtmsg *rtm;
  struct nlmsghdr *nlh =
      route_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, dst, prefix, protocol, &rtm);
  rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  rtm->rtm_type = RTN_UNICAST;
  if (gw)
    mnl_attr_put(nlh, RTA_GATEWAY, sizeof via, &via);
  if (index)
    mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
  if (nl_talk(nl, nlh, NULL, NULL) < 0)
    return nl_fail(nl, err, "replace route to %s%s%s%s%s", dst_cidr, gw ? " via " : "",
                   gw ? gw : "", dev ? " dev " : "", dev ? dev : "");
  return 0;
}

int tug_nl_route_del(tug_nl *nl, const char *dst_cidr, unsigned char protocol, tug_error *err) {
  struct in_addr dst;
  int prefix;
  if (tug_cidr4_parse(dst_cidr, &dst, &prefix) < 0)
    return tug_error_set(err, EINVAL, "delete route: bad destination \"%s\"",
                         dst_cidr ? dst_cidr : "");
  struct rtmsg *rtm;
  struct nlmsghdr *nlh = route_msg(nl, RTM_DELROUTE, 0, dst, prefix, protocol, &rtm);
  rtm->rtm_scope = RT_SCOPE_NOWHERE; /* any scope */
  if (nl_talk(nl, nlh, NULL, NULL) < 0 && errno != ESRCH)
    return nl_fail(nl, err, "delete route to %s", dst_cidr);
  return 0;
}

typedef struct route_dump {
  dump_array a; /* first: the callback gets it as its dump_array */
  unsigned char protocol;
} route_dump;

static int on_route(const struct nlmsghdr *nlh, void *p) {
  route_dump *d = p;
  const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
  const struct nlattr *tb[ATTR_MAX];
  parse_attrs(nlh, sizeof *rtm, tb);
  uint32_t table = rtm->rtm_table;
  if (tb[RTA_TABLE] && mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) == 0)
    table = mnl_attr_get_u32(tb[RTA_TABLE]);
  if (rtm->rtm_family != AF_INET || table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST ||
      (d->protocol && rtm->rtm_protocol != d->protocol))
    return MNL_CB_OK;
  tug_nl_route *r = dump_append(&d->a);
  if (r == NULL) {
    errno = ENOMEM;
    return MNL_CB_ERROR;
  }
  struct in_addr dst = {0};
  if (tb[RTA_DST] && mnl_attr_get_payload_len(tb[RTA_DST]) == sizeof dst)
    memcpy(&dst, mnl_attr_get_payload(tb[RTA_DST]), sizeof dst);
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &dst, text, sizeof text);
  snprintf(r->dst, sizeof r->dst, "%s/%u", text, rtm->rtm_dst_len);
  if (tb[RTA_GATEWAY] && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) == sizeof dst)
    inet_ntop(AF_INET, mnl_attr_get_payload(tb[RTA_GATEWAY]), r->gw, sizeof r->gw);
  if (tb[RTA_OIF] && mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) == 0)
    r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
  r->protocol = rtm->rtm_protocol;
  return MNL_CB_OK;
}

int tug_nl_route_list(tug_nl *nl, unsigned char protocol, tug_nl_route **out, size_t *count,
                      tug_error *err) {
  struct rtmsg *rtm;
  struct nlmsghdr *nlh = msg_start(nl, RTM_GETROUTE, NLM_F_DUMP, (void **)&rtm, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  route_dump d = {.a = {.size = sizeof **out}, .protocol = protocol};
  if (dump(nl, nlh, on_route, &d.a) < 0) {
    free(d.a.items);
    return nl_fail(nl, err, "list routes");
  }
  *out = d.a.count ? d.a.items : NULL;
  if (d.a.count == 0)
    free(d.a.items);
  *count = d.a.count;
  return 0;
}

/* ---- named namespaces and sysctls -------------------------------------- */

typedef struct thread_call {
  int (*fn)(void *arg);
  void *arg;
  int result;
} thread_call;

static void *thread_main(void *p) {
  thread_call *c = p;
  c->result = c->fn(c->arg);
  return NULL;
}

/* fn on a thread of its own, which may unshare and then ends. */
static int on_new_thread(int (*fn)(void *arg), void *arg, tug_error *err) {
  thread_call c = {.fn = fn, .arg = arg, .result = -1};
  pthread_t t;
  int rc = pthread_create(&t, NULL, thread_main, &c);
  if (rc != 0)
    return tug_error_errno(err, rc, "start a thread for a new network namespace");
  pthread_join(t, NULL);
  return c.result;
}

typedef struct new_ns {
  const char *mount_at; /* NULL: open an fd instead */
  tug_error *err;
} new_ns;

static int unshare_net(void *p) {
  new_ns *a = p;
  if (unshare(CLONE_NEWNET) < 0)
    return tug_error_errno(a->err, errno, "unshare a network namespace");
  if (a->mount_at) {
    if (mount("/proc/thread-self/ns/net", a->mount_at, "none", MS_BIND, NULL) < 0)
      return tug_error_errno(a->err, errno, "bind-mount the new network namespace at %s",
                             a->mount_at);
    return 0;
  }
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(a->err, errno, "open the new network namespace");
  return fd;
}

int tug_netns_new(tug_error *err) {
  new_ns a = {.err = err};
  return on_new_thread(unshare_net, &a, err);
}

static bool netns_name_ok(const char *name) {
  return name && name[0] && strlen(name) < NAME_MAX && !strchr(name, '/') &&
         strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* As ip does: /run/netns is a shared mount point, so a namespace mounted
 * there is seen by mount namespaces made later (containers, `ip netns exec`). */
static int netns_dir_ready(tug_error *err) {
  if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "create %s", NETNS_RUN_DIR);
  for (bool bound = false;; bound = true) {
    if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
      return 0;
    if (errno != EINVAL || bound)
      return tug_error_errno(err, errno, "make %s a shared mount", NETNS_RUN_DIR);
    /* Not a mount point yet: make it one. */
    if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
      return tug_error_errno(err, errno, "bind-mount %s on itself", NETNS_RUN_DIR);
  }
}

int tug_netns_add(const char *name, tug_error *err) {
  if (!netns_name_ok(name))
    return tug_error_set(err, EINVAL, "add network namespace: bad name \"%s\"", name ? name : "");
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", NETNS_RUN_DIR, name);
  if (netns_dir_ready(err) < 0)
    return tug_error_wrap(err, "add network namespace %s", name);
  struct statfs fs;
  if (statfs(path, &fs) == 0 && fs.f_type == NSFS_MAGIC)
    return 0;
  /* The mount point; a leftover empty file from a failed add is reused. */
  int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  bool created = fd >= 0;
  if (fd < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "add network namespace: create %s", path);
  if (fd >= 0)
    close(fd);
  new_ns a = {.mount_at = path, .err = err};
  if (on_new_thread(unshare_net, &a, err) < 0) {
    if (created)
      unlink(path);
    return tug_error_wrap(err, "add network namespace %s", name);
  }
  return 0;
}

int tug_netns_del(const char *name, tug_error *err) {
  if (!netns_name_ok(name))
    return tug_error_set(err, EINVAL, "delete network namespace: bad name \"%s\"",
                         name ? name : "");
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", NETNS_RUN_DIR, name);
  if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return tug_error_errno(err, errno, "delete network namespace: unmount %s", path);
  if (unlink(path) < 0 && errno != ENOENT)
    return tug_error_errno(err, errno, "delete network namespace: remove %s", path);
  return 0;
}

int tug_netns_open(const char *name_or_path, tug_error *err) {
  if (name_or_path == NULL || name_or_path[0] == '\0')
    return tug_error_set(err, EINVAL, "open network namespace: no name");
  char path[PATH_MAX];
  if (strchr(name_or_path, '/'))
    snprintf(path, sizeof path, "%s", name_or_path);
  else
    snprintf(path, sizeof path, "%s/%s", NETNS_RUN_DIR, name_or_path);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "open network namespace %s", path);
  return fd;
}

typedef struct sysctl_write {
  const char *path, *value;
  int saved_errno;
} sysctl_write;

static int write_file(void *p) {
  sysctl_write *w = p;
  _cleanup_close_ int fd = open(w->path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    w->saved_errno = errno;
    return -1;
  }
  size_t len = strlen(w->value);
  errno = 0;
  if (write(fd, w->value, len) != (ssize_t)len) {
    w->saved_errno = errno ? errno : EIO;
    return -1;
  }
  return 0;
}

int tug_sysctl_write(int netns_fd, const char *path, const char *value, tug_error *err) {
  char full[PATH_MAX];
  if (path == NULL || value == NULL)
    return tug_error_set(err, EINVAL, "write sysctl: no path or value");
  snprintf(full, sizeof full, "%s%s", path[0] == '/' ? "" : "/proc/sys/", path);
  sysctl_write w = {.path = full, .value = value};
  if (tug_netns_run(netns_fd, write_file, &w, err) < 0) {
    if (w.saved_errno)
      return tug_error_errno(err, w.saved_errno, "write %s to %s", value, full);
    return tug_error_wrap(err, "write %s to %s", value, full);
  }
  return 0;
}
