/*
 * selector.c — parsing, building and matching Kubernetes label selectors.
 *
 * Every form reduces to requirements of four kinds: the label is in a set of values
 * ("=", "==", "in"), not in a set ("!=", "notin"), exists, or does not exist. The
 * string parser is a small lexer (identifiers, "=", "==", "!=", "!", "(", ")", ",")
 * under a recursive-descent parser that follows Kubernetes' grammar, so "a=" means
 * a="" and "in (x,,y)" holds an empty value, and every error carries its column.
 */
#include "array.h"
#include "selector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

#define LABEL_NAME_MAX 63
#define LABEL_PREFIX_MAX 253

typedef enum { SEL_IN, SEL_NOT_IN, SEL_EXISTS, SEL_DOES_NOT_EXIST } sel_op;

typedef struct {
  char *key;
  sel_op op;
  char **values;
  size_t nvalues, cap_values;
} sel_requirement;

struct tug_selector {
  sel_requirement *reqs;
  size_t nreqs, cap_reqs;
};

/* ---- label syntax ---- */

typedef struct {
  const char *too_long, *bad_ends, *bad_chars;
} name_rules;

static const name_rules key_name_rules = {
    "name part must be no more than 63 characters",
    "name part must start and end with an alphanumeric character",
    "name part must consist of alphanumeric characters, '-', '_' or '.'",
};

static const name_rules value_rules = {
    "must be no more than 63 characters",
    "must start and end with an alphanumeric character",
    "must consist of alphanumeric characters, '-', '_' or '.'",
};

static bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Kubernetes' ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] of at most 63; NULL when s matches. */
static const char *label_name_problem(const char *s, size_t len, const name_rules *rules) {
  if (len > LABEL_NAME_MAX)
    return rules->too_long;
  for (size_t i = 0; i < len; i++)
    if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return rules->bad_chars;
  if (!is_alnum(s[0]) || !is_alnum(s[len - 1]))
    return rules->bad_ends;
  return NULL;
}

/* A DNS-1123 subdomain: dot-separated labels of [a-z0-9-], alphanumeric at both ends. */
static const char *label_prefix_problem(const char *s, size_t len) {
  if (len == 0)
    return "prefix part must not be empty";
  if (len > LABEL_PREFIX_MAX)
    return "prefix part must be no more than 253 characters";
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && s[i] != '.') {
      if (!is_lower_alnum(s[i]) && s[i] != '-')
        return "prefix part must consist of lowercase alphanumeric characters, '-' or '.'";
      continue;
    }
    if (i == start || s[start] == '-' || s[i - 1] == '-')
      return "prefix part must be a DNS subdomain: dot-separated parts that start and end "
             "with a lowercase alphanumeric character";
    start = i + 1;
  }
  return NULL;
}

static const char *label_key_problem(const char *key, size_t len) {
  if (len == 0)
    return "must not be empty";
  const char *slash = memchr(key, '/', len);
  if (slash == NULL)
    return label_name_problem(key, len, &key_name_rules);
  const char *name = slash + 1;
  size_t name_len = len - (size_t)(name - key);
  if (memchr(name, '/', name_len) != NULL)
    return "must contain at most one '/'";
  const char *problem = label_prefix_problem(key, (size_t)(slash - key));
  if (problem != NULL)
    return problem;
  if (name_len == 0)
    return "name part must not be empty";
  return label_name_problem(name, name_len, &key_name_rules);
}

static const char *label_value_problem(const char *value, size_t len) {
  return len == 0 ? NULL : label_name_problem(value, len, &value_rules);
}

static bool report_problem(const char *problem, const char **why) {
  if (why != NULL)
    *why = problem;
  return problem == NULL;
}

bool tug_label_key_valid(const char *key, const char **why) {
  return report_problem(key ? label_key_problem(key, strlen(key)) : "must not be empty", why);
}

bool tug_label_value_valid(const char *value, const char **why) {
  return report_problem(value ? label_value_problem(value, strlen(value)) : "must be a string",
                        why);
}

/* ---- the selector ---- */

static void requirement_free(sel_requirement *r) {
  free(r->key);
  for (size_t i = 0; i < r->nvalues; i++)
    free(r->values[i]);
  free(r->values);
}

void tug_selector_free(tug_selector *sel) {
  if (sel == NULL)
    return;
  for (size_t i = 0; i < sel->nreqs; i++)
    requirement_free(&sel->reqs[i]);
  free(sel->reqs);
  free(sel);
}

/* Appends a requirement on key[0..len); NULL when out of memory. */
static sel_requirement *selector_add(tug_selector *sel, const char *key, size_t len, sel_op op) {
  if (TUG_ARRAY_RESERVE(sel->reqs, sel->cap_reqs, sel->nreqs + 1, 4) < 0)
    return NULL;
  char *copy = strndup(key, len);
  if (copy == NULL)
    return NULL;
  sel->reqs[sel->nreqs] = (sel_requirement){.key = copy, .op = op};
  return &sel->reqs[sel->nreqs++];
}

static int requirement_add_value(sel_requirement *r, const char *value, size_t len) {
  if (TUG_ARRAY_RESERVE(r->values, r->cap_values, r->nvalues + 1, 4) < 0)
    return -1;
  if ((r->values[r->nvalues] = strndup(value, len)) == NULL)
    return -1;
  r->nvalues++;
  return 0;
}

static bool requirement_has_value(const sel_requirement *r, const char *value) {
  for (size_t i = 0; i < r->nvalues; i++)
    if (strcmp(r->values[i], value) == 0)
      return true;
  return false;
}

static bool requirement_matches(const sel_requirement *r, const json_t *labels) {
  const json_t *label = labels ? json_object_get(labels, r->key) : NULL;
  const char *value = json_string_value(label);
  switch (r->op) {
  case SEL_IN:
    return value != NULL && requirement_has_value(r, value);
  case SEL_NOT_IN:
    return value == NULL || !requirement_has_value(r, value);
  case SEL_EXISTS:
    return label != NULL;
  case SEL_DOES_NOT_EXIST:
    return label == NULL;
  }
  return false;
}

bool tug_selector_matches(const tug_selector *sel, const json_t *labels) {
  for (size_t i = 0; i < sel->nreqs; i++)
    if (!requirement_matches(&sel->reqs[i], labels))
      return false;
  return true;
}

/* ---- the string form: lexer ---- */

typedef enum {
  TOK_END,
  TOK_IDENT,
  TOK_EQ,
  TOK_DOUBLE_EQ,
  TOK_NOT_EQ,
  TOK_NOT,
  TOK_LPAREN,
  TOK_RPAREN,
  TOK_COMMA,
  TOK_OTHER_SYMBOL, /* "<" and ">": Kubernetes' gt/lt, which we do not support */
} sel_token_kind;

typedef struct {
  sel_token_kind kind;
  size_t start, len; /* byte offsets into the selector string */
} sel_token;

typedef struct {
  const char *src;
  size_t pos;
  tug_error *err;
} sel_parser;

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_symbol(char c) {
  return c && strchr("=!(),<>", c) != NULL;
}

static sel_token_kind symbol_kind(const char *s, size_t *len) {
  *len = 1;
  switch (s[0]) {
  case '=':
    *len = s[1] == '=' ? 2 : 1;
    return *len == 2 ? TOK_DOUBLE_EQ : TOK_EQ;
  case '!':
    *len = s[1] == '=' ? 2 : 1;
    return *len == 2 ? TOK_NOT_EQ : TOK_NOT;
  case '(':
    return TOK_LPAREN;
  case ')':
    return TOK_RPAREN;
  case ',':
    return TOK_COMMA;
  default:
    return TOK_OTHER_SYMBOL;
  }
}

static sel_token lex_peek(const sel_parser *p) {
  const char *s = p->src;
  size_t i = p->pos;
  while (is_blank(s[i]))
    i++;
  sel_token t = {.start = i};
  if (s[i] == '\0') {
    t.kind = TOK_END;
  } else if (is_symbol(s[i])) {
    t.kind = symbol_kind(s + i, &t.len);
  } else {
    t.kind = TOK_IDENT;
    while (s[i + t.len] && !is_blank(s[i + t.len]) && !is_symbol(s[i + t.len]))
      t.len++;
  }
  return t;
}

static sel_token lex_next(sel_parser *p) {
  sel_token t = lex_peek(p);
  p->pos = t.start + t.len;
  return t;
}

static bool token_is(const sel_parser *p, sel_token t, const char *word) {
  return t.kind == TOK_IDENT && t.len == strlen(word) && memcmp(p->src + t.start, word, t.len) == 0;
}

/* ---- the string form: parser ---- */

static int parse_error(const sel_parser *p, sel_token t, const char *expected) {
  if (t.kind == TOK_END)
    return tug_error_set(p->err, TUG_E_PARSE, "label selector \"%s\": column %zu: expected %s",
                         p->src, t.start + 1, expected);
  return tug_error_set(p->err, TUG_E_PARSE,
                       "label selector \"%s\": column %zu: expected %s, found \"%.*s\"", p->src,
                       t.start + 1, expected, (int)t.len, p->src + t.start);
}

static int parse_nomem(const sel_parser *p) {
  return tug_error_errno(p->err, ENOMEM, "label selector \"%s\"", p->src);
}

/* Checks a key or value token against its rules. */
static int check_label(const sel_parser *p, sel_token t, bool is_key) {
  const char *text = p->src + t.start;
  const char *problem = is_key ? label_key_problem(text, t.len) : label_value_problem(text, t.len);
  if (problem == NULL)
    return 0;
  return tug_error_set(
      p->err, TUG_E_PARSE, "label selector \"%s\": column %zu: invalid %s \"%.*s\": %s", p->src,
      t.start + 1, is_key ? "label key" : "label value", (int)t.len, text, problem);
}

static int add_value_token(sel_parser *p, sel_requirement *r, sel_token t) {
  if (check_label(p, t, false) < 0)
    return -1;
  if (requirement_add_value(r, p->src + t.start, t.len) < 0)
    return parse_nomem(p);
  return 0;
}

/* The value after "=", "==" or "!="; none at all ("a=") means the empty value. */
static int parse_exact_value(sel_parser *p, sel_requirement *r) {
  sel_token t = lex_peek(p);
  if (t.kind == TOK_END || t.kind == TOK_COMMA)
    return requirement_add_value(r, "", 0) < 0 ? parse_nomem(p) : 0;
  if (t.kind != TOK_IDENT)
    return parse_error(p, t, "a label value");
  lex_next(p);
  return add_value_token(p, r, t);
}

/* "(x, y)". A slot left empty by a comma ("(x,)", "(,x)") is the empty value. */
static int parse_value_set(sel_parser *p, sel_requirement *r) {
  sel_token t = lex_next(p);
  if (t.kind != TOK_LPAREN)
    return parse_error(p, t, "\"(\"");
  if ((t = lex_peek(p)).kind == TOK_RPAREN)
    return parse_error(p, t, "a label value");
  for (;;) {
    t = lex_next(p);
    if (t.kind == TOK_IDENT) {
      if (add_value_token(p, r, t) < 0)
        return -1;
      t = lex_next(p);
    } else if (t.kind == TOK_COMMA || t.kind == TOK_RPAREN) {
      if (requirement_add_value(r, "", 0) < 0)
        return parse_nomem(p);
    } else {
      return parse_error(p, t, "a label value");
    }
    if (t.kind == TOK_RPAREN)
      return 0;
    if (t.kind != TOK_COMMA)
      return parse_error(p, t, "\",\" or \")\"");
  }
}

static int parse_operator_and_values(sel_parser *p, sel_requirement *r) {
  sel_token op = lex_next(p);
  if (op.kind == TOK_EQ || op.kind == TOK_DOUBLE_EQ || op.kind == TOK_NOT_EQ) {
    r->op = op.kind == TOK_NOT_EQ ? SEL_NOT_IN : SEL_IN;
    return parse_exact_value(p, r);
  }
  if (token_is(p, op, "in") || token_is(p, op, "notin")) {
    r->op = token_is(p, op, "in") ? SEL_IN : SEL_NOT_IN;
    return parse_value_set(p, r);
  }
  return parse_error(p, op, "\"=\", \"==\", \"!=\", \"in\" or \"notin\"");
}

/* "key", "!key", or "key <operator> <values>". */
static int parse_requirement(sel_parser *p, tug_selector *sel) {
  sel_token t = lex_next(p);
  bool negated = t.kind == TOK_NOT;
  if (negated)
    t = lex_next(p);
  if (t.kind != TOK_IDENT)
    return parse_error(p, t, negated ? "a label key" : "a label key or \"!\"");
  if (check_label(p, t, true) < 0)
    return -1;
  sel_requirement *r =
      selector_add(sel, p->src + t.start, t.len, negated ? SEL_DOES_NOT_EXIST : SEL_EXISTS);
  if (r == NULL)
    return parse_nomem(p);
  sel_token next = lex_peek(p);
  if (next.kind == TOK_END || next.kind == TOK_COMMA)
    return 0;
  if (negated)
    return parse_error(p, next, "\",\" or end of string");
  return parse_operator_and_values(p, r);
}

static int parse_requirements(sel_parser *p, tug_selector *sel) {
  if (lex_peek(p).kind == TOK_END)
    return 0;
  for (;;) {
    if (parse_requirement(p, sel) < 0)
      return -1;
    sel_token t = lex_next(p);
    if (t.kind == TOK_END)
      return 0;
    if (t.kind != TOK_COMMA)
      return parse_error(p, t, "\",\" or end of string");
  }
}

int tug_selector_parse(const char *s, tug_selector **out, tug_error *err) {
  _cleanup_selector_ tug_selector *sel = calloc(1, sizeof *sel);
  if (sel == NULL)
    return tug_error_errno(err, ENOMEM, "label selector \"%s\"", s ? s : "");
  sel_parser p = {.src = s ? s : "", .err = err};
  if (parse_requirements(&p, sel) < 0)
    return -1;
  *out = tug_steal_ptr(&sel);
  return 0;
}

/* ---- the LabelSelector object form ---- */

static int add_match_label(tug_selector *sel, const char *key, const json_t *value,
                           tug_error *err) {
  const char *problem, *s = json_string_value(value);
  if (s == NULL)
    return tug_error_set(err, TUG_E_PARSE, "matchLabels[\"%s\"]: value must be a string", key);
  if ((problem = label_key_problem(key, strlen(key))) != NULL)
    return tug_error_set(err, TUG_E_PARSE, "matchLabels: invalid label key \"%s\": %s", key,
                         problem);
  if ((problem = label_value_problem(s, strlen(s))) != NULL)
    return tug_error_set(err, TUG_E_PARSE, "matchLabels[\"%s\"]: invalid label value \"%s\": %s",
                         key, s, problem);
  sel_requirement *r = selector_add(sel, key, strlen(key), SEL_IN);
  if (r == NULL || requirement_add_value(r, s, strlen(s)) < 0)
    return tug_error_errno(err, ENOMEM, "matchLabels[\"%s\"]", key);
  return 0;
}

static int add_match_labels(tug_selector *sel, const json_t *labels, tug_error *err) {
  if (labels == NULL || json_is_null(labels))
    return 0;
  if (!json_is_object(labels))
    return tug_error_set(err, TUG_E_PARSE, "matchLabels: must be an object");
  const char *key;
  json_t *value;
  /* jansson's iterator takes a non-const object; it does not modify it. */
  json_object_foreach((json_t *)labels, key, value) {
    if (add_match_label(sel, key, value, err) < 0)
      return -1;
  }
  return 0;
}

static int parse_expression_operator(const char *name, sel_op *op) {
  static const struct {
    const char *name;
    sel_op op;
  } ops[] = {{"In", SEL_IN},
             {"NotIn", SEL_NOT_IN},
             {"Exists", SEL_EXISTS},
             {"DoesNotExist", SEL_DOES_NOT_EXIST}};
  for (size_t i = 0; name != NULL && i < sizeof ops / sizeof ops[0]; i++) {
    if (strcmp(name, ops[i].name) == 0) {
      *op = ops[i].op;
      return 0;
    }
  }
  return -1;
}

static int add_expression_values(sel_requirement *r, const char *op_name, const json_t *values,
                                 size_t i, tug_error *err) {
  if (values != NULL && !json_is_null(values) && !json_is_array(values))
    return tug_error_set(err, TUG_E_PARSE, "matchExpressions[%zu].values: must be a list", i);
  size_t n = json_array_size(values);
  bool is_set = r->op == SEL_IN || r->op == SEL_NOT_IN;
  if (is_set && n == 0)
    return tug_error_set(err, TUG_E_PARSE,
                         "matchExpressions[%zu].values: must be non-empty for operator %s", i,
                         op_name);
  if (!is_set && n > 0)
    return tug_error_set(err, TUG_E_PARSE,
                         "matchExpressions[%zu].values: must be empty for operator %s", i, op_name);
  for (size_t j = 0; j < n; j++) {
    const char *problem, *v = json_string_value(json_array_get(values, j));
    if (v == NULL)
      return tug_error_set(err, TUG_E_PARSE, "matchExpressions[%zu].values[%zu]: must be a string",
                           i, j);
    if ((problem = label_value_problem(v, strlen(v))) != NULL)
      return tug_error_set(err, TUG_E_PARSE,
                           "matchExpressions[%zu].values[%zu]: invalid label value \"%s\": %s", i,
                           j, v, problem);
    if (requirement_add_value(r, v, strlen(v)) < 0)
      return tug_error_errno(err, ENOMEM, "matchExpressions[%zu].values[%zu]", i, j);
  }
  return 0;
}

static int add_match_expression(tug_selector *sel, const json_t *expr, size_t i, tug_error *err) {
  if (!json_is_object(expr))
    return tug_error_set(err, TUG_E_PARSE, "matchExpressions[%zu]: must be an object", i);
  const char *problem, *key = json_string_value(json_object_get(expr, "key"));
  if (key == NULL)
    return tug_error_set(err, TUG_E_PARSE, "matchExpressions[%zu].key: must be a string", i);
  if ((problem = label_key_problem(key, strlen(key))) != NULL)
    return tug_error_set(err, TUG_E_PARSE,
                         "matchExpressions[%zu].key: invalid label key \"%s\": %s", i, key,
                         problem);
  const char *op_name = json_string_value(json_object_get(expr, "operator"));
  sel_op op = SEL_IN;
  if (parse_expression_operator(op_name, &op) < 0)
    return tug_error_set(err, TUG_E_PARSE,
                         "matchExpressions[%zu].operator: unknown operator \"%s\": expected In, "
                         "NotIn, Exists or DoesNotExist",
                         i, op_name ? op_name : "");
  sel_requirement *r = selector_add(sel, key, strlen(key), op);
  if (r == NULL)
    return tug_error_errno(err, ENOMEM, "matchExpressions[%zu]", i);
  return add_expression_values(r, op_name, json_object_get(expr, "values"), i, err);
}

static int add_match_expressions(tug_selector *sel, const json_t *exprs, tug_error *err) {
  if (exprs == NULL || json_is_null(exprs))
    return 0;
  if (!json_is_array(exprs))
    return tug_error_set(err, TUG_E_PARSE, "matchExpressions: must be a list");
  for (size_t i = 0; i < json_array_size(exprs); i++)
    if (add_match_expression(sel, json_array_get(exprs, i), i, err) < 0)
      return -1;
  return 0;
}

int tug_selector_from_match_labels(const json_t *match_labels, const json_t *match_expressions,
                                   tug_selector **out, tug_error *err) {
  _cleanup_selector_ tug_selector *sel = calloc(1, sizeof *sel);
  if (sel == NULL)
    return tug_error_errno(err, ENOMEM, "label selector");
  if (add_match_labels(sel, match_labels, err) < 0 ||
      add_match_expressions(sel, match_expressions, err) < 0)
    return -1;
  *out = tug_steal_ptr(&sel);
  return 0;
}
