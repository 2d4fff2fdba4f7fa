/*
 * modify.h — read-modify-write of one stored object, retried on conflict.
 *
 * The loop of Kubernetes' GuaranteedUpdate: read the object, let a mutation
 * change it, put back what the server owns, default and validate, bump the
 * generation when spec changed, and write with a compare on the revision that
 * was read. A conflict reads again, unless the client pinned a
 * resourceVersion, which then answers 409.
 */
#ifndef TUG_APISERVER_MODIFY_H
#define TUG_APISERVER_MODIFY_H

#include <jansson.h>
#include <stdint.h>

#include "handlers.h"

/* Change cur in place from body; -1 with out filled to refuse. */
typedef int (*api_mutate_fn)(json_t *cur, json_t *body, void *arg, api_response *out);

typedef struct api_modify_opts {
  api_mutate_fn mutate;
  json_t *body;
  void *arg;
  bool keep_status; /* writes to the main resource leave status as stored */
  bool status_only; /* the status subresource: only status changes */
  /* The mutation's result is checked for fields the kind's schema does not
   * have (fieldvalidation.h) and answered as a patch's are. */
  bool check_fields;
  /* Record the write in managedFields as an Update of the request's manager
   * on subresource sub (NULL: the object itself); see fieldmanager.h. */
  bool track;
  const char *sub;
  int64_t precondition_rv;
  const char *precondition_uid;
  /* How the stored result is answered; NULL answers the object itself. */
  json_t *(*answer)(const api_kind *k, json_t *obj);
} api_modify_opts;

void api_modify(api_request *r, const api_route *rt, const api_modify_opts *o, api_response *out);

/* "123" → 123; 400 in out when it is not a positive integer. */
int api_parse_rv(const char *s, int64_t *rv, api_response *out);

/* Defaults and validation (handlers.c); 422 in out with causes when invalid. */
int api_validate(const api_kind *k, json_t *obj, const json_t *old, api_response *out);
/* 422 Invalid in out for obj with these causes (stolen), the way api_validate
 * answers; returns -1. */
int api_invalid(const api_kind *k, const json_t *obj, json_t *causes, api_response *out);

/* Add finalizer f to obj's metadata.finalizers unless it is there (delete.c). */
void api_add_finalizer(json_t *obj, const char *f);

/* Whether a deleted object with no finalizers left may now disappear. */
bool api_ready_to_remove(const api_kind *k, const json_t *obj);
/* Remove obj for good, giving back its quota; -1 with out filled, 1 when obj
 * or one of its quotas changed meanwhile (read again and retry). */
int api_remove(api_server *s, const api_kind *k, const json_t *obj, int64_t rev, api_response *out);
struct api_txn;
/* The same inside txn, whose compares and writes (another object's) commit
 * with the removal or not at all; the caller clears txn. */
int api_remove_with(api_server *s, const api_kind *k, const json_t *obj, int64_t rev,
                    struct api_txn *txn, api_response *out);
/* One attempt at deleting rt's object as a DELETE with these DeleteOptions
 * (NULL: none) would, committed together with extra's compares and writes
 * (NULL: none) or not at all (delete.c). 0: done, out holds the answer; 1:
 * something changed meanwhile, read again and retry; -1: out says why not. */
int api_delete_attempt(api_request *r, const api_route *rt, const json_t *options,
                       struct api_txn *extra, api_response *out);

#endif
