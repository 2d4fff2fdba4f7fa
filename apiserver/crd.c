/*
 * crd.c — the CRD controller inside the API server (see crd.h).
 *
 * Level-triggered: every tick it reads all CRDs from their watch cache and,
 * when the cache moved, makes the registry and each CRD's status agree with
 * them. A CRD is served (kinds added, watch caches started) before it is
 * marked Established, so a client that waited for the condition finds its
 * kind. Status writes go through the same compare-on-revision as any write;
 * a lost race is simply seen again on the next tick.
 */
#include "crd.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "log.h"
#include "object.h"
#include "openapi.h"
#include "server.h"
#include "storage.h"
#include "watchcache.h"

enum { TICK_MS = 100, MAX_VERSIONS = 32 };

/* The kinds served for one CRD, as of its uid and generation. */
typedef struct crd_entry {
  char *name, *uid;
  int64_t generation;
  const api_kind *kinds[MAX_VERSIONS];
  size_t n;
  bool seen; /* in this tick's list */
} crd_entry;

struct api_crds {
  api_server *s;
  const api_kind *crd_kind;
  pthread_t thread;
  bool running;
  atomic_bool stopping;
  int64_t seen_rev;
  crd_entry *entries;
  size_t n, cap;
};

/* ---- version order ---- */

/* Kubernetes' version priority: GA before beta before alpha, higher numbers
 * first; anything else after, alphabetically. */
static int version_rank(const char *v, long *major, long *minor) {
  char *end;
  *major = *minor = 0;
  if (v[0] != 'v' || !isdigit((unsigned char)v[1]))
    return 3;
  *major = strtol(v + 1, &end, 10);
  if (*end == '\0')
    return 0;
  int rank = strncmp(end, "beta", 4) == 0 ? 1 : strncmp(end, "alpha", 5) == 0 ? 2 : 3;
  if (rank == 3)
    return 3;
  char *num = end + (rank == 1 ? 4 : 5);
  if (!isdigit((unsigned char)*num))
    return 3;
  *minor = strtol(num, &end, 10);
  return *end ? 3 : rank;
}

static int version_cmp(const void *a, const void *b) {
  const char *va = tug_obj_get_str(*(json_t *const *)a, "name");
  const char *vb = tug_obj_get_str(*(json_t *const *)b, "name");
  long ma, na, mb, nb;
  int ra = version_rank(va ? va : "", &ma, &na), rb = version_rank(vb ? vb : "", &mb, &nb);
  if (ra != rb)
    return ra - rb;
  if (ra == 3)
    return strcmp(va ? va : "", vb ? vb : "");
  if (ma != mb)
    return ma > mb ? -1 : 1;
  return na == nb ? 0 : na > nb ? -1 : 1;
}

/* ---- serving ---- */

static crd_entry *find_entry(api_crds *c, const char *name) {
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->entries[i].name, name) == 0)
      return &c->entries[i];
  return NULL;
}

/* Stop serving an entry's kinds: lookups skip them, their watchers end.
 * Every cache is asked first, so that their followers stop together. */
static void retire_kinds(crd_entry *e) {
  for (size_t i = 0; i < e->n; i++) {
    api_kind_retire(e->kinds[i]);
    api_watchcache_request_stop(atomic_load(&e->kinds[i]->custom->cache));
  }
  for (size_t i = 0; i < e->n; i++)
    api_watchcache_stop(atomic_load(&e->kinds[i]->custom->cache));
  e->n = 0;
}

/* Whether (group, plural) or (group, kind) is served by a built-in kind or
 * another CRD; fills why. */
static bool names_taken(const json_t *crd, char *why, size_t size) {
  const char *group = tug_obj_get_str(crd, "spec.group");
  const char *plural = tug_obj_get_str(crd, "spec.names.plural");
  const char *kind = tug_obj_get_str(crd, "spec.names.kind");
  const char *name = tug_obj_name(crd);
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    if (strcmp(k->group, group) != 0 || (k->custom && strcmp(k->custom->crd_name, name) == 0))
      continue;
    if (strcmp(k->plural, plural) == 0 || strcmp(k->kind, kind) == 0) {
      snprintf(why, size, "\"%s\" or \"%s\" is already in use in group %s", plural, kind, group);
      return true;
    }
  }
  return false;
}

/* Make and start the kinds of every served version, in priority order. */
static int make_kinds(api_crds *c, const json_t *crd, const api_kind **kinds, size_t *n,
                      tug_error *err) {
  json_t *versions = tug_obj_get(crd, "spec.versions");
  size_t count = json_array_size(versions);
  if (count > MAX_VERSIONS)
    return tug_error_set(err, E2BIG, "more than %d versions", MAX_VERSIONS);
  json_t *sorted[MAX_VERSIONS];
  for (size_t i = 0; i < count; i++)
    sorted[i] = json_array_get(versions, i);
  qsort(sorted, count, sizeof *sorted, version_cmp);
  *n = 0;
  for (size_t i = 0; i < count; i++) {
    api_kind *k = api_crd_kind_new(crd, sorted[i]);
    if (k == NULL)
      continue;
    api_watchcache *cache = api_watchcache_new(c->s, k);
    atomic_store(&k->custom->cache, cache);
    if (api_watchcache_start(cache, err) < 0)
      return -1;
    kinds[(*n)++] = k;
  }
  return 0;
}

/* Serve crd's kinds as its current generation says: 1 when that changed
 * what is served, 0 when it did not, -1 when it failed (retried next tick). */
static int serve(api_crds *c, const json_t *crd, bool *accepted, char *why, size_t size) {
  const char *name = tug_obj_name(crd), *uid = tug_obj_uid(crd);
  int64_t gen = tug_obj_get_int(crd, "metadata.generation", 0);
  crd_entry *e = find_entry(c, name);
  if (e == NULL) {
    if (TUG_ARRAY_RESERVE(c->entries, c->cap, c->n + 1, 8) < 0)
      return -1;
    e = &c->entries[c->n++];
    *e = (crd_entry){.name = strdup(name), .uid = strdup(uid ? uid : "")};
  }
  e->seen = true;
  *accepted = !names_taken(crd, why, size);
  bool current = e->n > 0 && strcmp(e->uid, uid ? uid : "") == 0 && e->generation == gen;
  if (!*accepted || current)
    return 0;
  const api_kind *kinds[MAX_VERSIONS];
  size_t n = 0;
  tug_error err = {0};
  if (make_kinds(c, crd, kinds, &n, &err) < 0) {
    tug_errorlog("cannot serve custom resource", "crd=%s err=%s", name, TUG_LOG_Q(err.msg));
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    if (api_kind_add(kinds[i], &err) < 0)
      tug_errorlog("cannot serve custom resource", "crd=%s err=%s", name, TUG_LOG_Q(err.msg));
  retire_kinds(e);
  memcpy(e->kinds, kinds, n * sizeof *kinds);
  e->n = n;
  free(e->uid);
  e->uid = strdup(uid ? uid : "");
  e->generation = gen;
  tug_info("serving custom resource", "crd=%s versions=%zu generation=%lld", name, n,
           (long long)gen);
  return 1;
}

/* ---- status ---- */

/* A condition as it should be, keeping its lastTransitionTime when its
 * status did not change. */
static json_t *condition(const json_t *old, const char *type, bool status, const char *reason,
                         const char *message) {
  const char *value = status ? "True" : "False";
  const char *since = NULL;
  size_t i;
  json_t *c;
  json_array_foreach(old, i, c) if (tug_obj_get_str(c, "type") &&
                                    strcmp(tug_obj_get_str(c, "type"), type) == 0 &&
                                    tug_obj_get_str(c, "status") &&
                                    strcmp(tug_obj_get_str(c, "status"), value) == 0) since =
      tug_obj_get_str(c, "lastTransitionTime");
  char now[32];
  return json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "status", value, "lastTransitionTime",
                   since ? since : api_now(now, sizeof now), "reason", reason, "message", message);
}

/* spec.names with Kubernetes' defaults: singular from kind, listKind. */
static json_t *accepted_names(const json_t *crd) {
  json_t *names = json_deep_copy(tug_obj_get(crd, "spec.names"));
  const char *kind = tug_obj_get_str(names, "kind");
  if (!tug_obj_get_str(names, "singular") && kind) {
    char *lower = strdup(kind);
    for (char *p = lower; *p; p++)
      *p = (char)tolower((unsigned char)*p);
    json_object_set_new(names, "singular", json_string(lower));
    free(lower);
  }
  if (!tug_obj_get_str(names, "listKind") && kind)
    json_object_set_new(names, "listKind", json_sprintf("%sList", kind));
  return names;
}

static json_t *stored_versions(const json_t *crd) {
  json_t *stored = json_deep_copy(tug_obj_get(crd, "status.storedVersions"));
  if (!json_is_array(stored))
    stored = json_array();
  size_t i;
  json_t *v, *s;
  json_array_foreach(tug_obj_get(crd, "spec.versions"), i, v) {
    if (!json_is_true(json_object_get(v, "storage")))
      continue;
    size_t j;
    bool have = false;
    json_array_foreach(stored, j, s) have |= tug_json_same(s, json_object_get(v, "name"));
    if (!have)
      json_array_append(stored, json_object_get(v, "name"));
  }
  return stored;
}

static json_t *desired_status(const json_t *crd, bool accepted, const char *why) {
  const json_t *old = tug_obj_get(crd, "status.conditions");
  json_t *conds = json_array();
  json_array_append_new(conds, condition(old, "NamesAccepted", accepted,
                                         accepted ? "NoConflicts" : "NameConflict",
                                         accepted ? "no conflicts found" : why));
  json_array_append_new(
      conds,
      condition(old, "Established", accepted, accepted ? "InitialNamesAccepted" : "NotAccepted",
                accepted ? "the initial names have been accepted" : "not all names are accepted"));
  size_t i;
  json_t *c;
  json_array_foreach(old, i, c) if (tug_obj_get_str(c, "type") &&
                                    strcmp(tug_obj_get_str(c, "type"), "Terminating") == 0)
      json_array_append(conds, c);
  json_t *status =
      json_pack("{s:o, s:o}", "conditions", conds, "storedVersions", stored_versions(crd));
  json_object_set_new(status, "acceptedNames", accepted ? accepted_names(crd) : json_object());
  return status;
}

/* Write status when it differs from crd's; a conflict waits for the next tick. */
static void write_status(api_crds *c, const json_t *crd, json_t *status) {
  if (json_equal(status, tug_obj_get(crd, "status"))) {
    json_decref(status);
    return;
  }
  json_t *copy = json_deep_copy(crd);
  json_object_set_new(copy, "status", status);
  int64_t rev = strtoll(tug_obj_resource_version(crd), NULL, 10);
  tug_error err = {0};
  if (api_storage_update(c->s, c->crd_kind, copy, rev, NULL, &err) < 0 &&
      err.code != TUG_E_CONFLICT)
    tug_warn("cannot write CRD status", "crd=%s err=%s", tug_obj_name(crd), TUG_LOG_Q(err.msg));
  json_decref(copy);
}

/* ---- deletion ---- */

static bool has_finalizer(const json_t *crd) {
  size_t i;
  json_t *f;
  json_array_foreach(tug_obj_get(crd, "metadata.finalizers"), i,
                     f) if (json_is_string(f) &&
                            strcmp(json_string_value(f), API_CRD_FINALIZER) == 0) return true;
  return false;
}

/* Delete every object of the kind, then drop the finalizer; the CRD goes
 * with it when no other finalizer holds it. */
static void finalize(api_crds *c, const json_t *crd) {
  if (!has_finalizer(crd))
    return;
  char prefix[512];
  snprintf(prefix, sizeof prefix, "/registry/%s/%s/", tug_obj_get_str(crd, "spec.group"),
           tug_obj_get_str(crd, "spec.names.plural"));
  int64_t deleted = 0;
  tug_error err = {0};
  if (tug_etcd_delete_prefix(c->s->etcd, prefix, &deleted, &err) < 0) {
    tug_warn("cannot delete custom objects", "crd=%s err=%s", tug_obj_name(crd),
             TUG_LOG_Q(err.msg));
    return;
  }
  json_t *copy = json_deep_copy(crd);
  json_t *fins = tug_obj_get(copy, "metadata.finalizers");
  for (size_t i = json_array_size(fins); i-- > 0;) {
    const char *f = json_string_value(json_array_get(fins, i));
    if (f && strcmp(f, API_CRD_FINALIZER) == 0)
      json_array_remove(fins, i);
  }
  int64_t rev = strtoll(tug_obj_resource_version(crd), NULL, 10);
  int rc =
      json_array_size(fins) == 0
          ? api_storage_delete(c->s, c->crd_kind, NULL, tug_obj_name(crd), rev, NULL, NULL, &err)
          : api_storage_update(c->s, c->crd_kind, copy, rev, NULL, &err);
  if (rc == 0)
    tug_info("custom resource deleted", "crd=%s objects=%lld", tug_obj_name(crd),
             (long long)deleted);
  json_decref(copy);
}

/* ---- the loop ---- */

/* What serving one listed CRD came to, for its status. */
typedef struct crd_outcome {
  bool served, accepted;
  char why[256];
} crd_outcome;

/* Serve one CRD (a deleted one stays served until it is gone, as in
 * Kubernetes); -1 when it failed and should be seen again. */
static int serve_one(api_crds *c, const json_t *crd, crd_outcome *o, bool *changed) {
  if (tug_obj_deletion_timestamp(crd)) {
    crd_entry *e = find_entry(c, tug_obj_name(crd));
    if (e)
      e->seen = true;
    return 0;
  }
  int rc = serve(c, crd, &o->accepted, o->why, sizeof o->why);
  o->served = rc >= 0;
  *changed |= rc > 0;
  return rc < 0 ? -1 : 0;
}

/* Retire what no listed CRD asks for any more. */
static void forget_unseen(api_crds *c, bool *changed) {
  for (size_t i = c->n; i-- > 0;) {
    crd_entry *e = &c->entries[i];
    if (e->seen)
      continue;
    retire_kinds(e);
    tug_info("custom resource no longer served", "crd=%s", e->name);
    free(e->name);
    free(e->uid);
    *e = c->entries[--c->n];
    *changed = true;
  }
}

static void tick(api_crds *c) {
  api_filter all = {0};
  api_cached **items;
  size_t n;
  int64_t rev;
  if (api_watchcache_list(api_kind_cache(c->s, c->crd_kind), &all, &items, &n, &rev) < 0)
    return;
  if (rev == c->seen_rev) {
    api_cached_list_free(items, n);
    return;
  }
  bool changed = false, failed = false;
  crd_outcome *outcomes = calloc(n ? n : 1, sizeof *outcomes);
  for (size_t i = 0; i < c->n; i++)
    c->entries[i].seen = false;
  for (size_t i = 0; i < n; i++)
    failed |= serve_one(c, items[i]->obj, &outcomes[i], &changed) < 0;
  forget_unseen(c, &changed);
  /* The documents first: a client that waited for Established validates
   * its objects against them next. */
  tug_error err = {0};
  if (changed && api_openapi_rebuild(c->s->openapi, &err) < 0)
    tug_errorlog("cannot rebuild openapi documents", "err=%s", TUG_LOG_Q(err.msg));
  for (size_t i = 0; i < n; i++) {
    const json_t *crd = items[i]->obj;
    if (tug_obj_deletion_timestamp(crd))
      finalize(c, crd);
    else if (outcomes[i].served)
      write_status(c, crd, desired_status(crd, outcomes[i].accepted, outcomes[i].why));
  }
  free(outcomes);
  api_cached_list_free(items, n);
  if (!failed)
    c->seen_rev = rev;
}

static void *run(void *arg) {
  api_crds *c = arg;
  while (!atomic_load(&c->stopping)) {
    nanosleep(&(struct timespec){0, TICK_MS * 1000000L}, NULL);
    tick(c);
  }
  return NULL;
}

int api_crds_start(api_server *s, tug_error *err) {
  api_crds *c = calloc(1, sizeof *c);
  c->s = s;
  c->crd_kind = api_kind_by_resource("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  s->crds = c;
  tick(c);
  c->running = pthread_create(&c->thread, NULL, run, c) == 0;
  return c->running ? 0 : tug_error_set(err, EAGAIN, "start the CRD controller");
}

void api_crds_stop(api_server *s) {
  api_crds *c = s->crds;
  if (c == NULL)
    return;
  atomic_store(&c->stopping, true);
  if (c->running)
    pthread_join(c->thread, NULL);
  for (size_t i = 0; i < c->n; i++) {
    crd_entry *e = &c->entries[i];
    for (size_t j = 0; j < e->n; j++)
      api_watchcache_request_stop(atomic_load(&e->kinds[j]->custom->cache));
    for (size_t j = 0; j < e->n; j++) {
      api_watchcache_stop(atomic_load(&e->kinds[j]->custom->cache));
      api_watchcache_wait_resumed(atomic_load(&e->kinds[j]->custom->cache), 3000);
    }
    free(c->entries[i].name);
    free(c->entries[i].uid);
  }
  free(c->entries);
  free(c);
  s->crds = NULL;
}
