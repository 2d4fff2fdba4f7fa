/*
 * fake_api.h — a recording API client for unit tests: code under test gets a
 * real tug_client (lib/http.h) whose requests never leave the process. Each
 * request is recorded (method, path, content type, body) and answered from
 * the canned answers a test queued, else by a small default.
 *
 * Default answers, enough for most writes to succeed: POST 201 and PUT or
 * PATCH 200 echo the request body (a POST with generateName gets a name, and
 * every POST a uid), DELETE 200 with a Success Status, GET 404. A test that
 * needs a conflict, a missing object or a list queues the answer first.
 *
 * Safe to use from several threads (controllers send requests in parallel);
 * the order of recorded calls is the order they arrived.
 */
#ifndef TUG_FAKE_API_H
#define TUG_FAKE_API_H

#include <jansson.h>
#include <stddef.h>

#include "http.h"

typedef struct fake_call {
  char *method, *path, *content_type;
  json_t *body; /* NULL when the request had none */
} fake_call;

typedef struct fake_api fake_api;

fake_api *fake_api_new(void);
void fake_api_free(fake_api *f);
/* The client to hand to the code under test; owned by f. */
tug_client *fake_api_client(fake_api *f);

/*
 * The next request with this method whose path starts with path_prefix gets
 * code and body (stolen; NULL: an empty body). Answers are used once each, in
 * the order queued.
 */
void fake_api_answer(fake_api *f, const char *method, const char *path_prefix, long code,
                     json_t *body);

/* Requests recorded with this method (NULL: any) and path prefix (NULL: any). */
size_t fake_api_count(fake_api *f, const char *method, const char *path_prefix);
/* The nth (from 0) such request, or NULL; valid until the next reset or free. */
const fake_call *fake_api_find(fake_api *f, const char *method, const char *path_prefix,
                               size_t nth);
/* Forget the recorded requests and the answers not yet used. */
void fake_api_reset(fake_api *f);
/* Every recorded request, one a line ("POST /api/v1/..."), for failure messages. */
void fake_api_dump(fake_api *f);

#endif
