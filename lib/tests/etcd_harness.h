/*
 * etcd_harness.h — a real etcd for tests: Debian's etcd on free loopback
 * ports in a temporary directory, killed with the test process if it dies.
 */
#ifndef TUG_ETCD_HARNESS_H
#define TUG_ETCD_HARNESS_H

#include <sys/types.h>

typedef struct tug_test_etcd {
  pid_t pid;
  char dir[256];
  int client_port, peer_port;
  char endpoint[64]; /* http://127.0.0.1:PORT */
} tug_test_etcd;

/* Start a fresh member and wait until it answers; -1 with a message on stderr. */
int tug_test_etcd_start(tug_test_etcd *e);
/* Stop it (SIGTERM, then wait) but keep its data and ports. */
int tug_test_etcd_stop(tug_test_etcd *e);
/* Start it again on the same data and ports. */
int tug_test_etcd_restart(tug_test_etcd *e);
/* Stop it and remove its directory. */
void tug_test_etcd_destroy(tug_test_etcd *e);

#endif
