/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The simple PMI-1 wire protocol (MPICH's "simple" PMI, RFC 13 in
 * flux-core): text lines "cmd=NAME key=value ...\n" on a stream socket,
 * each request answered by one line.  What `flux start --test-size`
 * serves and each broker it starts speaks (broker/boot_pmi.c), as
 * flux-core's do, so either side can be flux-core's.
 *
 * A line's words are key=value pairs split on spaces, except that the
 * pair named 'value' (put, get_result) is always last and runs to the
 * end of the line: a value may hold spaces and '=' (a business card is
 * JSON, a CURVE key is Z85), never a newline.
 */
#ifndef LIBUTIL_PMI_WIRE_H
#define LIBUTIL_PMI_WIRE_H

#include <stddef.h>

enum {
    PMI_WIRE_LINE_MAX = 4096,   /* longest line either side accepts */
    PMI_WIRE_KEYLEN_MAX = 64,
    PMI_WIRE_VALLEN_MAX = 1024,     /* flux-core's server's */
    PMI_WIRE_KVSNAME_MAX = 64,
};

/* The value of 'key' in 'line' (a NUL-terminated line without its
 * newline), copied into buf of 'size' bytes.  Returns 0, or -1 if the
 * key is absent or its value does not fit.
 */
int pmi_wire_get (const char *line, const char *key, char *buf, size_t size);

/* pmi_wire_get() of an integer value.  Returns 0, or -1. */
int pmi_wire_get_int (const char *line, const char *key, int *value);

#endif /* !LIBUTIL_PMI_WIRE_H */

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
