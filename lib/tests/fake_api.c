/*
 * fake_api.c — the recording client of unit tests (see fake_api.h), built on
 * tug_client_new_transport.
 */
#include "fake_api.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "object.h"

typedef struct answer {
  char *method, *prefix;
  long code;
  json_t *body;
  bool used;
} answer;

struct fake_api {
  tug_client *client;
  pthread_mutex_t mu;
  fake_call *calls;
  size_t n_calls, cap_calls;
  answer *answers;
  size_t n_answers, cap_answers;
  unsigned long next_uid;
};

static bool matches(const char *method, const char *prefix, const char *m, const char *p) {
  return (method == NULL || strcmp(method, m) == 0) &&
         (prefix == NULL || strncmp(p, prefix, strlen(prefix)) == 0);
}

static char *dump(const json_t *body) {
  return body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* The default answer (see fake_api.h); the lock is held. */
static long default_answer(fake_api *f, const fake_call *c, char **out) {
  if (strcmp(c->method, "GET") == 0) {
    *out = strdup("{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\","
                  "\"message\":\"not found\"}");
    return 404;
  }
  if (strcmp(c->method, "DELETE") == 0) {
    *out = strdup("{\"kind\":\"Status\",\"status\":\"Success\"}");
    return 200;
  }
  json_t *echo = c->body ? json_deep_copy(c->body) : json_object();
  if (strcmp(c->method, "POST") == 0 && json_is_object(echo)) {
    char uid[64];
    snprintf(uid, sizeof uid, "fake-uid-%lu", ++f->next_uid);
    const char *gen = tug_obj_get_str(echo, "metadata.generateName");
    if (gen && tug_obj_name(echo) == NULL) {
      char name[256];
      snprintf(name, sizeof name, "%s%05lu", gen, f->next_uid);
      tug_obj_set_str(echo, "metadata.name", name, NULL);
    }
    tug_obj_set_str(echo, "metadata.uid", uid, NULL);
  }
  *out = dump(echo);
  json_decref(echo);
  return strcmp(c->method, "POST") == 0 ? 201 : 200;
}

static long roundtrip(const tug_request *req, char **out, void *arg) {
  fake_api *f = arg;
  fake_call c = {strdup(req->method), strdup(req->path),
                 req->content_type ? strdup(req->content_type) : NULL,
                 req->body ? json_deep_copy(req->body) : NULL};
  long code = 0;
  pthread_mutex_lock(&f->mu);
  if (TUG_ARRAY_RESERVE(f->calls, f->cap_calls, f->n_calls + 1, 16) == 0)
    f->calls[f->n_calls++] = c;
  answer *a = NULL;
  for (size_t i = 0; i < f->n_answers && a == NULL; i++)
    if (!f->answers[i].used &&
        matches(f->answers[i].method, f->answers[i].prefix, c.method, c.path))
      a = &f->answers[i];
  if (a) {
    a->used = true;
    code = a->code;
    *out = dump(a->body);
  } else {
    code = default_answer(f, &c, out);
  }
  pthread_mutex_unlock(&f->mu);
  return code;
}

fake_api *fake_api_new(void) {
  fake_api *f = calloc(1, sizeof *f);
  if (f == NULL)
    return NULL;
  pthread_mutex_init(&f->mu, NULL);
  tug_error err = {0};
  if ((f->client = tug_client_new_transport(roundtrip, f, &err)) == NULL) {
    free(f);
    return NULL;
  }
  return f;
}

tug_client *fake_api_client(fake_api *f) {
  return f->client;
}

void fake_api_answer(fake_api *f, const char *method, const char *path_prefix, long code,
                     json_t *body) {
  pthread_mutex_lock(&f->mu);
  if (TUG_ARRAY_RESERVE(f->answers, f->cap_answers, f->n_answers + 1, 8) == 0)
    f->answers[f->n_answers++] = (answer){strdup(method), strdup(path_prefix), code, body, false};
  else
    json_decref(body);
  pthread_mutex_unlock(&f->mu);
}

static void clear(fake_api *f) {
  for (size_t i = 0; i < f->n_calls; i++) {
    free(f->calls[i].method);
    free(f->calls[i].path);
    free(f->calls[i].content_type);
    json_decref(f->calls[i].body);
  }
  for (size_t i = 0; i < f->n_answers; i++) {
    free(f->answers[i].method);
    free(f->answers[i].prefix);
    json_decref(f->answers[i].body);
  }
  f->n_calls = f->n_answers = 0;
}

void fake_api_reset(fake_api *f) {
  pthread_mutex_lock(&f->mu);
  clear(f);
  pthread_mutex_unlock(&f->mu);
}

void fake_api_free(fake_api *f) {
  if (f == NULL)
    return;
  tug_client_free(f->client);
  clear(f);
  free(f->calls);
  free(f->answers);
  pthread_mutex_destroy(&f->mu);
  free(f);
}

const fake_call *fake_api_find(fake_api *f, const char *method, const char *path_prefix,
                               size_t nth) {
  const fake_call *found = NULL;
  pthread_mutex_lock(&f->mu);
  for (size_t i = 0; i < f->n_calls && found == NULL; i++)
    if (matches(method, path_prefix, f->calls[i].method, f->calls[i].path) && nth-- == 0)
      found = &f->calls[i];
  pthread_mutex_unlock(&f->mu);
  return found;
}

size_t fake_api_count(fake_api *f, const char *method, const char *path_prefix) {
  size_t n = 0;
  pthread_mutex_lock(&f->mu);
  for (size_t i = 0; i < f->n_calls; i++)
    n += matches(method, path_prefix, f->calls[i].method, f->calls[i].path);
  pthread_mutex_unlock(&f->mu);
  return n;
}

void fake_api_dump(fake_api *f) {
  pthread_mutex_lock(&f->mu);
  for (size_t i = 0; i < f->n_calls; i++) {
    char *b = dump(f->calls[i].body);
    fprintf(stderr, "  %s %s %.300s\n", f->calls[i].method, f->calls[i].path, b ? b : "");
    free(b);
  }
  pthread_mutex_unlock(&f->mu);
}
