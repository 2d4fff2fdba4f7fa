/*
 * nft_fixture.c — what the tests of the agent's nftables rules share (see
 * nft_fixture.h).
 */
#include "nft_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Become uid 0 of a new user namespace with a new network namespace. */
int nft_fixture_enter_netns(void) {
  char map[64];
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
    return -1;
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
  if (write_file("/proc/self/uid_map", map) < 0)
    return -1;
  write_file("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
  return write_file("/proc/self/gid_map", map);
}

/* "list table ip tugboat" through a context of our own; malloc'd, NULL when missing. */
char *nft_fixture_list_table(void) {
  struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(nft);
  nft_ctx_buffer_error(nft);
  char *out = NULL;
  if (nft_run_cmd_from_buffer(nft, "list table ip tugboat") == 0)
    out = strdup(nft_ctx_get_output_buffer(nft));
  nft_ctx_free(nft);
  return out;
}

static int by_string(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A listing as its sorted lines, trimmed, with element lists split one a
 * line: equal for equal tables whatever order chains and elements were made. */
char *nft_fixture_normalized(char *listing) {
  char *lines[4096], *save = NULL, *out = calloc(1, strlen(listing) + 1);
  size_t n = 0;
  for (char *l = strtok_r(listing, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save)) {
    l += strspn(l, "\t ");
    if (strncmp(l, "elements = { ", 13) == 0)
      l += 13;
    size_t len = strlen(l);
    if (len >= 2 && strcmp(l + len - 2, " }") == 0)
      l[len -= 2] = '\0';
    if (len && l[len - 1] == ',')
      l[--len] = '\0';
    if (len)
      lines[n++] = l;
  }
  qsort(lines, n, sizeof *lines, by_string);
  for (size_t i = 0; i < n; i++)
    strcat(strcat(out, lines[i]), "\n");
  free(listing);
  return out;
}

void nft_fixture_run_in_netns(int (*body)(int fd)) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    if (nft_fixture_enter_netns() < 0) {
      dprintf(fds[1], "user namespaces: %s", strerror(errno));
      _exit(77);
    }
    _exit(body(fds[1]));
  }
  close(fds[1]);
  static char msg[65536];
  ssize_t n = read(fds[0], msg, sizeof msg - 1);
  msg[n > 0 ? n : 0] = '\0';
  close(fds[0]);
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    print_message("# skipped: %s\n", msg);
    skip();
  }
  if (WEXITSTATUS(status) != 0)
    fail_msg("in the namespace: %s", msg);
}
