/* fieldsel.c — parsing and matching field selectors (see fieldsel.h). */
#include "fieldsel.h"

#include <stdlib.h>
#include <string.h>

#include "object.h"

typedef struct requirement {
  char *field;
  char *value;
  bool negate;
} requirement;

struct api_fieldsel {
  requirement *reqs;
  size_t n;
};

static const char *const common_fields[] = {"metadata.name", "metadata.namespace", NULL};

static bool in_list(const char *const *list, const char *field) {
  for (; list && *list; list++)
    if (strcmp(*list, field) == 0)
      return true;
  return false;
}

static bool supported(const char *const *kind_fields, const char *field) {
  return in_list(common_fields, field) || in_list(kind_fields, field);
}

void api_fieldsel_free(api_fieldsel *f) {
  if (f == NULL)
    return;
  for (size_t i = 0; i < f->n; i++) {
    free(f->reqs[i].field);
    free(f->reqs[i].value);
  }
  free(f->reqs);
  free(f);
}

static char *trimmed(const char *s, size_t len) {
  while (len && (*s == ' ' || *s == '\t'))
    s++, len--;
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  return strndup(s, len);
}

static int parse_one(api_fieldsel *f, const char *term, size_t len, const char *const *kind_fields,
                     tug_error *err) {
  const char *op = NULL;
  size_t oplen = 0;
  for (size_t i = 0; i < len && op == NULL; i++) {
    if (term[i] == '!' && i + 1 < len && term[i + 1] == '=')
      op = term + i, oplen = 2;
    else if (term[i] == '=')
      op = term + i, oplen = (i + 1 < len && term[i + 1] == '=') ? 2 : 1;
  }
  if (op == NULL)
    return tug_error_set(err, TUG_E_PARSE, "invalid field selector \"%.*s\": expected an operator",
                         (int)len, term);
  requirement *r = &f->reqs[f->n];
  r->field = trimmed(term, op - term);
  r->value = trimmed(op + oplen, len - (op - term) - oplen);
  r->negate = op[0] == '!';
  f->n++;
  if (r->field[0] == '\0')
    return tug_error_set(err, TUG_E_PARSE, "invalid field selector \"%.*s\": empty field", (int)len,
                         term);
  if (!supported(kind_fields, r->field))
    return tug_error_set(err, TUG_E_PARSE, "field label not supported: %s", r->field);
  return 0;
}

int api_fieldsel_parse(const char *s, const char *const *kind_fields, api_fieldsel **out,
                       tug_error *err) {
  *out = NULL;
  if (s == NULL)
    return 0;
  size_t terms = 1;
  for (const char *p = s; *p; p++)
    terms += *p == ',';
  api_fieldsel *f = calloc(1, sizeof *f);
  f->reqs = calloc(terms, sizeof *f->reqs);
  for (const char *p = s; *p;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    bool blank = strspn(p, " \t") >= len;
    if (!blank && parse_one(f, p, len, kind_fields, err) < 0) {
      api_fieldsel_free(f);
      return -1;
    }
    p += len + (comma != NULL);
  }
  if (f->n == 0) {
    api_fieldsel_free(f);
    return 0;
  }
  *out = f;
  return 0;
}

static const char *field_value(const json_t *obj, const char *field, char *buf, size_t size) {
  json_t *v = tug_obj_get(obj, field);
  if (json_is_string(v))
    return json_string_value(v);
  if (json_is_boolean(v))
    return json_is_true(v) ? "true" : "false";
  if (json_is_integer(v)) {
    snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    return buf;
  }
  return "";
}

bool api_fieldsel_matches(const api_fieldsel *f, const json_t *obj) {
  if (f == NULL)
    return true;
  for (size_t i = 0; i < f->n; i++) {
    char buf[32];
    const char *v = field_value(obj, f->reqs[i].field, buf, sizeof buf);
    /* Kubernetes reads a missing spec.unschedulable as false. */
    if (v[0] == '\0' && strcmp(f->reqs[i].field, "spec.unschedulable") == 0)
      v = "false";
    bool eq = strcmp(v, f->reqs[i].value) == 0;
    if (eq == f->reqs[i].negate)
      return false;
  }
  return true;
}

const char *api_fieldsel_equals(const api_fieldsel *f, const char *field) {
  if (f == NULL)
    return NULL;
  for (size_t i = 0; i < f->n; i++)
    if (!f->reqs[i].negate && strcmp(f->reqs[i].field, field) == 0)
      return f->reqs[i].value;
  return NULL;
}
