/* Unit tests for protobuf bodies, answers and watch frames (apiserver/protobuf*.c): the bytes
 * kubectl itself sends become the JSON it would have sent, every kind round-trips, and broken
 * input of any shape is refused with a message, never a crash (run them under make asan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "protobuf-internal.h"
#include "protobuf.h"

#define FIXTURES "apiserver/tests/fixtures/protobuf/"

static const char *const captured[] = {
    "create-namespace",         "create-deployment", "create-job",
    "create-service-clusterip", "create-quota",      "create-priorityclass",
    "create-configmap",         "create-secret",     "drain-deleteoptions",
};

static uint8_t *read_file(const char *name, const char *ext, size_t *len) {
  char path[256];
  snprintf(path, sizeof path, FIXTURES "%s.%s", name, ext);
  _cleanup_fclose_ FILE *f = fopen(path, "rb");
  if (f == NULL)
    fail_msg("cannot open %s (run from the top of the tree)", path);
  uint8_t *data = malloc(1 << 16);
  *len = fread(data, 1, 1 << 16, f);
  return data;
}

static json_t *decode(const void *body, size_t len, api_protobuf_error want, char *why) {
  api_protobuf_error error = API_PROTOBUF_OK;
  json_t *obj = api_protobuf_decode(body, len, &error, why, 256);
  if (error != want)
    fail_msg("decode gave %d (%s), expected %d", error, why, want);
  assert_true((obj != NULL) == (want == API_PROTOBUF_OK));
  return obj;
}

/* obj encoded and decoded again: the same JSON, and the same bytes a second time. */
static void assert_round_trip(const json_t *obj) {
  char why[256] = "";
  size_t len, len2;
  _cleanup_free_ uint8_t *bytes = api_protobuf_encode(obj, &len, why, sizeof why);
  if (bytes == NULL)
    fail_msg("encode: %s", why);
  _cleanup_json_ json_t *back = decode(bytes, len, API_PROTOBUF_OK, why);
  if (!json_equal(back, (json_t *)obj)) {
    _cleanup_free_ char *a = json_dumps(obj, JSON_SORT_KEYS), *b = json_dumps(back, JSON_SORT_KEYS);
    fail_msg("round trip changed\n%s\ninto\n%s", a, b);
  }
  _cleanup_free_ uint8_t *again = api_protobuf_encode(back, &len2, why, sizeof why);
  assert_int_equal(len, len2);
  assert_memory_equal(bytes, again, len);
}

static void kubectl_bodies_become_the_json_kubectl_sends(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof captured / sizeof captured[0]; i++) {
    size_t len, jlen;
    char why[256] = "";
    _cleanup_free_ uint8_t *pb = read_file(captured[i], "pb", &len);
    _cleanup_free_ uint8_t *text = read_file(captured[i], "json", &jlen);
    _cleanup_json_ json_t *want = json_loadb((char *)text, jlen, 0, NULL);
    _cleanup_json_ json_t *got = decode(pb, len, API_PROTOBUF_OK, why);
    if (!json_equal(got, want)) {
      _cleanup_free_ char *s = json_dumps(got, JSON_SORT_KEYS);
      fail_msg("%s decoded as %s", captured[i], s);
    }
    assert_round_trip(got);
  }
}

static void special_types_keep_their_json_forms(void **state) {
  (void)state;
  static const char *const objects[] = {
      /* Time, IntOrString as a name, Quantity maps, pointer zero kept, bytes */
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"creationTimestamp\":"
      "\"2026-12-07T10:11:12Z\",\"deletionGracePeriodSeconds\":0,\"ownerReferences\":[{"
      "\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"r\",\"uid\":\"u\","
      "\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
      "\"ports\":[{\"containerPort\":80,\"name\":\"http\"}],\"livenessProbe\":{\"httpGet\":{"
      "\"path\":\"/\",\"port\":\"http\"}},\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}],"
      "\"terminationGracePeriodSeconds\":0,\"priority\":-5},\"status\":{\"phase\":\"Running\","
      "\"startTime\":\"1969-12-31T23:59:59Z\"}}",
      /* MicroTime */
      "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":"
      "\"l\"},\"spec\":{\"holderIdentity\":\"me\",\"leaseDurationSeconds\":15,\"renewTime\":"
      "\"2026-12-07T10:11:12.123456Z\"}}",
      /* replicas 0 is a value; the Scale subresource and Tugboat's own Queue */
      "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
      "\"spec\":{\"replicas\":0,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{"
      "\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
      "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"d\"},"
      "\"spec\":{\"replicas\":3},\"status\":{\"replicas\":2,\"selector\":\"a=b\"}}",
      "{\"apiVersion\":\"scheduling.tug.io/v1\",\"kind\":\"Queue\",\"metadata\":{\"name\":\"q\"},"
      "\"spec\":{\"namespaces\":[\"a\"],\"nominal\":{\"cpu\":\"4\"},\"weight\":1.5,"
      "\"strictFIFO\":false,\"preemption\":{\"withinQueue\":\"Never\"}},\"status\":{"
      "\"weightedShare\":500}}",
      "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\","
      "\"namespace\":\"dev\"},\"deleteOptions\":{\"gracePeriodSeconds\":30}}",
      "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},\"target\":{"
      "\"kind\":\"Node\",\"name\":\"n1\"}}",
      "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"metadata\":{},\"status\":\"Failure\","
      "\"message\":\"no\",\"reason\":\"Invalid\",\"code\":422,\"details\":{\"name\":\"x\","
      "\"causes\":[{\"reason\":\"FieldValueRequired\",\"field\":\"spec\"}]}}",
  };
  for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
    _cleanup_json_ json_t *obj = json_loads(objects[i], 0, NULL);
    assert_non_null(obj);
    assert_round_trip(obj);
  }
}

/* An envelope around raw message bytes of kind (v1). */
static size_t wrap(const char *kind, const uint8_t *raw, size_t raw_len, uint8_t *out) {
  pb_buf b = {0};
  pb_put_raw(&b, "k8s", 4);
  size_t start = pb_begin(&b);
  pb_put_bytes(&b, 1, "v1", 2);
  pb_put_bytes(&b, 2, kind, strlen(kind));
  pb_end(&b, start, 1);
  pb_put_bytes(&b, 2, raw, raw_len);
  memcpy(out, b.data, b.len);
  free(b.data);
  return b.len;
}

static void unknown_field_is_refused_naming_its_place(void **state) {
  (void)state;
  /* Namespace{metadata{name "x", field 99 = 1}} */
  const uint8_t raw[] = {0x0a, 0x06, 0x0a, 0x01, 'x', 0x98, 0x06, 0x01};
  uint8_t body[64];
  char why[256] = "";
  size_t len = wrap("Namespace", raw, sizeof raw, body);
  assert_null(decode(body, len, API_PROTOBUF_MALFORMED, why));
  assert_non_null(strstr(why, "metadata: protobuf field 99 is not in the schema of "
                              "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
}

static void wrong_wire_type_and_bad_text_are_refused(void **state) {
  (void)state;
  const uint8_t varint_name[] = {0x0a, 0x02, 0x08, 0x01};          /* metadata.name as varint */
  const uint8_t bad_utf8[] = {0x0a, 0x04, 0x0a, 0x02, 0xc3, 0x28}; /* name "\xc3(" */
  uint8_t body[64];
  char why[256] = "";
  size_t len = wrap("Namespace", varint_name, sizeof varint_name, body);
  assert_null(decode(body, len, API_PROTOBUF_MALFORMED, why));
  assert_non_null(strstr(why, "metadata.name: field 1 is varint, not length-delimited"));
  len = wrap("Namespace", bad_utf8, sizeof bad_utf8, body);
  assert_null(decode(body, len, API_PROTOBUF_MALFORMED, why));
  assert_non_null(strstr(why, "metadata.name: text is not valid UTF-8"));
}

static void kind_without_schema_is_unsupported(void **state) {
  (void)state;
  uint8_t body[64];
  char why[256] = "";
  size_t len = wrap("Widget", (const uint8_t *)"", 0, body);
  assert_null(decode(body, len, API_PROTOBUF_UNSUPPORTED, why));
  assert_non_null(strstr(why, "v1 Widget has no protobuf schema"));
  assert_null(decode("{\"kind\":1}", 10, API_PROTOBUF_MALFORMED, why));
  assert_non_null(strstr(why, "magic"));
}

/* Every prefix and every one-byte corruption of kubectl's bodies: an answer, never a crash. */
static void truncated_and_corrupted_bodies_fail_cleanly(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof captured / sizeof captured[0]; i++) {
    size_t len;
    _cleanup_free_ uint8_t *pb = read_file(captured[i], "pb", &len);
    for (size_t cut = 0; cut < len; cut++) {
      api_protobuf_error e;
      char why[256];
      json_decref(api_protobuf_decode(pb, cut, &e, why, sizeof why));
    }
    for (size_t at = 4; at < len; at++)
      for (int v = 0; v < 256; v += 51) {
        uint8_t saved = pb[at];
        pb[at] = (uint8_t)v;
        api_protobuf_error e;
        char why[256];
        json_t *obj = api_protobuf_decode(pb, len, &e, why, sizeof why);
        assert_true((obj == NULL) == (e != API_PROTOBUF_OK));
        json_decref(obj);
        pb[at] = saved;
      }
  }
}

static void huge_lengths_and_garbage_fail_cleanly(void **state) {
  (void)state;
  char why[256] = "";
  const uint8_t huge[] = {'k', '8', 's', 0, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  assert_null(decode(huge, sizeof huge, API_PROTOBUF_MALFORMED, why));
  const uint8_t long_varint[] = {'k',  '8',  's',  0,    0x08, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  assert_null(decode(long_varint, sizeof long_varint, API_PROTOBUF_MALFORMED, why));
  uint8_t garbage[512];
  uint32_t seed = 42;
  memcpy(garbage, "k8s", 4);
  for (int round = 0; round < 2000; round++) {
    for (size_t i = 4; i < sizeof garbage; i++)
      garbage[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
    api_protobuf_error e;
    json_decref(api_protobuf_decode(garbage, 4 + round % 508, &e, why, sizeof why));
  }
}

/* WatchEvents inside WatchEvents, each object an envelope: refused past the depth limit. */
static void nesting_is_bounded(void **state) {
  (void)state;
  pb_buf b = {0};
  pb_put_bytes(&b, 1, "ADDED", 5);
  for (int i = 0; i < 100; i++) {
    pb_buf outer = {0};
    pb_put_raw(&outer, "k8s", 4);
    size_t tm = pb_begin(&outer);
    pb_put_bytes(&outer, 1, "v1", 2);
    pb_put_bytes(&outer, 2, "WatchEvent", 10);
    pb_end(&outer, tm, 1);
    size_t raw = pb_begin(&outer);
    pb_put_bytes(&outer, 1, "ADDED", 5);
    size_t obj = pb_begin(&outer), ext = pb_begin(&outer);
    pb_put_raw(&outer, b.data, b.len);
    pb_end(&outer, ext, 1);
    pb_end(&outer, obj, 2);
    pb_end(&outer, raw, 2);
    free(b.data);
    b = outer;
  }
  char why[256] = "";
  assert_null(decode(b.data, b.len, API_PROTOBUF_MALFORMED, why));
  if (strstr(why, "nest deeper") == NULL)
    fail_msg("%s", why);
  free(b.data);
}

static void watch_frames_are_length_prefixed_watch_events(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = json_loads(
      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"resourceVersion\":"
      "\"7\"}}",
      0, NULL);
  char why[256] = "";
  size_t len;
  size_t raw_len;
  _cleanup_free_ uint8_t *raw = api_protobuf_encode_message(pod, &raw_len, why, sizeof why);
  assert_non_null(raw);
  _cleanup_free_ uint8_t *frame =
      api_protobuf_watch_frame("ADDED", "v1", "Pod", (api_protobuf_raw){raw, raw_len}, &len);
  assert_non_null(frame);
  uint32_t n = (uint32_t)frame[0] << 24 | frame[1] << 16 | frame[2] << 8 | frame[3];
  assert_int_equal(n, len - 4);
  pb_ctx c = {.why = why, .why_size = sizeof why};
  _cleanup_json_ json_t *event = json_object();
  assert_true(pb_decode_message(&c, api_schema_find("v1", "WatchEvent"), frame + 4, n, event));
  assert_string_equal(json_string_value(json_object_get(event, "type")), "ADDED");
  assert_true(json_equal(json_object_get(event, "object"), pod));
}

static void lists_carry_their_metadata_and_items(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = json_loads(
      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}", 0, NULL);
  _cleanup_json_ json_t *meta = json_pack("{s:s, s:s}", "resourceVersion", "9", "continue", "t");
  char why[256] = "";
  size_t len, raw_len;
  _cleanup_free_ uint8_t *raw = api_protobuf_encode_message(a, &raw_len, why, sizeof why);
  api_protobuf_raw items[] = {{raw, raw_len}, {raw, raw_len}};
  _cleanup_free_ uint8_t *bytes =
      api_protobuf_encode_list("v1", "ConfigMapList", meta, items, 2, &len, why, sizeof why);
  assert_non_null(bytes);
  _cleanup_json_ json_t *list = decode(bytes, len, API_PROTOBUF_OK, why);
  _cleanup_json_ json_t *want = json_loads(
      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":\"9\","
      "\"continue\":\"t\"},\"items\":[{\"metadata\":{\"name\":\"a\"}},{\"metadata\":{\"name\":"
      "\"a\"}}]}",
      0, NULL);
  assert_true(json_equal(list, want));
}

static void values_of_the_wrong_type_are_not_encoded(void **state) {
  (void)state;
  _cleanup_json_ json_t *obj = json_loads("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                                          "\"spec\":{\"replicas\":\"two\"}}",
                                          0, NULL);
  char why[256] = "";
  size_t len;
  assert_null(api_protobuf_encode(obj, &len, why, sizeof why));
  assert_string_equal(why, "spec.replicas: not a integer");
  _cleanup_json_ json_t *table =
      json_pack("{s:s, s:s}", "apiVersion", "meta.k8s.io/v1", "kind", "Table");
  assert_null(api_protobuf_encode(table, &len, why, sizeof why));
}

static void protobuf_is_chosen_only_when_listed_first(void **state) {
  (void)state;
  assert_true(api_protobuf_accepted("application/vnd.kubernetes.protobuf,application/json"));
  assert_true(api_protobuf_accepted(" application/vnd.kubernetes.protobuf;stream=watch"));
  assert_false(api_protobuf_accepted("application/json, application/vnd.kubernetes.protobuf"));
  assert_false(api_protobuf_accepted("application/vnd.kubernetes.protobufx"));
  assert_false(api_protobuf_accepted(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kubectl_bodies_become_the_json_kubectl_sends),
      cmocka_unit_test(special_types_keep_their_json_forms),
      cmocka_unit_test(unknown_field_is_refused_naming_its_place),
      cmocka_unit_test(wrong_wire_type_and_bad_text_are_refused),
      cmocka_unit_test(kind_without_schema_is_unsupported),
      cmocka_unit_test(truncated_and_corrupted_bodies_fail_cleanly),
      cmocka_unit_test(huge_lengths_and_garbage_fail_cleanly),
      cmocka_unit_test(nesting_is_bounded),
      cmocka_unit_test(watch_frames_are_length_prefixed_watch_events),
      cmocka_unit_test(lists_carry_their_metadata_and_items),
      cmocka_unit_test(values_of_the_wrong_type_are_not_encoded),
      cmocka_unit_test(protobuf_is_chosen_only_when_listed_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
