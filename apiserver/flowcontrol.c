/*
 * flowcontrol.c — API Priority and Fairness' configuration and
 * classification: FlowSchema and PriorityLevelConfiguration objects (the
 * defaults, then a file's, a name given twice keeps the file's) into levels
 * with seats and schemas in matching order, and the schema a request falls
 * under. Seats and queues are flowcontrol-queue.c's.
 */
#include "flowcontrol-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "object.h"
#include "storage.h"

/* The objects to build from: the defaults, each replaced by a file's object
 * of the same kind and name, then the file's others. */
static json_t *merged_objects(const json_t *extra, tug_error *err) {
  json_error_t jerr;
  json_t *all = json_loads(api_fc_default_objects, 0, &jerr);
  if (all == NULL) {
    tug_error_set(err, EINVAL, "flowcontrol defaults: %s", jerr.text);
    return NULL;
  }
  size_t i, j;
  json_t *o, *d;
  json_array_foreach(extra, i, o) {
    bool replaced = false;
    json_array_foreach(all, j, d) {
      if (json_is_object(d) &&
          strcmp(tug_obj_kind(d) ? tug_obj_kind(d) : "", tug_obj_kind(o) ? tug_obj_kind(o) : "-") ==
              0 &&
          strcmp(tug_obj_name(d), tug_obj_name(o) ? tug_obj_name(o) : "") == 0) {
        json_array_set(all, j, o);
        replaced = true;
        break;
      }
    }
    if (!replaced)
      json_array_append(all, o);
  }
  return all;
}

static int set_name(char *buf, const json_t *o, tug_error *err) {
  const char *name = tug_obj_name(o);
  if (name == NULL || name[0] == '\0' || strlen(name) >= API_FC_NAME_MAX)
    return tug_error_set(err, EINVAL, "%s: metadata.name: must be 1 to %d characters",
                         tug_obj_kind(o), API_FC_NAME_MAX - 1);
  strcpy(buf, name);
  return 0;
}

static int int_field(const json_t *o, const char *path, int dflt, int min, int max, int *out,
                     tug_error *err) {
  json_t *v = tug_obj_get(o, path);
  *out = v ? (int)json_integer_value(v) : dflt;
  if ((v && !json_is_integer(v)) || *out < min || *out > max ||
      (v && json_integer_value(v) != *out))
    return tug_error_set(err, EINVAL,
                         "PriorityLevelConfiguration %s: %s: must be an integer from %d to %d",
                         tug_obj_name(o), path, min, max);
  return 0;
}

static int parse_level(const json_t *o, api_fc_level *l, tug_error *err) {
  if (set_name(l->name, o, err) < 0)
    return -1;
  api_new_uid(l->uid, sizeof l->uid);
  const char *type = tug_obj_get_str(o, "spec.type");
  if (type && strcmp(type, "Exempt") == 0) {
    l->exempt = true;
    return 0;
  }
  if (type == NULL || strcmp(type, "Limited") != 0)
    return tug_error_set(err, EINVAL,
                         "PriorityLevelConfiguration %s: spec.type: must be Exempt or Limited",
                         l->name);
  const char *resp = tug_obj_get_str(o, "spec.limited.limitResponse.type");
  l->reject = resp == NULL || strcmp(resp, "Reject") == 0;
  const char *q = "spec.limited.limitResponse.queuing.";
  char path[3][96];
  snprintf(path[0], sizeof path[0], "%squeues", q);
  snprintf(path[1], sizeof path[1], "%shandSize", q);
  snprintf(path[2], sizeof path[2], "%squeueLengthLimit", q);
  if (int_field(o, "spec.limited.nominalConcurrencyShares", 30, 0, 1000000, &l->shares, err) < 0 ||
      int_field(o, path[0], 64, 1, 10000, &l->nqueues, err) < 0 ||
      int_field(o, path[1], 8, 1, 64, &l->hand, err) < 0 ||
      int_field(o, path[2], 50, 1, 1000000, &l->queue_limit, err) < 0)
    return -1;
  if (l->hand > l->nqueues)
    return tug_error_set(err, EINVAL, "PriorityLevelConfiguration %s: %s: must not exceed queues",
                         l->name, path[1]);
  if (l->reject)
    l->nqueues = 0;
  l->queues = l->nqueues ? calloc((size_t)l->nqueues, sizeof *l->queues) : NULL;
  return 0;
}

static api_fc_level *find_level(api_flowcontrol *fc, const char *name) {
  for (size_t i = 0; i < fc->nlevels; i++)
    if (name && strcmp(fc->levels[i].name, name) == 0)
      return &fc->levels[i];
  return NULL;
}

static int parse_schema(api_flowcontrol *fc, const json_t *o, api_fc_schema *s, tug_error *err) {
  if (set_name(s->name, o, err) < 0)
    return -1;
  api_new_uid(s->uid, sizeof s->uid);
  s->level = find_level(fc, tug_obj_get_str(o, "spec.priorityLevelConfiguration.name"));
  if (s->level == NULL)
    return tug_error_set(
        err, EINVAL, "FlowSchema %s: spec.priorityLevelConfiguration.name: no such level", s->name);
  s->precedence = (int)tug_obj_get_int(o, "spec.matchingPrecedence", 1000);
  if (s->precedence < 1 || s->precedence > 10000)
    return tug_error_set(err, EINVAL, "FlowSchema %s: spec.matchingPrecedence: must be 1 to 10000",
                         s->name);
  const char *by = tug_obj_get_str(o, "spec.distinguisherMethod.type");
  s->by = by == NULL || by[0] == '\0'      ? API_FC_BY_NONE
          : strcmp(by, "ByUser") == 0      ? API_FC_BY_USER
          : strcmp(by, "ByNamespace") == 0 ? API_FC_BY_NAMESPACE
                                           : -1;
  if ((int)s->by < 0)
    return tug_error_set(
        err, EINVAL, "FlowSchema %s: spec.distinguisherMethod.type: must be ByUser or ByNamespace",
        s->name);
  s->rules = json_incref(tug_obj_get(o, "spec.rules"));
  return 0;
}

static int by_precedence(const void *a, const void *b) {
  const api_fc_schema *x = a, *y = b;
  return x->precedence != y->precedence ? (x->precedence > y->precedence ? 1 : -1)
                                        : strcmp(x->name, y->name);
}

/* Seats out of total in proportion to shares, at least one for a Limited level. */
static void share_seats(api_flowcontrol *fc, int total) {
  long sum = 0;
  for (size_t i = 0; i < fc->nlevels; i++)
    sum += fc->levels[i].exempt ? 0 : fc->levels[i].shares;
  for (size_t i = 0; i < fc->nlevels; i++) {
    api_fc_level *l = &fc->levels[i];
    long seats = sum ? ((long)total * l->shares + sum - 1) / sum : 1;
    l->seats = l->exempt ? 0 : (int)(seats < 1 ? 1 : seats);
    l->reserve = (l->seats + 3) / 4;
    l->held_flow = calloc((size_t)l->seats + 1, sizeof *l->held_flow);
    l->held_seats = calloc((size_t)l->seats + 1, sizeof *l->held_seats);
  }
}

static int add_level(api_flowcontrol *fc, const json_t *o, tug_error *err) {
  return parse_level(o, &fc->levels[fc->nlevels++], err);
}

static int add_schema(api_flowcontrol *fc, const json_t *o, tug_error *err) {
  return parse_schema(fc, o, &fc->schemas[fc->nschemas++], err);
}

/* The configuration's kinds, levels first: schemas name them. */
static const struct {
  const char *kind;
  int (*add)(api_flowcontrol *fc, const json_t *o, tug_error *err);
} config_kinds[] = {{"PriorityLevelConfiguration", add_level}, {"FlowSchema", add_schema}};

static int config_kind(const json_t *o) {
  const char *kind = json_is_object(o) ? tug_obj_kind(o) : NULL;
  for (int k = 0; kind && k < 2; k++)
    if (strcmp(kind, config_kinds[k].kind) == 0)
      return k;
  return -1;
}

static int build(api_flowcontrol *fc, const json_t *all, tug_error *err) {
  size_t i, n = json_array_size(all);
  json_t *o;
  fc->levels = calloc(n, sizeof *fc->levels);
  fc->schemas = calloc(n, sizeof *fc->schemas);
  for (int pass = 0; pass < 2; pass++) {
    json_array_foreach(all, i, o) {
      int k = config_kind(o);
      if (json_is_null(o) || (k >= 0 && k != pass))
        continue;
      if (k < 0)
        return tug_error_set(err, EINVAL,
                             "item %zu: kind: must be FlowSchema or "
                             "PriorityLevelConfiguration",
                             i + 1);
      if (config_kinds[k].add(fc, o, err) < 0)
        return -1;
    }
  }
  qsort(fc->schemas, fc->nschemas, sizeof *fc->schemas, by_precedence);
  return 0;
}

api_flowcontrol *api_flowcontrol_new(const json_t *extra, int total, double queue_wait_s,
                                     tug_error *err) {
  api_flowcontrol *fc = calloc(1, sizeof *fc);
  json_t *all = merged_objects(extra, err);
  if (fc == NULL || all == NULL || build(fc, all, err) < 0) {
    json_decref(all);
    api_flowcontrol_free(fc);
    return NULL;
  }
  json_decref(all);
  pthread_mutex_init(&fc->mu, NULL);
  fc->queue_wait_s = queue_wait_s;
  share_seats(fc, total);
  return fc;
}

api_flowcontrol *api_flowcontrol_load(const char *path, int total, double queue_wait_s,
                                      tug_error *err) {
  json_t *objects = NULL;
  if (path && tug_manifest_decode_path(path, false, &objects, NULL, err) < 0)
    return NULL;
  api_flowcontrol *fc = api_flowcontrol_new(objects, total, queue_wait_s, err);
  json_decref(objects);
  if (fc == NULL && path)
    tug_error_wrap(err, "--flowcontrol-config %s", path);
  return fc;
}

void api_flowcontrol_free(api_flowcontrol *fc) {
  if (fc == NULL)
    return;
  for (size_t i = 0; i < fc->nlevels; i++) {
    free(fc->levels[i].queues);
    free(fc->levels[i].held_flow);
    free(fc->levels[i].held_seats);
  }
  for (size_t i = 0; i < fc->nschemas; i++)
    json_decref(fc->schemas[i].rules);
  free(fc->levels);
  free(fc->schemas);
  free(fc);
}

/* A list of strings holds s, or "*". */
static bool holds(const json_t *list, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    const char *x = json_string_value(v);
    if (x && (strcmp(x, "*") == 0 || strcmp(x, s) == 0))
      return true;
  }
  return false;
}

static bool group_matches(const json_t *sub, const api_user *u) {
  const char *g = tug_obj_get_str(sub, "group.name");
  return g && (strcmp(g, "*") == 0 || api_user_in_group(u, g));
}

static bool user_matches(const json_t *sub, const api_user *u) {
  const char *n = tug_obj_get_str(sub, "user.name");
  return n && (strcmp(n, "*") == 0 || strcmp(n, u->name) == 0);
}

static bool serviceaccount_matches(const json_t *sub, const api_user *u) {
  const char *ns = tug_obj_get_str(sub, "serviceAccount.namespace");
  const char *name = tug_obj_get_str(sub, "serviceAccount.name");
  char prefix[256];
  int n = snprintf(prefix, sizeof prefix, "system:serviceaccount:%s:", ns ? ns : "");
  return ns && name && strncmp(u->name, prefix, (size_t)n) == 0 &&
         (strcmp(name, "*") == 0 || strcmp(u->name + n, name) == 0);
}

/* A FlowSchema subject's kinds, as Kubernetes names them. */
static const struct {
  const char *kind;
  bool (*matches)(const json_t *sub, const api_user *u);
} subject_kinds[] = {
    {"Group", group_matches}, {"User", user_matches}, {"ServiceAccount", serviceaccount_matches}};

static bool subject_matches(const json_t *sub, const api_user *u) {
  const char *kind = tug_obj_get_str(sub, "kind");
  for (size_t i = 0; kind && i < sizeof subject_kinds / sizeof subject_kinds[0]; i++)
    if (strcmp(kind, subject_kinds[i].kind) == 0)
      return subject_kinds[i].matches(sub, u);
  return false;
}

static bool resource_rule_matches(const json_t *rule, const api_request_info *ri) {
  char res[130];
  snprintf(res, sizeof res, "%s%s%s", ri->resource, ri->sub[0] ? "/" : "", ri->sub);
  if (!holds(json_object_get(rule, "verbs"), ri->verb) ||
      !holds(json_object_get(rule, "apiGroups"), ri->group) ||
      !holds(json_object_get(rule, "resources"), res))
    return false;
  bool cluster = ri->ns[0] == '\0' || strcmp(ri->resource, "namespaces") == 0;
  return cluster ? json_is_true(json_object_get(rule, "clusterScope"))
                 : holds(json_object_get(rule, "namespaces"), ri->ns);
}

/* An exact URL ("/healthz"), "*", or a prefix ending in "*" ("/apis/ *" without the space). */
static bool url_matches(const json_t *urls, const char *path) {
  size_t i;
  json_t *v;
  json_array_foreach(urls, i, v) {
    const char *u = json_string_value(v);
    size_t n = u ? strlen(u) : 0;
    if (u && (strcmp(u, "*") == 0 || strcmp(u, path) == 0 ||
              (n > 1 && u[n - 1] == '*' && strncmp(u, path, n - 1) == 0)))
      return true;
  }
  return false;
}

static bool any_rule(const json_t *rules, const api_request_info *ri, const char *path) {
  size_t i;
  json_t *r;
  json_array_foreach(rules, i, r) {
    if (ri->is_resource ? resource_rule_matches(r, ri)
                        : holds(json_object_get(r, "verbs"), ri->verb) &&
                              url_matches(json_object_get(r, "nonResourceURLs"), path))
      return true;
  }
  return false;
}

static bool policy_matches(const json_t *policy, const api_user *u, const api_request_info *ri,
                           const char *path) {
  size_t i;
  json_t *sub;
  bool who = false;
  json_array_foreach(json_object_get(policy, "subjects"), i, sub) {
    if ((who = subject_matches(sub, u)))
      break;
  }
  const char *rules = ri->is_resource ? "resourceRules" : "nonResourceRules";
  return who && any_rule(json_object_get(policy, rules), ri, path);
}

const api_fc_schema *api_fc_classify(const api_flowcontrol *fc, const api_user *u,
                                     const api_request_info *ri, const char *path) {
  for (size_t i = 0; i < fc->nschemas; i++) {
    size_t j;
    json_t *policy;
    json_array_foreach(fc->schemas[i].rules, j, policy) {
      if (policy_matches(policy, u, ri, path))
        return &fc->schemas[i];
    }
  }
  return &fc->schemas[fc->nschemas - 1]; /* catch-all: the last by precedence */
}

static uint64_t fnv1a(uint64_t h, const char *s) {
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return (h ^ 0xff) * 1099511628211ULL; /* ends the string: "ab"+"c" is not "a"+"bc" */
}

uint64_t api_fc_flow_hash(const api_fc_schema *s, const api_user *u, const api_request_info *ri) {
  const char *who = s->by == API_FC_BY_USER ? u->name : s->by == API_FC_BY_NAMESPACE ? ri->ns : "";
  return fnv1a(fnv1a(14695981039346656037ULL, s->name), who);
}

/* Kubernetes' deck dealing: each card is the hash's next digit in base
 * (n - i), counted among the queues not dealt yet. */
void api_fc_deal(uint64_t hash, int n, int hand, int *out) {
  for (int i = 0; i < hand; i++) {
    int k = (int)(hash % (uint64_t)(n - i));
    hash /= (uint64_t)(n - i);
    int q = 0;
    for (;; q++) {
      bool dealt = false;
      for (int j = 0; j < i; j++)
        dealt |= out[j] == q;
      if (!dealt && k-- == 0)
        break;
    }
    out[i] = q;
  }
}
