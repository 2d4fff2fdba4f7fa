/*
 * manifests.c — reading every -f into one array of objects (see manifests.h).
 */
#include "array.h"
#include "manifests.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_manifests_free(cli_manifests *m) {
  json_decref(m->objs);
  tug_manifest_origins_free(m->origins, m->n);
  free(m->skip);
  *m = (cli_manifests){0};
}

int cli_manifests_load(cli_ctx *ctx, cli_manifests *m, tug_error *err) {
  const cli_opts *o = &ctx->opts;
  *m = (cli_manifests){.objs = json_array()};
  if (m->objs == NULL)
    return tug_error_errno(err, ENOMEM, "read manifests");
  if (o->nfiles == 0)
    return tug_error_set(err, EINVAL, "%s: want -f FILE, DIR or - (stdin)", o->verb);
  for (int f = 0; f < o->nfiles; f++) {
    json_t *objs;
    tug_manifest_origin *origins;
    if (tug_manifest_decode_path(o->files[f], o->recursive, &objs, &origins, err) < 0)
      return -1;
    size_t k = json_array_size(objs);
    if (TUG_ARRAY_RESERVE(m->origins, m->cap, m->n + k + 1, 8) < 0) {
      json_decref(objs);
      tug_manifest_origins_free(origins, k);
      return tug_error_errno(err, ENOMEM, "read manifests");
    }
    if (k > 0)
      memcpy(m->origins + m->n, origins, k * sizeof *origins);
    free(origins);
    json_array_extend(m->objs, objs);
    json_decref(objs);
    m->n += k;
  }
  m->skip = calloc(m->n + 1, sizeof *m->skip);
  if (m->skip == NULL)
    return tug_error_errno(err, ENOMEM, "read manifests");
  if (m->n == 0)
    return tug_error_set(err, EINVAL, "no objects passed to %s", o->verb);
  return 0;
}

const char *cli_manifest_where(const tug_manifest_origin *org, char *buf, size_t size) {
  if (org->item)
    snprintf(buf, size, "%s: document %d, item %d (line %d)", org->file, org->document, org->item,
             org->line);
  else
    snprintf(buf, size, "%s: document %d (line %d)", org->file, org->document, org->line);
  return buf;
}
