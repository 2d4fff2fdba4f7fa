/*
 * framework.c — the placement pipeline and its configuration (see framework.h).
 */
#include "framework.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "object.h"

struct sched_framework {
  sched_profile prof;
  size_t next_start;
  void *fstate[SCHED_MAX_PLUGINS], *sstate[SCHED_MAX_PLUGINS];
  bool fskip[SCHED_MAX_PLUGINS], sskip[SCHED_MAX_PLUGINS];
  size_t n_fprepared, n_sprepared;
  sched_node **feasible;
  int64_t *raw, *total;
  size_t cap;
};

/* ---- profiles ---- */

void sched_profile_default(sched_profile *p) {
  static const sched_plugin *const filters[] = {
      &sched_plugin_node_status,   &sched_plugin_resources_fit, &sched_plugin_node_affinity,
      &sched_plugin_taints,        &sched_plugin_host_ports,    &sched_plugin_spread,
      &sched_plugin_volume_binding};
  memset(p, 0, sizeof *p);
  for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
    p->filters[p->n_filters++] = filters[i];
  p->scores[0] = &sched_plugin_least;
  p->weights[0] = 1;
  p->scores[1] = &sched_plugin_balanced;
  p->weights[1] = 1;
  p->scores[2] = &sched_plugin_spread;
  p->weights[2] = 2;
  p->n_scores = 3;
  p->min_feasible = 100;
}

static const sched_plugin *plugin_named(const json_t *v, const char *point, bool score,
                                        tug_error *err) {
  const char *name =
      json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "name"));
  const sched_plugin *pl = sched_plugin_find(name);
  if (pl == NULL)
    tug_error_set(err, TUG_E_PARSE, "plugins.%s: unknown plugin %s", point,
                  name ? name : "(no name)");
  else if (score ? pl->score == NULL : pl->filter == NULL)
    tug_error_set(err, TUG_E_PARSE, "plugins.%s: %s has no %s", point, name, point);
  else
    return pl;
  return NULL;
}

static int load_filters(sched_profile *p, const json_t *list, tug_error *err) {
  if (list == NULL)
    return 0;
  if (!json_is_array(list) || json_array_size(list) > SCHED_MAX_PLUGINS)
    return tug_error_set(err, TUG_E_PARSE, "plugins.filter: a list of at most %d names",
                         SCHED_MAX_PLUGINS);
  p->n_filters = 0;
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if ((p->filters[p->n_filters++] = plugin_named(v, "filter", false, err)) == NULL)
      return -1;
  }
  return 0;
}

static int load_scores(sched_profile *p, const json_t *list, tug_error *err) {
  if (list == NULL)
    return 0;
  if (!json_is_array(list) || json_array_size(list) > SCHED_MAX_PLUGINS)
    return tug_error_set(err, TUG_E_PARSE, "plugins.score: a list of at most %d plugins",
                         SCHED_MAX_PLUGINS);
  p->n_scores = 0;
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    const sched_plugin *pl = plugin_named(v, "score", true, err);
    int64_t w = json_is_object(v) ? tug_obj_get_int(v, "weight", 1) : 1;
    if (pl == NULL)
      return -1;
    if (w < 0 || w > 100)
      return tug_error_set(err, TUG_E_PARSE, "plugins.score: %s: weight must be 0..100", pl->name);
    p->scores[p->n_scores] = pl;
    p->weights[p->n_scores++] = (int)w;
  }
  return 0;
}

int sched_profile_load(sched_profile *p, const json_t *config, tug_error *err) {
  const char *kind = tug_obj_kind(config);
  if (kind == NULL || strcmp(kind, "SchedulerConfiguration") != 0)
    return tug_error_set(err, TUG_E_PARSE, "kind must be SchedulerConfiguration");
  int64_t pct = tug_obj_get_int(config, "percentageOfNodesToScore", p->percentage);
  int64_t min = tug_obj_get_int(config, "minFeasibleNodesToFind", p->min_feasible);
  if (pct < 0 || pct > 100)
    return tug_error_set(err, TUG_E_PARSE, "percentageOfNodesToScore must be 0..100");
  if (min < 1 || min > 1000000)
    return tug_error_set(err, TUG_E_PARSE, "minFeasibleNodesToFind must be 1..1000000");
  p->percentage = (int)pct;
  p->min_feasible = (int)min;
  const json_t *plugins = json_object_get(config, "plugins");
  if (load_filters(p, json_object_get(plugins, "filter"), err) < 0 ||
      load_scores(p, json_object_get(plugins, "score"), err) < 0)
    return -1;
  return 0;
}

int sched_profile_load_file(sched_profile *p, const char *path, tug_error *err) {
  json_t *docs = NULL;
  if (tug_manifest_decode_path(path, false, &docs, NULL, err) < 0)
    return -1;
  int rc = json_array_size(docs) == 1
               ? sched_profile_load(p, json_array_get(docs, 0), err)
               : tug_error_set(err, TUG_E_PARSE, "one SchedulerConfiguration expected");
  json_decref(docs);
  return rc < 0 ? tug_error_wrap(err, "%s", path) : 0;
}

/* ---- the pipeline ---- */

sched_framework *sched_framework_new(const sched_profile *profile) {
  sched_framework *fw = calloc(1, sizeof *fw);
  if (fw)
    fw->prof = *profile;
  return fw;
}

void sched_framework_free(sched_framework *fw) {
  if (fw == NULL)
    return;
  sched_framework_end(fw);
  free(fw->feasible);
  free(fw->raw);
  free(fw->total);
  free(fw);
}

static int prepare_all(const sched_plugin *const *pls, size_t n, const sched_cache *c,
                       const sched_pod *p, void **states, bool *skip, size_t *prepared) {
  for (*prepared = 0; *prepared < n; (*prepared)++) {
    size_t i = *prepared;
    states[i] = NULL;
    int rc = pls[i]->prepare ? pls[i]->prepare(c, p, &states[i]) : 0;
    if (rc < 0) {
      if (pls[i]->release)
        pls[i]->release(states[i]);
      return -1;
    }
    skip[i] = rc == 1;
  }
  return 0;
}

static void release_all(const sched_plugin *const *pls, void **states, bool *skip,
                        size_t *prepared) {
  for (size_t i = 0; i < *prepared; i++)
    if (!skip[i] && pls[i]->release)
      pls[i]->release(states[i]);
  *prepared = 0;
}

int sched_framework_begin(sched_framework *fw, const sched_cache *c, const sched_pod *p) {
  sched_framework_end(fw);
  if (prepare_all(fw->prof.filters, fw->prof.n_filters, c, p, fw->fstate, fw->fskip,
                  &fw->n_fprepared) < 0) {
    sched_framework_end(fw);
    return -1;
  }
  return 0;
}

void sched_framework_end(sched_framework *fw) {
  release_all(fw->prof.filters, fw->fstate, fw->fskip, &fw->n_fprepared);
  release_all(fw->prof.scores, fw->sstate, fw->sskip, &fw->n_sprepared);
}

bool sched_framework_fits(sched_framework *fw, const sched_pod *p, const sched_node *n,
                          const char **reason) {
  for (size_t i = 0; i < fw->n_fprepared; i++) {
    if (fw->fskip[i])
      continue;
    const char *why = fw->prof.filters[i]->filter(p, fw->fstate[i], n);
    if (why) {
      *reason = why;
      return false;
    }
  }
  return true;
}

static size_t nodes_to_find(const sched_profile *prof, size_t n) {
  size_t min = (size_t)prof->min_feasible;
  if (n <= min)
    return n;
  long pct = prof->percentage;
  if (pct == 0) {
    pct = 50 - (long)(n / 125);
    if (pct < 5)
      pct = 5;
  }
  size_t k = n * (size_t)pct / 100;
  return k < min ? min : k;
}

static void count_reason(sched_result *r, const char *why) {
  for (size_t i = 0; i < r->n_reasons; i++)
    if (r->reasons[i].reason == why || strcmp(r->reasons[i].reason, why) == 0) {
      r->reasons[i].count++;
      return;
    }
  if (r->n_reasons < SCHED_MAX_REASONS)
    r->reasons[r->n_reasons++] = (sched_reason){why, 1};
}

static int reserve(sched_framework *fw, size_t n) {
  if (n <= fw->cap)
    return 0;
  sched_node **f = realloc(fw->feasible, n * sizeof *f);
  if (f)
    fw->feasible = f;
  int64_t *raw = realloc(fw->raw, n * sizeof *raw);
  if (raw)
    fw->raw = raw;
  int64_t *total = realloc(fw->total, n * sizeof *total);
  if (total)
    fw->total = total;
  if (!f || !raw || !total)
    return -1;
  fw->cap = n;
  return 0;
}

static void find_feasible(sched_framework *fw, const sched_cache *c, const sched_pod *p,
                          sched_result *out) {
  size_t n = c->n_nodes, want = nodes_to_find(&fw->prof, n), start = n ? fw->next_start % n : 0;
  for (size_t i = 0; i < n && out->feasible < want; i++) {
    sched_node *node = c->nodes[(start + i) % n];
    const char *why;
    out->evaluated++;
    if (sched_framework_fits(fw, p, node, &why))
      fw->feasible[out->feasible++] = node;
    else
      count_reason(out, why);
  }
  fw->next_start = n ? (start + out->evaluated) % n : 0;
}

static void score_feasible(sched_framework *fw, const sched_pod *p, size_t nf) {
  memset(fw->total, 0, nf * sizeof *fw->total);
  for (size_t s = 0; s < fw->n_sprepared; s++) {
    const sched_plugin *pl = fw->prof.scores[s];
    if (fw->sskip[s] || fw->prof.weights[s] == 0)
      continue;
    for (size_t i = 0; i < nf; i++)
      fw->raw[i] = pl->score(p, fw->sstate[s], fw->feasible[i]);
    if (pl->normalize)
      pl->normalize(fw->sstate[s], fw->raw, nf);
    for (size_t i = 0; i < nf; i++)
      fw->total[i] += fw->raw[i] * fw->prof.weights[s];
  }
}

int sched_framework_place(sched_framework *fw, const sched_cache *c, const sched_pod *p,
                          sched_result *out) {
  memset(out, 0, sizeof *out);
  out->n_nodes = c->n_nodes;
  if (reserve(fw, c->n_nodes) < 0 || sched_framework_begin(fw, c, p) < 0)
    return -1;
  find_feasible(fw, c, p, out);
  if (out->feasible > 1) {
    if (prepare_all(fw->prof.scores, fw->prof.n_scores, c, p, fw->sstate, fw->sskip,
                    &fw->n_sprepared) < 0) {
      sched_framework_end(fw);
      return -1;
    }
    score_feasible(fw, p, out->feasible);
  }
  size_t best = 0;
  for (size_t i = 1; i < out->feasible; i++)
    if (fw->total[i] > fw->total[best])
      best = i;
  out->node = out->feasible ? fw->feasible[best] : NULL;
  sched_framework_end(fw);
  return 0;
}

static int by_count(const void *a, const void *b) {
  const sched_reason *x = a, *y = b;
  if (x->count != y->count)
    return y->count - x->count;
  return strcmp(x->reason, y->reason);
}

void sched_result_message(const sched_result *r, char *buf, size_t size) {
  sched_reason sorted[SCHED_MAX_REASONS];
  memcpy(sorted, r->reasons, r->n_reasons * sizeof sorted[0]);
  qsort(sorted, r->n_reasons, sizeof sorted[0], by_count);
  size_t len = (size_t)snprintf(buf, size, "0/%zu nodes are available", r->n_nodes);
  for (size_t i = 0; i < r->n_reasons && len < size; i++)
    len += (size_t)snprintf(buf + len, size - len, "%s %d %s", i ? "," : ":", sorted[i].count,
                            sorted[i].reason);
  if (len < size)
    snprintf(buf + len, size - len, ".");
}
