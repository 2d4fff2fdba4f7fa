/*
 * test_support.h — what cmocka tests of libtug share.
 *
 * OK(call): call must not fail; on failure the test fails with the call's
 * text and the error message. Inside call, `err` names a fresh tug_error.
 */
#ifndef TUG_TEST_SUPPORT_H
#define TUG_TEST_SUPPORT_H

#include "error.h"

#define OK(call)                                                                                 \
  do {                                                                                           \
    tug_error err_ = {0};                                                                        \
    tug_error *err = &err_;                                                                      \
    if ((call) < 0)                                                                              \
      fail_msg("%s: %s", #call, err_.msg);                                                       \
  } while (0)

#endif
