/*
 * nsrun.c — a short-lived thread per call that setns()es into a network
 * namespace and runs one function there (see nsrun.h).
 */
#include "nsrun.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

typedef struct ns_call {
  int netns_fd;
  int (*fn)(void *arg);
  void *arg;
  int result;
  int setns_errno;
} ns_call;

static void *ns_thread(void *p) {
  ns_call *c = p;
  if (setns(c->netns_fd, CLONE_NEWNET) < 0) {
    c->setns_errno = errno;
    return NULL;
  }
  c->result = c->fn(c->arg);
  return NULL;
}

int tug_netns_run(int netns_fd, int (*fn)(void *arg), void *arg, tug_error *err) {
  if (netns_fd < 0)
    return fn(arg);
  ns_call c = {.netns_fd = netns_fd, .fn = fn, .arg = arg, .result = -1};
  pthread_t t;
  int rc = pthread_create(&t, NULL, ns_thread, &c);
  if (rc != 0)
    return tug_error_errno(err, rc, "start a thread to enter a network namespace");
  pthread_join(t, NULL);
  if (c.setns_errno)
    return tug_error_errno(err, c.setns_errno, "enter network namespace (fd %d)", netns_fd);
  return c.result;
}

typedef struct socket_args {
  int domain, type, protocol;
  int saved_errno;
} socket_args;

static int make_socket(void *p) {
  socket_args *a = p;
  int fd = socket(a->domain, a->type | SOCK_CLOEXEC, a->protocol);
  if (fd < 0)
    a->saved_errno = errno;
  return fd;
}

int tug_netns_socket(int netns_fd, int domain, int type, int protocol, tug_error *err) {
  socket_args a = {.domain = domain, .type = type, .protocol = protocol};
  tug_error e = {0};
  int fd = tug_netns_run(netns_fd, make_socket, &a, &e);
  if (fd < 0) {
    if (a.saved_errno)
      return tug_error_errno(err, a.saved_errno, "socket in network namespace");
    if (err)
      *err = e;
  }
  return fd;
}
