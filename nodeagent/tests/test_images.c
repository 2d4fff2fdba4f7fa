/*
 * test_images.c — image references, manifests, registry challenges, pull
 * secrets and layer whiteouts: the pure rules of a pull.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cleanup.h"
#include "image-auth.h"
#include "image-manifest.h"
#include "image-ref.h"
#include "image-user.h"
#include "runtime.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void ref_short_name_resolves_against_the_default_registry(void **state) {
  (void)state;
  agent_image_ref r;
  tug_error err = {0};
  assert_int_equal(agent_image_ref_parse("busybox", "reg.local:5000", &r, &err), 0);
  assert_string_equal(r.registry, "reg.local:5000");
  assert_string_equal(r.repository, "library/busybox");
  assert_string_equal(r.tag, "latest");
  assert_int_equal(agent_image_ref_parse("team/app:1.2", "reg.local", &r, &err), 0);
  assert_string_equal(r.repository, "team/app");
  assert_int_equal(agent_image_ref_parse("busybox", NULL, &r, &err), 0);
  assert_string_equal(r.registry, "");
  assert_string_equal(r.repository, "busybox");
}

static void ref_host_port_tag_and_digest(void **state) {
  (void)state;
  agent_image_ref r;
  tug_error err = {0};
  char buf[700];
  assert_int_equal(agent_image_ref_parse("127.0.0.1:5000/app", "x.y", &r, &err), 0);
  assert_string_equal(r.registry, "127.0.0.1:5000");
  assert_string_equal(r.repository, "app");
  assert_int_equal(agent_image_ref_parse("localhost/a/b@sha256:" HEX, NULL, &r, &err), 0);
  assert_string_equal(r.registry, "localhost");
  assert_string_equal(r.tag, "");
  agent_image_ref_format(&r, buf, sizeof buf);
  assert_string_equal(buf, "localhost/a/b@sha256:" HEX);
  assert_int_equal(agent_image_ref_parse("Upper/x", NULL, &r, &err), -1);
  assert_int_equal(agent_image_ref_parse("a@sha256:abc", NULL, &r, &err), -1);
  assert_int_equal(agent_image_ref_parse("a:-bad", NULL, &r, &err), -1);
}

static void default_pull_policy_is_always_for_latest_only(void **state) {
  (void)state;
  assert_string_equal(agent_image_default_pull_policy("busybox"), "Always");
  assert_string_equal(agent_image_default_pull_policy("busybox:latest"), "Always");
  assert_string_equal(agent_image_default_pull_policy("busybox:1.36"), "IfNotPresent");
  assert_string_equal(agent_image_default_pull_policy("busybox@sha256:" HEX), "IfNotPresent");
}

static void index_picks_linux_amd64(void **state) {
  (void)state;
  _cleanup_json_ json_t *idx =
      json_pack("{s:s, s:[{s:s, s:i, s:{s:s, s:s}}, {s:s, s:i, s:{s:s, s:s}}]}", "mediaType",
                AGENT_MT_OCI_INDEX, "manifests", "digest", "sha256:" HEX, "size", 10, "platform",
                "os", "linux", "architecture", "arm64", "digest",
                "sha256:1111111111111111111111111111111111111111111111111111111111111111", "size",
                10, "platform", "os", "linux", "architecture", "amd64");
  agent_manifest_kind kind;
  tug_error err = {0};
  char digest[80];
  assert_int_equal(agent_manifest_kind_of(idx, NULL, &kind, &err), 0);
  assert_int_equal(kind, AGENT_MANIFEST_INDEX);
  assert_int_equal(agent_manifest_pick(idx, digest, &err), 0);
  assert_string_equal(digest,
                      "sha256:1111111111111111111111111111111111111111111111111111111111111111");
}

static void manifest_lists_config_and_layers_and_refuses_foreign_layers(void **state) {
  (void)state;
  _cleanup_json_ json_t *m = json_pack(
      "{s:i, s:{s:s, s:i}, s:[{s:s, s:s, s:i}]}", "schemaVersion", 2, "config", "digest",
      "sha256:" HEX, "size", 5, "layers", "mediaType",
      "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest", "sha256:" HEX, "size", 7);
  agent_manifest_kind kind;
  agent_image_manifest parsed;
  tug_error err = {0};
  assert_int_equal(
      agent_manifest_kind_of(m, AGENT_MT_DOCKER_MANIFEST "; charset=utf-8", &kind, &err), 0);
  assert_int_equal(kind, AGENT_MANIFEST_IMAGE);
  assert_int_equal(agent_manifest_parse(m, &parsed, &err), 0);
  assert_int_equal(parsed.n_layers, 1);
  assert_int_equal(parsed.layers[0].size, 7);
  json_object_set_new(json_array_get(json_object_get(m, "layers"), 0), "mediaType",
                      json_string("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
  assert_int_equal(agent_manifest_parse(m, &parsed, &err), -1);
  assert_non_null(strstr(err.msg, "unsupported media type"));
}

static void bearer_challenge_is_parsed(void **state) {
  (void)state;
  agent_auth_challenge ch;
  tug_error err = {0};
  assert_int_equal(
      agent_auth_parse_challenge("Bearer realm=\"https://auth.example/token\",service=\"registry\","
                                 "scope=\"repository:team/app:pull\"",
                                 &ch, &err),
      0);
  assert_true(ch.bearer);
  assert_string_equal(ch.realm, "https://auth.example/token");
  assert_string_equal(ch.service, "registry");
  assert_string_equal(ch.scope, "repository:team/app:pull");
  assert_int_equal(agent_auth_parse_challenge("Basic realm=\"x\"", &ch, &err), 0);
  assert_false(ch.bearer);
  assert_int_equal(agent_auth_parse_challenge("Bearer service=x", &ch, &err), -1);
  assert_int_equal(agent_auth_parse_challenge("Negotiate", &ch, &err), -1);
}

static void pull_secret_credentials_match_the_host(void **state) {
  (void)state;
  _cleanup_json_ json_t *cfg =
      json_pack("{s:{s:{s:s}, s:{s:s, s:s}}}", "auths", "https://reg.a:5000/v1/", "auth",
                "dXNlcjpwYTpzcw==", /* user:pa:ss */ "reg.b", "username", "u", "password", "p");
  agent_registry_creds c;
  tug_error err = {0};
  assert_int_equal(agent_auth_lookup(cfg, "reg.a:5000", &c, &err), 1);
  assert_string_equal(c.user, "user");
  assert_string_equal(c.password, "pa:ss");
  assert_int_equal(agent_auth_lookup(cfg, "reg.b", &c, &err), 1);
  assert_string_equal(c.password, "p");
  assert_int_equal(agent_auth_lookup(cfg, "reg.c", &c, &err), 0);
}

static void whiteouts_become_overlay_markers(void **state) {
  (void)state;
  char t[256];
  assert_int_equal(agent_layer_whiteout("./etc/.wh.passwd", t, sizeof t), AGENT_WHITEOUT_FILE);
  assert_string_equal(t, "etc/passwd");
  assert_int_equal(agent_layer_whiteout(".wh.gone", t, sizeof t), AGENT_WHITEOUT_FILE);
  assert_string_equal(t, "gone");
  assert_int_equal(agent_layer_whiteout("var/.wh..wh..opq", t, sizeof t), AGENT_WHITEOUT_OPAQUE);
  assert_string_equal(t, "var");
  assert_int_equal(agent_layer_whiteout("./.wh..wh..opq", t, sizeof t), AGENT_WHITEOUT_OPAQUE);
  assert_string_equal(t, ".");
  assert_int_equal(agent_layer_whiteout("etc/x.wh.y", t, sizeof t), AGENT_WHITEOUT_NONE);
  assert_int_equal(agent_layer_whiteout("etc/.wh.", t, sizeof t), AGENT_WHITEOUT_NONE);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "nobody:x:65534:65534::/:/bin/false\n"
                             "app:x:1000:50::/home/app:/bin/sh\n";
static const char group[] = "root:x:0:\nstaff:x:50:app\nwheel:x:10:\n";

static void image_user_names_resolve_as_runc_does(void **state) {
  (void)state;
  uid_t uid;
  gid_t gid;
  tug_error err = {0};
  assert_int_equal(agent_image_user_lookup("nobody", passwd, group, &uid, &gid, &err), 0);
  assert_int_equal(uid, 65534);
  assert_int_equal(gid, 65534);
  assert_int_equal(agent_image_user_lookup("app:wheel", passwd, group, &uid, &gid, &err), 0);
  assert_int_equal(uid, 1000);
  assert_int_equal(gid, 10);
  /* A numeric uid takes its passwd gid when listed, else 0; a numeric group wins. */
  assert_int_equal(agent_image_user_lookup("1000", passwd, group, &uid, &gid, &err), 0);
  assert_int_equal(gid, 50);
  assert_int_equal(agent_image_user_lookup("4242", passwd, group, &uid, &gid, &err), 0);
  assert_int_equal(uid, 4242);
  assert_int_equal(gid, 0);
  assert_int_equal(agent_image_user_lookup("nobody:7", passwd, NULL, &uid, &gid, &err), 0);
  assert_int_equal(gid, 7);
  assert_int_equal(agent_image_user_lookup("ghost", passwd, group, &uid, &gid, &err), -1);
  assert_string_equal(err.msg, "unable to find user ghost: no matching entries in passwd file");
  assert_int_equal(agent_image_user_lookup("app:nogroup", passwd, group, &uid, &gid, &err), -1);
  assert_int_equal(agent_image_user_lookup("nobody", NULL, NULL, &uid, &gid, &err), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ref_short_name_resolves_against_the_default_registry),
      cmocka_unit_test(ref_host_port_tag_and_digest),
      cmocka_unit_test(default_pull_policy_is_always_for_latest_only),
      cmocka_unit_test(index_picks_linux_amd64),
      cmocka_unit_test(manifest_lists_config_and_layers_and_refuses_foreign_layers),
      cmocka_unit_test(bearer_challenge_is_parsed),
      cmocka_unit_test(pull_secret_credentials_match_the_host),
      cmocka_unit_test(whiteouts_become_overlay_markers),
      cmocka_unit_test(image_user_names_resolve_as_runc_does),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
