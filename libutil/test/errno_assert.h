/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cmocka assertions that a call fails the libflux way: -1 (or NULL)
 * with errno set to 'e'.  errno is cleared first, so a call that fails
 * without setting it does not pass on a stale value.  Shared by the unit
 * tests of libutil and libflux (include after <cmocka.h>).
 */
#ifndef FLUX_TEST_ERRNO_ASSERT_H
#define FLUX_TEST_ERRNO_ASSERT_H

#include <errno.h>

#define assert_fails(expr, e) do { \
    errno = 0; \
    assert_int_equal ((expr), -1); \
    assert_int_equal (errno, (e)); \
} while (0)

#define assert_fails_null(expr, e) do { \
    errno = 0; \
    assert_null ((expr)); \
    assert_int_equal (errno, (e)); \
} while (0)

#endif /* !FLUX_TEST_ERRNO_ASSERT_H */
