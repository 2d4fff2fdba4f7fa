/*
 * storage-bootstrap.h — the built-in `local-path` StorageClass, made at
 * start-up when missing (storage-bootstrap.c).
 */
#ifndef TUG_APISERVER_STORAGE_BOOTSTRAP_H
#define TUG_APISERVER_STORAGE_BOOTSTRAP_H

#include "error.h"
#include "server.h"

int api_storage_bootstrap(api_server *s, tug_error *err);

#endif
