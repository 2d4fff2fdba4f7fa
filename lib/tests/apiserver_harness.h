/*
 * apiserver_harness.h — a real tug-apiserver over a real etcd for tests.
 *
 * Both run on free loopback ports and are killed with the test process if it
 * dies (PR_SET_PDEATHSIG). The binary is $TUG_APISERVER_BIN, else
 * bin/tug-apiserver from the working directory or from the tree this test
 * was built in.
 */
#ifndef TUG_APISERVER_HARNESS_H
#define TUG_APISERVER_HARNESS_H

#include <sys/types.h>

#include "etcd_harness.h"
#include "http.h"

typedef struct tug_test_apiserver {
  tug_test_etcd etcd;
  pid_t pid;
  int port;
  char url[64]; /* http://127.0.0.1:PORT */
  char log[300];
  const char *const *extra_args; /* more flags, NULL-terminated; set before start (may be NULL) */
} tug_test_apiserver;

/* Start etcd, then the API server, and wait for /readyz; -1 with a message on stderr. */
int tug_test_apiserver_start(tug_test_apiserver *a);
/* Stop the API server (SIGTERM, then SIGKILL after 5 s) but keep etcd and the port. */
int tug_test_apiserver_stop(tug_test_apiserver *a);
/* Start the API server again on the same port and etcd. */
int tug_test_apiserver_restart(tug_test_apiserver *a);
/* Stop both and remove etcd's directory. Safe on a harness that never started. */
void tug_test_apiserver_destroy(tug_test_apiserver *a);

/* Start both and make a client for the API server (cmocka group setup). */
int tug_test_apiserver_start_with_client(tug_test_apiserver *a, tug_client **cli);
/* Free the client, then destroy (cmocka group teardown). */
void tug_test_apiserver_destroy_with_client(tug_test_apiserver *a, tug_client *cli);

#endif
