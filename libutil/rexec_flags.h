/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The "flags" of a rexec.exec request (RFC 42, flux-core's libsubprocess
 * values): which streams the server forwards, and whether it sends
 * stdin credit.  The broker's rexec service and flux exec both use them.
 */
#ifndef LIBUTIL_REXEC_FLAGS_H
#define LIBUTIL_REXEC_FLAGS_H

enum {
    REXEC_STDOUT = 1,
    REXEC_STDERR = 2,
    REXEC_CHANNEL = 4,
    REXEC_WRITE_CREDIT = 8,
    REXEC_WAITABLE = 16,
};

#endif /* !LIBUTIL_REXEC_FLAGS_H */
