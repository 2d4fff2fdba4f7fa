/*
 * userns_sandbox.h — tests that need CAP_NET_ADMIN without root: enter a user
 * namespace of our own (uid and gid mapped to 0) with a network namespace it
 * owns. Linked into every test as lib/tests support code.
 */
#ifndef TUG_TEST_USERNS_SANDBOX_H
#define TUG_TEST_USERNS_SANDBOX_H

#include <stddef.h>

/* 1: the calling process is now root of its own user and network namespaces;
 * 0: the kernel refuses user namespaces here (why says so; tests skip);
 * -1: the id maps could not be written. */
int tug_test_enter_userns(char *why, size_t size);

#endif
