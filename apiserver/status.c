/* status.c — building Status objects (see status.h). */
#include "status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

json_t *api_status(int code, const char *reason, json_t *details, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_t *st = json_pack("{s:s, s:s, s:{}, s:s, s:s, s:s, s:i}", "kind", "Status", "apiVersion",
                         "v1", "metadata", "status", code < 400 ? "Success" : "Failure", "message",
                         msg, "reason", reason ? reason : api_status_reason(code), "code", code);
  if (details)
    json_object_set_new(st, "details", details);
  return st;
}

json_t *api_status_success(const api_kind *kind, const char *name) {
  json_t *st =
      json_pack("{s:s, s:s, s:{}, s:s, s:o, s:i}", "kind", "Status", "apiVersion", "v1", "metadata",
                "status", "Success", "details", api_status_details(kind, name), "code", 200);
  return st;
}

const char *api_status_reason(int code) {
  switch (code) {
  case 400:
    return "BadRequest";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "NotFound";
  case 405:
    return "MethodNotAllowed";
  case 406:
    return "NotAcceptable";
  case 409:
    return "Conflict";
  case 410:
    return "Expired";
  case 413:
    return "RequestEntityTooLarge";
  case 415:
    return "UnsupportedMediaType";
  case 422:
    return "Invalid";
  case 429:
    return "TooManyRequests";
  case 503:
    return "ServiceUnavailable";
  case 504:
    return "Timeout";
  default:
    return code >= 500 ? "InternalError" : "";
  }
}

json_t *api_status_details(const api_kind *kind, const char *name) {
  json_t *d = json_object();
  if (name)
    json_object_set_new(d, "name", json_string(name));
  if (kind) {
    json_object_set_new(d, "group", json_string(kind->group));
    json_object_set_new(d, "kind", json_string(kind->plural));
  }
  return d;
}

int api_status_code_for(const tug_error *err) {
  switch (err->code) {
  case TUG_E_CONFLICT:
    return 409;
  case ENOENT:
    return 404;
  case TUG_E_COMPACTED:
    return 410;
  case TUG_E_UNAVAILABLE:
    return 503;
  case ETIMEDOUT:
    return 504;
  case EINVAL:
  case TUG_E_PARSE:
    return 400;
  default:
    return 500;
  }
}
