/*
 * fieldsel.h — field selectors (?fieldSelector=spec.nodeName=n1,status.phase!=Failed).
 *
 * Requirements are "field=value", "field==value" or "field!=value", joined by
 * commas. Fields are the ones Kubernetes supports: metadata.name and
 * metadata.namespace for every kind, plus those of the kind's strategy
 * (spec.nodeName and status.phase for pods, involvedObject.* for events, ...;
 * kind_fields, NULL-terminated, may be NULL). A missing field compares as "".
 */
#ifndef TUG_APISERVER_FIELDSEL_H
#define TUG_APISERVER_FIELDSEL_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

typedef struct api_fieldsel api_fieldsel;

int api_fieldsel_parse(const char *s, const char *const *kind_fields, api_fieldsel **out,
                       tug_error *err);
bool api_fieldsel_matches(const api_fieldsel *f, const json_t *obj);
/* The value a requirement "field=value" pins, if any (to narrow a list). */
const char *api_fieldsel_equals(const api_fieldsel *f, const char *field);
void api_fieldsel_free(api_fieldsel *f);

#endif
