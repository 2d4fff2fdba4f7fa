/* Unit tests for protobuf request bodies (apiserver/protobuf.c): what kubectl's typed clients
 * send for ConfigMaps and Secrets becomes the JSON they would have sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "k8s.pb-c.h"
#include "protobuf.h"

/* "k8s\0" + runtime.Unknown{typeMeta, raw}; free it. */
static uint8_t *envelope(const char *kind, const ProtobufCMessage *inner, size_t *len) {
  K8s__TypeMeta tm = K8S__TYPE_META__INIT;
  K8s__Unknown u = K8S__UNKNOWN__INIT;
  tm.apiversion = "v1";
  tm.kind = (char *)kind;
  u.typemeta = &tm;
  u.has_raw = 1;
  u.raw.len = protobuf_c_message_get_packed_size(inner);
  u.raw.data = malloc(u.raw.len + 1);
  protobuf_c_message_pack(inner, u.raw.data);
  *len = 4 + k8s__unknown__get_packed_size(&u);
  uint8_t *body = malloc(*len);
  memcpy(body, "k8s", 4);
  k8s__unknown__pack(&u, body + 4);
  free(u.raw.data);
  return body;
}

static json_t *decode(const uint8_t *body, size_t len, api_protobuf_error want) {
  char why[256] = "";
  api_protobuf_error error = API_PROTOBUF_OK;
  json_t *obj = api_protobuf_decode(body, len, &error, why, sizeof why);
  if (error != want)
    fail_msg("decode gave %d (%s), expected %d", error, why, want);
  assert_true((obj != NULL) == (want == API_PROTOBUF_OK));
  return obj;
}

static void configmap_becomes_its_json_with_binary_data_in_base64(void **state) {
  (void)state;
  K8s__ObjectMeta meta = K8S__OBJECT_META__INIT;
  K8s__Time zero = K8S__TIME__INIT;
  K8s__StringEntry label = K8S__STRING_ENTRY__INIT, entry = K8S__STRING_ENTRY__INIT;
  K8s__BytesEntry bin = K8S__BYTES_ENTRY__INIT;
  K8s__StringEntry *labels[] = {&label}, *data[] = {&entry};
  K8s__BytesEntry *binary[] = {&bin};
  K8s__ConfigMap cm = K8S__CONFIG_MAP__INIT;
  meta.name = "x";
  meta.creationtimestamp = &zero; /* kubectl sends it empty; the server sets it */
  label.key = "app", label.value = "web";
  meta.n_labels = 1, meta.labels = labels;
  entry.key = "a", entry.value = "b";
  bin.key = "raw", bin.has_value = 1, bin.value.data = (uint8_t *)"\xff\x00", bin.value.len = 2;
  cm.metadata = &meta;
  cm.n_data = 1, cm.data = data;
  cm.n_binarydata = 1, cm.binarydata = binary;
  cm.has_immutable = 1, cm.immutable = 1;
  size_t len;
  _cleanup_free_ uint8_t *body = envelope("ConfigMap", &cm.base, &len);
  _cleanup_json_ json_t *obj = decode(body, len, API_PROTOBUF_OK);
  _cleanup_json_ json_t *want = json_loads(
      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"labels\":"
      "{\"app\":\"web\"}},\"data\":{\"a\":\"b\"},\"binaryData\":{\"raw\":\"/wA=\"},"
      "\"immutable\":true}",
      0, NULL);
  assert_true(json_equal(obj, want));
}

static void secret_keeps_type_data_and_string_data(void **state) {
  (void)state;
  K8s__ObjectMeta meta = K8S__OBJECT_META__INIT;
  K8s__BytesEntry pw = K8S__BYTES_ENTRY__INIT;
  K8s__StringEntry token = K8S__STRING_ENTRY__INIT;
  K8s__BytesEntry *data[] = {&pw};
  K8s__StringEntry *sd[] = {&token};
  K8s__Secret s = K8S__SECRET__INIT;
  meta.name = "creds";
  pw.key = "password", pw.has_value = 1, pw.value.data = (uint8_t *)"s3cr3t", pw.value.len = 6;
  token.key = "token", token.value = "t";
  s.metadata = &meta;
  s.n_data = 1, s.data = data;
  s.n_stringdata = 1, s.stringdata = sd;
  s.type = "Opaque";
  size_t len;
  _cleanup_free_ uint8_t *body = envelope("Secret", &s.base, &len);
  _cleanup_json_ json_t *obj = decode(body, len, API_PROTOBUF_OK);
  assert_string_equal(json_string_value(json_object_get(obj, "type")), "Opaque");
  assert_string_equal(json_string_value(json_object_get(json_object_get(obj, "data"), "password")),
                      "czNjcjN0");
  assert_string_equal(json_string_value(json_object_get(json_object_get(obj, "stringData"),
                                                         "token")),
                      "t");
}

static void other_kinds_are_unsupported_and_garbage_malformed(void **state) {
  (void)state;
  K8s__ConfigMap cm = K8S__CONFIG_MAP__INIT;
  size_t len;
  _cleanup_free_ uint8_t *body = envelope("Pod", &cm.base, &len);
  decode(body, len, API_PROTOBUF_UNSUPPORTED);
  decode((const uint8_t *)"{\"kind\":1}", 10, API_PROTOBUF_MALFORMED);
  decode((const uint8_t *)"k8s\0\x0a\xff\xff", 7, API_PROTOBUF_MALFORMED);
  decode((const uint8_t *)"k8s", 3, API_PROTOBUF_MALFORMED);
  /* A ConfigMap holding field 9 (varint 1), which we do not know, is refused, not dropped:
   * typeMeta {apiVersion "v1", kind "ConfigMap"}, raw {0x48 0x01}. */
  const uint8_t unknown_raw[] = {'k', '8', 's', 0,   0x0a, 0x0f, 0x0a, 0x02, 'v', '1', 0x12,
                                 0x09, 'C', 'o', 'n', 'f',  'i',  'g',  'M',  'a', 'p', 0x12,
                                 0x02, 0x48, 0x01};
  decode(unknown_raw, sizeof unknown_raw, API_PROTOBUF_UNSUPPORTED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(configmap_becomes_its_json_with_binary_data_in_base64),
      cmocka_unit_test(secret_keeps_type_data_and_string_data),
      cmocka_unit_test(other_kinds_are_unsupported_and_garbage_malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
