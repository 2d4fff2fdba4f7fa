/*
 * history.c — ControllerRevisions of DaemonSets and StatefulSets (see
 * history.h): listing and adoption, finding or making the current revision,
 * and truncation.
 */
#include "history.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "kinds.h"
#include "log.h"
#include "object.h"

size_t ctl_history_doomed(const ctl_history_rev *revs, size_t n, int64_t limit, bool live_counts,
                          bool *doomed) {
  int64_t counted = 0;
  for (size_t i = 0; i < n; i++) {
    doomed[i] = false;
    counted += !revs[i].current && (live_counts || !revs[i].live);
  }
  size_t killed = 0;
  while (counted > limit) {
    size_t oldest = n;
    for (size_t i = 0; i < n; i++)
      if (!revs[i].live && !revs[i].current && !doomed[i] &&
          (oldest == n || revs[i].revision < revs[oldest].revision))
        oldest = i;
    if (oldest == n)
      break; /* only live revisions are left over the limit */
    doomed[oldest] = true;
    killed++;
    counted--;
  }
  return killed;
}

static int64_t revision_number(const json_t *rev) {
  return tug_obj_get_int(rev, "revision", 0);
}

int64_t ctl_history_max(const json_t *revisions) {
  int64_t max = 0;
  size_t i;
  json_t *r;
  json_array_foreach(revisions, i, r) {
    if (revision_number(r) > max)
      max = revision_number(r);
  }
  return max;
}

json_t *ctl_history_template_data(const json_t *owner) {
  json_t *tmpl = json_deep_copy(tug_obj_get(owner, "spec.template"));
  if (!json_is_object(tmpl)) {
    json_decref(tmpl);
    tmpl = json_object();
  }
  json_object_set_new(tmpl, "$patch", json_string("replace"));
  return json_pack("{s:{s:o}}", "spec", "template", tmpl);
}

const json_t *ctl_history_template(const json_t *revision) {
  const json_t *t = tug_obj_get(revision, "data.spec.template");
  return json_is_object(t) ? t : NULL;
}

static int by_revision(const void *a, const void *b) {
  int64_t x = revision_number(*(json_t *const *)a), y = revision_number(*(json_t *const *)b);
  return x < y ? -1 : x > y;
}

json_t *ctl_history_list(ctl_ctx *x, const json_t *owner, const tug_selector *sel, int *failures) {
  _cleanup_json_ json_t *all = ctl_list(x, CTL_CONTROLLERREVISIONS, tug_obj_namespace(owner));
  json_t *mine = ctl_claim(x, owner, sel, all, failures);
  ctl_sort(mine, by_revision);
  return mine;
}

static json_t *with_data(const json_t *revisions, const json_t *data) {
  size_t i;
  json_t *r;
  json_array_foreach(revisions, i, r) {
    if (json_equal(json_object_get(r, "data"), data))
      return r;
  }
  return NULL;
}

/* The one revision in force is the newest: give it the next number. */
static json_t *renumber(ctl_ctx *x, const json_t *rev, int64_t to, tug_error *err) {
  _cleanup_json_ json_t *patch = json_pack("{s:I}", "revision", (json_int_t)to);
  json_t *out = NULL;
  if (ctl_patch(x, rev, patch, true, &out, err) < 0)
    return NULL;
  return out;
}

static json_t *new_revision(const json_t *owner, const json_t *data, const ctl_history_name *n,
                            int64_t number) {
  json_t *labels = json_deep_copy(tug_obj_get(owner, "spec.template.metadata.labels"));
  if (!json_is_object(labels)) {
    json_decref(labels);
    labels = json_object();
  }
  json_object_set_new(labels, CTL_REVISION_HASH_LABEL, json_string(n->hash));
  json_t *meta =
      json_pack("{s:s, s:s, s:o, s:[o]}", "name", n->name, "namespace", tug_obj_namespace(owner),
                "labels", labels, "ownerReferences", tug_controller_ref_new(owner));
  const json_t *ann = tug_obj_get(owner, "metadata.annotations");
  if (n->owner_annotations && json_is_object(ann)) /* kubectl's CHANGE-CAUSE reads them */
    json_object_set_new(meta, "annotations", json_deep_copy(ann));
  return json_pack("{s:s, s:s, s:o, s:O, s:I}", "apiVersion", "apps/v1", "kind",
                   "ControllerRevision", "metadata", meta, "data", data, "revision",
                   (json_int_t)number);
}

/* The name is taken: ours already (a cache that lags), or a hash collision. */
static json_t *name_taken(ctl_ctx *x, const json_t *owner, const char *path, const json_t *data,
                          tug_error *err) {
  json_t *have = NULL;
  if (tug_client_get(x->client, path, &have, err) < 0)
    return NULL;
  if (json_equal(json_object_get(have, "data"), data) && ctl_owned_by(have, tug_obj_uid(owner)))
    return have;
  json_decref(have);
  _cleanup_json_ json_t *status = json_deep_copy(tug_obj_get(owner, "status"));
  if (!json_is_object(status)) {
    json_decref(status);
    status = json_object();
  }
  int64_t count = tug_obj_get_int(owner, "status.collisionCount", 0) + 1;
  json_object_set_new(status, "collisionCount", json_integer(count));
  tug_error_clear(err);
  if (ctl_write_status(x, owner, status, err) < 0)
    return NULL;
  tug_error_set(err, EAGAIN, "hash collision on revision %s: collisionCount is now %lld", path,
                (long long)count);
  return NULL;
}

json_t *ctl_history_current(ctl_ctx *x, const json_t *owner, const json_t *revisions,
                            const json_t *data, const ctl_history_name *n, tug_error *err) {
  int64_t max = ctl_history_max(revisions);
  json_t *same = with_data(revisions, data);
  if (same)
    return revision_number(same) == max ? json_incref(same) : renumber(x, same, max + 1, err);
  char path[768];
  if (tug_api_path(path, sizeof path, "ControllerRevision", tug_obj_namespace(owner), NULL, NULL,
                   err) < 0)
    return NULL;
  _cleanup_json_ json_t *rev = new_revision(owner, data, n, max + 1);
  json_t *made = NULL;
  if (tug_client_create(x->client, path, rev, &made, err) == 0)
    return made;
  if (err->code != TUG_E_CONFLICT)
    return NULL;
  snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", n->name);
  tug_error_clear(err);
  return name_taken(x, owner, path, data, err);
}

static bool is_live(const json_t *rev, const json_t *live) {
  const char *hash =
      json_string_value(json_object_get(tug_obj_labels(rev), CTL_REVISION_HASH_LABEL));
  return json_object_get(live, tug_obj_name(rev)) || (hash && json_object_get(live, hash));
}

void ctl_history_truncate(ctl_ctx *x, const json_t *owner, const json_t *revisions,
                          const json_t *live, const char *current, bool live_counts) {
  size_t n = json_array_size(revisions);
  _cleanup_free_ ctl_history_rev *revs = calloc(n + 1, sizeof *revs);
  _cleanup_free_ bool *doomed = calloc(n + 1, sizeof *doomed);
  if (revs == NULL || doomed == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    const json_t *r = json_array_get(revisions, i);
    revs[i] = (ctl_history_rev){.revision = revision_number(r),
                                .live = is_live(r, live),
                                .current = current && strcmp(tug_obj_name(r), current) == 0};
  }
  int64_t limit = tug_obj_get_int(owner, "spec.revisionHistoryLimit", 10);
  if (ctl_history_doomed(revs, n, limit, live_counts, doomed) == 0)
    return;
  for (size_t i = 0; i < n; i++) {
    tug_error err = {0};
    if (doomed[i] && ctl_delete(x, json_array_get(revisions, i), NULL, &err) < 0)
      tug_warn("delete revision failed", "revision=%s/%s err=%s", tug_obj_namespace(owner),
               tug_obj_name(json_array_get(revisions, i)), TUG_LOG_ERR(&err));
  }
}
