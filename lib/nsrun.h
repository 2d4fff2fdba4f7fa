/*
 * nsrun.h — run a function inside another network namespace without moving
 * the caller.
 *
 * setns(CLONE_NEWNET) changes only the calling thread, and a socket stays in
 * the namespace it was made in. So a short-lived thread enters the namespace,
 * runs fn (which typically makes a socket or opens a /proc/sys/net file) and
 * ends; the caller keeps its own namespace and gets fn's result.
 */
#ifndef TUG_NSRUN_H
#define TUG_NSRUN_H

#include "error.h"

/* netns_fd -1 runs fn on the calling thread. Returns fn's result, or -1 with
 * err when the thread or setns fails. */
int tug_netns_run(int netns_fd, int (*fn)(void *arg), void *arg, tug_error *err);

/* socket(domain, type, protocol) made inside netns_fd (-1: here), with
 * SOCK_CLOEXEC. Returns the fd, or -1 with err. */
int tug_netns_socket(int netns_fd, int domain, int type, int protocol, tug_error *err);

#endif
