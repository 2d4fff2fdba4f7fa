/*
 * fieldvalidation.h — fieldValidation=Strict|Warn|Ignore: what becomes of the
 * fields of a written object that its kind's schema does not have, and of a
 * key given twice in one JSON object.
 *
 * As in Kubernetes, a write's "strict decoding errors" are `unknown field
 * "spec.containers[0].imagee"` and `duplicate field "metadata.name"`, paths in
 * the JSON names of the body. Strict answers them with an error (400 on create
 * and update, 422 on patch), Warn (the default when the parameter is absent)
 * with one Warning header each, Ignore with nothing. Whatever the mode, an
 * unknown field is never stored: it is pruned, as decoding into Kubernetes'
 * typed objects drops it. A duplicate keeps its last value.
 *
 * Kinds without a schema and free-form values (type JSON) are not checked;
 * protobuf bodies have nothing to find, their decoder having refused any
 * field number the schema lacks.
 */
#ifndef TUG_APISERVER_FIELDVALIDATION_H
#define TUG_APISERVER_FIELDVALIDATION_H

#include <jansson.h>

#include "schema.h"
#include "server.h"

typedef enum api_fv_mode {
  API_FV_WARN = 0, /* Kubernetes' default */
  API_FV_IGNORE,
  API_FV_STRICT,
} api_fv_mode;

/* The request's fieldValidation; -1 with a 422 (CreateOptions, UpdateOptions
 * or PatchOptions invalid) in out when the value is none of the three. */
int api_fv_mode_of(const api_request *r, api_fv_mode *mode, api_response *out);

/* 422 Invalid about one of the request's options (CreateOptions,
 * UpdateOptions or PatchOptions by its method), as Kubernetes answers: the
 * message reads `PatchOptions.meta.k8s.io "" is invalid: <field>: <detail>`,
 * the one cause has reason and message cause. Returns -1. */
int api_options_invalid(const api_request *r, api_response *out, const char *field,
                        const char *reason, const char *cause, const char *detail);

/* Parse the request body as jansson does; unless mode is Ignore, keys given
 * twice are noted in r->strict_errors first. NULL with jerr as jansson's. */
json_t *api_fv_loadb(api_request *r, api_fv_mode mode, json_error_t *jerr);

/* `duplicate field "path"` for every key repeated within one object of text,
 * which must be JSON that jansson accepts; NULL when there is none. */
json_t *api_fv_duplicates(const char *text, size_t len);

/* Remove from obj every field that message m does not have, at any depth,
 * appending `unknown field "path"` to errors (an array) for each. */
void api_fv_prune(const api_message *m, json_t *obj, json_t *errors);

/* The schema of what a route's body holds: the kind's root message, or NULL
 * when it has none. */
const api_message *api_fv_message(const api_kind *k);

/* A created or replaced object, as read from the body, whose schema is m
 * (NULL: none): prune it and answer its strict errors by the request's mode.
 * -1 with a 400 in out under Strict. */
int api_fv_check_object(api_request *r, const api_message *m, json_t *obj, api_response *out);
/* The same for an object of kind k (a route's): a custom kind's is pruned by
 * its CRD's structural schema (crd.h). */
int api_fv_check_kind(api_request *r, const api_kind *k, json_t *obj, api_response *out);

/* The same for an object a patch produced (422 on the "patch" field under
 * Strict, as Kubernetes answers); patch is the request's body. */
int api_fv_check_patched(api_request *r, const api_message *m, json_t *obj, const json_t *patch,
                         api_response *out);
/* The same with the kind k (NULL: none) whose object it is, as above. */
int api_fv_check_patched_kind(api_request *r, const api_kind *k, const api_message *m, json_t *obj,
                              const json_t *patch, api_response *out);

#endif
