/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* For unit tests: how many descriptors this process has open. */
#ifndef LIBFLUX_TEST_FDCOUNT_H
#define LIBFLUX_TEST_FDCOUNT_H

#include <dirent.h>

/* The entries of /proc/self/fd, less the one opendir() holds; -1 if it
 * cannot be read.
 */
static inline int fd_count (void)
{
    DIR *d = opendir ("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir (d)))
        if (e->d_name[0] != '.')
            n++;
    closedir (d);
    return n - 1;
}

#endif /* !LIBFLUX_TEST_FDCOUNT_H */
