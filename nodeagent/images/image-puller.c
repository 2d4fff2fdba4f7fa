/*
 * image-puller.c — background pulls, one per reference at a time (image-puller.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "image-puller.h"
#include "image-ref.h"
#include "log.h"

struct agent_pull {
  agent_puller *owner;
  char key[700]; /* the canonical reference */
  agent_image_ref ref;
  bool insecure;
  agent_registry_creds creds;
  int refs; /* handles plus the running thread; under owner->mu */
  bool done;
  int rc;
  tug_error err;
  double started, seconds;
  agent_pull *next; /* in flight, in owner->running */
};

struct agent_puller {
  agent_image_store *store;
  char root[1024], default_registry[256], insecure[1024];
  pthread_mutex_t mu;
  agent_pull *running;
};

int agent_puller_new(agent_image_store *store, const agent_puller_config *cfg, agent_puller **out,
                     tug_error *err) {
  agent_puller *p = calloc(1, sizeof *p);
  if (p == NULL)
    return tug_error_set(err, ENOMEM, "image puller");
  p->store = store;
  snprintf(p->root, sizeof p->root, "%s", cfg->root ? cfg->root : "");
  snprintf(p->default_registry, sizeof p->default_registry, "%s",
           cfg->default_registry ? cfg->default_registry : "");
  snprintf(p->insecure, sizeof p->insecure, "%s", cfg->insecure ? cfg->insecure : "");
  pthread_mutex_init(&p->mu, NULL);
  *out = p;
  return 0;
}

void agent_puller_free(agent_puller *p) {
  if (p == NULL)
    return;
  pthread_mutex_destroy(&p->mu);
  free(p);
}

static bool listed(const char *list, const char *host) {
  size_t n = strlen(host);
  for (const char *s = list; *s;) {
    size_t len = strcspn(s, ",");
    if (len == n && strncmp(s, host, n) == 0)
      return true;
    s += len + (s[len] == ',');
  }
  return false;
}

/* An image imported by hand (<root>/images/<name>/<tag>/rootfs), for a reference
 * that names no registry: 1 with info, 0 when there is none. */
static int imported(const agent_puller *p, const agent_image_ref *ref, agent_image_info *info) {
  char path[2048];
  struct stat st;
  if (ref->registry[0] || !ref->tag[0])
    return 0;
  snprintf(path, sizeof path, "%s/images/%s/%s/rootfs", p->root, ref->repository, ref->tag);
  if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
    return 0;
  memset(info, 0, sizeof *info);
  info->lowerdir = strdup(path);
  snprintf(info->image_id, sizeof info->image_id, "tugboat://%.250s:%.128s", ref->repository,
           ref->tag);
  return info->lowerdir ? 1 : 0;
}

/* An image loaded under a name without a registry host ("app:v1", `tug image
 * load`), for a reference written that way: 1 with info, 0 when there is none. */
static int loaded(const agent_puller *p, const char *image, agent_image_info *info) {
  agent_image_ref bare;
  tug_error err = {0};
  if (agent_image_ref_parse(image, NULL, &bare, &err) < 0 || bare.registry[0])
    return 0;
  return agent_image_store_lookup(p->store, &bare, info, &err) == 1;
}

static void release_locked(agent_pull *pull) {
  if (--pull->refs == 0) {
    explicit_bzero(&pull->creds, sizeof pull->creds);
    free(pull);
  }
}

static void *run(void *arg) {
  agent_pull *pull = arg;
  agent_puller *p = pull->owner;
  agent_image_info info;
  tug_error err = {0};
  int rc = agent_image_store_pull(p->store, &pull->ref, pull->insecure,
                                  pull->creds.user[0] ? &pull->creds : NULL, &info, &err);
  if (rc == 0)
    agent_image_info_clear(&info);
  pthread_mutex_lock(&p->mu);
  for (agent_pull **it = &p->running; *it; it = &(*it)->next)
    if (*it == pull) {
      *it = pull->next;
      break;
    }
  pull->done = true;
  pull->rc = rc;
  pull->err = err;
  pull->seconds = tug_monotonic_seconds() - pull->started;
  release_locked(pull);
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* Join the pull of key in flight, or start one. */
static int start(agent_puller *p, const agent_image_ref *ref, const char *key,
                 const json_t *dockercfgs, agent_pull **out, tug_error *err) {
  pthread_mutex_lock(&p->mu);
  for (agent_pull *it = p->running; it; it = it->next)
    if (strcmp(it->key, key) == 0) {
      it->refs++;
      *out = it;
      pthread_mutex_unlock(&p->mu);
      return 0;
    }
  agent_pull *pull = calloc(1, sizeof *pull);
  int rc = pull ? 0 : tug_error_set(err, ENOMEM, "pull");
  size_t i;
  const json_t *cfg;
  json_array_foreach(rc == 0 ? dockercfgs : NULL, i, cfg) {
    if (agent_auth_lookup(cfg, ref->registry, &pull->creds, err) != 0)
      break; /* found, or a malformed secret: reported below when it failed */
  }
  if (rc == 0 && err->msg[0])
    tug_warn("pull secret unusable", "image=%s err=%s", key, TUG_LOG_ERR(err));
  if (rc == 0) {
    snprintf(pull->key, sizeof pull->key, "%s", key);
    pull->owner = p;
    pull->ref = *ref;
    pull->insecure = listed(p->insecure, ref->registry);
    pull->refs = 2;
    pull->started = tug_monotonic_seconds();
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, run, pull) != 0) {
      free(pull);
      rc = tug_error_set(err, EAGAIN, "start pull thread");
    } else {
      pull->next = p->running;
      p->running = pull;
      *out = pull;
    }
    pthread_attr_destroy(&attr);
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

int agent_puller_resolve(agent_puller *p, const char *image, const char *policy,
                         const json_t *dockercfgs, agent_pull **pull, agent_image_info *info,
                         tug_error *err) {
  agent_image_ref ref;
  char key[700];
  *pull = NULL;
  if (agent_image_ref_parse(image, p->default_registry, &ref, err) < 0)
    return -1;
  if (policy == NULL || !*policy)
    policy = agent_image_default_pull_policy(image);
  agent_image_ref_format(&ref, key, sizeof key);
  bool never = strcmp(policy, "Never") == 0, always = strcmp(policy, "Always") == 0;
  if (!always && loaded(p, image, info))
    return 1;
  if (!ref.registry[0]) {
    if (imported(p, &ref, info) == 1 || agent_image_store_lookup(p->store, &ref, info, err) == 1)
      return 1;
    return tug_error_set(err, ENOENT,
                         never ? "image \"%s\" is not present with pull policy of Never"
                               : "image \"%s\" names no registry and the agent has no "
                                 "--default-registry (nor is it imported on this node)",
                         image);
  }
  if (!always) {
    int found = agent_image_store_lookup(p->store, &ref, info, err);
    if (found != 0)
      return found;
    if (never)
      return tug_error_set(err, ENOENT, "image \"%s\" is not present with pull policy of Never",
                           image);
  }
  return start(p, &ref, key, dockercfgs, pull, err);
}

int agent_puller_stored_digest(agent_puller *p, const char *image, char *digest) {
  agent_image_ref ref;
  agent_image_info info;
  tug_error err = {0};
  if (image == NULL)
    return 0;
  if (!loaded(p, image, &info) &&
      (agent_image_ref_parse(image, p->default_registry, &ref, &err) < 0 ||
       agent_image_store_lookup(p->store, &ref, &info, &err) != 1))
    return 0;
  snprintf(digest, 80, "%s", info.digest);
  agent_image_info_clear(&info);
  return 1;
}

int agent_pull_poll(agent_pull *pull, agent_image_info *info, double *seconds, tug_error *err) {
  agent_puller *p = pull->owner;
  pthread_mutex_lock(&p->mu);
  bool done = pull->done;
  int rc = pull->rc;
  if (done && rc < 0)
    *err = pull->err;
  *seconds = pull->seconds;
  pthread_mutex_unlock(&p->mu);
  if (!done)
    return 0;
  if (rc < 0)
    return -1;
  return agent_image_store_lookup(p->store, &pull->ref, info, err) == 1
             ? 1
             : tug_error_set(err, ENOENT, "image %s gone from the store after its pull", pull->key);
}

void agent_pull_release(agent_pull *pull) {
  if (pull == NULL)
    return;
  agent_puller *p = pull->owner;
  pthread_mutex_lock(&p->mu);
  release_locked(pull);
  pthread_mutex_unlock(&p->mu);
}
