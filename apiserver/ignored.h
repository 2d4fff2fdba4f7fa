/*
 * ignored.h — the fields Tugboat accepts and stores but does not act on, and
 * the Warning each one present in a create or update earns (admission-ignored.c).
 *
 * The tables are data (schema/ignored-fields.c): one for any pod spec, one for
 * any container, and one per kind for the kind's own fields. A path names
 * fields from where its table is walked, "[]" after a name walks each item of
 * that list: "env[].valueFrom".
 */
#ifndef TUG_APISERVER_IGNORED_H
#define TUG_APISERVER_IGNORED_H

#include <jansson.h>

#include "registry.h"
#include "server.h"

typedef struct api_ignored_field {
  const char *path;
  const char *why; /* follows "ignored by Tugboat: " */
  /* Values (JSON texts) Tugboat does act on, so that writing them earns no
   * warning ("\"linux\"" for os.name); NULL-terminated, or NULL for none. */
  const char *const *honoured;
} api_ignored_field;

/* A kind's own fields, walked from the object at prefix ("spec",
 * "spec.jobTemplate.spec"); a kind may have several rows. */
typedef struct api_ignored_kind {
  const char *group, *kind, *prefix;
  const api_ignored_field *fields; /* ends with path NULL */
} api_ignored_kind;

/* Of a pod spec (at a kind's strategy->pod_template), of each container and
 * init container in it, and of the kinds (ends with kind NULL). */
extern const api_ignored_field api_ignored_pod_spec[], api_ignored_container[];
extern const api_ignored_kind api_ignored_kinds[];

/*
 * A Warning ("<path>: ignored by Tugboat: <why>") in out for each ignored
 * field obj carries with a value Tugboat does not honour. obj is the object
 * as the client wrote it, before the API server's defaults; old is the stored
 * object on update (NULL on create), and a field whose value the update
 * leaves as it was earns none: an update warns about what it changes.
 */
void api_warn_ignored(const api_kind *k, const json_t *obj, const json_t *old, api_response *out);

#endif
