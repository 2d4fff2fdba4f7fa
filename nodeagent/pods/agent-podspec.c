/*
 * agent-podspec.c — translate a pod's spec into the runtime's terms: each
 * container's command, environment and resources, and the pod's own
 * resources for its cgroup.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-podspec.h"
#include "object.h"
#include "pod-rules.h"
#include "quantity.h"

static void free_strv(char **v) {
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free(*p);
  free(v);
}

static int append_strings(char **v, size_t *n, const json_t *arr) {
  size_t i;
  json_t *s;
  json_array_foreach(arr, i, s) {
    if (!json_is_string(s))
      continue;
    if ((v[(*n)++] = strdup(json_string_value(s))) == NULL)
      return -1;
  }
  return 0;
}

/* Kubernetes' rule: command replaces the image's Entrypoint and drops its
 * Cmd; args alone replace the Cmd; neither runs Entrypoint + Cmd. */
static int build_argv(const json_t *ctr, const json_t *image, agent_ctr_plan *plan,
                      tug_error *err) {
  const json_t *cmd = json_object_get(ctr, "command"), *args = json_object_get(ctr, "args");
  if (json_array_size(cmd) == 0) {
    cmd = json_object_get(image, "Entrypoint");
    if (json_array_size(args) == 0)
      args = json_object_get(image, "Cmd");
  }
  if (image && json_array_size(cmd) + json_array_size(args) == 0)
    return tug_error_set(err, EINVAL,
                         "no command specified (neither the container nor its image "
                         "has one)");
  size_t total = json_array_size(cmd) + json_array_size(args);
  plan->argv = calloc(total + 2, sizeof *plan->argv);
  if (plan->argv == NULL)
    return tug_error_errno(err, ENOMEM, "allocate argv");
  size_t n = 0;
  if (append_strings(plan->argv, &n, cmd) < 0 || append_strings(plan->argv, &n, args) < 0)
    return tug_error_errno(err, ENOMEM, "allocate argv");
  if (n == 0 && (plan->argv[0] = strdup("sh")) == NULL)
    return tug_error_errno(err, ENOMEM, "allocate argv");
  return 0;
}

/* True when the spec's env sets name. */
static bool spec_sets(const json_t *env, const char *name) {
  size_t i;
  json_t *e;
  json_array_foreach(env, i, e) {
    const char *n = tug_obj_get_str(e, "name");
    if (n && strcmp(n, name) == 0)
      return true;
  }
  return false;
}

/* The image's own variables come first, each unless the spec or a Service sets it. */
static int image_env(const json_t *image, const json_t *env, const json_t *service_env,
                     agent_ctr_plan *plan, size_t *n, bool *has_path) {
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(image, "Env"), i, e) {
    const char *kv = json_string_value(e);
    const char *eq = kv ? strchr(kv, '=') : NULL;
    char key[256];
    if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key)
      continue;
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    if (spec_sets(env, key) || json_object_get(service_env, key))
      continue;
    *has_path |= strcmp(key, "PATH") == 0;
    if ((plan->env[(*n)++] = strdup(kv)) == NULL)
      return -1;
  }
  return 0;
}

static int build_env(const json_t *ctr, const json_t *image, const char *pod_name,
                     const json_t *service_env, agent_ctr_plan *plan, tug_error *err) {
  const json_t *env = json_object_get(ctr, "env");
  plan->env = calloc(json_array_size(env) + json_object_size(service_env) +
                         json_array_size(json_object_get(image, "Env")) + 3,
                     sizeof *plan->env);
  if (plan->env == NULL)
    return tug_error_errno(err, ENOMEM, "allocate env");
  size_t n = 0, i;
  bool has_path = false;
  json_t *e;
  json_array_foreach(env, i, e) has_path |=
      json_is_string(json_object_get(e, "name")) && strcmp(tug_obj_get_str(e, "name"), "PATH") == 0;
  if (image_env(image, env, service_env, plan, &n, &has_path) < 0)
    return tug_error_errno(err, ENOMEM, "allocate env");
  if (!has_path && (plan->env[n++] = strdup(AGENT_PODSPEC_PATH)) == NULL)
    return tug_error_errno(err, ENOMEM, "allocate env");
  if (asprintf(&plan->env[n++], "HOSTNAME=%s", pod_name) < 0) {
    plan->env[n - 1] = NULL;
    return tug_error_errno(err, ENOMEM, "allocate env");
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)service_env, key, v) {
    if (spec_sets(env, key))
      continue;
    if (asprintf(&plan->env[n++], "%s=%s", key, json_string_value(v)) < 0) {
      plan->env[n - 1] = NULL;
      return tug_error_errno(err, ENOMEM, "allocate env");
    }
  }
  json_array_foreach(env, i, e) {
    const char *name = tug_obj_get_str(e, "name"), *value = tug_obj_get_str(e, "value");
    if (name == NULL || (value == NULL && json_object_get(e, "valueFrom")))
      continue;
    if (asprintf(&plan->env[n++], "%s=%s", name, value ? value : "") < 0) {
      plan->env[n - 1] = NULL;
      return tug_error_errno(err, ENOMEM, "allocate env");
    }
  }
  return 0;
}

/* A quantity the API server validated; an unparsable one counts as unset. */
static int64_t quantity(const json_t *ctr, const char *path, bool milli) {
  const char *s = tug_obj_get_str(ctr, path);
  int64_t v = 0;
  tug_error err = {0};
  if (s == NULL)
    return 0;
  if ((milli ? tug_quantity_parse_milli(s, 0, &v, &err)
             : tug_quantity_parse_value(s, 0, &v, &err)) < 0)
    return 0;
  return v;
}

/* A container's cpu request and limit and memory limit (no pids limit). */
static agent_resources container_resources(const json_t *ctr) {
  agent_resources r = {
      .cpu_request_milli = quantity(ctr, "resources.requests.cpu", true),
      .cpu_limit_milli = quantity(ctr, "resources.limits.cpu", true),
      .memory_limit = quantity(ctr, "resources.limits.memory", false),
  };
  /* Kubernetes: a limit without a request requests the limit. */
  if (r.cpu_request_milli == 0)
    r.cpu_request_milli = r.cpu_limit_milli;
  return r;
}

/* The image's User: "uid", "uid:gid", or "root" here; a name (which needs the
 * image's /etc/passwd) is left in plan->user_name for agent_image_user_resolve. */
static int image_user(const json_t *image, agent_ctr_plan *plan, tug_error *err) {
  (void)err;
  const char *user = tug_obj_get_str(image, "User");
  if (user == NULL || *user == '\0' || strcmp(user, "root") == 0 || strcmp(user, "0") == 0)
    return 0;
  unsigned long uid = 0, gid = 0;
  char *end;
  uid = strtoul(user, &end, 10);
  if (end != user && *end == ':')
    gid = strtoul(end + 1, &end, 10);
  if (end == user || *end != '\0' || uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1) {
    plan->user_name = user;
    return 0;
  }
  plan->has_user = true;
  plan->uid = (uid_t)uid;
  plan->gid = (gid_t)gid;
  return 0;
}

int agent_podspec_plan(const json_t *ctr, const json_t *image, const char *pod_name,
                       const json_t *service_env, int64_t pids_limit, agent_ctr_plan *plan,
                       tug_error *err) {
  *plan = (agent_ctr_plan){0};
  if (build_argv(ctr, image, plan, err) < 0 ||
      build_env(ctr, image, pod_name, service_env, plan, err) < 0 ||
      image_user(image, plan, err) < 0) {
    agent_podspec_plan_free(plan);
    return -1;
  }
  plan->working_dir = tug_obj_get_str(ctr, "workingDir");
  if (plan->working_dir == NULL || plan->working_dir[0] == '\0')
    plan->working_dir = tug_obj_get_str(image, "WorkingDir");
  if (plan->working_dir && plan->working_dir[0] == '\0')
    plan->working_dir = NULL;
  plan->resources = container_resources(ctr);
  plan->resources.pids_max = pids_limit;
  return 0;
}

/* Which figure of a container's resources tug_pod_effective reads. */
static int64_t cpu_request(const json_t *ctr, void *arg) {
  (void)arg;
  return container_resources(ctr).cpu_request_milli;
}

static int64_t cpu_limit(const json_t *ctr, void *arg) {
  (void)arg;
  return container_resources(ctr).cpu_limit_milli;
}

static int64_t memory_limit(const json_t *ctr, void *arg) {
  (void)arg;
  return container_resources(ctr).memory_limit;
}

agent_resources agent_podspec_pod_resources(const json_t *spec, int64_t pids_limit) {
  agent_resources pod = {.cpu_request_milli = tug_pod_effective(spec, cpu_request, NULL),
                         .cpu_limit_milli = tug_pod_effective(spec, cpu_limit, NULL),
                         .memory_limit = tug_pod_effective(spec, memory_limit, NULL)};
  bool cpu_limited = true, memory_limited = true;
  static const char *const lists[] = {"containers", "initContainers"};
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
    size_t i;
    json_t *ctr;
    json_array_foreach(json_object_get(spec, lists[l]), i, ctr) {
      agent_resources r = container_resources(ctr);
      cpu_limited &= r.cpu_limit_milli > 0;
      memory_limited &= r.memory_limit > 0;
    }
  }
  if (!cpu_limited)
    pod.cpu_limit_milli = 0;
  if (!memory_limited)
    pod.memory_limit = 0;
  /* The runtime's own cost (RuntimeClass overhead) is on top of both. */
  int64_t cpu = quantity(spec, "overhead.cpu", true),
          memory = quantity(spec, "overhead.memory", false);
  pod.cpu_request_milli = tug_quantity_add_sat(pod.cpu_request_milli, cpu);
  if (pod.cpu_limit_milli > 0)
    pod.cpu_limit_milli = tug_quantity_add_sat(pod.cpu_limit_milli, cpu);
  if (pod.memory_limit > 0)
    pod.memory_limit = tug_quantity_add_sat(pod.memory_limit, memory);
  /* A pod that requests no cpu gets the least share, as Kubernetes gives it
   * (2 shares, what 1m maps to), not the default share of a full core. */
  if (pod.cpu_request_milli == 0)
    pod.cpu_request_milli = 1;
  pod.pids_max = pids_limit;
  return pod;
}

void agent_podspec_plan_free(agent_ctr_plan *plan) {
  free_strv(plan->argv);
  free_strv(plan->env);
  *plan = (agent_ctr_plan){0};
}

int agent_podspec_image_ref(const char *image, char *name, size_t name_size, char *tag,
                            size_t tag_size, tug_error *err) {
  static const char *const prefixes[] = {"docker.io/library/", "library/"};
  if (image == NULL || image[0] == '\0')
    return tug_error_set(err, EINVAL, "empty image name");
  if (strchr(image, '@'))
    return tug_error_set(err, EINVAL, "image %s: digests are not supported", image);
  for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
    if (strncmp(image, prefixes[i], strlen(prefixes[i])) == 0)
      image += strlen(prefixes[i]);
  const char *colon = strrchr(image, ':');
  if (colon && strchr(colon, '/'))
    colon = NULL; /* a registry port, not a tag */
  size_t len = colon ? (size_t)(colon - image) : strlen(image);
  if (len == 0 || len >= name_size ||
      (colon && (colon[1] == '\0' || strlen(colon + 1) >= tag_size)))
    return tug_error_set(err, EINVAL, "image %s: invalid reference", image);
  snprintf(name, name_size, "%.*s", (int)len, image);
  snprintf(tag, tag_size, "%s", colon ? colon + 1 : "latest");
  /* Docker's grammar, as far as a local store needs it: lowercase name
   * components separated by [._-] or '/', a tag of [A-Za-z0-9_.-] that does
   * not start with '.' or '-'. */
  for (const char *p = name; *p; p++)
    if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("._-/", *p)) ||
        (*p == '.' && p[1] == '.'))
      return tug_error_set(err, EINVAL,
                           "image %s: invalid name \"%s\" (lowercase letters, digits and . _ - /)",
                           image, name);
  if (tag[0] == '.' || tag[0] == '-')
    return tug_error_set(err, EINVAL, "image %s: invalid tag \"%s\"", image, tag);
  for (const char *p = tag; *p; p++)
    if (!(isalnum((unsigned char)*p) || strchr("._-", *p)))
      return tug_error_set(err, EINVAL, "image %s: invalid tag \"%s\"", image, tag);
  return 0;
}
